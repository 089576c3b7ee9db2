/**
 * The memo changes nothing: every fixture case (test/fixtures/cases, and the real inputs of
 * test/fixtures/real), in every partition, gives byte-identical plans and reports with the memo on
 * (one memoizing evaluator for the whole file, as one scan or one Lambda container has, abstraction
 * layer on) and off (a plain evaluator per plan).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSnapshot } from '../../cli/input-files';
import {
  DEFAULT_CORE_OPTIONS,
  memoizingEvaluator,
  planJob,
  plainEvaluator,
  type AccountInventory,
  type CoreOptions,
  type Evaluator,
  type LabelingJobRequest,
  type PolicyDocument,
} from '../../shared/core';
import { inputsOf, loadCoreCases, PARTITIONS, type Partition } from '../fixtures/core-case';
import { ACCOUNT, functionArn, roleArn, serviceTrust } from '../fixtures/factory';
import { inventoryOf, roleInfo } from '../fixtures/role-info';

const NOW = new Date('2026-11-29T10:15:00Z');
/** Shared by every test of the file, in order: later cases meet answers and proofs of earlier ones. */
const shared = memoizingEvaluator();

interface Job {
  request: LabelingJobRequest;
  inventory: AccountInventory;
  options: CoreOptions;
  /** Default true; false plans as a live run would (an unchecked output folder then blocks the direct read). */
  dryRun?: boolean;
}

async function planned(job: Job, evaluator: Evaluator): Promise<string> {
  const checked = await planJob(job.request, job.inventory, {
    core: job.options,
    dryRun: job.dryRun ?? true,
    now: NOW,
    evaluator,
  });
  return JSON.stringify(checked);
}

async function expectSame(jobs: Job[]): Promise<void> {
  for (const job of jobs) {
    const off = await planned(job, plainEvaluator());
    const on = await planned(job, shared);
    expect({ job: job.request.jobName, report: on }).toEqual({ job: job.request.jobName, report: off });
  }
}

describe('memo on and off give byte-identical plans', () => {
  const files = loadCoreCases();

  it('runs every case file, the strategy auto and protected roles among them', () => {
    expect(files.map((f) => f.file)).toEqual(expect.arrayContaining(['auto.json', 'protected.json']));
    for (const file of ['auto.json', 'protected.json'])
      expect(files.find((f) => f.file === file)?.cases.length).toBeGreaterThan(0);
  });

  it.each(['auto.json', 'protected.json'])(
    'cases in %s, planned as a live run (not dry-run)',
    async (name) => {
      const cases = files.find((f) => f.file === name)?.cases ?? [];
      await expectSame(cases.map((c) => ({ ...inputsOf(c), dryRun: false })));
    },
  );
  describe.each(Object.keys(PARTITIONS) as Partition[])('in %s', (partition) => {
    it.each(files.map((f) => [f.file, f.cases] as const))('cases in %s', async (_file, cases) => {
      await expectSame(cases.map((c) => inputsOf(c, partition)));
    });
  });

  it('on the published managed policies, each on the execution role', async () => {
    const dir = join(__dirname, '..', 'fixtures', 'real', 'managed-policies');
    const pre = functionArn('gt-pre');
    const post = functionArn('gt-post');
    const preRole = roleInfo('gt-pre-role', { trustPolicy: serviceTrust('lambda.amazonaws.com') });
    const postRole = roleInfo('gt-post-role', { trustPolicy: serviceTrust('lambda.amazonaws.com') });
    const jobs = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .flatMap((file, i) => {
        const name = file.replace(/\.json$/, '');
        const { Document } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
          Document: PolicyDocument;
        };
        const execution = roleInfo('gt-exec', {
          path: '/service-role/',
          managedPolicies: [{ arn: `arn:aws:iam::aws:policy/${name}`, name, document: Document }],
        });
        const inventory = inventoryOf(
          [execution, preRole, postRole],
          [
            { arn: pre, roleArn: preRole.arn },
            { arn: post, roleArn: postRole.arn },
          ],
        );
        // Two jobs per output that differ only by name: the second may reuse the first one's proof.
        const outputs = ['s3://sagemaker-labels/output/', 's3://other-bucket/out/'];
        return outputs
          .flatMap((output, k) => ['a', 'b'].map((n) => [output, `real-${i}-${k}-${n}`] as const))
          .map(([output, jobName]) => ({
            request: {
              jobName,
              accountId: ACCOUNT,
              region: 'us-east-1',
              executionRoleArn: roleArn('gt-exec', '/service-role/'),
              preAnnotationLambdaArn: pre,
              postAnnotationLambdaArn: post,
              outputS3Uri: output,
            },
            inventory,
            options: DEFAULT_CORE_OPTIONS,
          }));
      });
    expect(jobs.length).toBeGreaterThan(4);
    await expectSame(jobs);
  });

  it("on the published account snapshot (cloudsplaining's example)", async () => {
    const inventory = loadSnapshot(join(__dirname, '..', 'fixtures', 'real', 'cloudsplaining'));
    const account = '012345678901';
    await expectSame(
      [...inventory.roles.values()].map((role, i) => ({
        request: {
          jobName: `receipts-${i}`,
          accountId: account,
          region: 'us-east-1',
          executionRoleArn: role.arn,
          preAnnotationLambdaArn: `arn:aws:lambda:us-east-1:${account}:function:labeling-pre`,
          postAnnotationLambdaArn: `arn:aws:lambda:us-east-1:${account}:function:labeling-post`,
          outputS3Uri: 's3://mybucket/output/',
        },
        inventory,
        options: DEFAULT_CORE_OPTIONS,
      })),
    );
  });

  it('the shared memo was used (the comparison is not of two plain runs)', () => {
    expect(shared.counts.hits).toBeGreaterThan(shared.counts.misses);
    expect(shared.sharing.proofs?.counts.hits).toBeGreaterThan(0);
  });
});
