/**
 * The least-privilege proof: deployed roles read back from moto IAM (inline, attached managed and
 * boundary policies, through the project's IamReader), and each recorded call or forbidden request
 * put to the project's evaluator door (shared/core/simulate.ts evaluateAccess).
 */
import { IAMClient, paginateListRoles } from '@aws-sdk/client-iam';
import { IamReader } from '../../shared/aws/iam';
import type { PolicyDocument, RoleInfo } from '../../shared/core';
import { evaluateAccess, type Verdict } from '../../shared/core/simulate';
import { clientConfig, type DeployTarget } from './cfn-deploy';
import { authorizedRequestsOf, type AuthorizedRequest, type RoleArnOf } from './iam-actions';
import type { RecordedCall } from './recording-proxy';

/** A role as deployed, with the session name its callers use. */
export interface DeployedRole {
  info: RoleInfo;
  sessionName: string;
}

/** Reads `roleArn` with every policy that applies to it, using credentials of its account. */
export async function readDeployedRole(target: DeployTarget, roleArn: string): Promise<RoleInfo> {
  const iam = new IAMClient({ ...clientConfig(target), region: 'us-east-1' });
  try {
    const role = await new IamReader(iam, new Map()).readRole(roleArn.slice(roleArn.lastIndexOf('/') + 1));
    if (!role) throw new Error(`role ${roleArn} does not exist in moto`);
    return role;
  } finally {
    iam.destroy();
  }
}

/** Role name → ARN (with its path) in every account of `targets`, from ListRoles. */
export async function roleArnResolver(targets: DeployTarget[]): Promise<RoleArnOf> {
  const arns = new Map<string, string>();
  for (const target of targets) {
    const iam = new IAMClient({ ...clientConfig(target), region: 'us-east-1' });
    for await (const page of paginateListRoles({ client: iam }, {}))
      for (const role of page.Roles ?? []) arns.set(`${target.accountId}/${role.RoleName}`, role.Arn ?? '');
    iam.destroy();
  }
  return (accountId, roleName) => {
    const arn = arns.get(`${accountId}/${roleName}`);
    // A role that does not exist (any more) is still a resource IAM authorizes: the path-less ARN.
    return arn ?? `arn:aws:iam::${accountId}:role/${roleName}`;
  };
}

/** The evaluator's verdict on `role` (session `sessionName`) making `request`. */
export async function decide(
  role: DeployedRole,
  request: AuthorizedRequest,
  options: {
    knownContext?: Record<string, string>;
    resourcePolicy?: PolicyDocument;
    /** The resource's tags, when known (all of them: a tag not listed is known to be absent). */
    resourceTags?: Record<string, string>;
  } = {},
): Promise<{ verdict: Verdict; detail?: string }> {
  const accountId = role.info.arn.split(':')[4] ?? '';
  const decision = await evaluateAccess({
    role: role.info,
    accountId,
    region: request.region,
    sessionName: role.sessionName,
    action: request.action,
    resourceArn: request.resource,
    resourceAccount: request.resourceAccount,
    ...(options.resourcePolicy ? { resourcePolicy: options.resourcePolicy } : {}),
    ...(options.knownContext ? { knownContext: options.knownContext } : {}),
    ...(options.resourceTags ? { resourceTags: options.resourceTags } : {}),
    now: new Date(),
  });
  return { verdict: decision.verdict, ...(decision.detail ? { detail: decision.detail } : {}) };
}

/** One recorded call, as IAM would judge it. */
export interface JudgedCall {
  principal: string;
  operation: string;
  action: string;
  resource: string;
  verdict: Verdict;
}

/** Per-request extras of the proof: context the caller knows, and the resource policy of a cross-account resource. */
export interface JudgeOptions {
  knownContext?: (request: AuthorizedRequest) => Record<string, string> | undefined;
  resourcePolicy?: (request: AuthorizedRequest) => PolicyDocument | undefined;
}

/**
 * Judges every recorded call against the policies of the role that made it (`roles`, by role ARN).
 * A call whose caller is not one of `roles` is judged `unevaluable`: nothing may pass unexamined.
 */
export async function judgeCalls(
  calls: readonly RecordedCall[],
  roles: ReadonlyMap<string, DeployedRole>,
  roleArnOf: RoleArnOf,
  options: JudgeOptions = {},
): Promise<JudgedCall[]> {
  const judged: JudgedCall[] = [];
  for (const call of calls) {
    const principal = call.principal ?? `unknown access key ${call.accessKeyId}`;
    const role = roles.get(principal);
    const callerAccount = principal.split(':')[4] ?? '';
    for (const request of authorizedRequestsOf(call, callerAccount, roleArnOf)) {
      // S3 supplies s3:ResourceAccount (the bucket owner's account) on every request it authorizes.
      const s3Context: Record<string, string> = request.action.startsWith('s3:')
        ? { 's3:ResourceAccount': request.resourceAccount }
        : {};
      const knownContext: Record<string, string> = { ...s3Context, ...options.knownContext?.(request) };
      const resourcePolicy = options.resourcePolicy?.(request);
      const verdict = role
        ? (
            await decide(role, request, {
              ...(knownContext ? { knownContext } : {}),
              ...(resourcePolicy ? { resourcePolicy } : {}),
            })
          ).verdict
        : 'unevaluable';
      judged.push({
        principal,
        operation: `${call.service}:${call.operation}`,
        action: request.action,
        resource: request.resource,
        verdict,
      });
    }
  }
  return judged;
}

/** A request the remediator's roles must never be allowed, and why it is on the list. */
export interface ForbiddenRequest {
  label: string;
  request: AuthorizedRequest;
}

/** Role writes on every kind of role the guardrails protect, role creation, policy attachment and versioning. */
export function forbiddenRequests(options: {
  /** The role under test (its own ARN). */
  ownRoleArn: string;
  /** A role the scope covers (e.g. a job's execution role): attaching to it is still forbidden. */
  inScopeRoleArn: string;
  /** A role the scope does not cover. */
  outOfScopeRoleArn: string;
}): ForbiddenRequest[] {
  const account = options.ownRoleArn.split(':')[4] ?? '';
  const request = (action: string, resource: string): AuthorizedRequest => ({
    action,
    resource,
    resourceAccount: resource.split(':')[4] || account,
    region: 'us-east-1',
  });
  const protectedRoles: [string, string][] = [
    ['its own role', options.ownRoleArn],
    [
      'a service-linked role',
      `arn:aws:iam::${account}:role/aws-service-role/sagemaker.amazonaws.com/AWSServiceRoleForAmazonSageMakerNotebooks`,
    ],
    [
      'an /aws-reserved/ role',
      `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef`,
    ],
    ['a role outside the scope', options.outOfScopeRoleArn],
  ];
  return [
    ...['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy'].flatMap((action) =>
      protectedRoles.map(([what, arn]) => ({ label: `${action} on ${what}`, request: request(action, arn) })),
    ),
    {
      label: 'iam:CreateRole',
      request: request('iam:CreateRole', `arn:aws:iam::${account}:role/gt-new-role`),
    },
    {
      label: 'iam:AttachRolePolicy on a role in scope',
      request: request('iam:AttachRolePolicy', options.inScopeRoleArn),
    },
    {
      label: 'iam:CreatePolicyVersion',
      request: request('iam:CreatePolicyVersion', `arn:aws:iam::${account}:policy/gt-any-policy`),
    },
  ];
}
