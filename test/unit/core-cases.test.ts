/**
 * Walks the table of core cases in test/fixtures/cases/*.json: each case is an account snapshot
 * (iam.json + lambda.json shape), a CreateLabelingJob event (or DescribeLabelingJob response),
 * options, and the report the core must produce.
 */
import {
  applyChanges,
  checkJob,
  planJob,
  type Change,
  type PolicyStatement,
  type Report,
} from '../../shared/core';
import { outputLocation } from '../../shared/core/evaluate';
import { INLINE_POLICIES_LIMIT, TRUST_POLICY_LIMIT } from '../../shared/core/plan';
import { policySize, statementsOf } from '../../shared/core/policy-document';
import {
  inPartition,
  inputsOf,
  loadCoreCases,
  type Partition,
  type CaseInputs,
  type CoreCase,
  type ExpectedChange,
  type ExpectedFinding,
} from '../fixtures/core-case';

const NOW = new Date('2026-11-29T10:15:00Z');
const files = loadCoreCases();

function findingView(f: Report['findings'][number], e: ExpectedFinding): ExpectedFinding {
  return {
    code: f.code,
    fixable: f.fixable,
    ...(e.reason !== undefined ? { reason: f.reason } : {}),
    ...(e.reasonPrefix !== undefined
      ? { reasonPrefix: `${f.reason}${f.detail ? ` ${f.detail}` : ''}`.slice(0, e.reasonPrefix.length) }
      : {}),
    ...(e.severity !== undefined ? { severity: f.severity } : {}),
    ...(e.principal !== undefined ? { principal: f.principal } : {}),
    ...(e.resource !== undefined ? { resource: f.resource } : {}),
  };
}

function ourStatement(change: Change, trustSid: string): PolicyStatement | undefined {
  const sid = change.action === 'PutRolePolicy' ? change.policyName : trustSid;
  return statementsOf(change.document).find((s) => s.Sid === sid);
}

/** A change as the fixtures describe it: `document`, `resources` and `principals` only where the case asks. */
type ChangeView = Omit<ExpectedChange, 'document'> & { document?: unknown };

function changeView(c: Change, e: ExpectedChange, trustSid: string): ChangeView {
  const ours = ourStatement(c, trustSid);
  return {
    action: c.action,
    roleName: c.roleName,
    ...(c.action === 'PutRolePolicy' ? { policyName: c.policyName } : {}),
    ...(e.document !== undefined ? { document: c.document } : {}),
    ...(e.resources !== undefined ? { resources: ([] as string[]).concat(ours?.Resource ?? []) } : {}),
    ...(e.principals !== undefined
      ? {
          principals: ([] as string[]).concat(
            (ours?.Principal as { AWS?: string | string[] } | undefined)?.AWS ?? [],
          ),
        }
      : {}),
  };
}

async function run(
  c: CoreCase,
  partition: Partition = 'aws',
): Promise<{ inputs: CaseInputs; report: Report; changes: Change[] }> {
  const inputs = inputsOf(c, partition);
  const { report, changes } = await planJob(inputs.request, inputs.inventory, {
    core: inputs.options,
    dryRun: true,
    now: NOW,
  });
  return { inputs, report, changes };
}

describe('the core cases', () => {
  it.each(files.flatMap((f) => f.cases).map((c) => [c.name, c] as const))(
    '%s: starts from an account IAM would accept',
    (_name, c) => {
      // Given the case's snapshot as the core reads it
      const { inventory } = inputsOf(c);

      // Then no role is already over a size quota (the size cases must be pushed over by the patch)
      for (const role of inventory.roles.values()) {
        const inline = role.inlinePolicies.reduce((sum, p) => sum + policySize(p.document), 0);
        expect(inline).toBeLessThanOrEqual(INLINE_POLICIES_LIMIT);
        expect(policySize(role.trustPolicy)).toBeLessThanOrEqual(TRUST_POLICY_LIMIT);
      }
    },
  );
});

describe('checkJob', () => {
  describe.each(files.map((f) => [f.file, f.cases] as const))('cases in %s', (_file, cases) => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      // Given the case's snapshot, job and options
      // When the core checks the job
      const { report, changes } = await run(c);

      // Then the report has the expected outcome, findings and changes, in the core's order
      expect(report.outcome).toBe(c.expect.outcome);
      expect(
        report.findings.map((f, i) => findingView(f, c.expect.findings[i] ?? { code: '', fixable: false })),
      ).toEqual(c.expect.findings);
      expect(
        changes.map((ch, i) =>
          changeView(
            ch,
            c.expect.changes[i] ?? { action: ch.action, roleName: '' },
            'GroundTruthPostAnnotationLambdaAssume',
          ),
        ),
      ).toEqual(c.expect.changes);
      expect(report.dryRun).toBe(true);
    });
  });
});

