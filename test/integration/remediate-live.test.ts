/** The handler end to end against moto: the exact IAM documents written, trust statements kept, dry-run, idempotence, guardrails. */
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { TagResourceCommand } from '@aws-sdk/client-lambda';
import type { CallCounter } from '../../shared/aws/clients';
import { documentSha256 } from '../../shared/core';
import { statementsOf } from '../../shared/core/policy-document';
import { ACCOUNT, createManagedPolicy, policy, setParameter, snapshotRole } from '../support/aws-world';
import { reportOf } from './handler-deps';
import { useHandlerWorld } from './handler-world';
import {
  BREAK_GLASS_STATEMENT,
  expectedInvokePolicy,
  expectedTrustStatement,
  labelingJobEvent,
} from '../support/labeling-job-world';

const { prefix, parameter: dryRunParameter, seed, sinks, newWorld, handlerWith } = useHandlerWorld('rl');

describe('remediation of a typical job (dry-run parameter false)', () => {
  beforeAll(() => setParameter(seed.ssm, dryRunParameter, 'false'));

  it('writes exactly the invoke policy and one trust statement (the minimal plan), keeping every other statement', async () => {
    // Given a job whose functions the execution role may not invoke and whose post-annotation role cannot read the output
    const world = await newWorld();
    const preRoleBefore = await snapshotRole(seed.iam, world.preRole.name);
    const postRoleBefore = await snapshotRole(seed.iam, world.postRole.name);

    // When the handler receives the CreateLabelingJob event
    const report = reportOf(await handlerWith()(labelingJobEvent(world)));

    // Then the execution role holds a scoped invoke policy on exactly the job's two functions
    expect(report.outcome).toBe('remediated');
    expect(report.dryRun).toBe(false);
    const execution = await snapshotRole(seed.iam, world.executionRole.name);
    expect(Object.keys(execution.inline).sort()).toEqual([
      'GroundTruthLabelingLambdaInvoke',
      'ListLabelingBucket',
    ]);
    expect(execution.inline.GroundTruthLabelingLambdaInvoke).toEqual(
      expectedInvokePolicy([world.preFunctionArn, world.postFunctionArn]),
    );
    // And its trust policy keeps both original statements verbatim and adds one statement naming the post-annotation role
    for (const statement of statementsOf(world.executionRole.trust))
      expect(statementsOf(execution.trust)).toContainEqual(statement);
    expect(execution.trust).toEqual(
      policy(...statementsOf(world.executionRole.trust), expectedTrustStatement([world.postRole.arn])),
    );
    // And in one account the trust statement alone lets the post-annotation role in: its role is untouched
    expect(await snapshotRole(seed.iam, world.postRole.name)).toEqual(postRoleBefore);
    // And the pre-annotation role is not touched
    expect(await snapshotRole(seed.iam, world.preRole.name)).toEqual(preRoleBefore);
    // And the report carries our statements, the ARNs added and the hashes of the documents now in IAM
    expect(report.changes).toEqual([
      {
        action: 'PutRolePolicy',
        roleName: world.executionRole.name,
        policyName: 'GroundTruthLabelingLambdaInvoke',
        statements: statementsOf(execution.inline.GroundTruthLabelingLambdaInvoke),
        added: [world.postFunctionArn, world.preFunctionArn].sort(),
        beforeSha256: null,
        afterSha256: documentSha256(execution.inline.GroundTruthLabelingLambdaInvoke),
      },
      {
        action: 'UpdateAssumeRolePolicy',
        roleName: world.executionRole.name,
        statements: [expectedTrustStatement([world.postRole.arn])],
        added: [world.postRole.arn],
        beforeSha256: documentSha256(world.executionRole.trust),
        afterSha256: documentSha256(execution.trust),
      },
    ]);
    // And it never carries another statement (the break-glass statement and its condition stay out)
    expect(JSON.stringify(report)).not.toContain('BreakGlassAdmin');
    expect(JSON.stringify(report)).not.toContain('MultiFactorAuthPresent');
    expect((await sinks.readNotifications()).map((n) => n.attributes)).toEqual([
      { outcome: 'remediated', dryRun: 'false', severity: 'high' },
    ]);
    expect((await sinks.readResultEvents()).map((e) => e.detail)).toEqual([report]);
  });

  it('changes nothing on a second run of the same event', async () => {
    // Given a job the handler has already remediated
    const world = await newWorld();
    const handler = handlerWith();
    const event = labelingJobEvent(world);
    expect(reportOf(await handler(event)).outcome).toBe('remediated');
    const after = await Promise.all([
      snapshotRole(seed.iam, world.executionRole.name),
      snapshotRole(seed.iam, world.postRole.name),
    ]);
    await sinks.readNotifications();
    await sinks.readResultEvents();

    // When the same event arrives again (an EventBridge redelivery)
    const second = reportOf(await handler(event));

    // Then it is compliant, IAM is exactly as the first run left it, and nobody is notified
    expect(second).toMatchObject({ outcome: 'compliant', changes: [], findings: [] });
    expect(
      await Promise.all([
        snapshotRole(seed.iam, world.executionRole.name),
        snapshotRole(seed.iam, world.postRole.name),
      ]),
    ).toEqual(after);
    expect(await sinks.readNotifications()).toEqual([]);
    expect((await sinks.readResultEvents()).map((e) => e.detail.outcome)).toEqual(['compliant']);
  });

  it('reports compliant and writes nothing when the AWS managed policies already cover the job', async () => {
    // Given functions named *SageMaker* and a post-annotation role with AmazonS3ReadOnlyAccess
    const world = await newWorld({ coveredFunctionNames: true, postRoleReadsS3: true });
    const before = await Promise.all([
      snapshotRole(seed.iam, world.executionRole.name),
      snapshotRole(seed.iam, world.postRole.name),
    ]);

    const report = reportOf(await handlerWith()(labelingJobEvent(world)));

    expect(report).toMatchObject({ outcome: 'compliant', dryRun: false, findings: [], changes: [] });
    expect(
      await Promise.all([
        snapshotRole(seed.iam, world.executionRole.name),
        snapshotRole(seed.iam, world.postRole.name),
      ]),
    ).toEqual(before);
    expect(await sinks.readNotifications()).toEqual([]);
  });

  it("grants s3:GetObject on the job's own output folder, in the job's account only, with strategy s3-read", async () => {
    const world = await newWorld();

    const report = reportOf(await handlerWith({ core: { strategy: 's3-read' } })(labelingJobEvent(world)));

    expect(report.outcome).toBe('remediated');
    const post = await snapshotRole(seed.iam, world.postRole.name);
    expect(post.inline.GroundTruthReadLabelingOutput).toEqual(
      policy({
        Sid: 'GroundTruthReadLabelingOutput',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [`arn:aws:s3:::${world.outputS3Uri.slice('s3://'.length)}${world.jobName}/*`],
        Condition: { StringEquals: { 's3:ResourceAccount': ACCOUNT } },
      }),
    );
    const execution = await snapshotRole(seed.iam, world.executionRole.name);
    expect(execution.trust).toEqual(world.executionRole.trust);
    expect(execution.inline.GroundTruthLabelingLambdaInvoke).toEqual(
      expectedInvokePolicy([world.preFunctionArn, world.postFunctionArn]),
    );
  });

  it('blocks the invoke grant that the permissions boundary would cancel, and still fixes the output read', async () => {
    // Given an execution role whose boundary allows S3 and STS but not Lambda
    const boundary = await createManagedPolicy(
      seed.iam,
      `${prefix}-no-lambda-boundary`,
      policy({ Effect: 'Allow', Action: ['s3:*', 'sts:AssumeRole'], Resource: '*' }),
    );
    const world = await newWorld({ executionBoundaryArn: boundary });

    const report = reportOf(await handlerWith()(labelingJobEvent(world)));

    // Then the invoke findings need a person, no invoke policy is written, and the trust change is made
    expect(report.outcome).toBe('blocked');
    const invokeFindings = report.findings.filter((f) => f.code === 'INVOKE_DENIED');
    expect(invokeFindings.map((f) => [f.resource, f.reason, f.fixable])).toEqual([
      [world.preFunctionArn, 'boundary', false],
      [world.postFunctionArn, 'boundary', false],
    ]);
    const execution = await snapshotRole(seed.iam, world.executionRole.name);
    expect(Object.keys(execution.inline)).toEqual(['ListLabelingBucket']);
    expect(execution.trust).toEqual(
      policy(...statementsOf(world.executionRole.trust), expectedTrustStatement([world.postRole.arn])),
    );
    expect((await sinks.readNotifications()).map((n) => n.attributes.outcome)).toEqual(['blocked']);
  });

  it('changes no role when the execution role is outside the configured scope', async () => {
    // Given a scope that covers neither of the job's roles
    const world = await newWorld();
    const before = await Promise.all([
      snapshotRole(seed.iam, world.executionRole.name),
      snapshotRole(seed.iam, world.postRole.name),
    ]);

    const report = reportOf(
      await handlerWith({ core: { scopePatterns: ['arn:aws:iam::123456789012:role/labeling/*'] } })(
        labelingJobEvent(world),
      ),
    );

    // Then every finding needs the execution role (the trust change too), so all of them need a person
    expect(report.outcome).toBe('blocked');
    expect(report.changes).toEqual([]);
    expect(
      report.findings.filter((f) => f.code === 'ROLE_OUT_OF_SCOPE').map((f) => [f.principal, f.reason]),
    ).toEqual([[world.executionRole.arn, 'outside-configured-scope']]);
    expect(report.findings.every((f) => !f.fixable)).toBe(true);
    expect(
      await Promise.all([
        snapshotRole(seed.iam, world.executionRole.name),
        snapshotRole(seed.iam, world.postRole.name),
      ]),
    ).toEqual(before);
  });
});

