/**
 * The proof's memo: a proof that held is shared with jobs no policy can tell apart from its own, and
 * with no other. The property at the end is the one that matters: whenever two jobs get the same
 * key, proving each of them from scratch gives the same answer.
 */
import fc from 'fast-check';
import {
  DEFAULT_CORE_OPTIONS,
  inventoryFromSnapshot,
  parseLabelingJobInput,
  type AccountInventory,
  type CoreOptions,
  type PolicyStatement,
} from '../../shared/core';
import { assessJob } from '../../shared/core/evaluate';
import { findingKey } from '../../shared/core/findings';
import { planChanges } from '../../shared/core/plan';
import { plainEvaluator } from '../../shared/core/evaluator/evaluator';
import { memoizingEvaluator } from '../../shared/core/evaluator/memo';
import { MemoTables } from '../../shared/core/evaluator/tables';
import { proofInventory, proofKey } from '../../shared/core/proof-memo';
import { proveChanges } from '../../shared/core/prove';
import { world, type World } from '../fixtures/arbitraries';
import {
  BASIC_EXECUTION_POLICY_ARN,
  buildIamJson,
  buildLambdaJson,
  createLabelingJobEvent,
  functionArn,
  GROUND_TRUTH_POLICY_ARN,
  policy,
  type SnapshotSpec,
} from '../fixtures/factory';

const NOW = new Date('2026-11-29T10:15:00Z');
const BUCKET = 'receipts-labeling-data';

/** The test's own evaluator for planning (answers memoised), and the tables proof keys are built with. */
const planner = memoizingEvaluator();
const tables = new MemoTables();

/** The account's roles and functions, read once: a scan's jobs share the objects (the key names objects). */
const inventories = new WeakMap<SnapshotSpec, AccountInventory>();
function inventoryOf(snapshot: SnapshotSpec): AccountInventory {
  let inventory = inventories.get(snapshot);
  if (!inventory) {
    inventory = inventoryFromSnapshot(buildIamJson(snapshot), buildLambdaJson(snapshot));
    inventories.set(snapshot, inventory);
  }
  return inventory;
}

/** Everything the proof of `name`'s plan takes, planned as planJob plans it. */
async function proofInputs(snapshot: SnapshotSpec, job: World['job'], name: string, core: CoreOptions) {
  const parsed = parseLabelingJobInput(createLabelingJobEvent({ ...job, name }));
  if (parsed.kind !== 'request') throw new Error(`job ${name} does not parse`);
  const request = parsed.request;
  const inventory = inventoryOf(snapshot);
  const assessed = await assessJob(planner, request, inventory, core, NOW);
  const plan = planChanges(request, inventory, assessed, core);
  const fixable = new Set(plan.findings.filter((f) => f.fixable).map(findingKey));
  const claimed = assessed.assessments.filter((a) => fixable.has(findingKey(a.finding)));
  return { request, inventory, claimed, changes: plan.changes };
}

type Inputs = Awaited<ReturnType<typeof proofInputs>>;

function keyOf(i: Inputs, core: CoreOptions): string | undefined {
  const reachable = proofInventory(i.request, i.inventory, i.changes);
  return proofKey(tables, { ...i, inventory: reachable, options: core, now: NOW });
}

/** An execution role without the invoke grant and a post role that cannot read the output: a plan of three writes. */
function account(postInline: Record<string, ReturnType<typeof policy>> = {}): SnapshotSpec {
  return {
    roles: [
      { name: 'LabelingExecution', path: '/service-role/', managed: [GROUND_TRUTH_POLICY_ARN] },
      {
        name: 'consolidate-role',
        trust: 'lambda',
        managed: [BASIC_EXECUTION_POLICY_ARN],
        inline: postInline,
      },
      // Roles the job does not use: a scan's inventory holds them too.
      { name: 'unrelated-role', trust: 'lambda', tags: { team: 'job-1' } },
    ],
    functions: [
      { name: 'receipts-pre', role: 'consolidate-role' },
      { name: 'receipts-post', role: 'consolidate-role' },
    ],
  };
}