describe('checkJob in other partitions', () => {
  // Built-in task functions are the commercial partition's accounts: elsewhere they are unknown. The
  // size cases sit a few characters from a quota, which longer partition names cross.
  const portable = files
    .filter((f) => f.file !== 'builtin.json' && f.file !== 'size.json')
    .flatMap((f) => f.cases);
  describe.each(['aws-cn', 'aws-us-gov'] as const)('%s', (partition) => {
    it.each(portable.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      // Given the case moved into the partition (ARNs and regions)
      const expected = inPartition(c.expect, partition);

      // When the core checks the job there
      const { report, changes } = await run(c, partition);

      // Then the verdict and the plan are the same, with the partition's ARNs
      expect(report.outcome).toBe(expected.outcome);
      expect(
        report.findings.map((f, i) => findingView(f, expected.findings[i] ?? { code: '', fixable: false })),
      ).toEqual(expected.findings);
      expect(
        changes.map((ch, i) =>
          changeView(
            ch,
            expected.changes[i] ?? { action: ch.action, roleName: '' },
            'GroundTruthPostAnnotationLambdaAssume',
          ),
        ),
      ).toEqual(expected.changes);
      expect(JSON.stringify(changes)).not.toContain('arn:aws:');
    });
  });
});

describe('checkJob after its own changes are applied', () => {
  const withChanges = files.flatMap((f) => f.cases).filter((c) => c.expect.changes.length > 0);

  it.each(withChanges.map((c) => [c.name, c] as const))('%s: asks for nothing more', async (_name, c) => {
    // Given the report for the case
    const { inputs, report, changes } = await run(c);

    // When its changes are applied to the account and the job is checked again
    const patched = applyChanges(inputs.inventory, changes);
    const again = await checkJob(inputs.request, patched, { core: inputs.options, dryRun: true, now: NOW });

    // Then there is nothing left to change and nothing left that could be fixed automatically
    expect(again.changes).toEqual([]);
    expect(again.findings.filter((f) => f.fixable)).toEqual([]);
    // The envelope finding is about the reading path not taken: once the direct read holds, the
    // evaluator sees the output readable and the job compliant (either path alone clears the finding).
    const stillBlocked = report.findings.some(
      (f) => !f.fixable && f.code !== 'EXECUTION_ROLE_EXCEEDS_ENVELOPE',
    );
    expect(again.outcome).toBe(stillBlocked ? 'blocked' : 'compliant');
  });

  it.each(withChanges.map((c) => [c.name, c] as const))(
    '%s: keeps every existing statement verbatim and adds no wildcard',
    async (_name, c) => {
      // Given the report for the case
      const { inputs, changes } = await run(c);
      const outputGrant = outputLocation(inputs.request).grantArn;

      for (const change of changes) {
        const role = inputs.inventory.roles.get(change.roleName);
        const before =
          change.action === 'UpdateAssumeRolePolicy'
            ? role?.trustPolicy
            : role?.inlinePolicies.find((p) => p.name === change.policyName)?.document;
        const ourSid =
          change.action === 'PutRolePolicy' ? change.policyName : inputs.options.trustStatementSid;
        const after = statementsOf(change.document);
        const ours = ourStatement(change, inputs.options.trustStatementSid);
        const oursBefore = before ? statementsOf(before).find((s) => s.Sid === ourSid) : undefined;

        // Then each changed document still holds every statement it had, verbatim
        for (const statement of before ? statementsOf(before) : []) {
          if (statement.Sid !== ourSid) expect(after).toContainEqual(statement);
        }
        // And the remediator's own statement only grows
        expect(valuesOf(ours)).toEqual(expect.arrayContaining(valuesOf(oursBefore)));
        // And what it gains is exact: no wildcard except the s3-read grant on the job's output prefix
        const gained = valuesOf(ours).filter((v) => !valuesOf(oursBefore).includes(v));
        expect(gained.length).toBeGreaterThan(0);
        expect(
          gained.filter(
            (v) =>
              /[*?]/.test(v) &&
              !(
                change.action === 'PutRolePolicy' &&
                change.policyName === inputs.options.readPolicyName &&
                v === outputGrant
              ),
          ),
        ).toEqual([]);
      }
    },
  );
});

/** Resources and AWS principals a statement names. */
function valuesOf(statement: PolicyStatement | undefined): string[] {
  const list = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
  return [
    ...list(statement?.Resource),
    ...list((statement?.Principal as { AWS?: unknown } | undefined)?.AWS),
  ];
}
