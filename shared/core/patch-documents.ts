/** Pure document edits: merge a grant into a policy, a principal into the trust policy, apply changes to an inventory. */
import { asList, statementsOf } from './policy-document';
import { describeStatement } from './redact';
import type { AccountInventory, Change, PolicyDocument, PolicyStatement, RoleInfo } from './types';

const VERSION = '2012-10-17';

/** A merged document, or the statement that is in the way (not of our exact shape). */
export type MergeResult = { ok: true; document: PolicyDocument } | { ok: false; conflict: string };

function sortedUnion(...lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}

function hasWildcard(values: readonly string[]): boolean {
  return values.some((v) => /[*?]/.test(v));
}

/** One value or a list of exactly one value, equal to `expected`. */
function isSingle(value: unknown, expected: string): boolean {
  const list = Array.isArray(value) ? value : [value];
  return list.length === 1 && list[0] === expected;
}

/**
 * What the resources of one of our grants look like: `exact` ARNs (no `*` or `?` anywhere), or the
 * `job-folder` objects of the s3-read grant, `arn:<partition>:s3:::<bucket>/<prefix><job>/*`, whose
 * one wildcard is the trailing `/*` after a non-empty key prefix.
 */
export type ResourceShape = 'exact' | 'job-folder';

const JOB_FOLDER = /^arn:[a-z-]+:s3:::[^/*?]+\/[^*?]+\/\*$/;

function hasShape(resource: unknown, shape: ResourceShape): boolean {
  if (typeof resource !== 'string' || resource.length === 0) return false;
  return shape === 'job-folder' ? JOB_FOLDER.test(resource) : !hasWildcard([resource]);
}

/**
 * A grant statement of exactly our shape: Allow, our one action, a non-empty list of resources of
 * our shape, our condition or none, and our Sid. A statement with no Sid at all, otherwise of
 * exactly that shape, is ours too (the AWS documentation writes ours that way); any other Sid is not.
 */
function isOurGrant(
  s: PolicyStatement,
  sid: string,
  action: string,
  condition: PolicyStatement['Condition'],
  shape: ResourceShape,
): boolean {
  const keys = Object.keys(s)
    .filter((k) => k !== 'Sid')
    .sort()
    .join(',');
  const expectedKeys = condition ? 'Action,Condition,Effect,Resource' : 'Action,Effect,Resource';
  const resources = Array.isArray(s.Resource) ? (s.Resource as unknown[]) : [s.Resource];
  return (
    keys === expectedKeys &&
    (s.Sid === sid || !('Sid' in s)) &&
    s.Effect === 'Allow' &&
    isSingle(s.Action, action) &&
    resources.length > 0 &&
    resources.every((r) => hasShape(r, shape)) &&
    JSON.stringify(s.Condition ?? null) === JSON.stringify(condition ?? null)
  );
}

/** A trust statement of exactly our shape: Allow, sts:AssumeRole, a list of exact AWS principals, nothing else. */
function isOurTrust(s: PolicyStatement, sid: string): boolean {
  const principal = s.Principal;
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) return false;
  const aws = (principal as Record<string, unknown>).AWS;
  return (
    Object.keys(s).sort().join(',') === 'Action,Effect,Principal,Sid' &&
    Object.keys(principal).join(',') === 'AWS' &&
    s.Sid === sid &&
    s.Effect === 'Allow' &&
    isSingle(s.Action, 'sts:AssumeRole') &&
    asList(aws).length > 0 &&
    asList(aws).length === (Array.isArray(aws) ? aws.length : 1) &&
    !hasWildcard(asList(aws))
  );
}

/**
 * Returns `existing` with the statement `sid` granting `action` on `resources` (set union with what
 * that statement already lists, sorted). The policy is ours alone: any statement in it that is not of
 * our exact shape (another Sid, a Condition, a NotAction, another action, a wildcard outside
 * `shape`) is a conflict, and nothing is merged. A Sid-less statement of our shape is merged and
 * rewritten under our Sid.
 */
export function mergeGrant(
  existing: PolicyDocument | undefined,
  sid: string,
  action: string,
  resources: string[],
  condition?: PolicyStatement['Condition'],
  shape: ResourceShape = 'exact',
  /** Statements of the same policy that another of our grants owns: kept as they are (the read policy's kms:Decrypt). */
  keep: (s: PolicyStatement) => boolean = () => false,
): MergeResult {
  const all = existing ? statementsOf(existing) : [];
  const kept = all.filter(keep);
  const statements = all.filter((s) => !keep(s));
  const foreign = statements.findIndex((s) => !isOurGrant(s, sid, action, condition, shape));
  if (foreign >= 0) return { ok: false, conflict: describeStatement(statements[foreign], foreign) };
  const held = statements.flatMap((s) => asList(s.Resource));
  const merged: PolicyStatement = {
    Sid: sid,
    Effect: 'Allow',
    Action: action,
    Resource: sortedUnion(held, resources),
    ...(condition ? { Condition: condition } : {}),
  };
  return {
    ok: true,
    document: { ...(existing ?? {}), Version: existing?.Version ?? VERSION, Statement: [merged, ...kept] },
  };
}

