/**
 * One person's author policy, `GroundTruthLambdaAuthor-<name>`, attached to that person only: the same
 * statements `gt-remediate author --apply` would write for the whole scope, for admins who would rather
 * deploy it. Never an account-wide policy, never PassRole on a wildcard role, never function writes on
 * every function.
 */
import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  CAPABILITIES,
  authorPolicyName,
  parsePrincipalArn,
  proposeAuthorPolicy,
  requestsFor,
  wideGrants,
  type AuthorScope,
} from '../shared/core/author';

/** Props of {@link AuthorPolicy}: the person and the whole scope, every part exact. */
export interface AuthorPolicyProps {
  /** The person's IAM user or role ARN; the policy is for, and attached to, this principal only. */
  principalArn?: string;
  /** The execution roles the person's labeling jobs use (exact ARNs). */
  executionRoleArns?: string[];
  /** The functions' name prefix. */
  functionPrefix?: string;
  /** The functions' own roles (exact ARNs). */
  functionRoleArns?: string[];
  /** Acknowledge the explained cdk-nag findings on the policy (default true). */
  acknowledge?: boolean;
}

/** One cdk-nag finding this policy accepts and why. */
export interface ExplainedAuthorFinding {
  id: string;
  reason: string;
}

/** The person's four capabilities in the deployment's partition and region and the person's account. */
export class AuthorPolicy extends Construct {
  readonly policy: iam.ManagedPolicy;

  /** Throws, so synth fails, unless the person and every part of the scope are given exactly. */
  constructor(scope: Construct, id: string, props: AuthorPolicyProps = {}) {
    super(scope, id);
    const principal = props.principalArn ? parsePrincipalArn(props.principalArn) : undefined;
    const exact = (arns: string[] | undefined): boolean =>
      (arns ?? []).length > 0 && (arns ?? []).every((a) => !/[*?]/.test(a));
    if (
      !principal ||
      !props.functionPrefix ||
      !exact(props.executionRoleArns) ||
      !exact(props.functionRoleArns)
    )
      throw new Error(
        'AuthorPolicy is per person: give principalArn, executionRoleArns, functionPrefix and functionRoleArns ' +
          '(or run `gt-remediate author --live --apply` for that person); there is no account-wide author policy',
      );
    const authorScope = (region: string): AuthorScope => ({
      partition: principal.partition,
      accountId: principal.accountId,
      region,
      executionRoleArns: props.executionRoleArns ?? [],
      functionPrefix: props.functionPrefix ?? '',
      functionRoleArns: props.functionRoleArns ?? [],
    });
    const documentFor = (region: string) => {
      const s = authorScope(region);
      return proposeAuthorPolicy(
        CAPABILITIES.flatMap((c) => requestsFor(c, s)),
        s,
      );
    };
    // The same guard as the CLI's, on the document with a concrete region in place of the token.
    const wide = wideGrants(documentFor('us-east-1'));
    if (wide.length > 0) throw new Error(`AuthorPolicy would grant ${wide[0]}`);
    const name = authorPolicyName({ name: principal.name, arn: props.principalArn ?? '' });
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      managedPolicyName: name,
      description: `Lets ${principal.kind} ${principal.name} build SageMaker Ground Truth custom labeling workflows (gt-remediate author)`,
      document: iam.PolicyDocument.fromJson(documentFor(Aws.REGION)),
      ...(principal.kind === 'user'
        ? { users: [iam.User.fromUserName(this, 'User', principal.name)] }
        : { roles: [iam.Role.fromRoleName(this, 'Role', principal.name)] }),
    });
    if (props.acknowledge !== false)
      for (const finding of explainedAuthorFindings(
        principal.partition,
        principal.accountId,
        props.functionPrefix,
      ))
        Validations.of(this.policy).acknowledge(finding);
  }
}

const iam5 = (what: string): string => `AwsSolutions-IAM5[${what}]`;

/** The wildcard findings of the policy, each with its reason (cdk-nag names pseudo parameters <AWS::Name>). */
export function explainedAuthorFindings(
  partition: string,
  accountId: string,
  functionPrefix: string,
): ExplainedAuthorFinding[] {
  return [
    {
      id: iam5(`Resource::arn:${partition}:lambda:<AWS::Region>:${accountId}:function:${functionPrefix}*`),
      reason:
        'The annotation functions do not exist yet when the person is set up: create, update, get and invoke are ' +
        'limited to function names starting with the configured prefix, in this account and region.',
    },
    {
      id: iam5(`Resource::arn:${partition}:sagemaker:<AWS::Region>:${accountId}:labeling-job/*`),
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
