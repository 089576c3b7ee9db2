/**
 * Attacks on `check --live` / `fix --live` (security issue, item 7; verdicts issue, item 7): every
 * input is verified with DescribeLabelingJob like the Lambda does, only SageMaker's job is acted on,
 * and inputs of another account or region are refused. IAM is moto's and read back; SageMaker
 * (which moto lacks) answers from the registry of seeded jobs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeLabelingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { main, type Io } from '../../cli/main';
import type { Report } from '../../shared/core';
import { ACCOUNT, REGION, snapshotRole, type RoleSnapshot } from '../support/aws-world';
import {
  expectedInvokePolicy,
  labelingJobEvent,
  type CreateLabelingJobEvent,
  type JobWorld,
} from '../support/labeling-job-world';
import { answerFromRegistry, registerLabelingJob } from '../support/labeling-jobs';
import { useHandlerWorld } from './handler-world';

const { seed, newWorld } = useHandlerWorld('cv', { drainSinks: false });
const sagemaker = mockClient(SageMakerClient);
let dir: string;
let files = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gt-cli-verify-'));
});
beforeEach(() => {
  sagemaker.reset();
  answerFromRegistry(sagemaker);
});
afterAll(() => {
  sagemaker.restore();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t) };
  const status = await main(['node', 'gt-remediate', ...args], io);
  return { status, out, err };
}

function inputFile(content: unknown): string {
  const file = join(dir, `input-${++files}.json`);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

/** Every role of the worlds, as IAM holds them now (inline policies and trust). */
async function rolesOf(...worlds: JobWorld[]): Promise<Record<string, RoleSnapshot>> {
  const state: Record<string, RoleSnapshot> = {};
  for (const w of worlds)
    for (const role of [w.executionRole, w.preRole, w.postRole])
      state[role.name] = await snapshotRole(seed.iam, role.name);
  return state;
}

/** The CreateLabelingJob request for the world's job (`aws sagemaker create-labeling-job --cli-input-json`). */
function createRequest(world: JobWorld): Record<string, unknown> {
  return {
    LabelingJobName: world.jobName,
    LabelAttributeName: 'label',
    RoleArn: world.executionRole.arn,
    OutputConfig: { S3OutputPath: world.outputS3Uri },
    HumanTaskConfig: {
      PreHumanTaskLambdaArn: world.preFunctionArn,
      AnnotationConsolidationConfig: { AnnotationConsolidationLambdaArn: world.postFunctionArn },
    },
  };
}

describe('fix --live for a job SageMaker does not have', () => {
  it('--yes --event writes nothing, exits 1 and says why (EVENT_UNVERIFIED job-not-found)', async () => {
    // Given roles and functions shaped like a job, and an event naming it, but no such job in SageMaker
    const world = await newWorld({ registerJob: false });
    const before = await rolesOf(world);
    const event = inputFile(labelingJobEvent(world));

    // When fix runs with --yes, as JSON and as text
    const json = await run(['fix', '--live', '--yes', '--event', event, '--json']);
    const text = await run(['fix', '--live', '--yes', '--event', event]);

    // Then nothing was written: every role reads back as before
    expect(await rolesOf(world)).toEqual(before);
    // And the report says the job could not be verified, and why, with exit 1
    expect(json.status).toBe(1);
    const report = JSON.parse(json.out) as Report;
    expect(report.outcome).toBe('blocked');
    expect(report.changes).toEqual([]);
    expect(report.findings).toEqual([
      expect.objectContaining({
        code: 'EVENT_UNVERIFIED',
        reason: 'job-not-found',
        detail: `SageMaker has no labeling job ${world.jobName} in ${ACCOUNT} ${REGION}`,
      }),
    ]);
    expect(report.notes).toContain('nothing was changed: the event could not be verified against SageMaker');
    expect(text.status).toBe(1);
    expect(text.err).toBe('');
    expect(text.out).toContain('EVENT_UNVERIFIED');
    expect(text.out).toContain(`SageMaker has no labeling job ${world.jobName}`);
    expect(text.out).not.toContain('REMEDIATED');
    // And SageMaker was asked, before planning and again before applying nothing
    expect(sagemaker).toHaveReceivedCommandWith(DescribeLabelingJobCommand, {
      LabelingJobName: world.jobName,
    });
  });

  it('check --live --event of that job verifies it too: EVENT_UNVERIFIED, no proposal', async () => {
    const world = await newWorld({ registerJob: false });
    const { status, out } = await run([
      'check',
      '--live',
      '--event',
      inputFile(labelingJobEvent(world)),
      '--json',
    ]);
    expect(status).toBe(1);
    const report = JSON.parse(out) as Report;
    expect(report.findings.map((f) => [f.code, f.reason])).toEqual([['EVENT_UNVERIFIED', 'job-not-found']]);
    expect(report.changes).toEqual([]);
  });

  it('fix --yes of a job that has ended writes nothing (job-not-running); check still reads it, with a note', async () => {
    // Given a real job that has completed
    const world = await newWorld({ registerJob: false });
    registerLabelingJob(world, { LabelingJobStatus: 'Completed' });
    const before = await rolesOf(world);
    const event = inputFile(labelingJobEvent(world));

    // When fix --yes and check run on it
    const fixed = await run(['fix', '--live', '--yes', '--event', event, '--json']);
    const checked = await run(['check', '--live', '--event', event, '--json']);

    // Then fix refuses and writes nothing
    expect(fixed.status).toBe(1);
    expect((JSON.parse(fixed.out) as Report).findings.map((f) => f.reason)).toEqual(['job-not-running']);
    expect(await rolesOf(world)).toEqual(before);
    // And check reports on the job (the invoke grant proposed) and says fix would not write
    const report = JSON.parse(checked.out) as Report;
    expect(report.changes.map((c) => c.policyName)).toContain('GroundTruthLabelingLambdaInvoke');
    expect(report.notes).toContain(
      'the job is Completed: fix --live writes only for a job that is Initializing or InProgress',
    );
  });

  it('fix --yes of a running job created days ago applies (the CLI has no age limit)', async () => {
    const world = await newWorld({ registerJob: false });
    registerLabelingJob(world, { CreationTime: new Date(Date.now() - 3 * 24 * 3600 * 1000) });
    const { status, out } = await run([
      'fix',
      '--live',
      '--yes',
      '--event',
      inputFile(labelingJobEvent(world)),
      '--json',
    ]);
    expect(status).toBe(0);
    expect((JSON.parse(out) as Report).outcome).toBe('remediated');
    expect(
      (await snapshotRole(seed.iam, world.executionRole.name)).inline.GroundTruthLabelingLambdaInvoke,
    ).toEqual(expectedInvokePolicy([world.preFunctionArn, world.postFunctionArn]));
  });
});

