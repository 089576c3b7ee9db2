/** Step 6 of the flow: turn fixable findings into a minimal set of IAM writes, within the guardrails. */
import { matchesWildcard } from './arn';
import type { Assessment, Guard, JobAssessment, Need } from './evaluate';
import { finding, findingKey } from './findings';
import { DECRYPT_SID } from './output-key';
import {
  mergeDecryptGrant,
  mergeGrant,
  mergeTrustPrincipal,
  type MergeResult,
  type ResourceShape,
} from './patch-documents';
import { asList, policySize, statementsOf } from './policy-document';
import { protectedRoleMatch } from './protected-roles';
import type { ReadPath } from './read-paths';
import type {
  AccountInventory,
  Change,
  CoreOptions,
  Finding,
  LabelingJobRequest,
  PolicyDocument,
  PolicyStatement,
  ReasonCode,
  RoleInfo,
} from './types';

/** IAM quotas: all inline policies of a role together, and one trust policy (default quota). */
export const INLINE_POLICIES_LIMIT = 10_240;
export const TRUST_POLICY_LIMIT = 2_048;

/** The plan: the writes to make, what a person could apply by hand, and the findings after the guardrails. */
export interface Plan {
  changes: Change[];
  /** Changes the remediator may not make itself (out of scope, privileged role, size quota). */
  manualChanges: Change[];
  findings: Finding[];
}

type RoleChanges = { ok: true; changes: Change[] } | { ok: false; conflict: string };

/** Plans the writes for every fixable finding; guardrails turn findings unfixable instead of writing. */
export function planChanges(
  request: LabelingJobRequest,
  inventory: AccountInventory,
  job: JobAssessment,
  options: CoreOptions,
): Plan {
  const { assessments, guards } = job;
  const blocked = new Set<string>();
  const manual: Change[] = [];
  const guardFindings: Finding[] = guards.map((g) => g.finding);
  // Guards first: a finding whose fix needs a guarded change is not ours to fix.
  const guarded = (need: Need): Guard | undefined => guards.find((g) => g.blocks(need));
  const manualNeeds = new Map<string, Need[]>();
  const toManual = (needs: readonly Need[]): void => {
    for (const n of needs) manualNeeds.set(n.roleName, [...(manualNeeds.get(n.roleName) ?? []), n]);
  };
  // A finding with two reading paths (auto) loses only the path a guard or a stop hits.
  const dropped = new Map<string, Set<ReadPath>>();
  const needsOf = (a: Assessment): Need[] => {
    const gone = dropped.get(findingKey(a.finding));
    return gone ? a.needs.filter((n) => !(n.path && gone.has(n.path))) : a.needs;
  };
  /** Drops the paths of the `hit` needs when another path is left; false when the finding must be blocked. */
  const dropPaths = (a: Assessment, hit: readonly Need[]): boolean => {
    const paths = new Set(hit.map((n) => n.path));
    if (paths.has(undefined) || needsOf(a).every((n) => paths.has(n.path))) return false;
    const key = findingKey(a.finding);
    dropped.set(key, new Set([...(dropped.get(key) ?? []), ...(paths as Set<ReadPath>)]));
    return true;
  };
  for (const a of assessments) {
    const hit = a.finding.fixable ? a.needs.filter((n) => guarded(n)) : [];
    if (hit.length === 0) continue;
    const lost = a.needs.filter((n) => hit.some((h) => h.path === n.path));
    if (dropPaths(a, hit)) {
      toManual(lost);
      continue;
    }
    blocked.add(findingKey(a.finding));
    toManual(a.needs);
  }
  // Blocking one role can make a finding that also needs another role unfixable: iterate to a fixed point.
  for (;;) {
    const live = assessments.filter((a) => a.finding.fixable && !blocked.has(findingKey(a.finding)));
    let changed = false;
    const changes: Change[] = [];
    for (const [roleName, needs] of groupNeeds(live.flatMap(needsOf))) {
      const role = inventory.roles.get(roleName);
      const problem = role ? scopeProblem(role, request, options) : undefined;
      const planned = role ? changesForRole(role, needs, request, options) : undefined;
      let stop: Finding | undefined;
      if (!role) stop = finding('ROLE_NOT_FOUND', roleName, roleName, 'execution-role-missing');
      else if (problem)
        stop = finding('ROLE_OUT_OF_SCOPE', role.arn, role.arn, problem.reason, false, problem.detail);
      else if (planned && !planned.ok)
        stop = finding('PLAN_UNPROVEN', role.arn, role.arn, 'foreign-statement', false, planned.conflict);
      const size = role && planned?.ok ? sizeLimitProblem(role, planned.changes) : undefined;
      if (!stop && size && role)
        stop = finding('POLICY_SIZE_LIMIT', role.arn, role.arn, size.reason, false, size.detail);
      if (stop) {
        guardFindings.push(stop);
        // Out of scope or too large: a person may still apply the exact change by hand.
        if (planned?.ok && stop.code !== 'PLAN_UNPROVEN') manual.push(...planned.changes);
        for (const a of live) {
          const hit = needsOf(a).filter((n) => n.roleName === roleName);
          if (hit.length > 0 && !dropPaths(a, hit)) blocked.add(findingKey(a.finding));
        }
        changed = true;
        break;
      }
      if (planned?.ok) changes.push(...planned.changes);
    }
    if (!changed) {
      for (const [roleName, needs] of manualNeeds) {
        const role = inventory.roles.get(roleName);
        const planned = role ? changesForRole(role, needs, request, options) : undefined;
        if (planned?.ok) manual.push(...planned.changes);
      }
      const findings = [
        ...assessments.map((a) =>
          blocked.has(findingKey(a.finding)) ? { ...a.finding, fixable: false } : a.finding,
        ),
        ...dedupe(guardFindings),
      ];
      const offered = dedupeChanges(manual).filter((c) => !namesProtectedRole(c, inventory, options));
      return { changes: sortChanges(changes), manualChanges: sortChanges(offered), findings };
    }
  }
}

