/**
 * What IAM authorizes for a recorded AWS call: the action and the resource ARN(s), from the Service
 * Authorization Reference. SDK operation names are not IAM action names in general (Lambda's
 * ListTags is `lambda:ListTags`, its GetPolicy `lambda:GetPolicy`, not IAM's), so every operation
 * the remediator may send is listed here, and an unlisted one fails the proof instead of passing it.
 */
import type { RecordedCall } from './recording-proxy';

/** One authorization question: `action` on `resource` (in `resourceAccount`), from `region`. */
export interface AuthorizedRequest {
  action: string;
  resource: string;
  resourceAccount: string;
  region: string;
}

/** Resolves a role name to its ARN (the path is part of the ARN IAM authorizes against). */
export type RoleArnOf = (accountId: string, roleName: string) => string;

const IAM_ROLE_OPERATIONS = new Set([
  'GetRole',
  'ListRolePolicies',
  'GetRolePolicy',
  'ListAttachedRolePolicies',
  'PutRolePolicy',
  'DeleteRolePolicy',
  'UpdateAssumeRolePolicy',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'TagRole',
]);
const IAM_POLICY_OPERATIONS = new Set(['GetPolicy', 'GetPolicyVersion', 'CreatePolicyVersion']);

/** `name`, `arn:...:function:name[:qualifier]` or `account:function:name` → the unqualified function ARN. */
function functionArn(nameOrArn: string, accountId: string, region: string): string {
  const full = /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)/.exec(nameOrArn);
  if (full) return `arn:${full[1]}:lambda:${full[2]}:${full[3]}:function:${full[4]}`;
  const partial = /^(\d{12}):function:([^:]+)/.exec(nameOrArn);
  if (partial) return `arn:aws:lambda:${region}:${partial[1]}:function:${partial[2]}`;
  return `arn:aws:lambda:${region}:${accountId}:function:${nameOrArn.split(':')[0]}`;
}

function accountOfArn(arn: string, fallback: string): string {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : fallback;
}

function param(call: RecordedCall, name: string): string {
  const value = call.params[name];
  if (typeof value !== 'string' || value === '')
    throw new Error(`${call.service} ${call.operation}: no ${name} in the recorded call`);
  return value;
}

/**
 * The requests IAM evaluates for `call`, made by a principal of `callerAccount`. Operations that
 * need no permission (sts:GetCallerIdentity) give none; an operation not listed here throws.
 */
export function authorizedRequestsOf(
  call: RecordedCall,
  callerAccount: string,
  roleArnOf: RoleArnOf,
): AuthorizedRequest[] {
  const region = call.region;
  const one = (action: string, resource: string): AuthorizedRequest[] => [
    { action, resource, resourceAccount: accountOfArn(resource, callerAccount), region },
  ];
  const op = call.operation;
  switch (call.service) {
    case 'iam':
      if (IAM_ROLE_OPERATIONS.has(op))
        return one(`iam:${op}`, roleArnOf(callerAccount, param(call, 'RoleName')));
      if (IAM_POLICY_OPERATIONS.has(op)) return one(`iam:${op}`, param(call, 'PolicyArn'));
      break;
    case 'lambda':
      if (op === 'GetFunctionConfiguration' || op === 'GetFunction' || op === 'GetPolicy')
        return one(`lambda:${op}`, functionArn(param(call, 'FunctionName'), callerAccount, region));
      if (op === 'ListTags') return one('lambda:ListTags', param(call, 'Resource'));
      break;
    case 'kms':
      if (op === 'GetKeyPolicy' || op === 'DescribeKey') {
        const key = param(call, 'KeyId');
        return one(
          `kms:${op}`,
          key.startsWith('arn:') ? key : `arn:aws:kms:${region}:${callerAccount}:key/${key}`,
        );
      }
      break;
    case 'sts':
      if (op === 'AssumeRole') return one('sts:AssumeRole', param(call, 'RoleArn'));
      if (op === 'GetCallerIdentity') return [];
      break;
    case 'ssm':
      if (op === 'GetParameter') {
        const name = param(call, 'Name');
        const path = name.startsWith('/') ? name : `/${name}`;
        return one('ssm:GetParameter', `arn:aws:ssm:${region}:${callerAccount}:parameter${path}`);
      }
      break;
    case 'sns':
      if (op === 'Publish') return one('sns:Publish', param(call, 'TopicArn'));
      break;
    case 'events':
      if (op === 'PutEvents') {
        const entries = (call.params.Entries ?? []) as { EventBusName?: string }[];
        return entries.flatMap((entry) => {
          const bus = entry.EventBusName ?? 'default';
          return one(
            'events:PutEvents',
            bus.startsWith('arn:') ? bus : `arn:aws:events:${region}:${callerAccount}:event-bus/${bus}`,
          );
        });
      }
      break;
    case 'sagemaker':
      // Labeling job ARNs carry the name in lower case.
      if (op === 'DescribeLabelingJob')
        return one(
          'sagemaker:DescribeLabelingJob',
          `arn:aws:sagemaker:${region}:${callerAccount}:labeling-job/${param(call, 'LabelingJobName').toLowerCase()}`,
        );
      if (op === 'ListLabelingJobs')
        return [
          { action: 'sagemaker:ListLabelingJobs', resource: '*', resourceAccount: callerAccount, region },
        ];
      break;
    case 's3':
      if (op === 'GetBucketPolicy') return one('s3:GetBucketPolicy', `arn:aws:s3:::${param(call, 'Bucket')}`);
      // ListObjectsV2 is authorized as s3:ListBucket on the bucket (the bucket ARN carries no account).
      if (op === 'ListObjectsV2')
        return [
          {
            action: 's3:ListBucket',
            resource: `arn:aws:s3:::${param(call, 'Bucket')}`,
            resourceAccount: callerAccount,
            region,
          },
        ];
      break;
    default:
      break;
  }
  throw new Error(`no IAM action mapping for ${call.service} ${op}: add it to test/support/iam-actions.ts`);
}