describe('a forged event', () => {
  it("is not acted on: fix writes for the job's real role and functions only, and says the input differed", async () => {
    // Given a real job, and a victim's roles and functions (no job of theirs exists)
    const real = await newWorld();
    const victim = await newWorld({ registerJob: false });
    const before = await rolesOf(real, victim);
    // And an event naming the real job but claiming the victim's role, functions and output
    const forged = labelingJobEvent(real);
    const detail: CreateLabelingJobEvent['detail'] = {
      ...forged.detail,
      requestParameters: {
        labelingJobName: real.jobName,
        roleArn: victim.executionRole.arn,
        outputConfig: { s3OutputPath: victim.outputS3Uri },
        humanTaskConfig: {
          preHumanTaskLambdaArn: victim.preFunctionArn,
          annotationConsolidationConfig: { annotationConsolidationLambdaArn: victim.postFunctionArn },
        },
      },
    };

    // When fix --yes runs on it
    const { status, out } = await run([
      'fix',
      '--live',
      '--yes',
      '--event',
      inputFile({ ...forged, detail }),
      '--json',
    ]);

    // Then the victim's roles are exactly as before
    const after = await rolesOf(real, victim);
    for (const role of [victim.executionRole, victim.preRole, victim.postRole])
      expect(after[role.name]).toEqual(before[role.name]);
    // And the real job's execution role got the invoke grant on the real job's functions only
    expect(after[real.executionRole.name]?.inline.GroundTruthLabelingLambdaInvoke).toEqual(
      expectedInvokePolicy([real.preFunctionArn, real.postFunctionArn]),
    );
    // And the report is about SageMaker's job and says the input's values were dropped
    expect(status).toBe(0);
    const report = JSON.parse(out) as Report;
    expect(report.job?.executionRoleArn).toBe(real.executionRole.arn);
    expect(report.job?.postAnnotationLambdaArn).toBe(real.postFunctionArn);
    expect(JSON.stringify(report)).not.toContain(victim.executionRole.name);
    expect(report.notes).toContain(
      "the input's roleArn, preHumanTaskLambdaArn, annotationConsolidationLambdaArn, s3OutputPath differ from SageMaker's job: acting on the job as SageMaker describes it, never the input's values",
    );
  });

  it('whose labelingJobArn names another job is refused by both commands', async () => {
    const real = await newWorld();
    const before = await rolesOf(real);
    const event = labelingJobEvent(real);
    const other = inputFile({
      ...event,
      detail: {
        ...event.detail,
        responseElements: {
          labelingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/another-job`,
        },
      },
    });
    for (const command of ['check', 'fix']) {
      const { status, out } = await run([
        command,
        '--live',
        '--event',
        other,
        '--json',
        ...(command === 'fix' ? ['--yes'] : []),
      ]);
      expect(status).toBe(1);
      expect((JSON.parse(out) as Report).findings.map((f) => f.reason)).toEqual(['job-mismatch']);
    }
    expect(await rolesOf(real)).toEqual(before);
  });
});

describe('a CreateLabelingJob request (checked before the job exists)', () => {
  it('check --live reports on the request, noted unverified (job not created yet); fix --yes writes nothing', async () => {
    // Given a request for a job nobody has created yet
    const world = await newWorld({ registerJob: false });
    const before = await rolesOf(world);
    const request = inputFile(createRequest(world));

    // When check and fix --yes run on it
    const checked = await run(['check', '--live', '--event', request, '--json']);
    const fixed = await run(['fix', '--live', '--yes', '--event', request, '--json']);

    // Then check proposes the grants the job will need, and says it is not verified
    expect(checked.status).toBe(1);
    const report = JSON.parse(checked.out) as Report;
    expect(report.outcome).toBe('proposed');
    expect(report.changes.map((c) => c.policyName)).toContain('GroundTruthLabelingLambdaInvoke');
    expect(report.notes?.[0]).toMatch(/^unverified \(job not created yet\): SageMaker has no labeling job /);
    // And fix refuses with EVENT_UNVERIFIED and writes nothing
    expect(fixed.status).toBe(1);
    const refused = JSON.parse(fixed.out) as Report;
    expect(refused.findings.map((f) => [f.code, f.reason])).toEqual([['EVENT_UNVERIFIED', 'job-not-found']]);
    expect(refused.notes).toContain(
      `the job is not created yet: fix --live writes only for a job SageMaker describes; create it, then run fix --live --job ${world.jobName}`,
    );
    expect(await rolesOf(world)).toEqual(before);
  });

  it('once the job exists, fix --yes verifies it and applies', async () => {
    const world = await newWorld();
    const { status, out } = await run([
      'fix',
      '--live',
      '--yes',
      '--event',
      inputFile(createRequest(world)),
      '--json',
    ]);
    expect(status).toBe(0);
    expect((JSON.parse(out) as Report).outcome).toBe('remediated');
  });
});

describe('inputs that do not match (live)', () => {
  it("an event of another account than the credentials': exit 2, one line naming both, nothing read or written", async () => {
    // Given an event claiming the job runs in another account than moto's credentials
    const world = await newWorld();
    const before = await rolesOf(world);
    const event = labelingJobEvent(world, { account: '444455556666' });
    const file = inputFile({ ...event, detail: { ...event.detail, recipientAccountId: '444455556666' } });

    for (const command of ['check', 'fix']) {
      // When check and fix --yes run on it
      const { status, out, err } = await run([
        command,
        '--live',
        '--event',
        file,
        ...(command === 'fix' ? ['--yes'] : []),
      ]);
      // Then one line names both accounts, exit 2, no report
      expect(status).toBe(2);
      expect(out).toBe('');
      expect(err).toBe(
        `gt-remediate: inputs do not match: the job is in account 444455556666, your credentials are of account ${ACCOUNT} (use --account 444455556666, or that account's credentials)\n`,
      );
    }
    // And SageMaker was not asked, nothing was written
    expect(sagemaker).not.toHaveReceivedCommand(DescribeLabelingJobCommand);
    expect(await rolesOf(world)).toEqual(before);
  });

  it('an event of another account than --account: exit 2, one line naming both', async () => {
    const world = await newWorld();
    const { status, out, err } = await run([
      'check',
      '--live',
      '--event',
      inputFile(labelingJobEvent(world)),
      '--account',
      '444455556666',
    ]);
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(
      `gt-remediate: inputs do not match: the job is in account ${ACCOUNT}, --account is 444455556666\n`,
    );
    expect(sagemaker).not.toHaveReceivedCommand(DescribeLabelingJobCommand);
  });

  it('an event of another region than --region: exit 2, one line naming both', async () => {
    const world = await newWorld();
    const { status, out, err } = await run([
      'fix',
      '--live',
      '--yes',
      '--event',
      inputFile(labelingJobEvent(world)),
      '--region',
      'eu-west-1',
    ]);
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(
      `gt-remediate: inputs do not match: the job is in region ${REGION}, --region is eu-west-1\n`,
    );
    expect(sagemaker).not.toHaveReceivedCommand(DescribeLabelingJobCommand);
  });
});
