/**
 * `gt-remediate check --live` and `fix --live` against moto: the CLI's own live runner, real SDK
 * clients; SageMaker (which moto lacks) answers DescribeLabelingJob from the registry of seeded jobs.
 */
import { DescribeLabelingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type Io } from '../../cli/main';
import type { Report } from '../../shared/core';
import { statementsOf } from '../../shared/core/policy-document';
import { snapshotRole } from '../support/aws-world';
import { useHandlerWorld } from './handler-world';
import { expectedInvokePolicy, labelingJobEvent, type JobWorld } from '../support/labeling-job-world';
import { answerFromRegistry } from '../support/labeling-jobs';

const { seed, newWorld } = useHandlerWorld('cl', { drainSinks: false });
// Every SageMakerClient the CLI builds answers from the registry.
const sagemaker = mockClient(SageMakerClient);
beforeEach(() => {
  sagemaker.reset();
  answerFromRegistry(sagemaker);
});
afterAll(() => sagemaker.restore());
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gt-cli-live-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t) };
  const status = await main(['node', 'gt-remediate', ...args], io);
  return { status, out, err };
}

function eventFile(world: JobWorld): string {
  const file = join(dir, `${world.jobName}.json`);
  writeFileSync(file, JSON.stringify(labelingJobEvent(world)));
  return file;
}

describe('gt-remediate check --live', () => {
  it('reports the same proposal as the Lambda and writes nothing', async () => {
    // Given a job whose execution role may not invoke its functions
    const world = await newWorld();
    const before = await snapshotRole(seed.iam, world.executionRole.name);

    // When the CLI checks it against the live (emulated) account
    const { status, out, err } = await run(['check', '--event', eventFile(world), '--live', '--json']);

    // Then it exits 1 with a proposal of the scoped invoke policy, and IAM is untouched
    expect(err).toBe('');
    expect(status).toBe(1);
    const report = JSON.parse(out) as Report;
    expect(report.outcome).toBe('proposed');
    // And the job was verified with SageMaker, as the Lambda does
    expect(sagemaker).toHaveReceivedCommandWith(DescribeLabelingJobCommand, {
      LabelingJobName: world.jobName,
    });
    expect(report.changes).toContainEqual(
      expect.objectContaining({
        action: 'PutRolePolicy',
        roleName: world.executionRole.name,
        policyName: 'GroundTruthLabelingLambdaInvoke',
        statements: statementsOf(expectedInvokePolicy([world.preFunctionArn, world.postFunctionArn])),
      }),
    );
    expect(await snapshotRole(seed.iam, world.executionRole.name)).toEqual(before);
  });
});

describe('gt-remediate fix --live', () => {
  it('refuses to write without --yes when stdin is not a terminal', async () => {
    // Given a job with findings and no terminal to ask on (jest's stdin is not a TTY)
    const world = await newWorld();
    const before = await snapshotRole(seed.iam, world.executionRole.name);

    // When fix runs without --yes
    const { status, err } = await run(['fix', '--event', eventFile(world), '--live']);

    // Then it exits 2 with one line saying why, and nothing was written
    expect(status).toBe(2);
    expect(err.trim().split('\n').pop()).toMatch(
      /^gt-remediate: refusing to change IAM without confirmation/,
    );
    expect(await snapshotRole(seed.iam, world.executionRole.name)).toEqual(before);
  });

  it('--dry-run shows the plan and writes nothing', async () => {
    const world = await newWorld();
    const before = await snapshotRole(seed.iam, world.executionRole.name);

    const { status, out } = await run(['fix', '--event', eventFile(world), '--live', '--dry-run', '--json']);

    expect(status).toBe(1);
    expect((JSON.parse(out) as Report).outcome).toBe('proposed');
    expect(await snapshotRole(seed.iam, world.executionRole.name)).toEqual(before);
  });

  it('--yes applies the plan, exits 0, and a second fix finds nothing to do', async () => {
    // Given a job with findings
    const world = await newWorld();
    const file = eventFile(world);

    // When fix runs with --yes
    const first = await run(['fix', '--event', file, '--live', '--yes', '--json']);

    // Then the report says remediated and IAM holds the exact invoke policy
    expect(first.status).toBe(0);
    expect((JSON.parse(first.out) as Report).outcome).toBe('remediated');
    const execution = await snapshotRole(seed.iam, world.executionRole.name);
    expect(execution.inline.GroundTruthLabelingLambdaInvoke).toEqual(
      expectedInvokePolicy([world.preFunctionArn, world.postFunctionArn]),
    );
    // And running it again is compliant and changes nothing
    const second = await run(['fix', '--event', file, '--live', '--yes', '--json']);
    expect(second.status).toBe(0);
    expect((JSON.parse(second.out) as Report).outcome).toBe('compliant');
    expect(await snapshotRole(seed.iam, world.executionRole.name)).toEqual(execution);
  });

  it('fix without --live is a usage error', async () => {
    const world = await newWorld();
    const { status, err } = await run(['fix', '--event', eventFile(world)]);
    expect(status).toBe(2);
    expect(err).toMatch(/^gt-remediate: fix works on the live account only/);
  });
});