/**
 * Returns `existing` with our kms:Decrypt statement `sid` on `keyArns`, through `viaService`, for
 * objects under `folders` (set unions with what it already holds). Statements `keep` accepts stay as
 * they are; any other statement, or ours not of this exact shape, is a conflict.
 */
export function mergeDecryptGrant(
  existing: PolicyDocument | undefined,
  sid: string,
  grant: { keyArns: string[]; viaService: string; folders: string[] },
  keep: (s: PolicyStatement) => boolean,
): MergeResult {
  const all = existing ? statementsOf(existing) : [];
  const index = all.findIndex((s) => !keep(s) && !isOurDecrypt(s, sid, grant.viaService));
  if (index >= 0) return { ok: false, conflict: describeStatement(all[index], index) };
  const ours = all.filter((s) => !keep(s));
  const held = (pick: (s: PolicyStatement) => unknown): string[] => ours.flatMap((s) => asList(pick(s)));
  const merged: PolicyStatement = {
    Sid: sid,
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: sortedUnion(
      held((s) => s.Resource),
      grant.keyArns,
    ),
    Condition: {
      StringEquals: { 'kms:ViaService': grant.viaService },
      StringLike: {
        'kms:EncryptionContext:aws:s3:arn': sortedUnion(
          held((s) => s.Condition?.StringLike?.['kms:EncryptionContext:aws:s3:arn']),
          grant.folders,
        ),
      },
    },
  };
  return {
    ok: true,
    document: {
      ...(existing ?? {}),
      Version: existing?.Version ?? VERSION,
      Statement: [...all.filter(keep), merged],
    },
  };
}

/** Our kms:Decrypt statement: Allow, kms:Decrypt on exact key ARNs, through S3 in one region, for listed folders only. */
function isOurDecrypt(s: PolicyStatement, sid: string, viaService: string): boolean {
  const condition = s.Condition;
  const folders = asList(condition?.StringLike?.['kms:EncryptionContext:aws:s3:arn']);
  return (
    Object.keys(s).sort().join(',') === 'Action,Condition,Effect,Resource,Sid' &&
    s.Sid === sid &&
    s.Effect === 'Allow' &&
    isSingle(s.Action, 'kms:Decrypt') &&
    asList(s.Resource).length > 0 &&
    !hasWildcard(asList(s.Resource)) &&
    JSON.stringify(Object.keys(condition ?? {}).sort()) === '["StringEquals","StringLike"]' &&
    JSON.stringify(condition?.StringEquals) === JSON.stringify({ 'kms:ViaService': viaService }) &&
    Object.keys(condition?.StringLike ?? {}).join(',') === 'kms:EncryptionContext:aws:s3:arn' &&
    folders.length > 0 &&
    folders.every((f) => typeof f === 'string')
  );
}

/**
 * Returns the trust policy with the statement `sid` letting `principalArns` (set union with those it
 * already names) call sts:AssumeRole. Every other statement is kept exactly as it was; a statement
 * under our Sid that is not of our exact shape is a conflict, and nothing is merged.
 */
export function mergeTrustPrincipal(
  trust: PolicyDocument,
  sid: string,
  principalArns: string[],
): MergeResult {
  const statements = statementsOf(trust);
  const index = statements.findIndex((s) => s.Sid === sid);
  const ours = index >= 0 ? statements[index] : undefined;
  if (ours && !isOurTrust(ours, sid)) return { ok: false, conflict: describeStatement(ours, index) };
  const held = ours ? asList((ours.Principal as Record<string, unknown>).AWS) : [];
  const merged: PolicyStatement = {
    Sid: sid,
    Effect: 'Allow',
    Principal: { AWS: sortedUnion(held, principalArns) },
    Action: 'sts:AssumeRole',
  };
  return {
    ok: true,
    document: {
      ...trust,
      Statement: ours ? statements.map((s) => (s === ours ? merged : s)) : [...statements, merged],
    },
  };
}

/** The inventory as it would be after the changes: the plan's proof evaluates this. */
export function applyChanges(inventory: AccountInventory, changes: readonly Change[]): AccountInventory {
  const roles = new Map(inventory.roles);
  for (const change of changes) {
    const role = roles.get(change.roleName);
    if (!role) continue;
    roles.set(change.roleName, applyToRole(role, change));
  }
  return { ...inventory, roles };
}

function applyToRole(role: RoleInfo, change: Change): RoleInfo {
  if (change.action === 'UpdateAssumeRolePolicy') return { ...role, trustPolicy: change.document };
  const others = role.inlinePolicies.filter((p) => p.name !== change.policyName);
  return { ...role, inlinePolicies: [...others, { name: change.policyName, document: change.document }] };
}
