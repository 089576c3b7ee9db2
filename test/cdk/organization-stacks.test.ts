import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ForwarderStack } from '../../cdk/forwarder-stack';
import { MemberRoleStack } from '../../cdk/member-role-stack';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/GtPermissionsRemediatorFunction';
const BUS_ARN = 'arn:aws:events:us-east-1:123456789012:event-bus/GtPermissionsRemediator-home';

/** Findings cdk-nag reports that no acknowledgment on the construct tree explains. */
function unexplainedNagIds(app: App): string[] {
  const acknowledged = new Set(
    app.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) =>
            Object.keys(m.data as Record<string, string>).map((k) => k.replace(/^annotation::/i, '')),
          ),
      ),
  );
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.map((v) => v.ruleName).filter((id) => !acknowledged.has(id));
}

describe('organisation StackSet templates', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const member = new MemberRoleStack(app, 'Member', {
    remediatorRoleArn: ROLE_ARN,
    organizationId: 'o-a1b2c3d4e5',
  });
  const forwarder = new ForwarderStack(app, 'Forwarder', { homeBusArn: BUS_ARN });
  const memberTemplate = Template.fromStack(member);
  const forwarderTemplate = Template.fromStack(forwarder);

  it('are standalone: no bootstrap version parameter, no asset, no CDK metadata', () => {
    for (const template of [memberTemplate, forwarderTemplate]) {
      const json = template.toJSON() as { Parameters?: Record<string, unknown>; Rules?: unknown };
      expect(Object.keys(json.Parameters ?? {})).not.toContain('BootstrapVersion');
      expect(json.Rules).toBeUndefined();
      expect(JSON.stringify(json)).not.toMatch(/cdk-hnb659fds|AWS::CDK::Metadata|aws:asset/);
    }
  });

  it('member role: fixed name, trusted only by the remediator role from the organisation', () => {
    memberTemplate.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'GtPermissionsRemediatorMember',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { Ref: 'RemediatorRoleArn' } },
            Condition: { StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } } },
          },
        ],
      },
    });
  });

  it('member role: the scoped writes and every deny of the function, reads in every region', () => {
    const [policy] = Object.values(memberTemplate.findResources('AWS::IAM::Policy')) as {
      Properties: { PolicyDocument: { Statement: { Sid: string; Effect: string; Resource: unknown }[] } };
    }[];
    const statements = policy?.Properties.PolicyDocument.Statement ?? [];
    expect(statements.map((s) => s.Sid).sort()).toEqual(
      [
        'DenyWriteAwsReservedRoles',
        'DenyWriteOwnRole',
        'DenyWriteServiceLinkedRoles',
        'ListLabelingJobs',
        'ReadFunctions',
        'ReadLabelingJobs',
        'ReadManagedPolicies',
        'ReadRoles',
        'WriteManagedRoles',
      ].sort(),
    );
    expect(JSON.stringify(statements.find((s) => s.Sid === 'ReadFunctions')?.Resource)).toContain(
      ':lambda:*:',
    );
  });

  it('forwarder: the CreateLabelingJob rule without errorCode, to the home bus with a role', () => {
    forwarderTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        source: ['aws.sagemaker'],
        detail: Match.objectLike({ eventName: ['CreateLabelingJob'], errorCode: [{ exists: false }] }),
      }),
      Targets: [Match.objectLike({ Arn: { Ref: 'HomeBusArn' }, RoleArn: Match.anyValue() })],
    });
    forwarderTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Resource: { Ref: 'HomeBusArn' } }],
      },
    });
  });

  it('cdk-nag reports nothing that is not explained on the construct it concerns', () => {
    expect(unexplainedNagIds(app)).toEqual([]);
  });
});
