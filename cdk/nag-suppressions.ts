/** Every cdk-nag finding this stack accepts, each acknowledged on the construct it concerns, with its reason. */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { MEMBER_ROLE_NAME } from '../shared/aws/member-account';
import { ACCOUNT_ROLES } from './remediator-permissions';
import type { RemediationStack } from './remediation-stack';

/** One accepted finding: the cdk-nag rule id (with `[finding]` for IAM5) and why it is acceptable. */
export interface ExplainedFinding {
  id: string;
  reason: string;
}

const iam5 = (resourceOrAction: string): string => `AwsSolutions-IAM5[${resourceOrAction}]`;

// cdk-nag names a resource as it flattens the template: pseudo parameters become <AWS::Name>.
const ACCOUNT_ROLES_AS_NAMED = 'arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*';
const asNamedByNag = (pattern: string): string =>
  pattern === ACCOUNT_ROLES ? ACCOUNT_ROLES_AS_NAMED : pattern;

/** The explained findings of the function's policy, given the managed role patterns it writes. */
export function explainedPolicyFindings(managedRolePatterns: readonly string[]): ExplainedFinding[] {
  const reasons = new Map<string, string[]>();
  const add = (id: string, reason: string): void => {
    reasons.set(id, [...(reasons.get(id) ?? []), reason]);
  };
  add(
    iam5(`Resource::${ACCOUNT_ROLES_AS_NAMED}`),
    'Read-only IAM role actions (GetRole, ListRolePolicies, GetRolePolicy, ListAttachedRolePolicies): the role of ' +
      'any labeling job and of any annotation function can be inspected, in this account only.',
  );
  for (const pattern of managedRolePatterns.filter((p) => p.includes('*'))) {
    add(
      iam5(`Resource::${asNamedByNag(pattern)}`),
      'PutRolePolicy and UpdateAssumeRolePolicy on the operator-configured managed role scope (context ' +
        "managedRolePatterns, default: roles of this account); service-linked roles and the function's own role " +
        'are denied explicitly, and the optional managedRoleTag condition narrows it further.',
    );
  }
  add(
    iam5('Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:policy/*'),
    'Read-only GetPolicy/GetPolicyVersion: any customer managed policy attached to an inspected role must be read ' +
      'to evaluate it.',
  );
  add(
    iam5('Resource::arn:<AWS::Partition>:iam::aws:policy/*'),
    'Read-only GetPolicy/GetPolicyVersion on AWS managed policies, e.g. AmazonSageMakerGroundTruthExecution.',
  );
  add(
    iam5('Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:*'),
    'Read-only GetFunctionConfiguration, ListTags and GetPolicy of the annotation functions a job names, which are only known per event; ' +
      'limited to this account and region.',
  );
  add(
    iam5('Resource::arn:<AWS::Partition>:s3:::*'),
    "Read-only GetBucketPolicy of the job's output bucket, only known per event; limited to buckets this account owns " +
      '(s3:ResourceAccount).',
  );
  add(
    iam5('Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*'),
    "Read-only GetKeyPolicy and DescribeKey of the job's output key, only known per event; limited to this account and region.",
  );
  add(
    iam5('Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:labeling-job/*'),
    'Read-only DescribeLabelingJob of the job named in the event; limited to this account and region.',
  );
  add(
    iam5('Resource::arn:<AWS::Partition>:s3:::*'),
    "s3:ListBucket only, on buckets of this account (condition s3:ResourceAccount): one page of a job's output " +
      'folder, to tell a new folder from one that already held data before a read grant is written there. The ' +
      "bucket and prefix are the job's, known per event only; no object is ever read.",
  );
  add(
    iam5('Resource::*'),
    'sagemaker:ListLabelingJobs only: it has no resource type, so IAM accepts no other resource.',
  );
  add(
    iam5('Action::kms:GenerateDataKey*'),
    'From Topic.grantPublish: publishing to the KMS-encrypted report topic needs a data key of its key, and only ' +
      'of that key (resource is the key ARN).',
  );
  return [...reasons].map(([id, list]) => ({ id, reason: list.join(' ') }));
}

/** The further findings of the function's policy in organisation mode. */
export function organizationPolicyFindings(): ExplainedFinding[] {
  return [
    {
      id: iam5(`Resource::arn:<AWS::Partition>:iam::*:role/${MEMBER_ROLE_NAME}`),
      reason:
        'sts:AssumeRole on the one member role name, in any account only where aws:ResourceOrgID is the ' +
        'organisation (listed accounts are named exactly): the member role stack exists only where the StackSet put it.',
    },
    {
      id: iam5('Resource::arn:<AWS::Partition>:lambda:*:<AWS::AccountId>:function:*'),
      reason:
        'Read-only GetFunctionConfiguration, ListTags and GetPolicy of annotation functions in this account: organisation mode ' +
        "also serves the home account's other regions, whose forwarders send their jobs here.",
    },
    {
      id: iam5('Resource::arn:<AWS::Partition>:kms:*:<AWS::AccountId>:key/*'),
      reason:
        "Read-only GetKeyPolicy and DescribeKey of a job's output key in any region of this account (the home account's " +
        'other regions forward their jobs here).',
    },
    {
      id: iam5('Resource::arn:<AWS::Partition>:sagemaker:*:<AWS::AccountId>:labeling-job/*'),
      reason:
        "Read-only DescribeLabelingJob of the job an event names, in any region of this account (the home account's " +
        'other regions forward their jobs here).',
    },
  ];
}

function acknowledge(construct: IConstruct, findings: ExplainedFinding[]): void {
  for (const finding of findings) Validations.of(construct).acknowledge(finding);
}

/** Acknowledges the explained findings on the constructs they concern (never stack-wide). */
export function acknowledgeExplainedFindings(stack: RemediationStack): void {
  const { remediate } = stack;
  acknowledge(remediate.role, explainedPolicyFindings(stack.managedRolePatterns));
  if (stack.homeBus) acknowledge(remediate.role, organizationPolicyFindings());
  acknowledge(remediate.deadLetterQueue, [
    {
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue (Lambda on-failure destination and EventBridge target DLQ); ' +
        'its depth is alarmed and messages are kept 14 days.',
    },
  ]);
  acknowledge(remediate.function, [
    {
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is a current, supported Lambda runtime; it is kept one step behind the newest so the deployed ' +
        'runtime stays close to the Node 20+ toolchain the test suite runs on. Moving to 24 is a deliberate change.',
    },
  ]);
  if (stack.trail) {
    acknowledge(stack.trail.bucket, [
      {
        id: 'AwsSolutions-S1',
        reason:
          'The bucket holds only CloudTrail log files, protected by log file validation, private and TLS-only; ' +
          'server access logs would need a further bucket for an optional convenience trail.',
      },
    ]);
  }
}
