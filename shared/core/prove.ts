/** The plan's proof: evaluate the patched documents again; the plan must fix what it claims and grant nothing else. */
import { arns, folderPrefix, parseS3Uri, partitionOf } from './arn';
import { type Assessment, assessJob, outputLocation } from './evaluate';
import { findingKey } from './findings';
import { applyChanges } from './patch-documents';
import { asList, statementsOf } from './policy-document';
import { ProofMemo, proofInventory, proofKey, type Proof } from './proof-memo';
import { changesByPath } from './read-paths';
import { describeStatement } from './redact';
import { canonicalJson } from './report-changes';
import { evaluateAccess, type AccessQuestion } from './simulate';
import type {
  AccountInventory,
  Change,
  CoreOptions,
  LabelingJobRequest,
  PolicyDocument,
  PolicyStatement,
  RoleInfo,
} from './types';

/** A name no job uses: probes for "nothing outside the job became allowed". */
export const PROBE_NAME = 'gt-remediator-proof-probe';

/** Proofs that held, for the process's life (proof-memo.ts): a scan proves the same plan for many jobs. */
const provenPlans = new ProofMemo();

/** How often a proof was answered by the memo, and how often it was made (for tests and the benchmark). */
export function proofCounts(): Readonly<{ hits: number; misses: number }> {
  return { ...provenPlans.counts };
}

/**
 * Why a plan failed its proof, or undefined when it holds. `memo` keeps the proofs that held
 * (tests pass a fresh one, or none to prove every time).
 */
export async function proveChanges(
  request: LabelingJobRequest,
  inventory: AccountInventory,
  claimed: readonly Assessment[],
  changes: readonly Change[],
  options: CoreOptions,
  now: Date,
  memo: ProofMemo | undefined = provenPlans,
): Promise<string | undefined> {
  if (changes.length === 0) return undefined;
  // What the proof can reach, and no more: the memo's key holds all of it.
  const proof: Proof = {
    request,
    inventory: proofInventory(request, inventory, changes),
    claimed,
    changes,
    options,
    now,
  };
  const key = memo ? proofKey(proof) : undefined;
  if (memo?.has(key)) return undefined;
  const failure = await prove(proof);
  if (failure === undefined) memo?.add(key);
  return failure;
}

async function prove({
  request,
  inventory,
  claimed,
  changes,
  options,
  now,
}: Proof): Promise<string | undefined> {
  for (const change of changes) {
    const problem =
      keepsStatements(inventory, change, options) ??
      addsNoWildcard(inventory, change, readGrantOf(request, change, options));
    if (problem) return problem;
  }
  const patched = applyChanges(inventory, changes);
  const remaining = async (inv: AccountInventory): Promise<Set<string>> =>
    new Set((await assessJob(request, inv, options, now)).assessments.map((a) => findingKey(a.finding)));
  const after = await remaining(patched);
  const unfixed = claimed.find((a) => after.has(findingKey(a.finding)));
  if (unfixed) return `the patch does not clear ${unfixed.finding.code} for ${unfixed.finding.resource}`;
  for (const question of probes(request, changes, now)) {
    const before = await evaluateAccess(question(inventory));
    const afterPatch = await evaluateAccess(question(patched));
    // A probe that may be allowed under context we cannot see counts as opened up.
    const open = (v: string): boolean => v === 'allowed' || v === 'depends-on-unknown-context';
    if (!open(before.verdict) && open(afterPatch.verdict)) {
      const q = question(patched);
      return `the patch would also allow ${q.action} on ${q.resourceArn} for ${q.role.arn}`;
    }
  }
  // Per reading path (auto plans two; each alone clears the finding): the path's changes clear every
  // claimed finding, and without any one of them some claimed finding stays.
  const paths = changesByPath(
    claimed.flatMap((a) => a.needs),
    changes,
    options,
  );
  for (const path of paths) {
    if (paths.length > 1) {
      const alone = await remaining(applyChanges(inventory, path));
      const open = claimed.find((a) => alone.has(findingKey(a.finding)));
      if (open)
        return `one reading path alone does not clear ${open.finding.code} for ${open.finding.resource}`;
    }
    if (path.length < 2) continue;
    for (const change of path) {
      const without = await remaining(
        applyChanges(
          inventory,
          path.filter((c) => c !== change),
        ),
      );
      if (!claimed.some((a) => without.has(findingKey(a.finding)))) {
        return `the patch is not minimal: ${change.action} on ${change.roleName} is not needed`;
      }
    }
  }

  return undefined;
}

