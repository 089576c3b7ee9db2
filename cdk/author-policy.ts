/** The customer managed policy `GroundTruthLambdaAuthor` for admins to attach to the people who build custom workflows. */
import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  AUTHOR_POLICY_NAME,
  CAPABILITIES,
  proposeAuthorPolicy,
  requestsFor,
  type AuthorScope,
} from '../shared/core/author';

/** Props of {@link AuthorPolicy}. */
export interface AuthorPolicyProps {
  /** The functions' name prefix (`-c authorFunctionPrefix=`); without it, every function of the account and region. */
  functionPrefix?: string;
  /** Acknowledge the explained cdk-nag findings on the policy (default true). */
  acknowledge?: boolean;
}

/** One cdk-nag finding this policy accepts and why. */
export interface ExplainedAuthorFinding {
  id: string;
  reason: string;
}

/** The four capabilities in the deployment's partition, account and region: the same statements `author` proposes. */
export class AuthorPolicy extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: AuthorPolicyProps = {}) {
    super(scope, id);
    const authorScope: AuthorScope = {
      partition: Aws.PARTITION,
      accountId: Aws.ACCOUNT_ID,
      region: Aws.REGION,
      ...(props.functionPrefix ? { functionPrefix: props.functionPrefix } : {}),
    };
    const requests = CAPABILITIES.flatMap((c) => requestsFor(c, authorScope));
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      managedPolicyName: AUTHOR_POLICY_NAME,
      description:
        'Lets a person build SageMaker Ground Truth custom labeling workflows (gt-remediate author)',
      document: iam.PolicyDocument.fromJson(proposeAuthorPolicy(requests, authorScope)),
    });
    if (props.acknowledge !== false)
      for (const finding of explainedAuthorFindings(props.functionPrefix))
        Validations.of(this.policy).acknowledge(finding);
  }
}

const iam5 = (what: string): string => `AwsSolutions-IAM5[${what}]`;

/** The wildcard findings of the policy, each with its reason (cdk-nag names pseudo parameters <AWS::Name>). */
export function explainedAuthorFindings(functionPrefix = ''): ExplainedAuthorFinding[] {
  const base = 'arn:<AWS::Partition>';
  return [
    {
      id: iam5(`Resource::${base}:lambda:<AWS::Region>:<AWS::AccountId>:function:${functionPrefix}*`),
      reason:
        'The annotation functions do not exist yet when the person is set up: create, update, get and invoke are ' +
        'limited to function names starting with the configured prefix, in this account and region.',
    },
    {
      id: iam5(`Resource::${base}:iam::<AWS::AccountId>:role/${functionPrefix}*`),
      reason:
        "iam:PassRole of the functions' roles, only to lambda.amazonaws.com (iam:PassedToService), and only roles " +
        'named with the configured prefix; or, for the execution role, only to sagemaker.amazonaws.com.',
    },
    ...(functionPrefix
      ? [
          {
            id: iam5(`Resource::${base}:iam::<AWS::AccountId>:role/*`),
            reason:
              'iam:PassRole of the labeling job execution role, which is chosen per job, only to ' +
              'sagemaker.amazonaws.com (iam:PassedToService condition).',
          },
        ]
      : []),
    {
      id: iam5(`Resource::${base}:sagemaker:<AWS::Region>:<AWS::AccountId>:labeling-job/*`),
      reason:
        'sagemaker:CreateLabelingJob: job names are chosen per job; limited to this account and region.',
    },
    {
      id: iam5('Resource::*'),
      reason:
        'lambda:ListFunctions and serverlessrepo:SearchApplications have no resource type, so IAM accepts only *; ' +
        'limited to this region by aws:RequestedRegion.',
    },
  ];
}
