/**
 * `check --live --job NAME` and `fix --live --job NAME` against moto: the job is read with
 * DescribeLabelingJob (aws-sdk-client-mock answers from the registry of seeded jobs, as moto has no
 * labeling-job API); IAM and Lambda are moto's. Also: AWS failures exit 3 with one line and no report.
 */
import { DescribeLabelingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { main, type Io } from '../../cli/main';
import type { Report } from '../../shared/core';
import { REGION, snapshotRole } from '../support/aws-world';
import { expectedInvokePolicy } from '../support/labeling-job-world';
import { answerFromRegistry } from '../support/labeling-jobs';
import { useHandlerWorld } from './handler-world';

const { seed, newWorld } = useHandlerWorld('cj', { drainSinks: false });
// Every SageMakerClient the CLI builds answers from the registry.
const sagemaker = mockClient(SageMakerClient);
beforeEach(() => {
  sagemaker.reset();
  answerFromRegistry(sagemaker);
});
afterAll(() => sagemaker.restore());

async function run(args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t) };
  const status = await main(['node', 'gt-remediate', ...args], io);
  return { status, out, err };
}

describe('gt-remediate check/fix --live --job NAME', () => {
  it('check reads the job from SageMaker in --region and proposes the fix, writing nothing', async () => {
    // Given a job SageMaker knows, whose execution role may not invoke its functions
    const world = await newWorld();
    const before = await snapshotRole(seed.iam, world.executionRole.name);

    // When the CLI checks it by name
    const { status, out, err } = await run([
      'check',
      '--live',
      '--job',
      world.jobName,
      '--region',
      REGION,
      '--json',
    ]);

    // Then the report is about that job, the invoke grant is proposed, and IAM is untouched
    expect(err).toBe('');
    expect(status).toBe(1);
    const report = JSON.parse(out) as Report;
    expect(report.job?.name).toBe(world.jobName);
    expect(report.outcome).toBe('proposed');
    expect(report.changes.map((c) => c.policyName)).toContain('GroundTruthLabelingLambdaInvoke');
    expect(sagemaker).toHaveReceivedCommandWith(DescribeLabelingJobCommand, {
      LabelingJobName: world.jobName,
    });
    expect(await snapshotRole(seed.iam, world.executionRole.name)).toEqual(before);
  });

  it('fix --yes applies the plan for the named job', async () => {
    const world = await newWorld();
    const { status, out } = await run([
      'fix',
      '--live',
      '--job',
      world.jobName,
      '--region',
      REGION,
      '--yes',
      '--json',
    ]);
    expect(status).toBe(0);
    expect((JSON.parse(out) as Report).outcome).toBe('remediated');
    const execution = await snapshotRole(seed.iam, world.executionRole.name);
    expect(execution.inline.GroundTruthLabelingLambdaInvoke).toEqual(
      expectedInvokePolicy([world.preFunctionArn, world.postFunctionArn]),
    );
  });

  it('a job SageMaker does not know is bad input: exit 2, one line', async () => {
    const { status, out, err } = await run(['check', '--live', '--job', 'no-such-job', '--region', REGION]);
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(`gt-remediate: no labeling job named no-such-job in ${REGION}\n`);
  });

  it('exactly one of --event and --job', async () => {
    const both = await run(['check', '--live', '--job', 'a', '--event', 'b.json']);
    const neither = await run(['fix', '--live', '--yes']);
    for (const r of [both, neither]) {
      expect(r.status).toBe(2);
      expect(r.err).toBe('gt-remediate: give exactly one of --event FILE or --job NAME\n');
    }
  });
});

describe('AWS failures in live commands', () => {
  it('exit 3 with one stderr line and no report when SageMaker refuses', async () => {
    // Given credentials that may not describe labeling jobs
    sagemaker.on(DescribeLabelingJobCommand).rejects(
      Object.assign(
        new Error(
          'User: arn:aws:iam::123456789012:user/ops is not authorized\nto perform: sagemaker:DescribeLabelingJob',
        ),
        {
          name: 'AccessDeniedException',
        },
      ),
    );

    // When check and fix run by job name
    for (const args of [
      ['check', '--live', '--job', 'any-job', '--region', REGION],
      ['fix', '--live', '--job', 'any-job', '--region', REGION, '--yes'],
    ]) {
      const { status, out, err } = await run(args);

      // Then each exits 3 with the SDK's error on one line, and stdout stays empty
      expect(status).toBe(3);
      expect(out).toBe('');
      expect(err).toBe(
        'gt-remediate: AWS call failed: AccessDeniedException: User: arn:aws:iam::123456789012:user/ops is not authorized to perform: sagemaker:DescribeLabelingJob\n',
      );
    }
  });

  it('exit 3 with one line when IAM keeps failing during check --live', async () => {
    // Given a job SageMaker knows, and IAM throttling every read (after the SDK's retries)
    const world = await newWorld();
    const { IAMClient, GetRoleCommand } = await import('@aws-sdk/client-iam');
    const iam = mockClient(IAMClient);
    iam.on(GetRoleCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    try {
      const { status, out, err } = await run(['check', '--live', '--job', world.jobName, '--region', REGION]);
      expect(status).toBe(3);
      expect(out).toBe('');
      expect(err.trimEnd().split('\n')).toHaveLength(1);
      expect(err).toMatch(/^gt-remediate: AWS call failed: .*Throttling: Rate exceeded/);
    } finally {
      iam.restore();
    }
  });
});
