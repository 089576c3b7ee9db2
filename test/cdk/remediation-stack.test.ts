import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ROLE_CHANGE_ACTIONS } from '../../cdk/remediator-permissions';
import { ENV } from '../../shared/config';
import { BUILT_IN_PROTECTED_ROLES } from '../../shared/core/protected-roles';
import { buildStack } from './stack-fixture';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function onlyResource(template: Template, type: string): { id: string; properties: Record<string, unknown> } {
  const found = Object.entries(template.findResources(type) as Resources);
  expect(found).toHaveLength(1);
  const [id, resource] = found[0] ?? ['', { Type: type }];
  return { id, properties: resource.Properties ?? {} };
}

function logicalId(template: Template, type: string, properties: Record<string, unknown> = {}): string {
  const ids = Object.keys(template.findResources(type, { Properties: Match.objectLike(properties) }));
  expect(ids).toHaveLength(1);
  return ids[0] ?? '';
}

/** The statements of the function role's policy. */
function functionStatements(template: Template): Statement[] {
  const roleId = logicalId(template, 'AWS::IAM::Role', {
    AssumeRolePolicyDocument: Match.objectLike({
      Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })]),
    }),
  });
  const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources).filter((p) =>
    JSON.stringify(p.Properties?.Roles).includes(roleId),
  );
  return policies.flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

function bySid(statements: Statement[], sid: string): Statement {
  const statement = statements.find((s) => s.Sid === sid);
  if (!statement) throw new Error(`no statement ${sid}`);
  return statement;
}

/** The CreateLabelingJob rule (the stack also has the selftest rule). */
function createJobRule(template: Template): { id: string; properties: Record<string, unknown> } {
  const found = Object.entries(
    template.findResources('AWS::Events::Rule', {
      Properties: {
        EventPattern: Match.objectLike({
          source: ['aws.sagemaker'],
          'detail-type': ['AWS API Call via CloudTrail'],
        }),
      },
    }) as Resources,
  );
  expect(found).toHaveLength(1);
  const [id, resource] = found[0] ?? ['', { Type: 'AWS::Events::Rule' }];
  return { id, properties: resource.Properties ?? {} };
}