/**
 * Whether a change writes to a protected role or names one (as the target of an assume grant or a
 * trusted principal): such a change is never offered to a person, who might paste it.
 */
function namesProtectedRole(change: Change, inventory: AccountInventory, options: CoreOptions): boolean {
  const written = inventory.roles.get(change.roleName);
  if (written && protectedRoleMatch(written.arn, options.protectedRoles) !== undefined) return true;
  return statementsOf(change.document).some((statement) =>
    [...asList(statement.Resource), ...principalArns(statement.Principal)].some(
      (arn) => protectedRoleMatch(arn, options.protectedRoles) !== undefined,
    ),
  );
}

function principalArns(principal: unknown): string[] {
  if (typeof principal !== 'object' || principal === null) return [];
  return asList((principal as { AWS?: string | string[] }).AWS);
}

function groupNeeds(needs: readonly Need[]): Map<string, Need[]> {
  const byRole = new Map<string, Need[]>();
  for (const need of needs) byRole.set(need.roleName, [...(byRole.get(need.roleName) ?? []), need]);
  return byRole;
}

/** Why the remediator must not change this role, or undefined when it may. */
export function scopeProblem(
  role: RoleInfo,
  request: LabelingJobRequest,
  options: CoreOptions,
): { reason: ReasonCode; detail?: string } | undefined {
  if (role.path.startsWith('/aws-service-role/')) return { reason: 'service-linked-role' };
  if (role.path.startsWith('/aws-reserved/')) return { reason: 'identity-center-role' };
  if (options.selfRoleArn && role.arn === options.selfRoleArn) return { reason: 'remediator-own-role' };
  // Denied in the remediator's own IAM policies as well: say why before IAM would refuse the write.
  const protectedBy = protectedRoleMatch(role.arn, options.protectedRoles);
  if (protectedBy !== undefined) return { reason: 'protected-role', detail: protectedBy };
  if (role.arn.split(':')[4] !== request.accountId) return { reason: 'other-account' };
  if (options.scopePatterns.length > 0 && !options.scopePatterns.some((p) => matchesWildcard(p, role.arn))) {
    return { reason: 'outside-configured-scope', detail: options.scopePatterns.join(', ') };
  }
  if (options.scopeTag && role.tags[options.scopeTag.key] !== options.scopeTag.value) {
    return { reason: 'missing-scope-tag', detail: `${options.scopeTag.key}=${options.scopeTag.value}` };
  }
  return undefined;
}

