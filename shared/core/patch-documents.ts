/** Pure document edits: merge a grant into a policy, a principal into the trust policy, apply changes to an inventory. */
import { asList, statementsOf } from './policy-document';
import type { AccountInventory, Change, PolicyDocument, PolicyStatement, RoleInfo } from './types';

const VERSION = '2012-10-17';

function sortedUnion(...lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}

/**
 * Returns `existing` with the statement `sid` granting `action` on `resources` (set union with what
 * that statement already lists, sorted). Every other statement is kept exactly as it was.
 */
export function mergeGrant(
  existing: PolicyDocument | undefined,
  sid: string,
  action: string,
  resources: string[],
): PolicyDocument {
  const statements = existing ? statementsOf(existing) : [];
  const ours = statements.find((s) => s.Sid === sid);
  // Our fixed-Sid statement keeps every field it has (a Condition an operator added stays); only its ARN list grows.
  const merged: PolicyStatement = ours
    ? { ...ours, Resource: sortedUnion(asList(ours.Resource), resources) }
    : { Sid: sid, Effect: 'Allow', Action: action, Resource: sortedUnion(resources) };
  return {
    ...(existing ?? {}),
    Version: existing?.Version ?? VERSION,
    Statement: ours ? statements.map((s) => (s === ours ? merged : s)) : [...statements, merged],
  };
}

/**
 * Returns the trust policy with the statement `sid` letting `principalArns` (set union with those it
 * already names) call sts:AssumeRole. Every other statement is kept exactly as it was.
 */
export function mergeTrustPrincipal(
  trust: PolicyDocument,
  sid: string,
  principalArns: string[],
): PolicyDocument {
  const statements = statementsOf(trust);
  const ours = statements.find((s) => s.Sid === sid);
  const principal =
    ours && typeof ours.Principal === 'object' && ours.Principal !== null
      ? (ours.Principal as Record<string, unknown>)
      : undefined;
  // As in mergeGrant: an existing statement of ours keeps its other fields and principals; the proof rejects a reshaped one.
  const merged: PolicyStatement = ours
    ? { ...ours, Principal: { ...principal, AWS: sortedUnion(asList(principal?.AWS), principalArns) } }
    : { Sid: sid, Effect: 'Allow', Principal: { AWS: sortedUnion(principalArns) }, Action: 'sts:AssumeRole' };
  return {
    ...trust,
    Statement: ours ? statements.map((s) => (s === ours ? merged : s)) : [...statements, merged],
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
  return { roles, functions: inventory.functions };
}

function applyToRole(role: RoleInfo, change: Change): RoleInfo {
  if (change.action === 'UpdateAssumeRolePolicy') return { ...role, trustPolicy: change.document };
  const others = role.inlinePolicies.filter((p) => p.name !== change.policyName);
  return { ...role, inlinePolicies: [...others, { name: change.policyName, document: change.document }] };
}