describe('context the live account supplies', () => {
  beforeAll(() => setParameter(seed.ssm, dryRunParameter, 'false'));

  it('reads function tags, so an invoke allowed by aws:ResourceTag is decided, not guessed', async () => {
    // Given an execution role allowed to invoke functions tagged team=labeling, and the job's functions so tagged
    const world = await newWorld();
    await seed.iam.send(
      new PutRolePolicyCommand({
        RoleName: world.executionRole.name,
        PolicyName: 'InvokeTeamFunctions',
        PolicyDocument: JSON.stringify(
          policy({
            Effect: 'Allow',
            Action: 'lambda:InvokeFunction',
            Resource: '*',
            Condition: { StringEquals: { 'aws:ResourceTag/team': 'labeling' } },
          }),
        ),
      }),
    );
    for (const arn of [world.preFunctionArn, world.postFunctionArn])
      await seed.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { team: 'labeling' } }));

    const report = reportOf(await handlerWith()(labelingJobEvent(world)));

    // Then no invoke finding and no invoke grant: the tag condition holds
    expect(report.findings.filter((f) => f.code === 'INVOKE_DENIED')).toEqual([]);
    expect(report.changes.map((c) => c.action)).toEqual(['UpdateAssumeRolePolicy']);
    expect(Object.keys((await snapshotRole(seed.iam, world.executionRole.name)).inline).sort()).toEqual([
      'InvokeTeamFunctions',
      'ListLabelingBucket',
    ]);
  });
});