/** Every statement the document had before is still there verbatim; our own fixed-Sid statement may only grow. */
function keepsStatements(
  inventory: AccountInventory,
  change: Change,
  options: CoreOptions,
): string | undefined {
  const before = previousDocument(inventory.roles.get(change.roleName), change);
  if (!before) return undefined;
  const ourSid = change.action === 'PutRolePolicy' ? change.policyName : options.trustStatementSid;
  const after = statementsOf(change.document);
  const afterText = new Set(after.map((s) => JSON.stringify(s)));
  for (const [index, statement] of statementsOf(before).entries()) {
    if (isOurs(statement, ourSid, change)) {
      const grown = after.find((s) => s.Sid === ourSid);
      const values = (s: PolicyStatement): string[] => [
        ...asList(s.Resource),
        ...asList((s.Principal as { AWS?: unknown } | undefined)?.AWS),
      ];
      if (!grown || !values(statement).every((v) => values(grown).includes(v))) {
        return `the patch for ${change.roleName} would shrink statement ${ourSid}`;
      }
      // Growing means more ARNs only: a dropped Condition, Effect or other principal would loosen it.
      if (shapeOf({ ...statement, Sid: ourSid }) !== shapeOf(grown)) {
        return `the patch for ${change.roleName} would change more than the ARNs of statement ${ourSid}`;
      }
    } else if (!afterText.has(JSON.stringify(statement))) {
      return `the patch for ${change.roleName} would drop or alter ${describeStatement(statement, index)}`;
    }
  }
  return undefined;
}

/** Our statement in the document before: under our Sid, or, in our own inline policy, one with no Sid (merged under ours). */
function isOurs(statement: PolicyStatement, ourSid: string, change: Change): boolean {
  return statement.Sid === ourSid || (change.action === 'PutRolePolicy' && !('Sid' in statement));
}

/** A statement without its Resource and AWS principal lists, Action as a sorted list, keys sorted: what must not change. */
function shapeOf(statement: PolicyStatement): string {
  const principal = statement.Principal;
  const rest = Object.entries({ ...statement, Action: asList(statement.Action).sort() }).filter(
    ([key]) => key !== 'Resource' && key !== 'Principal',
  );
  const otherPrincipals: [string, unknown][] =
    typeof principal === 'object' && principal !== null
      ? Object.entries(principal as Record<string, unknown>).filter(([key]) => key !== 'AWS')
      : principal === undefined
        ? []
        : [['*', principal]];
  return canonicalJson({ ...Object.fromEntries(rest), Principal: Object.fromEntries(otherPrincipals) });
}

function previousDocument(role: RoleInfo | undefined, change: Change): PolicyDocument | undefined {
  if (!role) return undefined;
  if (change.action === 'UpdateAssumeRolePolicy') return role.trustPolicy;
  return role.inlinePolicies.find((p) => p.name === change.policyName)?.document;
}

/**
 * The values the patch adds must be exact ARNs: no `*` or `?` anywhere, except the one grant the
 * s3-read strategy is designed to make (`arn:aws:s3:::<bucket>/<prefix>*`, bounded by the probes
 * below). Values the same statement already held are not the patch's to judge.
 */
