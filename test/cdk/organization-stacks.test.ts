import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildStacks, STACK_NAMES, type AppStacks } from '../../cdk/app-stacks';
import { ForwarderStack } from '../../cdk/forwarder-stack';
import { MemberRoleStack } from '../../cdk/member-role-stack';
import { ROLE_CHANGE_ACTIONS } from '../../cdk/remediator-permissions';
import { BUILT_IN_PROTECTED_ROLES } from '../../shared/core/protected-roles';
import { cdkJsonContext } from './stack-fixture';

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
        'DenyWriteProtectedRoles',
        'DenyWriteServiceLinkedRoles',
        'ListLabelingJobs',
        'ListOutputFolders',
        'ReadBucketPolicies',
        'ReadFunctions',
        'ReadKeyPolicies',
        'ReadLabelingJobs',
        'ReadManagedPolicies',
        'ReadRoles',
        'WriteManagedRoles',
      ].sort(),
    );
    expect(JSON.stringify(statements.find((s) => s.Sid === 'ReadFunctions')?.Resource)).toContain(
      ':lambda:*:',
    );
    expect(JSON.stringify(statements.find((s) => s.Sid === 'ReadKeyPolicies')?.Resource)).toContain(
      ':kms:*:',
    );
  });

  it('member role: denies every role change on each protected role, at the root path and under any path', () => {
    const deny = policyStatements(memberTemplate).find((s) => s.Sid === 'DenyWriteProtectedRoles');
    expect(deny).toMatchObject({ Effect: 'Deny', Action: ROLE_CHANGE_ACTIONS });
    expect(deny?.Condition).toBeUndefined();
    const resources = deny?.Resource as unknown[];
    for (const { name } of BUILT_IN_PROTECTED_ROLES) {
      expect(resources).toContainEqual(anyAccountRole(name));
      expect(resources).toContainEqual(anyAccountRole(`*/${name}`));
    }
    expect(resources).toHaveLength(2 * BUILT_IN_PROTECTED_ROLES.length);
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

  it('forwarder: the ended-job rule (Completed, Failed, Stopped), to the home bus with the same role', () => {
    const ended = Object.values(
      forwarderTemplate.findResources('AWS::Events::Rule', {
        Properties: {
          EventPattern: {
            source: ['aws.sagemaker'],
            'detail-type': ['SageMaker Ground Truth Labeling Job State Change'],
            detail: { LabelingJobStatus: ['Completed', 'Failed', 'Stopped'] },
          },
        },
      }),
    ) as { Properties: { Targets: { Arn: unknown; RoleArn: unknown }[] } }[];
    expect(ended).toHaveLength(1);
    expect(ended[0]?.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { Ref: 'HomeBusArn' }, RoleArn: expect.anything() as unknown }),
    ]);
    expect(Object.keys(forwarderTemplate.findResources('AWS::IAM::Role'))).toHaveLength(1);
  });

  it('cdk-nag reports nothing that is not explained on the construct it concerns', () => {
    expect(unexplainedNagIds(app)).toEqual([]);
  });
});

/** The app in organisation mode, as `cdk synth -c organization=... -c accounts=... -c homeRegion=...` builds it. */
function organisationApp(context: Record<string, string>, account = '123456789012'): AppStacks {
  const saved = process.env.CDK_DEFAULT_ACCOUNT;
  process.env.CDK_DEFAULT_ACCOUNT = account;
  try {
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
    return buildStacks(app);
  } finally {
    if (saved === undefined) delete process.env.CDK_DEFAULT_ACCOUNT;
    else process.env.CDK_DEFAULT_ACCOUNT = saved;
  }
}

