/** Once per member account (a StackSet): the role the remediator assumes there, with the function's own permissions. */
import {
  Aws,
  BootstraplessSynthesizer,
  CfnParameter,
  Stack,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { MEMBER_ROLE_NAME } from '../shared/aws/member-account';
import { explainedPolicyFindings } from './nag-suppressions';
import { ACCOUNT_ROLES, remediatorStatements } from './remediator-permissions';

/** Props of {@link MemberRoleStack}. */
export interface MemberRoleStackProps extends StackProps {
  /** Default of the RemediatorRoleArn parameter: the home function's role. */
  remediatorRoleArn?: string;
  /** Default of the OrganizationId parameter; without it the template has no organisation condition. */
  organizationId?: string;
  /** The operator's managed role scope (`-c managedRolePatterns`), as the function has it; default: the account's roles. */
  managedRolePatterns?: readonly string[];
  /** `-c managedRoleTag`: a role must also carry this tag to be written, as for the function. */
  managedRoleTag?: { key: string; value: string };
  /** `-c protectedRoles`: roles denied besides the built-in ones, as for the function. */
  protectedRoles?: readonly string[];
}

/**
 * Role `GtPermissionsRemediatorMember`, trusted only by the remediator function's role and only from
 * the organisation; the same reads, scoped writes and denies as the function (one statement builder).
 * A standalone template: no assets, no bootstrap resources, so StackSets can deploy it anywhere.
 */
export class MemberRoleStack extends Stack {
  /** The member role. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MemberRoleStackProps = {}) {
    super(scope, id, { ...props, synthesizer: new BootstraplessSynthesizer(), analyticsReporting: false });
    const remediatorRoleArn = new CfnParameter(this, 'RemediatorRoleArn', {
      type: 'String',
      ...(props.remediatorRoleArn ? { default: props.remediatorRoleArn } : {}),
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/\\S+$',
      description: 'Role ARN of the remediator function in the home account (stack output FunctionRoleArn)',
    });
    // Organisation mode: the session must also come from the organisation. Listed accounts only
    // (no organisation): the exact role ARN is the whole condition.
    const organizationId = props.organizationId
      ? new CfnParameter(this, 'OrganizationId', {
          type: 'String',
          default: props.organizationId,
          allowedPattern: '^o-[a-z0-9]{10,32}$',
          description: 'AWS Organizations ID the remediator account belongs to',
        })
      : undefined;
    const remediator = new iam.ArnPrincipal(remediatorRoleArn.valueAsString);
    this.role = new iam.Role(this, 'Role', {
      roleName: MEMBER_ROLE_NAME,
      assumedBy: organizationId
        ? remediator.withConditions({
            StringEquals: { 'aws:PrincipalOrgID': organizationId.valueAsString },
          })
        : remediator,
      description:
        'Assumed by the Ground Truth permission remediator: reads IAM/Lambda/SageMaker, writes the managed role scope',
    });
    const ownRoleArn = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${MEMBER_ROLE_NAME}`;
    // IAM is global and jobs run in any region of the account: reads of functions and jobs in every region.
    const managedRolePatterns =
      props.managedRolePatterns && props.managedRolePatterns.length > 0
        ? [...props.managedRolePatterns]
        : [ACCOUNT_ROLES];
    for (const statement of remediatorStatements({
      managedRolePatterns,
      ...(props.managedRoleTag ? { managedRoleTag: props.managedRoleTag } : {}),
      ownRoleArn,
      region: '*',
      ...(props.protectedRoles ? { protectedRoles: props.protectedRoles } : {}),
    })) {
      this.role.addToPrincipalPolicy(statement);
    }
    const anyRegion = (service: string, resource: string): string =>
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:${service}:*:<AWS::AccountId>:${resource}]`;
    for (const finding of [
      ...explainedPolicyFindings(managedRolePatterns).filter(
        (f) => !f.id.includes('<AWS::Region>') && !f.id.includes('kms'),
      ),
      {
        id: anyRegion('lambda', 'function:*'),
        reason:
          'Read-only GetFunctionConfiguration, ListTags and GetPolicy of the annotation functions a job names, in any region of this account (IAM is global: one member role serves every region).',
      },
      {
        id: anyRegion('kms', 'key/*'),
        reason:
          "Read-only GetKeyPolicy and DescribeKey of a job's output key, in any region of this account.",
      },
      {
        id: anyRegion('sagemaker', 'labeling-job/*'),
        reason: 'Read-only DescribeLabelingJob of the job an event names, in any region of this account.',
      },
    ]) {
      Validations.of(this.role).acknowledge(finding);
    }
  }
}
