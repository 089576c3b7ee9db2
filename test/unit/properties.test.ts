/**
 * Property tests over generated accounts, driven through checkJob so the real planner and prover run:
 * trust policies never lose a statement, and a plan applied and re-planned asks for nothing more.
 */
import fc from 'fast-check';
import {
  applyChanges,
  checkJob,
  planJob,
  DEFAULT_CORE_OPTIONS,
  inventoryFromSnapshot,
  parseLabelingJobInput,
  type Change,
  type CoreOptions,
  type PolicyDocument,
  type PolicyStatement,
} from '../../shared/core';
import { outputLocation } from '../../shared/core/evaluate';
import { statementsOf } from '../../shared/core/policy-document';
import { TRUST_SID, trustPolicy, world, type World } from '../fixtures/arbitraries';
import {
  BASIC_EXECUTION_POLICY_ARN,
  buildIamJson,
  buildLambdaJson,
  createLabelingJobEvent,
  GROUND_TRUTH_POLICY_ARN,
  policy,
  roleArn,
  type SnapshotSpec,
} from '../fixtures/factory';

const NOW = new Date('2026-11-29T10:15:00Z');
const EXEC_ARN = roleArn('LabelingExecution', '/service-role/');
const LAMBDA_ARN = roleArn('consolidate-role');

/** Runs the whole core on a compact world, as the CLI would: event → request, snapshot → inventory. */
async function checkWorld(w: World) {
  const parsed = parseLabelingJobInput(createLabelingJobEvent(w.job));
  if (parsed.kind !== 'request') throw new Error(`generated job does not parse: ${JSON.stringify(parsed)}`);
  const inventory = inventoryFromSnapshot(buildIamJson(w.snapshot), buildLambdaJson(w.snapshot));
  const core: CoreOptions = { ...DEFAULT_CORE_OPTIONS, strategy: w.strategy };
  const { report, changes } = await planJob(parsed.request, inventory, { core, dryRun: true, now: NOW });
  return { request: parsed.request, inventory, core, report, changes };
}

function list(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

function valuesOf(statement: PolicyStatement | undefined): string[] {
  return [
    ...list(statement?.Resource),
    ...list((statement?.Principal as { AWS?: unknown } | undefined)?.AWS),
  ];
}

function trustChange(changes: Change[]): Extract<Change, { action: 'UpdateAssumeRolePolicy' }> | undefined {
  return changes.find(
    (c): c is Extract<Change, { action: 'UpdateAssumeRolePolicy' }> => c.action === 'UpdateAssumeRolePolicy',
  );
}

describe('checkJob on generated trust policies', () => {
  it('keeps every existing trust statement verbatim and only grows its own (≥300 policies)', async () => {
    let withEarlierOwn = 0;
    let notExecution = 0;
    await fc.assert(
      fc.asyncProperty(
        trustPolicy,
        fc.boolean(),
        fc.boolean(),
        async (trust: PolicyDocument, lambdaMayAssume, encode) => {
          // Given an execution role with the generated trust policy (which never lets the Lambda role in)
          const snapshot: SnapshotSpec = {
            roles: [
              {
                name: 'LabelingExecution',
                path: '/service-role/',
                trust,
                managed: [GROUND_TRUTH_POLICY_ARN],
                inline: {
                  ReadLabelingData: policy({
                    Effect: 'Allow',
                    Action: 's3:GetObject',
                    Resource: 'arn:aws:s3:::receipts-labeling-data/*',
                  }),
                },
              },
              {
                name: 'consolidate-role',
                trust: 'lambda',
                managed: [BASIC_EXECUTION_POLICY_ARN],
                inline: lambdaMayAssume
                  ? { AssumeExec: policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: EXEC_ARN }) }
                  : {},
              },
            ],
            functions: [{ name: 'gt-SageMaker-post', role: 'consolidate-role' }],
            encode,
          };

          // When the core checks a job whose post function runs as the Lambda role
          const { report, changes } = await checkWorld({
            snapshot,
            job: { roleArn: EXEC_ARN, post: 'gt-SageMaker-post' },
            strategy: 'assume-role',
          });

          // Then a role SageMaker may not assume is never changed (the guard holds) ...
          if (report.findings.some((f) => f.code === 'ROLE_NOT_SAGEMAKER_EXECUTION')) {
            notExecution++;
            expect(report.outcome).toBe('blocked');
            expect(changes).toEqual([]);
            return;
          }
          // ... and otherwise it proposes a trust update
          expect(report.outcome).toBe('proposed');
          const update = trustChange(changes);
          expect(update?.roleName).toBe('LabelingExecution');
          const before = statementsOf(trust);
          const after = statementsOf(update?.document ?? { Statement: [] });
          const ownBefore = before.find((s) => s.Sid === TRUST_SID);
          if (ownBefore) withEarlierOwn++;

          // And every other statement is there, verbatim and in order
          expect(after.filter((s) => s.Sid !== TRUST_SID)).toEqual(before.filter((s) => s.Sid !== TRUST_SID));
          expect(after).toHaveLength(before.length + (ownBefore ? 0 : 1));
          expect(update?.document.Version).toBe(trust.Version);

          // And its own statement lists what it listed before plus exactly the Lambda role, sorted
          const own = after.filter((s) => s.Sid === TRUST_SID);
          expect(own).toHaveLength(1);
          expect(own[0]).toEqual({
            Sid: TRUST_SID,
            Effect: 'Allow',
            Principal: { AWS: [...new Set([...valuesOf(ownBefore), LAMBDA_ARN])].sort() },
            Action: 'sts:AssumeRole',
          });
        },
      ),
      { numRuns: 300 },
    );
    // The generator did exercise the merge into an earlier statement of our own, and the guard
    expect(withEarlierOwn).toBeGreaterThan(10);
    expect(notExecution).toBeGreaterThan(5);
  });
});