/** `arn:<partition>:iam::*:role/<resource>` as the templates write it. */
const anyAccountRole = (resource: string): unknown => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/${resource}`]],
});

type Statement = { Sid?: string; Effect: string; Action: unknown; Resource: unknown; Condition?: unknown };

function policyStatements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

describe('organisation home stack', () => {
  const stacks = organisationApp({
    organization: 'o-a1b2c3d4e5',
    accounts: '222222222222,111111111111',
    homeRegion: 'eu-west-1',
  });
  const home = Template.fromStack(stacks.remediator);
  const functionEnv = (): Record<string, unknown> => {
    const [fn] = Object.values(
      home.findResources('AWS::Lambda::Function', { Properties: { ReservedConcurrentExecutions: 1 } }),
    ) as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    }[];
    return fn?.Properties.Environment.Variables ?? {};
  };

  it('is pinned to the home region and writes the forwarder and member templates beside it', () => {
    expect(stacks.remediator.region).toBe('eu-west-1');
    expect(stacks.forwarder?.stackName).toBe(STACK_NAMES.forwarder);
    expect(stacks.member?.stackName).toBe(STACK_NAMES.member);
    // The StackSet templates name the home bus and the function role of this home account and region
    const forwarder = Template.fromStack(stacks.forwarder as ForwarderStack).toJSON() as {
      Parameters: Record<string, { Default?: string }>;
    };
    expect(forwarder.Parameters.HomeBusArn?.Default).toBe(
      'arn:aws:events:eu-west-1:123456789012:event-bus/GtPermissionsRemediator-home',
    );
    const member = Template.fromStack(stacks.member as MemberRoleStack).toJSON() as {
      Parameters: Record<string, { Default?: string }>;
    };
    expect(member.Parameters.RemediatorRoleArn?.Default).toBe(
      'arn:aws:iam::123456789012:role/GtPermissionsRemediatorFunction',
    );
    expect(member.Parameters.OrganizationId?.Default).toBe('o-a1b2c3d4e5');
  });

  it('home bus accepts PutEvents only from the organisation or the listed accounts', () => {
    home.hasResourceProperties('AWS::Events::EventBus', { Name: 'GtPermissionsRemediator-home' });
    const policies = Object.values(home.findResources('AWS::Events::EventBusPolicy')) as {
      Properties: { Statement: { Sid: string; Principal: unknown; Condition?: unknown; Action: string } };
    }[];
    const bySid = new Map(
      policies.map((p) => [p.Properties.Statement.Sid.replace(/^cdk-/, ''), p.Properties.Statement]),
    );
    expect([...bySid.keys()].sort()).toEqual(['PutEventsFromListedAccounts', 'PutEventsFromOrganization']);
    expect(bySid.get('PutEventsFromOrganization')).toMatchObject({
      Action: 'events:PutEvents',
      Principal: { AWS: '*' },
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    });
    expect(JSON.stringify(bySid.get('PutEventsFromListedAccounts')?.Principal)).toMatch(
      /111111111111.*222222222222/,
    );
    expect(bySid.get('PutEventsFromListedAccounts')?.Condition).toBeUndefined();
  });

  it('a rule on the home bus sends ended jobs to the one function, with the dead-letter queue', () => {
    const [busId] = Object.keys(
      home.findResources('AWS::Events::EventBus', { Properties: { Name: 'GtPermissionsRemediator-home' } }),
    );
    home.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId },
      EventPattern: Match.objectLike({ 'detail-type': ['SageMaker Ground Truth Labeling Job State Change'] }),
      Targets: [Match.objectLike({ DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }) })],
    });
  });

  it('a rule on the home bus sends CreateLabelingJob to the one function, with the dead-letter queue', () => {
    const [busId] = Object.keys(
      home.findResources('AWS::Events::EventBus', { Properties: { Name: 'GtPermissionsRemediator-home' } }),
    );
    home.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId },
      EventPattern: Match.objectLike({ detail: Match.objectLike({ eventName: ['CreateLabelingJob'] }) }),
      Targets: [Match.objectLike({ DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }) })],
    });
    // The one writer: a single function with reserved concurrency 1, targeted by both rules
    const functions = Object.keys(
      home.findResources('AWS::Lambda::Function', { Properties: { ReservedConcurrentExecutions: 1 } }),
    );
    expect(functions).toHaveLength(1);
    const targets = Object.values(home.findResources('AWS::Events::Rule')).flatMap(
      (r) => (r as { Properties: { Targets?: { Arn: unknown }[] } }).Properties.Targets ?? [],
    );
    const lambdaTargets = targets.filter((t) => JSON.stringify(t.Arn).includes(functions[0]));
    expect(lambdaTargets.length).toBeGreaterThanOrEqual(2);
  });

  it('the function role has the fixed name, assumes only the member role, and its env names who is served', () => {
    home.hasResourceProperties('AWS::IAM::Role', { RoleName: 'GtPermissionsRemediatorFunction' });
    const assume = policyStatements(home).filter((s) => s.Action === 'sts:AssumeRole');
    expect(assume.map((s) => s.Sid).sort()).toEqual([
      'AssumeMemberRoleInListedAccounts',
      'AssumeMemberRoleInOrganization',
    ]);
    for (const s of assume)
      expect(JSON.stringify(s.Resource)).toMatch(/:role\/GtPermissionsRemediatorMember"/);
    expect(assume.find((s) => s.Sid === 'AssumeMemberRoleInOrganization')?.Condition).toEqual({
      StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' },
    });
    const env = functionEnv();
    expect(env.ORGANIZATION_ID).toBe('o-a1b2c3d4e5');
    expect(env.ALLOWED_ACCOUNTS).toBe('111111111111,222222222222');
    // Jobs of member accounts are in the flow's scope; the function's own writes stay in its account
    expect(JSON.stringify(env.SCOPE_ROLE_PATTERNS)).toContain(':iam::*:role/*');
    const writes = policyStatements(home).find((s) => s.Sid === 'WriteManagedRoles');
    expect(JSON.stringify(writes?.Resource)).toContain('AWS::AccountId');
    expect(JSON.stringify(writes?.Resource)).not.toContain(':iam::*:role/*');
  });

  it('outputs what the StackSets take as parameters', () => {
    const outputs = home.toJSON() as { Outputs: Record<string, unknown> };
    expect(Object.keys(outputs.Outputs)).toEqual(expect.arrayContaining(['FunctionRoleArn', 'HomeBusArn']));
  });

  it('with listed accounts only: no organisation condition anywhere, no OrganizationId parameter', () => {
    const listed = organisationApp({ accounts: '111111111111' });
    const json = JSON.stringify(Template.fromStack(listed.remediator).toJSON());
    expect(json).not.toContain('aws:PrincipalOrgID');
    expect(json).not.toContain('aws:ResourceOrgID');
    const member = Template.fromStack(listed.member as MemberRoleStack).toJSON() as {
      Parameters: Record<string, unknown>;
    };
    expect(Object.keys(member.Parameters)).not.toContain('OrganizationId');
    expect(JSON.stringify(member)).not.toContain('aws:PrincipalOrgID');
  });

  it('member role: the operator-configured patterns and tag, as the function has them, nag clean', () => {
    const scoped = organisationApp({
      accounts: '111111111111',
      managedRolePatterns: 'arn:aws:iam::*:role/service-role/gt-*',
      managedRoleTag: 'gt-remediate=yes',
    });
    const memberTemplate = Template.fromStack(scoped.member as MemberRoleStack);
    const writes = policyStatements(memberTemplate).find((s) => s.Sid === 'WriteManagedRoles');
    expect(writes?.Resource).toBe('arn:aws:iam::*:role/service-role/gt-*');
    expect(writes?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/gt-remediate': 'yes' } });
    expect(unexplainedNagIds(scoped.remediator.node.root as App)).toEqual([]);
  });

  it('protectedRoles context: lands in the member role and the function role alike, built-ins kept', () => {
    const guarded = organisationApp({
      accounts: '111111111111',
      protectedRoles: 'BreakGlass,arn:aws:iam::*:role/platform/*',
    });
    for (const stack of [guarded.remediator, guarded.member as MemberRoleStack]) {
      const resources = policyStatements(Template.fromStack(stack)).find(
        (s) => s.Sid === 'DenyWriteProtectedRoles',
      )?.Resource as unknown[];
      expect(resources).toContainEqual(anyAccountRole('BreakGlass'));
      expect(resources).toContainEqual(anyAccountRole('*/BreakGlass'));
      expect(resources).toContain('arn:aws:iam::*:role/platform/*');
      for (const { name } of BUILT_IN_PROTECTED_ROLES) expect(resources).toContainEqual(anyAccountRole(name));
    }
    expect(unexplainedNagIds(guarded.remediator.node.root as App)).toEqual([]);
  });

  it('single account: no home bus, no fixed role name, the flow scope is the account', () => {
    const single = organisationApp({});
    expect(single.forwarder).toBeUndefined();
    const template = Template.fromStack(single.remediator);
    expect(Object.keys(template.findResources('AWS::Events::EventBusPolicy'))).toEqual([]);
    // (The name appears only in the protected roles' Deny, which every template carries.)
    expect(
      Object.keys(template.findResources('AWS::IAM::Role', { Properties: { RoleName: Match.anyValue() } })),
    ).toEqual([]);
    expect(
      JSON.stringify(policyStatements(template).filter((s) => s.Sid !== 'DenyWriteProtectedRoles')),
    ).not.toContain('GtPermissionsRemediatorFunction');
  });

  it('cdk-nag reports nothing unexplained on the home stack', () => {
    const app = stacks.remediator.node.root as App;
    expect(unexplainedNagIds(app)).toEqual([]);
  });
});