function addsNoWildcard(
  inventory: AccountInventory,
  change: Change,
  allowed: string | undefined,
): string | undefined {
  const before = previousDocument(inventory.roles.get(change.roleName), change);
  const previous = before ? statementsOf(before) : [];
  const old = new Set(previous.map((s) => JSON.stringify(s)));
  for (const statement of statementsOf(change.document)) {
    if (old.has(JSON.stringify(statement))) continue;
    // A statement that grows keeps what it held: only the values it gains are judged.
    const prior = previous.filter(
      (s) =>
        s.Effect === statement.Effect &&
        (s.Sid === undefined
          ? statement.Sid !== undefined && isOurs(s, statement.Sid, change)
          : s.Sid === statement.Sid),
    );
    const held = new Set(prior.flatMap(valuesOf));
    const wild = valuesOf(statement).find(
      (v) => (v.includes('*') || v.includes('?')) && v !== allowed && !held.has(v),
    );
    if (wild) return `the patch for ${change.roleName} would grant a wildcard (${wild})`;
  }
  return undefined;
}

function valuesOf(statement: PolicyStatement): string[] {
  const principal = statement.Principal as { AWS?: unknown } | undefined;
  return [...asList(statement.Action), ...asList(statement.Resource), ...asList(principal?.AWS)];
}

/**
 * The job's output-prefix grant, when `change` is the s3-read policy that is meant to hold it and the
 * prefix itself holds no `*` or `?` (S3 keys may; IAM would read them as wildcards).
 */
function readGrantOf(request: LabelingJobRequest, change: Change, options: CoreOptions): string | undefined {
  if (change.action !== 'PutRolePolicy' || change.policyName !== options.readPolicyName) return undefined;
  const { grantArn, wildcard } = outputLocation(request);
  return wildcard ? undefined : grantArn;
}

type Probe = (inventory: AccountInventory) => AccessQuestion;

/** Requests outside the job that each kind of change could wrongly open up. */
function probes(request: LabelingJobRequest, changes: readonly Change[], now: Date): Probe[] {
  const { accountId, region } = request;
  const partition = partitionOf(request.executionRoleArn);
  const probeRoleArn = arns.role(partition, accountId, PROBE_NAME);
  const openTrust: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: arns.accountRoot(partition, accountId) },
        Action: 'sts:AssumeRole',
      },
    ],
  };
  const probeRole: RoleInfo = {
    arn: probeRoleArn,
    name: PROBE_NAME,
    path: '/',
    trustPolicy: openTrust,
    inlinePolicies: [
      {
        name: 'probe',
        document: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
        },
      },
    ],
    managedPolicies: [],
    tags: {},
  };
  const location = parseS3Uri(request.outputS3Uri);
  const out: Probe[] = [];
  for (const change of changes) {
    const roleAt = (inv: AccountInventory): RoleInfo => inv.roles.get(change.roleName) as RoleInfo;
    const base = (inv: AccountInventory) => ({
      role: roleAt(inv),
      accountId,
      region,
      sessionName: PROBE_NAME,
      resourceAccount: accountId,
      now,
    });
    if (change.action === 'UpdateAssumeRolePolicy') {
      out.push((inv) => ({
        ...base(inv),
        role: probeRole,
        action: 'sts:AssumeRole',
        resourceArn: roleAt(inv).arn,
        resourcePolicy: roleAt(inv).trustPolicy,
      }));
      continue;
    }
    out.push((inv) => ({
      ...base(inv),
      action: 'lambda:InvokeFunction',
      resourceArn: arns.lambdaFunction(partition, region, accountId, PROBE_NAME),
    }));
    out.push((inv) => ({
      ...base(inv),
      action: 'sts:AssumeRole',
      resourceArn: probeRoleArn,
      resourcePolicy: openTrust,
    }));
    const readProbe =
      (resourceArn: string): Probe =>
      (inv) => ({
        ...base(inv),
        action: 's3:GetObject',
        resourceArn,
        knownContext: { 's3:ResourceAccount': accountId },
      });
    if (location) {
      // Same bucket and output prefix, another job's folder: a grant must stop at this job's folder.
      out.push(
        readProbe(arns.s3Object(partition, location.bucket, `${folderPrefix(location)}${PROBE_NAME}/object`)),
      );
      // Same bucket, outside the output prefix.
      if (folderPrefix(location) !== '')
        out.push(readProbe(arns.s3Object(partition, location.bucket, `${PROBE_NAME}/object`)));
    }
    out.push(readProbe(arns.s3Object(partition, `${PROBE_NAME}-bucket`, 'object')));
  }
  return out;
}
