/**
 * Attacks on the write path, against moto with the dry-run parameter `false`: the event is a trigger,
 * never a source of truth. SageMaker (DescribeLabelingJob, mocked: moto has no labeling jobs) says
 * which job exists; every role, function and output acted on comes from its answer; the role guards
 * keep the remediator from making a privileged role assumable; reports leak nothing.
 */
import { AttachRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { DescribeLabelingJobCommand, SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import type { Report } from '../../shared/core';
import { statementsOf } from '../../shared/core/policy-document';
import {
  ACCOUNT,
  BASIC_EXECUTION_POLICY_ARN,
  createFunction,
  createRole,
  policy,
  REGION,
  serviceTrustStatement,
  snapshotRole,
} from '../support/aws-world';
import { expectedInvokePolicy, labelingJobEvent, type JobWorld } from '../support/labeling-job-world';
import { registerLabelingJob, stubLabelingJobs } from '../support/labeling-jobs';
import { reportOf, thrownBy } from './handler-deps';
import { useHandlerWorld } from './handler-world';

const { prefix, seed, sinks, newWorld, handlerWith, setup } = useHandlerWorld('ev', { dryRun: 'false' });
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** Roles and functions an attacker would name: an admin role that trusts only the security team, and their own function. */
async function seedAdminTakeover(id: string): Promise<JobWorld> {
  const securityTeam = `arn:aws:iam::${ACCOUNT}:role/${id}-security-team`;
  const adminTrust = policy({
    Sid: 'SecurityTeamOnly',
    Effect: 'Allow',
    Principal: { AWS: securityTeam },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': 'sekrit-external-id-123' } },
  });
  const adminArn = await createRole(seed.iam, { name: `${id}-admin`, trust: adminTrust, managed: [ADMIN] });
  const attackerRole = await createRole(seed.iam, {
    name: `${id}-attacker-fn-role`,
    trust: policy(serviceTrustStatement('lambda.amazonaws.com')),
    managed: [BASIC_EXECUTION_POLICY_ARN],
  });
  const fn = await createFunction(seed.lambda, `${id}-attacker-fn`, attackerRole);
  return {
    jobName: `${id}-job`,
    outputS3Uri: 's3://victim-finance-data/',
    executionRole: { name: `${id}-admin`, arn: adminArn, trust: adminTrust },
    preRole: { name: `${id}-attacker-fn-role`, arn: attackerRole },
    postRole: { name: `${id}-attacker-fn-role`, arn: attackerRole },
    preFunctionArn: fn,
    postFunctionArn: fn,
  };
}

function everything(report: Report, notifications: { subject: string; message: string }[]): string {
  return JSON.stringify(report) + notifications.map((n) => n.subject + n.message).join('\n');
}

describe('a forged event (no such labeling job)', () => {
  it.each(['assume-role', 's3-read'] as const)(
    'naming an administrator role changes nothing and is EVENT_UNVERIFIED (strategy %s)',
    async (strategy) => {
      // Given an admin role and an attacker's function, and a complete CreateLabelingJob event naming both, but no job
      const world = await seedAdminTakeover(`${prefix}-${strategy === 's3-read' ? 's3' : 'ar'}`);
      const before = await Promise.all([
        snapshotRole(seed.iam, world.executionRole.name),
        snapshotRole(seed.iam, world.postRole.name),
      ]);

      // When the remediator is invoked with it directly
      const report = reportOf(await handlerWith({ core: { strategy } })(labelingJobEvent(world)));

      // Then it is blocked as unverified, and neither role changed (read back from moto)
      expect(report.outcome).toBe('blocked');
      expect(report.findings.map((f) => [f.code, f.reason])).toEqual([['EVENT_UNVERIFIED', 'job-not-found']]);
      expect(report.changes).toEqual([]);
      expect(
        await Promise.all([
          snapshotRole(seed.iam, world.executionRole.name),
          snapshotRole(seed.iam, world.postRole.name),
        ]),
      ).toEqual(before);
      // And the email proposes nothing to paste, and leaks no condition value of the admin role's trust policy
      const notifications = await sinks.readNotifications();
      expect(notifications.map((n) => n.attributes)).toEqual([
        { outcome: 'blocked', dryRun: 'true', severity: 'high' },
      ]);
      const text = everything(report, notifications);
      expect(text).not.toMatch(/put-role-policy|update-assume-role-policy|gt-remediate fix/);
      expect(text).not.toContain('sekrit-external-id-123');
    },
  );
});

describe('a real job whose claims do not hold', () => {
  it('whose event names another role than SageMaker has is EVENT_UNVERIFIED naming the field', async () => {
    // Given a real job, and an event that swaps in an administrator role
    const world = await newWorld();
    const admin = await seedAdminTakeover(`${prefix}-sw`);
    const event = labelingJobEvent(world);
    if (event.detail.requestParameters) event.detail.requestParameters.roleArn = admin.executionRole.arn;

    const report = reportOf(await handlerWith()(event));

    expect(report.findings).toEqual([
      expect.objectContaining({
        code: 'EVENT_UNVERIFIED',
        reason: 'job-mismatch',
        detail: "the event's roleArn differ from the job's",
      }),
    ]);
    expect((await snapshotRole(seed.iam, admin.executionRole.name)).trust).toEqual(admin.executionRole.trust);
    expect(Object.keys((await snapshotRole(seed.iam, world.executionRole.name)).inline)).toEqual([
      'ListLabelingBucket',
    ]);
  });

  it.each([
    ['created two hours ago', { CreationTime: new Date(Date.now() - 2 * 3600_000) }, 'job-too-old'],
    ['already completed', { LabelingJobStatus: 'Completed' as const }, 'job-not-running'],
    [
      'in another account',
      { LabelingJobArn: `arn:aws:sagemaker:${REGION}:444455556666:labeling-job/x` },
      'job-mismatch',
    ],
  ])('that was %s is EVENT_UNVERIFIED and changes nothing', async (_what, overrides, reason) => {
    const world = await newWorld();
    registerLabelingJob(world, overrides);
    const before = await snapshotRole(seed.iam, world.executionRole.name);

    const report = reportOf(await handlerWith()(labelingJobEvent(world)));

    expect(report.findings.map((f) => [f.code, f.reason])).toEqual([['EVENT_UNVERIFIED', reason]]);
    expect(await snapshotRole(seed.iam, world.executionRole.name)).toEqual(before);
  });

  it('lacking its request parameters is described and fixed from what SageMaker says', async () => {
    // Given an event whose request parameters CloudTrail left out
    const world = await newWorld();
    const event = labelingJobEvent(world);
    event.detail.requestParameters = { labelingJobName: world.jobName };

    const report = reportOf(await handlerWith()(event));

    expect(report.outcome).toBe('remediated');
    expect(report.createdBy).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/MLPlatformEngineer/alice`);
    const execution = await snapshotRole(seed.iam, world.executionRole.name);
    expect(execution.inline.GroundTruthLabelingLambdaInvoke).toEqual(
      expectedInvokePolicy([world.preFunctionArn, world.postFunctionArn]),
    );
  });

  it('notifies outcome error and throws (for a retry) when DescribeLabelingJob is throttled', async () => {
    const world = await newWorld();
    const { clients, handler } = setup();
    stubLabelingJobs(clients.sagemaker)
      .on(DescribeLabelingJobCommand)
      .rejects(
        new SageMakerServiceException({
          name: 'ThrottlingException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          message: 'Rate exceeded',
        }),
      );

    const error = await thrownBy(handler(labelingJobEvent(world)));

    const why = `DescribeLabelingJob ${world.jobName} failed: ThrottlingException: Rate exceeded`;
    expect(error.report).toMatchObject({ outcome: 'error', notes: [why] });
    expect((await sinks.readNotifications()).map((n) => n.attributes.outcome)).toEqual(['error']);
    expect((await sinks.readResultEvents()).map((e) => e.detail)).toEqual([error.report]);
  });
});

describe('role guards on a real job', () => {
  it('an administrator execution role is ROLE_PRIVILEGED: its trust policy is never opened to the function', async () => {
    // Given a real job whose execution role trusts SageMaker and carries AdministratorAccess
    const world = await newWorld();
    await seed.iam.send(
      new AttachRolePolicyCommand({
        RoleName: world.executionRole.name,
        PolicyArn: ADMIN,
      }),
    );
    const before = await snapshotRole(seed.iam, world.executionRole.name);

    const report = reportOf(await handlerWith()(labelingJobEvent(world)));

    // Then nothing was written (admin may already invoke anything), and the finding says why
    expect(report.outcome).toBe('blocked');
    const privileged = report.findings.find((f) => f.code === 'ROLE_PRIVILEGED');
    expect(privileged).toMatchObject({ principal: world.executionRole.arn, reason: 'can-escalate' });
    expect(privileged?.detail).toContain('iam:PutRolePolicy');
    expect(report.changes).toEqual([]);
    expect(await snapshotRole(seed.iam, world.executionRole.name)).toEqual(before);
    // And a person is shown the statement they could add by hand, if they decide to
    expect(report.manualChanges?.map((c) => [c.action, c.roleName])).toEqual([
      ['UpdateAssumeRolePolicy', world.executionRole.name],
    ]);
  });

  it('an execution role that does not trust SageMaker is ROLE_NOT_SAGEMAKER_EXECUTION and left alone', async () => {
    const world = await newWorld();
    const notSageMaker = policy(serviceTrustStatement('ec2.amazonaws.com'));
    await seed.iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: world.executionRole.name,
        PolicyDocument: JSON.stringify(notSageMaker),
      }),
    );
    const before = await snapshotRole(seed.iam, world.executionRole.name);

    const report = reportOf(await handlerWith()(labelingJobEvent(world)));

    expect(report.findings.map((f) => f.code)).toContain('ROLE_NOT_SAGEMAKER_EXECUTION');
    expect(report.changes).toEqual([]);
    expect(await snapshotRole(seed.iam, world.executionRole.name)).toEqual(before);
  });

  it('a post-annotation role that does not trust Lambda is ROLE_NOT_LAMBDA_EXECUTION: no trust opened to it', async () => {
    const world = await newWorld();
    await seed.iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: world.postRole.name,
        PolicyDocument: JSON.stringify(policy(serviceTrustStatement('ec2.amazonaws.com'))),
      }),
    );

    const report = reportOf(await handlerWith()(labelingJobEvent(world)));

    expect(report.findings.map((f) => [f.code, f.fixable])).toContainEqual([
      'ROLE_NOT_LAMBDA_EXECUTION',
      false,
    ]);
    const execution = await snapshotRole(seed.iam, world.executionRole.name);
    expect(execution.trust).toEqual(world.executionRole.trust);
    // The invoke grant does not involve that role, and is still made
    expect(execution.inline.GroundTruthLabelingLambdaInvoke).toEqual(
      expectedInvokePolicy([world.preFunctionArn, world.postFunctionArn]),
    );
  });
});

describe('reports', () => {
  it('escape control characters and bidi overrides from the account in the email, and carry no secret', async () => {
    // Given a real job whose output path holds an ANSI escape and a right-to-left override
    const world = await newWorld();
    const hostile = `s3://${world.outputS3Uri.slice(5, -1)}/out\u001b[31m\u202Eput/`;
    registerLabelingJob(world, { OutputConfig: { S3OutputPath: hostile } });
    await seed.iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: world.executionRole.name,
        PolicyDocument: JSON.stringify(
          policy(...statementsOf(world.executionRole.trust), {
            Sid: 'PartnerAccess',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::444455556666:root' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': 'partner-secret-42' } },
          }),
        ),
      }),
    );
    const event = labelingJobEvent(world);
    if (event.detail.requestParameters)
      event.detail.requestParameters.outputConfig = { s3OutputPath: hostile };

    const report = reportOf(await handlerWith()(event));

    // Then the email shows the characters escaped, never raw
    const [notification] = await sinks.readNotifications();
    expect(notification?.message).toContain('out\\u001b[31m\\u202eput/');
    expect(notification?.message).not.toContain('\u001b');
    expect(notification?.message).not.toContain('\u202E');
    // And neither the email nor the result event carries the other trust statement or its condition value
    const [result] = await sinks.readResultEvents();
    for (const text of [
      notification?.message ?? '',
      JSON.stringify(result?.detail),
      JSON.stringify(report),
    ]) {
      expect(text).not.toContain('partner-secret-42');
      expect(text).not.toContain('PartnerAccess');
    }
  });
});
