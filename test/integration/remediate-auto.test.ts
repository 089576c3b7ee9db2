/**
 * Strategy `auto` end to end against moto: the direct read always, the trust statement only for an
 * execution role inside the Ground Truth envelope, the function tag honoured, and the confused deputy
 * (a function whose code the job's creator controls) never handed the execution role's credentials.
 * IAM state is read back; whether the function's role may assume the execution role is decided by the
 * evaluator on the read-back trust policy.
 */
import { TagResourceCommand } from '@aws-sdk/client-lambda';
import { statementsOf } from '../../shared/core/policy-document';
import { evaluateAccess } from '../../shared/core/simulate';
import type { PolicyDocument, RoleInfo } from '../../shared/core';
import {
  ACCOUNT,
  createManagedPolicy,
  createRole,
  GROUND_TRUTH_POLICY_ARN,
  policy,
  REGION,
  serviceTrustStatement,
  setParameter,
  snapshotRole,
  type RoleSnapshot,
} from '../support/aws-world';
import { reportOf } from './handler-deps';
import { useHandlerWorld } from './handler-world';
import {
  expectedTrustStatement,
  labelingJobEvent,
  seedJobWorld,
  type JobWorld,
} from '../support/labeling-job-world';

const { prefix, parameter: dryRunParameter, seed, newWorld, handlerWith } = useHandlerWorld('ra');
const auto = () => handlerWith({ core: { strategy: 'auto' } });
const READ_POLICY = 'GroundTruthReadLabelingOutput';
const FULL_ACCESS_ARN = 'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess';
let roles = 0;

/** An execution role SageMaker may assume, with the Ground Truth policy, its bucket and `extra` policies. */
async function executionRoleWith(
  id: string,
  extra: { managed?: string[]; inline?: Record<string, PolicyDocument> },
): Promise<JobWorld['executionRole']> {
  const bucket = `${id.toLowerCase()}-labeling-data`;
  const name = `${id}-execution`;
  const trust = policy(serviceTrustStatement('sagemaker.amazonaws.com'));
  const data = await createManagedPolicy(
    seed.iam,
    `${id}-data-access`,
    policy({
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: `arn:aws:s3:::${bucket}/*`,
    }),
  );
  const arn = await createRole(seed.iam, {
    name,
    path: '/service-role/',
    trust,
    managed: [GROUND_TRUTH_POLICY_ARN, data, ...(extra.managed ?? [])],
    ...(extra.inline ? { inline: extra.inline } : {}),
  });
  return { name, arn, trust };
}

/** A job world whose execution role carries `extra` besides the typical job's policies. */
async function worldWith(extra: {
  managed?: string[];
  inline?: Record<string, PolicyDocument>;
}): Promise<JobWorld> {
  roles += 1;
  const id = `${prefix}-e${roles}`;
  return seedJobWorld(seed, { id, executionRole: await executionRoleWith(id, extra) });
}

/** Whether the function's role, as IAM now holds it, may assume the execution role (the evaluator on the read-back trust). */
async function functionMayAssume(
  world: JobWorld,
  execution: RoleSnapshot,
  post: RoleSnapshot,
): Promise<string> {
  const role: RoleInfo = {
    arn: world.postRole.arn,
    name: world.postRole.name,
    path: '/',
    trustPolicy: post.trust,
    inlinePolicies: Object.entries(post.inline).map(([name, document]) => ({ name, document })),
    managedPolicies: [],
    tags: {},
  };
  const decision = await evaluateAccess({
    role,
    accountId: ACCOUNT,
    region: REGION,
    sessionName: 'consolidate',
    action: 'sts:AssumeRole',
    resourceArn: world.executionRole.arn,
    resourceAccount: ACCOUNT,
    resourcePolicy: execution.trust,
    now: new Date(),
  });
  return decision.verdict;
}

const expectedReadGrant = (world: JobWorld): PolicyDocument =>
  policy({
    Sid: READ_POLICY,
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: [
      `arn:aws:s3:::${world.outputS3Uri.slice('s3://'.length).split('/')[0]}/output/${world.jobName}/*`,
    ],
    Condition: { StringEquals: { 's3:ResourceAccount': ACCOUNT } },
  });

