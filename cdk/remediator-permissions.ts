/** The remediate function's IAM policy: reads where it must look, writes only on the managed role scope. */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { protectedRoleArnPatterns } from '../shared/core/protected-roles';

/**
 * The only IAM writes the function makes (README, "The patch"); DeleteRolePolicy removes our read
 * policy once the last job it served has ended (shared/core/remove-grants.ts).
 */
export const ROLE_WRITE_ACTIONS = ['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:DeleteRolePolicy'];

/**
 * Every IAM action that creates, changes, hands out or deletes a role (the `role` resource type's
 * write actions): denied on the protected roles whatever the function holds, so a write granted
 * later (e.g. DeleteRolePolicy to remove a grant) is denied there from the start.
 */
export const ROLE_CHANGE_ACTIONS = [
  'iam:AttachRolePolicy',
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:DeleteRolePermissionsBoundary',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PassRole',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
];

/** Inputs of {@link remediatorStatements}. */
export interface RemediatorPermissionsProps {
  /** Role ARN patterns the function may write (the managed role scope); never empty here. */
  managedRolePatterns: string[];
  /** When set, a role must also carry this tag to be written. */
  managedRoleTag?: { key: string; value: string };
  /** The function's own role, which it must never write. */
  ownRoleArn: string;
  /** Region of the functions and labeling jobs read (default: the stack's; `*` for a member role). */
  region?: string;
  /** `-c protectedRoles`: roles denied besides the built-in ones (shared/core/protected-roles.ts). */
  protectedRoles?: readonly string[];
}

const partition = Aws.PARTITION;
const account = Aws.ACCOUNT_ID;

/** Every role of the deployment account: the default managed role scope. */
export const ACCOUNT_ROLES = `arn:${partition}:iam::${account}:role/*`;

/**
 * Organisation mode: the flow's scope filter (SCOPE_ROLE_PATTERNS) for jobs of every served account.
 * Not a grant: the function's own IAM policy stays on ACCOUNT_ROLES, and each member account's role
 * on its own ACCOUNT_ROLES; which accounts are served is ALLOWED_ACCOUNTS/ORGANIZATION_ID's decision.
 */
export const SERVED_ACCOUNT_ROLES = `arn:${partition}:iam::*:role/*`;

/** Service-linked roles in any account: never written, whatever the scope says. */
export const SERVICE_LINKED_ROLES = `arn:${partition}:iam::*:role/aws-service-role/*`;

/** Roles IAM Identity Center and other AWS services manage under /aws-reserved/: never written. */
export const AWS_RESERVED_ROLES = `arn:${partition}:iam::*:role/aws-reserved/*`;

/** Least-privilege statements (without SNS, SSM, EventBridge and logs, which come from resource grants). */
export function remediatorStatements(props: RemediatorPermissionsProps): iam.PolicyStatement[] {
  const region = props.region ?? Aws.REGION;
  const tagCondition = props.managedRoleTag
    ? { StringEquals: { [`aws:ResourceTag/${props.managedRoleTag.key}`]: props.managedRoleTag.value } }
    : undefined;
  return [
    new iam.PolicyStatement({
      sid: 'ReadRoles',
      actions: ['iam:GetRole', 'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies'],
      resources: [ACCOUNT_ROLES],
    }),
    new iam.PolicyStatement({
      sid: 'ReadManagedPolicies',
      actions: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
      resources: [`arn:${partition}:iam::${account}:policy/*`, `arn:${partition}:iam::aws:policy/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadFunctions',
      actions: ['lambda:GetFunctionConfiguration', 'lambda:ListTags', 'lambda:GetPolicy'],
      resources: [`arn:${partition}:lambda:${region}:${account}:function:*`],
    }),
    new iam.PolicyStatement({
      // The output bucket's policy; bucket names are global, so the bucket must be this account's.
      sid: 'ReadBucketPolicies',
      actions: ['s3:GetBucketPolicy'],
      resources: [`arn:${partition}:s3:::*`],
      conditions: { StringEquals: { 's3:ResourceAccount': account } },
    }),
    new iam.PolicyStatement({
      // The output key's policy (DescribeKey resolves an alias or key id to the key's ARN).
      sid: 'ReadKeyPolicies',
      actions: ['kms:GetKeyPolicy', 'kms:DescribeKey'],
      resources: [`arn:${partition}:kms:${region}:${account}:key/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadLabelingJobs',
      actions: ['sagemaker:DescribeLabelingJob'],
      resources: [`arn:${partition}:sagemaker:${region}:${account}:labeling-job/*`],
    }),
    new iam.PolicyStatement({
      // ListLabelingJobs has no resource type: IAM accepts only "*" for it.
      sid: 'ListLabelingJobs',
      actions: ['sagemaker:ListLabelingJobs'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      // Is a job's output folder new? One ListObjectsV2 page of <output>/<jobName>/. The prefix is the
      // job's (known per event only); the bucket must be this account's, never another's.
      sid: 'ListOutputFolders',
      actions: ['s3:ListBucket'],
      resources: [`arn:${partition}:s3:::*`],
      conditions: { StringEquals: { 's3:ResourceAccount': account } },
    }),
    new iam.PolicyStatement({
      sid: 'WriteManagedRoles',
      actions: ROLE_WRITE_ACTIONS,
      resources: props.managedRolePatterns,
      ...(tagCondition ? { conditions: tagCondition } : {}),
    }),
    new iam.PolicyStatement({
      sid: 'DenyWriteServiceLinkedRoles',
      effect: iam.Effect.DENY,
      actions: ROLE_WRITE_ACTIONS,
      resources: [SERVICE_LINKED_ROLES],
    }),
    new iam.PolicyStatement({
      sid: 'DenyWriteAwsReservedRoles',
      effect: iam.Effect.DENY,
      actions: ROLE_WRITE_ACTIONS,
      resources: [AWS_RESERVED_ROLES],
    }),
    new iam.PolicyStatement({
      // Admin, bootstrap and the remediator's own roles, whatever the scope patterns and tag say.
      sid: 'DenyWriteProtectedRoles',
      effect: iam.Effect.DENY,
      actions: ROLE_CHANGE_ACTIONS,
      resources: protectedRoleArnPatterns(props.protectedRoles ?? [], partition),
    }),
    new iam.PolicyStatement({
      sid: 'DenyWriteOwnRole',
      effect: iam.Effect.DENY,
      actions: ROLE_WRITE_ACTIONS,
      resources: [props.ownRoleArn],
    }),
  ];
}