/** `arn:<partition>:iam::*:role/<resource>` as the template writes it. */
const anyAccountRole = (resource: string): unknown => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/${resource}`]],
});

const accountRoles = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/*']],
};

describe('RemediationStack', () => {
  const { template } = buildStack();
  const functionId = logicalId(template, 'AWS::Lambda::Function', { Handler: 'dist/esm/index.handler' });
  const queueId = onlyResource(template, 'AWS::SQS::Queue').id;
  const parameterId = onlyResource(template, 'AWS::SSM::Parameter').id;
  const reportTopicId = logicalId(template, 'AWS::SNS::Topic', {
    DisplayName: 'Ground Truth permission remediator',
  });
  const alarmTopicId = logicalId(template, 'AWS::SNS::Topic', {
    DisplayName: 'Ground Truth permission remediator alarms',
  });
  const keyId = onlyResource(template, 'AWS::KMS::Key').id;
  const roleId = onlyResource(template, 'AWS::IAM::Role').id;
  const statements = functionStatements(template);

  describe('EventBridge rule', () => {
    it('matches only successful CreateLabelingJob calls recorded by CloudTrail', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.sagemaker'],
          'detail-type': ['AWS API Call via CloudTrail'],
          detail: {
            eventSource: ['sagemaker.amazonaws.com'],
            eventName: ['CreateLabelingJob'],
            errorCode: [{ exists: false }],
          },
        },
        State: 'ENABLED',
      });
    });

    it('sits on the default bus and targets the function, dead-lettering undeliverable events', () => {
      const rule = createJobRule(template).properties;
      expect(rule.EventBusName).toBeUndefined();
      template.hasResourceProperties('AWS::Events::Rule', {
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
          }),
        ],
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Principal: 'events.amazonaws.com',
      });
    });
  });

  describe('ended-job rule', () => {
    const endedRules = (): [string, Record<string, unknown>][] =>
      Object.entries(
        template.findResources('AWS::Events::Rule', {
          Properties: {
            EventPattern: Match.objectLike({
              'detail-type': ['SageMaker Ground Truth Labeling Job State Change'],
            }),
          },
        }) as Resources,
      ).map(([id, r]) => [id, r.Properties ?? {}]);

    it('matches SageMaker’s own state-change event for Completed, Failed and Stopped jobs only', () => {
      const rules = endedRules();
      expect(rules).toHaveLength(1);
      expect(rules[0]?.[1].EventPattern).toEqual({
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Ground Truth Labeling Job State Change'],
        detail: { LabelingJobStatus: ['Completed', 'Failed', 'Stopped'] },
      });
      expect(rules[0]?.[1].State).toBe('ENABLED');
    });

    it('sits on the default bus and targets the same function, dead-lettering undeliverable events', () => {
      const [, rule] = endedRules()[0] ?? ['', {}];
      expect(rule.EventBusName).toBeUndefined();
      expect(rule.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        }),
      ]);
      const [ruleId] = endedRules()[0] ?? [''];
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      });
    });
  });

  describe('remediate function', () => {
    it('runs the bundle on Node.js 22, arm64, one invocation at a time', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        ReservedConcurrentExecutions: 1,
        Handler: 'dist/esm/index.handler',
        Timeout: 60,
      });
    });

    it('retries async invocations twice within an hour, then sends them to the dead-letter queue', () => {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: functionId },
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
      });
    });

    it('logs to its own log group with a retention', () => {
      const logGroupId = onlyResource(template, 'AWS::Logs::LogGroup').id;
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
      template.hasResourceProperties('AWS::Lambda::Function', {
        LoggingConfig: { LogGroup: { Ref: logGroupId } },
      });
    });

    it('sets every environment variable the handler config reads, by the names in shared/config', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: {
            [ENV.topicArn]: { Ref: reportTopicId },
            [ENV.dryRunParameterName]: { Ref: parameterId },
            [ENV.strategy]: 'auto',
            [ENV.scopeRolePatterns]: accountRoles,
            [ENV.eventBusName]: { Ref: onlyResource(template, 'AWS::Events::EventBus').id },
            [ENV.notifyCompliant]: 'false',
            [ENV.selfRoleArn]: { 'Fn::GetAtt': [roleId, 'Arn'] },
          },
        },
      });
      const fn = onlyResource(template, 'AWS::Lambda::Function').properties;
      const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables[ENV.scopeTag]).toBeUndefined();
    });

    it('has a role of its own with no AWS managed policy', () => {
      const role = onlyResource(template, 'AWS::IAM::Role').properties;
      expect(role.ManagedPolicyArns).toBeUndefined();
    });
  });

  describe('dead-letter queue', () => {
    it('is encrypted and refuses requests without TLS', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });
  });

  describe('notification topics', () => {
    it('encrypts both topics with a rotated customer managed key that CloudWatch alarms may use', () => {
      const topics = template.findResources('AWS::SNS::Topic') as Resources;
      for (const topicId of [reportTopicId, alarmTopicId]) {
        expect(topics[topicId]?.Properties?.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
        template.hasResourceProperties('AWS::SNS::TopicPolicy', {
          Topics: [{ Ref: topicId }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Action: 'sns:Publish',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        });
      }
      template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        PendingWindowInDays: 7,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            }),
          ]),
        },
      });
    });

    it('subscribes the NotificationEmail parameter, defaulting to the context value, only when it is set', () => {
      const { template: withEmail } = buildStack({ context: { notificationEmail: 'ops@example.com' } });
      withEmail.hasParameter('NotificationEmail', { Type: 'String', Default: 'ops@example.com' });
      template.hasParameter('NotificationEmail', { Type: 'String', Default: '' });
      const subscriptions = template.findResources('AWS::SNS::Subscription') as Record<
        string,
        { Condition?: string; Properties: Record<string, unknown> }
      >;
      const conditionIds = Object.keys(template.findConditions('*'));
      expect(Object.values(subscriptions)).toHaveLength(2);
      for (const subscription of Object.values(subscriptions)) {
        expect(subscription.Properties).toMatchObject({
          Protocol: 'email',
          Endpoint: { Ref: 'NotificationEmail' },
        });
        expect(conditionIds).toContain(subscription.Condition);
        template.hasCondition(subscription.Condition ?? '', {
          'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'NotificationEmail' }, ''] }],
        });
      }
    });

    it('mails remediated, proposed, blocked and error reports by default, and every alarm', () => {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        TopicArn: { Ref: reportTopicId },
        FilterPolicy: { outcome: ['remediated', 'proposed', 'blocked', 'error'] },
      });
      template.hasResourceProperties('AWS::SNS::Subscription', {
        TopicArn: { Ref: alarmTopicId },
        FilterPolicy: Match.absent(),
      });
    });

    it('follows emailOutcomes, and drops the filter for "all"', () => {
      const { template: some } = buildStack({ context: { emailOutcomes: 'remediated,blocked' } });
      some.hasResourceProperties('AWS::SNS::Subscription', {
        FilterPolicy: { outcome: ['remediated', 'blocked'] },
      });
      const { template: all } = buildStack({ context: { emailOutcomes: 'all' } });
      all.resourcePropertiesCountIs('AWS::SNS::Subscription', { FilterPolicy: Match.anyValue() }, 0);
    });
  });

  describe('dry-run parameter', () => {
    it('is a String parameter, true by default', () => {
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Type: 'String',
        Value: 'true',
        Name: '/GtPermissionsRemediator/dry-run',
      });
    });

    it('takes its initial value from context dryRunDefault', () => {
      const { template: live } = buildStack({ context: { dryRunDefault: 'false' } });
      live.hasResourceProperties('AWS::SSM::Parameter', { Value: 'false' });
    });

    it('is the only parameter the function may read, and only with GetParameter', () => {
      const ssm = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('ssm:')));
      expect(ssm).toEqual([
        {
          Sid: 'ReadDryRunFlag',
          Effect: 'Allow',
          Action: 'ssm:GetParameter',
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':ssm:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':parameter',
                { Ref: parameterId },
              ],
            ],
          },
        },
      ]);
    });
  });

  describe('function IAM policy', () => {
    it('reads IAM roles and policies, Lambda configurations and labeling jobs', () => {
      expect(bySid(statements, 'ReadRoles')).toMatchObject({
        Effect: 'Allow',
        Action: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies'],
        Resource: accountRoles,
      });
      expect(bySid(statements, 'ReadManagedPolicies')).toMatchObject({
        Action: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
      });
      expect(JSON.stringify(bySid(statements, 'ReadManagedPolicies').Resource)).toContain(
        ':iam::aws:policy/*',
      );
      expect(bySid(statements, 'ReadFunctions')).toMatchObject({
        Action: ['lambda:GetFunctionConfiguration', 'lambda:GetPolicy', 'lambda:ListTags'],
      });
      expect(JSON.stringify(bySid(statements, 'ReadFunctions').Resource)).toContain(':function:*');
      expect(bySid(statements, 'ReadBucketPolicies')).toMatchObject({
        Action: 's3:GetBucketPolicy',
        Condition: { StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } } },
      });
      expect(bySid(statements, 'ReadKeyPolicies')).toMatchObject({
        Action: ['kms:DescribeKey', 'kms:GetKeyPolicy'],
      });
      expect(JSON.stringify(bySid(statements, 'ReadKeyPolicies').Resource)).toContain(':key/*');
      expect(bySid(statements, 'ReadLabelingJobs')).toMatchObject({
        Action: 'sagemaker:DescribeLabelingJob',
      });
      expect(bySid(statements, 'ListLabelingJobs')).toMatchObject({
        Action: 'sagemaker:ListLabelingJobs',
        Resource: '*',
      });
    });

    it('writes role policies only on the managed role scope, by default the roles of the account', () => {
      expect(bySid(statements, 'WriteManagedRoles')).toEqual({
        Sid: 'WriteManagedRoles',
        Effect: 'Allow',
        Action: ['iam:DeleteRolePolicy', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'],
        Resource: accountRoles,
      });
      const writers = statements.filter(
        (s) =>
          s.Effect === 'Allow' &&
          actionsOf(s).some((a) => a === 'iam:PutRolePolicy' || a === 'iam:UpdateAssumeRolePolicy'),
      );
      expect(writers.map((s) => s.Sid)).toEqual(['WriteManagedRoles']);
    });

    it('denies writes to service-linked roles, /aws-reserved/ roles and its own role', () => {
      expect(bySid(statements, 'DenyWriteAwsReservedRoles')).toEqual({
        Sid: 'DenyWriteAwsReservedRoles',
        Effect: 'Deny',
        Action: ['iam:DeleteRolePolicy', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'],
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/aws-reserved/*']],
        },
      });
      expect(bySid(statements, 'DenyWriteServiceLinkedRoles')).toEqual({
        Sid: 'DenyWriteServiceLinkedRoles',
        Effect: 'Deny',
        Action: ['iam:DeleteRolePolicy', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'],
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/aws-service-role/*']],
        },
      });
      expect(bySid(statements, 'DenyWriteOwnRole')).toEqual({
        Sid: 'DenyWriteOwnRole',
        Effect: 'Deny',
        Action: ['iam:DeleteRolePolicy', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'],
        Resource: { 'Fn::GetAtt': [roleId, 'Arn'] },
      });
    });

    it('denies every role change on the protected roles, by name at the root path and under any path', () => {
      const deny = bySid(statements, 'DenyWriteProtectedRoles');
      expect(deny.Effect).toBe('Deny');
      expect(deny.Condition).toBeUndefined();
      // Every IAM write the function holds on roles, and every other role change IAM has
      const roleWrites = statements
        .filter((s) => s.Effect === 'Allow')
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('iam:') && !/^iam:(Get|List)/.test(a));
      expect(roleWrites.length).toBeGreaterThan(0);
      expect(actionsOf(deny)).toEqual(expect.arrayContaining([...roleWrites, ...ROLE_CHANGE_ACTIONS]));
      expect(actionsOf(deny)).toEqual(
        expect.arrayContaining(['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy']),
      );
      const resources = deny.Resource as unknown[];
      for (const { name } of BUILT_IN_PROTECTED_ROLES) {
        expect(resources).toContainEqual(anyAccountRole(name));
        expect(resources).toContainEqual(anyAccountRole(`*/${name}`));
      }
      expect(resources).toHaveLength(2 * BUILT_IN_PROTECTED_ROLES.length);
    });

    it('adds the protectedRoles context to the Deny and the environment, and keeps every built-in', () => {
      // Given an operator who adds a role name and an ARN pattern (and names a built-in again)
      const added = 'BreakGlass,arn:aws:iam::123456789012:role/platform/*,cdk-*';
      const { template: guarded } = buildStack({ context: { protectedRoles: added } });
      // Then the Deny covers the additions and still every built-in
      const resources = bySid(functionStatements(guarded), 'DenyWriteProtectedRoles').Resource as unknown[];
      expect(resources).toContainEqual(anyAccountRole('BreakGlass'));
      expect(resources).toContainEqual(anyAccountRole('*/BreakGlass'));
      expect(resources).toContain('arn:aws:iam::123456789012:role/platform/*');
      for (const { name } of BUILT_IN_PROTECTED_ROLES) expect(resources).toContainEqual(anyAccountRole(name));
      expect(resources).toHaveLength(2 * BUILT_IN_PROTECTED_ROLES.length + 3);
      // And the function's core reads the same additions
      guarded.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ [ENV.protectedRoles]: added }) },
      });
      // And without the context the variable is not set (the built-ins need none)
      const fn = onlyResource(template, 'AWS::Lambda::Function').properties;
      expect(
        (fn.Environment as { Variables: Record<string, unknown> }).Variables[ENV.protectedRoles],
      ).toBeUndefined();
    });

    it('denies the protected roles whatever managed role patterns and tag allow', () => {
      const { template: scoped } = buildStack({
        context: {
          managedRolePatterns: 'arn:aws:iam::123456789012:role/*',
          managedRoleTag: 'gt-remediate=yes',
        },
      });
      const deny = bySid(functionStatements(scoped), 'DenyWriteProtectedRoles');
      expect(deny.Condition).toBeUndefined();
      expect(deny.Resource).toEqual(bySid(statements, 'DenyWriteProtectedRoles').Resource);
    });

    it("lists only buckets of its own account (is a job's output folder new?), and reads no object", () => {
      expect(bySid(statements, 'ListOutputFolders')).toEqual({
        Sid: 'ListOutputFolders',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::*']] },
        Condition: { StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } } },
      });
      expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('s3:'))).toEqual(['s3:ListBucket']);
    });

    it('publishes to the report topic and puts events on the result bus only', () => {
      expect(statements).toContainEqual({
        Effect: 'Allow',
        Action: 'sns:Publish',
        Resource: { Ref: reportTopicId },
      });
      const putEvents = statements.find((s) => actionsOf(s).includes('events:PutEvents'));
      expect(putEvents?.Resource).toEqual({
        'Fn::GetAtt': [onlyResource(template, 'AWS::Events::EventBus').id, 'Arn'],
      });
      expect(actionsOf(putEvents ?? { Effect: 'Allow', Action: [], Resource: '' })).toEqual([
        'events:PutEvents',
      ]);
    });

    it('grants no iam:*, no service wildcard, and no write on Resource "*"', () => {
      const allowed = statements.filter((s) => s.Effect === 'Allow');
      for (const statement of allowed) {
        for (const action of actionsOf(statement)) {
          expect(action).not.toMatch(/^[a-z0-9-]+:\*$/);
          expect(action).not.toBe('*');
        }
      }
      const onStar = allowed.filter(
        (s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')),
      );
      expect(onStar.flatMap(actionsOf)).toEqual(['sagemaker:ListLabelingJobs']);
    });

    it('uses the configured role patterns and tag, in the policy and in the environment alike', () => {
      const patterns = 'arn:aws:iam::123456789012:role/labeling-*,arn:aws:iam::123456789012:role/gt/*';
      const { template: scoped } = buildStack({
        context: { managedRolePatterns: patterns, managedRoleTag: 'gt-remediate=yes', strategy: 's3-read' },
      });
      expect(bySid(functionStatements(scoped), 'WriteManagedRoles')).toEqual({
        Sid: 'WriteManagedRoles',
        Effect: 'Allow',
        Action: ['iam:DeleteRolePolicy', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'],
        Resource: patterns.split(',').sort(),
        Condition: { StringEquals: { 'aws:ResourceTag/gt-remediate': 'yes' } },
      });
      scoped.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            [ENV.scopeRolePatterns]: patterns,
            [ENV.scopeTag]: 'gt-remediate=yes',
            [ENV.strategy]: 's3-read',
          }),
        },
      });
    });
  });

  describe('alarms', () => {
    it('alarm on any function error and on any dead-lettered event, notifying the alarm topic', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: alarmTopicId }],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        Threshold: 1,
        AlarmActions: [{ Ref: alarmTopicId }],
      });
    });

    it('may publish to the alarm topic, and only these alarms may', () => {
      const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: alarmTopicId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Sid: 'AllowRemediatorAlarmsToPublish',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: { Ref: alarmTopicId },
              Condition: {
                ArnEquals: { 'aws:SourceArn': alarmIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })) },
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              },
            },
          ]),
        },
      });
    });
  });

  describe('CloudTrail trail', () => {
    it('is not created by default', () => {
      template.resourceCountIs('AWS::CloudTrail::Trail', 0);
      template.resourceCountIs('AWS::S3::Bucket', 0);
    });

    it('logs write management events of the region when createTrail is true', () => {
      const { template: withTrail } = buildStack({ context: { createTrail: 'true' } });
      withTrail.hasResourceProperties('AWS::CloudTrail::Trail', {
        IsLogging: true,
        IsMultiRegionTrail: false,
        IncludeGlobalServiceEvents: false,
        EnableLogFileValidation: true,
        EventSelectors: [Match.objectLike({ IncludeManagementEvents: true, ReadWriteType: 'WriteOnly' })],
      });
      withTrail.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
    });
  });

  describe('outputs', () => {
    it('name the topic, the parameter, the function and the rule', () => {
      const ruleId = createJobRule(template).id;
      template.hasOutput('TopicArn', { Value: { Ref: reportTopicId } });
      template.hasOutput('AlarmTopicArn', { Value: { Ref: alarmTopicId } });
      template.hasOutput('DryRunParameterName', { Value: { Ref: parameterId } });
      template.hasOutput('FunctionName', { Value: { Ref: functionId } });
      template.hasOutput('RuleName', { Value: { Ref: ruleId } });
    });
  });
});