function changesForRole(
  role: RoleInfo,
  needs: readonly Need[],
  request: LabelingJobRequest,
  options: CoreOptions,
): RoleChanges {
  const inline = (name: string): PolicyDocument | undefined =>
    role.inlinePolicies.find((p) => p.name === name)?.document;
  const changes: Change[] = [];
  const add = (result: MergeResult, make: (document: PolicyDocument) => Change): string | undefined => {
    if (!result.ok) return result.conflict;
    changes.push(make(result.document));
    return undefined;
  };
  const grant = (
    policyName: string,
    action: string,
    resources: string[],
    condition?: Record<string, Record<string, unknown>>,
    shape: ResourceShape = 'exact',
    keep?: (s: PolicyStatement) => boolean,
  ): string | undefined => {
    if (resources.length === 0) return undefined;
    const base = inline(policyName);
    return add(mergeGrant(base, policyName, action, resources, condition, shape, keep), (document) => ({
      action: 'PutRolePolicy',
      roleName: role.name,
      policyName,
      document,
      ...(base ? { base } : {}),
      ownSid: policyName,
    }));
  };
  const of = <K extends Need['kind']>(kind: K, pick: (n: Extract<Need, { kind: K }>) => string): string[] =>
    needs.flatMap((n) => (n.kind === kind ? [pick(n as Extract<Need, { kind: K }>)] : []));
  const conflict =
    grant(
      options.invokePolicyName,
      'lambda:InvokeFunction',
      of('invoke', (n) => n.functionArn),
    ) ??
    grant(
      options.assumePolicyName,
      'sts:AssumeRole',
      of('assume', (n) => n.targetRoleArn),
    ) ??
    grant(
      options.readPolicyName,
      's3:GetObject',
      of('s3-read', (n) => n.resourceArn),
      {
        // Only objects of a bucket the job's account owns: a same-named bucket elsewhere is not ours to read.
        StringEquals: { 's3:ResourceAccount': request.accountId },
      },
      // Our read statement's resources are job folders, `<output>/<job>/*`: that one wildcard is ours.
      'job-folder',
      isDecrypt,
    ) ??
    decryptGrant(role, needs, request, options, changes);
  if (conflict) return { ok: false, conflict };
  const principals = of('trust', (n) => n.principalRoleArn);
  if (principals.length > 0) {
    const trustConflict = add(
      mergeTrustPrincipal(role.trustPolicy, options.trustStatementSid, principals),
      (document) => ({
        action: 'UpdateAssumeRolePolicy',
        roleName: role.name,
        document,
        base: role.trustPolicy,
        ownSid: options.trustStatementSid,
      }),
    );
    if (trustConflict) return { ok: false, conflict: trustConflict };
  }
  return { ok: true, changes };
}

const isDecrypt = (s: PolicyStatement): boolean => s.Sid === DECRYPT_SID;

/** kms:Decrypt on the output key, a statement of its own in the read policy (beside the s3:GetObject grant). */
function decryptGrant(
  role: RoleInfo,
  needs: readonly Need[],
  request: LabelingJobRequest,
  options: CoreOptions,
  changes: Change[],
): string | undefined {
  const decrypt = needs.flatMap((n) => (n.kind === 'kms-decrypt' ? [n] : []));
  if (decrypt.length === 0) return undefined;
  const name = options.readPolicyName;
  const index = changes.findIndex((c) => c.action === 'PutRolePolicy' && c.policyName === name);
  const base = role.inlinePolicies.find((p) => p.name === name)?.document;
  const merged = mergeDecryptGrant(
    index >= 0 ? changes[index]?.document : base,
    DECRYPT_SID,
    {
      keyArns: decrypt.map((n) => n.keyArn),
      viaService: `s3.${request.region}.amazonaws.com`,
      folders: decrypt.map((n) => n.objectArn),
    },
    (s) => s.Sid === name,
  );
  if (!merged.ok) return merged.conflict;
  const existing = index >= 0 ? changes[index] : undefined;
  if (existing) changes[index] = { ...existing, document: merged.document };
  else
    changes.push({
      action: 'PutRolePolicy',
      roleName: role.name,
      policyName: name,
      document: merged.document,
      ...(base ? { base } : {}),
      ownSid: DECRYPT_SID,
    });
  return undefined;
}

function sizeLimitProblem(
  role: RoleInfo,
  changes: readonly Change[],
): { reason: ReasonCode; detail: string } | undefined {
  const inline = new Map(role.inlinePolicies.map((p) => [p.name, p.document]));
  let trust = role.trustPolicy;
  for (const c of changes) {
    if (c.action === 'PutRolePolicy') inline.set(c.policyName, c.document);
    else trust = c.document;
  }
  const inlineTotal = [...inline.values()].reduce((sum, doc) => sum + policySize(doc), 0);
  if (inlineTotal > INLINE_POLICIES_LIMIT)
    return {
      reason: 'inline-policies-too-large',
      detail: `${inlineTotal} > ${INLINE_POLICIES_LIMIT} characters`,
    };
  const trustSize = policySize(trust);
  if (trustSize > TRUST_POLICY_LIMIT)
    return { reason: 'trust-policy-too-large', detail: `${trustSize} > ${TRUST_POLICY_LIMIT} characters` };
  return undefined;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${findingKey(f)}|${f.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function dedupeChanges(changes: Change[]): Change[] {
  const key = (c: Change): string =>
    `${c.roleName}|${c.action}|${c.action === 'PutRolePolicy' ? c.policyName : ''}`;
  const byKey = new Map<string, Change>();
  for (const c of changes) byKey.set(key(c), c);
  return [...byKey.values()];
}

function sortChanges(changes: Change[]): Change[] {
  const key = (c: Change): string =>
    `${c.roleName}|${c.action === 'PutRolePolicy' ? `0${c.policyName}` : '1'}`;
  return [...changes].sort((a, b) => key(a).localeCompare(key(b)));
}