const JOB: World['job'] = {
  roleArn: 'arn:aws:iam::111122223333:role/service-role/LabelingExecution',
  pre: functionArn('receipts-pre'),
  post: functionArn('receipts-post'),
  output: `s3://${BUCKET}/output/`,
};

describe('proof memo', () => {
  it('proves once for forty jobs no policy tells apart, and accepts each of them', async () => {
    // Given forty jobs of one execution role and pair of functions
    const core = { ...DEFAULT_CORE_OPTIONS, strategy: 's3-read' as const };
    const memo = memoizingEvaluator();
    const snapshot = account();
    const failures: (string | undefined)[] = [];
    for (let i = 0; i < 40; i++) {
      const inputs = await proofInputs(snapshot, JOB, `receipts-${i}`, core);
      expect(inputs.changes.length).toBeGreaterThan(0);
      // When each plan is proved through the memo
      failures.push(
        await proveChanges(memo, inputs.request, inputs.inventory, inputs.claimed, inputs.changes, core, NOW),
      );
    }
    // Then every proof holds, and only the first one was made
    expect(failures).toEqual(Array(40).fill(undefined));
    expect(memo.sharing.proofs?.counts).toEqual({ hits: 39, misses: 1 });
  });

  it('sees only the roles the job uses (a role elsewhere may name the job)', async () => {
    // Given an account where a role the job does not use has a tag naming the job
    const core = { ...DEFAULT_CORE_OPTIONS, strategy: 's3-read' as const };
    const inputs = await proofInputs(account(), JOB, 'job-1', core);
    // Then the proof's inventory leaves that role out, and the proof may still be shared
    const reachable = proofInventory(inputs.request, inputs.inventory, inputs.changes);
    expect([...reachable.roles.keys()]).toEqual(['LabelingExecution', 'consolidate-role']);
    expect(keyOf(inputs, core)).toBeDefined();
  });

  it('keys on every field of the request, new ones included (no hand-listed fields)', async () => {
    // Given two jobs that differ only by name, whose requests carry the input manifest and KMS key
    const core = { ...DEFAULT_CORE_OPTIONS, strategy: 's3-read' as const };
    const snapshot = account();
    const withFields = async (name: string, manifest: string) => {
      const inputs = await proofInputs(snapshot, JOB, name, core);
      return {
        ...inputs,
        request: {
          ...inputs.request,
          inputManifestS3Uri: manifest,
          outputKmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/1',
        },
      };
    };
    const a = keyOf(await withFields('job-1', `s3://${BUCKET}/input/manifest.json`), core);
    const b = keyOf(await withFields('job-2', `s3://${BUCKET}/input/manifest.json`), core);
    const other = keyOf(await withFields('job-2', `s3://${BUCKET}/input/other.json`), core);
    const naming = keyOf(await withFields('job-3', `s3://${BUCKET}/job-3/manifest.json`), core);
    // Then the new fields do not stop sharing, a different value keys apart, and a value naming the job is never shared
    expect(a).toBeDefined();
    expect(b).toBe(a);
    expect(other).not.toBe(a);
    expect(naming).toBeUndefined();
  });

  it.each<[string, PolicyStatement, string[], string[]]>([
    [
      'a grant on names that end in -1',
      { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/output/*-1/*` },
      ['job-1', 'run-1', 'JOB-1'],
      ['job-2', 'job-12', 'job-1-b'],
    ],
    [
      'a deny on one-character names',
      { Effect: 'Deny', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/output/job-?/*` },
      ['job-1', 'job-2'],
      ['job-10', 'job-1-b'],
    ],
    [
      'a condition on the key, ignoring case',
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${BUCKET}/*`,
        Condition: { StringLikeIfExists: { 'aws:SourceArn': '*labeling-job/*-1' } },
      },
      ['job-1', 'Job-1', 'JOB-1'],
      ['job-2', 'job-1-b'],
    ],
  ])('keeps apart jobs that %s tells apart', async (_name, statement, alike, apart) => {
    // Given a policy of the post role that compares its values with the job's name (and names none)
    const core = { ...DEFAULT_CORE_OPTIONS, strategy: 's3-read' as const };
    const snapshot = account({ NameSensitive: policy(statement) });
    const keys = async (names: string[]) =>
      Promise.all(names.map(async (n) => keyOf(await proofInputs(snapshot, JOB, n, core), core)));
    const [first, ...others] = await keys(alike);
    const different = await keys(apart);
    // Then the jobs it cannot tell apart share a key, and the others do not share theirs
    expect(first).toBeDefined();
    for (const key of others) expect(key).toBe(first);
    for (const key of different) expect(key).not.toBe(first);
  });

  it.each<[string, (s: SnapshotSpec) => void, string]>([
    [
      'a policy names the job',
      (s) => {
        const post = s.roles[1] ?? s.roles[0];
        if (post)
          post.inline = {
            Named: policy({
              Effect: 'Allow',
              Action: 'logs:PutLogEvents',
              Resource: 'arn:aws:logs:*:*:log-group:job-7',
            }),
          };
      },
      'job-7',
    ],
    [
      'a policy uses a variable',
      (s) => {
        const post = s.roles[1] ?? s.roles[0];
        if (post)
          post.inline = {
            Own: policy({
              Effect: 'Allow',
              Action: 's3:GetObject',
              Resource: 'arn:aws:s3:::${aws:username}/*',
            }),
          };
      },
      'job-7',
    ],
    [
      'a role tag names the job',
      (s) => {
        const execution = s.roles[0];
        if (execution) execution.tags = { job: 'JOB-7' };
      },
      'job-7',
    ],
    ['the name is part of a built-in probe name', () => undefined, 'probe'],
    // A job's creator picks its name: names that are also other inputs never stand for another job.
    ['the name is a folder of the output prefix', () => undefined, 'output'],
    ['the name is the execution role', () => undefined, 'LabelingExecution'],
    ['the name is a function', () => undefined, 'receipts-post'],
    ['the name is in every ARN', () => undefined, 'aws'],
  ])('is not shared when %s', async (_name, edit, jobName) => {
    const core = { ...DEFAULT_CORE_OPTIONS, strategy: 's3-read' as const };
    const snapshot = account();
    edit(snapshot);
    const inputs = await proofInputs(snapshot, JOB, jobName, core);
    expect(inputs.changes.length).toBeGreaterThan(0);
    expect(keyOf(inputs, core)).toBeUndefined();
  });

  it('gives jobs with equal keys equal proofs, on generated accounts and name-sensitive policies', async () => {
    const names = fc.constantFrom('job-1', 'job-10', 'job-2', 'Job-1', 'job-1-b', 'receipts-7');
    const sensitive = fc.constantFrom<PolicyStatement | undefined>(
      undefined,
      { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/output/job-1*` },
      { Effect: 'Deny', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/output/job-?/*` },
      { Effect: 'Deny', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*/JOB-1/*` },
      {
        Effect: 'Deny',
        Action: 'sts:AssumeRole',
        Resource: '*',
        Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sagemaker:*:*:labeling-job/job-1*' } },
      },
    );
    let shared = 0;
    await fc.assert(
      fc.asyncProperty(world, sensitive, names, names, async (w, statement, a, b) => {
        // Given a generated account with a policy that may tell the two names apart
        const snapshot: SnapshotSpec = {
          ...w.snapshot,
          roles: w.snapshot.roles.map((r, i) =>
            statement && i === w.snapshot.roles.length - 1
              ? { ...r, inline: { ...(r.inline ?? {}), NameSensitive: policy(statement) } }
              : r,
          ),
        };
        const core: CoreOptions = { ...DEFAULT_CORE_OPTIONS, strategy: w.strategy };
        const [ia, ib] = await Promise.all([a, b].map((n) => proofInputs(snapshot, w.job, n, core)));
        if (!ia || !ib) throw new Error('no inputs');
        const ka = keyOf(ia, core);
        if (ka === undefined || ka !== keyOf(ib, core)) return;
        shared++;
        // When both plans are proved from scratch (no memo)
        const prove = (i: Inputs) =>
          proveChanges(plainEvaluator(), i.request, i.inventory, i.claimed, i.changes, core, NOW);
        // Then equal keys mean equal answers
        expect((await prove(ia)) === undefined).toBe((await prove(ib)) === undefined);
      }),
      { numRuns: 150, seed: 1204 },
    );
    expect(shared).toBeGreaterThan(20);
  });
});