describe('remediation in dry-run (dry-run parameter true)', () => {
  beforeAll(() => setParameter(seed.ssm, dryRunParameter, 'true'));

  it('proposes the same two changes and writes nothing', async () => {
    const world = await newWorld();
    const roles = [world.executionRole.name, world.preRole.name, world.postRole.name];
    const before = await Promise.all(roles.map((r) => snapshotRole(seed.iam, r)));

    const report = reportOf(await handlerWith()(labelingJobEvent(world)));

    // Then the plan is the one a live run would apply
    expect(report).toMatchObject({ outcome: 'proposed', dryRun: true });
    expect(report.changes.map((c) => [c.action, c.roleName])).toEqual([
      ['PutRolePolicy', world.executionRole.name],
      ['UpdateAssumeRolePolicy', world.executionRole.name],
    ]);
    expect(report.changes[0]?.statements).toEqual(
      statementsOf(expectedInvokePolicy([world.preFunctionArn, world.postFunctionArn])),
    );
    // And every role reads back exactly as before: same inline policy names and documents, same trust policy
    expect(await Promise.all(roles.map((r) => snapshotRole(seed.iam, r)))).toEqual(before);
    expect(statementsOf(before[0]?.trust ?? { Statement: [] })).toContainEqual(BREAK_GLASS_STATEMENT);
    const notifications = await sinks.readNotifications();
    expect(notifications.map((n) => n.attributes)).toEqual([
      { outcome: 'proposed', dryRun: 'true', severity: 'high' },
    ]);
    expect(notifications[0]?.subject).toBe(
      `[dry run] Ground Truth job ${world.jobName}: 2 permission changes proposed`,
    );
  });
});

describe('events the handler skips', () => {
  it('ignores a CreateLabelingJob call that failed, without reading or publishing anything', async () => {
    const world = await newWorld();
    const event = labelingJobEvent(world);
    event.detail.errorCode = 'ValidationException';

    const counter: CallCounter = new Map();

    const result = await handlerWith({ counter })(event);

    expect(result).toEqual({
      kind: 'skipped',
      reason: 'the CreateLabelingJob call failed (ValidationException); no job was created',
    });
    expect(counter).toEqual(new Map());
    expect(await sinks.readNotifications()).toEqual([]);
    expect(await sinks.readResultEvents()).toEqual([]);
  });
});