describe('checkJob on generated accounts and jobs', () => {
  it('asks for nothing more once its own plan is applied, and never adds a wildcard', async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        // Given a generated account and job (no denies, boundaries or guardrail trouble)
        const { request, inventory, core, report, changes } = await checkWorld(w);
        // A post function running as the execution role (trusted by SageMaker) is never Lambda's alone.
        const shared = report.findings.some((f) => f.code === 'FUNCTION_ROLE_SHARED');
        const postRole = w.snapshot.functions?.find((f) => w.job.post?.startsWith(f.name))?.role;
        expect(shared).toBe(postRole === 'LabelingExecution');
        const outcome = shared ? 'blocked (shared function role)' : report.outcome;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);

        // Then the outcome follows from the findings and the plan ...
        const blocked = report.findings.some((f) => !f.fixable);
        expect(report.outcome).toBe(blocked ? 'blocked' : changes.length > 0 ? 'proposed' : 'compliant');

        // ... and what it adds is exact: no * or ? but the s3-read grant on the job's output folder
        for (const change of changes) {
          const role = inventory.roles.get(change.roleName);
          const beforeDoc =
            change.action === 'UpdateAssumeRolePolicy'
              ? role?.trustPolicy
              : role?.inlinePolicies.find((p) => p.name === change.policyName)?.document;
          const sid = change.action === 'PutRolePolicy' ? change.policyName : core.trustStatementSid;
          const held = valuesOf(beforeDoc ? statementsOf(beforeDoc).find((s) => s.Sid === sid) : undefined);
          const added = valuesOf(statementsOf(change.document).find((s) => s.Sid === sid)).filter(
            (v) => !held.includes(v),
          );
          const allowed =
            change.action === 'PutRolePolicy' && change.policyName === core.readPolicyName
              ? outputLocation(request).grantArn
              : undefined;
          expect(added.length).toBeGreaterThan(0);
          expect(added.filter((v) => /[*?]/.test(v) && v !== allowed)).toEqual([]);
        }

        // When the plan is applied and the job checked again
        const again = await checkJob(request, applyChanges(inventory, changes), {
          core,
          dryRun: true,
          now: NOW,
        });

        // Then there is nothing left to change or to fix automatically
        expect(again.changes).toEqual([]);
        expect(again.findings.filter((f) => f.fixable)).toEqual([]);
        // Under auto a guard or a stop may close one reading path (the envelope, a foreign statement on
        // the function's role...) while the other clears the finding: what blocked was the path not taken.
        const otherPathTaken =
          core.strategy === 'auto' &&
          report.findings.some((f) => f.code === 'OUTPUT_READ_DENIED' && f.fixable) &&
          again.outcome === 'compliant';
        if (!otherPathTaken) expect(again.outcome).toBe(blocked ? 'blocked' : 'compliant');
      }),
      { numRuns: 160 },
    );
    // Both branches were exercised
    expect(outcomes.get('proposed')).toBeGreaterThan(20);
    expect(outcomes.get('compliant')).toBeGreaterThan(5);
    expect(outcomes.get('blocked') ?? 0).toBeLessThan(60);
  });
});