describe('strategy auto, live (dry-run parameter false)', () => {
  beforeAll(() => setParameter(seed.ssm, dryRunParameter, 'false'));

  it('an execution role inside the envelope: the direct read on the function role and the trust statement', async () => {
    // Given the typical job: AmazonSageMakerGroundTruthExecution plus reads and writes on its own bucket
    const world = await newWorld();

    // When the handler runs under auto
    const report = reportOf(await auto()(labelingJobEvent(world)));

    // Then both reading paths are written, read back from IAM
    expect(report.outcome).toBe('remediated');
    const execution = await snapshotRole(seed.iam, world.executionRole.name);
    const post = await snapshotRole(seed.iam, world.postRole.name);
    expect(execution.trust).toEqual(
      policy(...statementsOf(world.executionRole.trust), expectedTrustStatement([world.postRole.arn])),
    );
    expect(post.inline[READ_POLICY]).toEqual(expectedReadGrant(world));
    expect(await functionMayAssume(world, execution, post)).toBe('allowed');
  });

  it('AmazonSageMakerFullAccess: the direct read, EXECUTION_ROLE_EXCEEDS_ENVELOPE, and the trust policy unchanged', async () => {
    // Given an execution role that also carries AmazonSageMakerFullAccess
    const world = await worldWith({ managed: [FULL_ACCESS_ARN] });
    const trustBefore = (await snapshotRole(seed.iam, world.executionRole.name)).trust;

    // When the handler runs under auto
    const report = reportOf(await auto()(labelingJobEvent(world)));

    // Then the read grant is on the function's role, the trust policy is exactly as it was
    const execution = await snapshotRole(seed.iam, world.executionRole.name);
    const post = await snapshotRole(seed.iam, world.postRole.name);
    expect(execution.trust).toEqual(trustBefore);
    expect(post.inline[READ_POLICY]).toEqual(expectedReadGrant(world));
    expect(await functionMayAssume(world, execution, post)).not.toBe('allowed');
    // And the report explains why, naming actions outside the envelope
    const envelope = report.findings.find((f) => f.code === 'EXECUTION_ROLE_EXCEEDS_ENVELOPE');
    expect(envelope).toMatchObject({ reason: 'outside-envelope', severity: 'low', fixable: false });
    // (moto serves the managed policy's text: the actions are judged, not an unreadable policy)
    expect(envelope?.detail).toMatch(/^[a-z0-9-]+:\w+(, [a-z0-9-]+:\w+)*$/);
    expect(report.changes.map((c) => c.action)).not.toContain('UpdateAssumeRolePolicy');
    expect(report.manualChanges?.map((c) => c.action)).toContain('UpdateAssumeRolePolicy');
  });

  it('the confused deputy: a secrets-reading execution role never becomes assumable by the function role', async () => {
    // Given an execution role that reads every secret, and a function whose code the job's creator controls
    const secrets = policy({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' });
    const world = await worldWith({ inline: { ReadSecrets: secrets } });

    // When the handler runs under auto (the default)
    const report = reportOf(await auto()(labelingJobEvent(world)));

    // Then, by the read-back trust policy, the function's role cannot assume the execution role
    const execution = await snapshotRole(seed.iam, world.executionRole.name);
    const post = await snapshotRole(seed.iam, world.postRole.name);
    expect(await functionMayAssume(world, execution, post)).not.toBe('allowed');
    expect(report.findings.find((f) => f.code === 'EXECUTION_ROLE_EXCEEDS_ENVELOPE')?.detail).toBe(
      'secretsmanager:GetSecretValue',
    );
    // And the job can still succeed when its function reads with its own role
    expect(post.inline[READ_POLICY]).toEqual(expectedReadGrant(world));
  });

  it('the same confused deputy under assume-role (the control): the secrets reader is handed over', async () => {
    // Given the same kind of role: the privilege catalogue does not list secretsmanager:GetSecretValue
    const secrets = policy({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' });
    const world = await worldWith({ inline: { ReadSecrets: secrets } });

    await handlerWith({ core: { strategy: 'assume-role' } })(labelingJobEvent(world));

    // Then the operator who chose assume-role gave the function the execution role: what auto prevents
    const execution = await snapshotRole(seed.iam, world.executionRole.name);
    const post = await snapshotRole(seed.iam, world.postRole.name);
    expect(await functionMayAssume(world, execution, post)).toBe('allowed');
  });

  it.each([
    ['direct', 'FullAccess', [READ_POLICY], false],
    ['assume-role', 'inside', [], true],
  ] as const)(
    'the function tag gt-remediator:reads=%s (%s role): only that path is written',
    async (value, kind, postPolicies, trusted) => {
      // Given a job whose post-annotation function says how its code reads
      const world = kind === 'inside' ? await newWorld() : await worldWith({ managed: [FULL_ACCESS_ARN] });
      await seed.lambda.send(
        new TagResourceCommand({ Resource: world.postFunctionArn, Tags: { 'gt-remediator:reads': value } }),
      );

      const report = reportOf(await auto()(labelingJobEvent(world)));

      // Then only that path is in IAM, and the outcome needs nobody
      expect(report.outcome).toBe('remediated');
      expect(report.findings.map((f) => f.code)).not.toContain('EXECUTION_ROLE_EXCEEDS_ENVELOPE');
      const execution = await snapshotRole(seed.iam, world.executionRole.name);
      const post = await snapshotRole(seed.iam, world.postRole.name);
      expect(Object.keys(post.inline).filter((n) => n.startsWith('GroundTruth'))).toEqual(postPolicies);
      expect((await functionMayAssume(world, execution, post)) === 'allowed').toBe(trusted);
    },
  );

  it('a function role also trusted by another account (the outsider two hops): FUNCTION_ROLE_SHARED, nothing written', async () => {
    // Given a post-annotation role that an outside account may assume too
    roles += 1;
    const name = `${prefix}-s${roles}-post`;
    const arn = await createRole(seed.iam, {
      name,
      trust: policy(serviceTrustStatement('lambda.amazonaws.com'), {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::444455556666:root' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'never-in-a-report' } },
      }),
    });
    const world = await newWorld({ postRole: { name, arn } });
    const before = await Promise.all([
      snapshotRole(seed.iam, world.executionRole.name),
      snapshotRole(seed.iam, name),
    ]);

    const report = reportOf(await auto()(labelingJobEvent(world)));

    // Then neither the trust nor the read is written, and the report names the kind, not the condition
    expect(report.outcome).toBe('blocked');
    expect(report.findings.find((f) => f.code === 'FUNCTION_ROLE_SHARED')).toMatchObject({
      reason: 'shared-function-role',
      detail: 'another account',
      fixable: false,
    });
    expect(JSON.stringify(report)).not.toContain('never-in-a-report');
    const after = await Promise.all([
      snapshotRole(seed.iam, world.executionRole.name),
      snapshotRole(seed.iam, name),
    ]);
    expect(after[0].trust).toEqual(before[0].trust);
    expect(after[1]).toEqual(before[1]);
    expect(await functionMayAssume(world, after[0], after[1])).not.toBe('allowed');
  });
});
