/**
 * Removal of what the remediator granted: exact ARNs out of our own statement, the statement when it
 * becomes empty, the inline policy when nothing is left in it. Pure planning; the writes go through
 * the same writer and read-back as every plan (shared/apply-changes.ts). Used when a job ends (its
 * read grant) and meant for `gt-remediate undo` (what a report added).
 */
import { asList, statementsOf } from './policy-document';
import type { Change, PolicyDocument, PolicyStatement, RoleInfo } from './types';

/** Take `values` out of our statement `sid`: in the inline policy `policyName`, or (undefined) the trust policy. */
export interface GrantRemoval {
  roleName: string;
  policyName?: string;
  sid: string;
  /** Resource ARNs (an inline policy) or AWS principals (the trust policy) to remove. */
  values: readonly string[];
}

/** What a removal comes to: one change, nothing to do (already gone), or a statement not of our shape. */
export type RemovalPlan =
  | { kind: 'change'; change: Change }
  | { kind: 'nothing'; why: string }
  | { kind: 'conflict'; detail: string };

/** Plans one removal against the role as read (undefined: the role does not exist). */
export function planRemoval(role: RoleInfo | undefined, removal: GrantRemoval): RemovalPlan {
  if (!role) return { kind: 'nothing', why: `role ${removal.roleName} does not exist` };
  const trust = removal.policyName === undefined;
  const base = trust
    ? role.trustPolicy
    : role.inlinePolicies.find((p) => p.name === removal.policyName)?.document;
  const where = trust ? `the trust policy of ${role.name}` : `${removal.policyName} on ${role.name}`;
  if (!base) return { kind: 'nothing', why: `${where} does not exist` };
  const statements = statementsOf(base);
  const ours = statements.filter((s) => s.Sid === removal.sid);
  if (ours.length === 0) return { kind: 'nothing', why: `${where} has no statement ${removal.sid}` };
  const [statement] = ours;
  const values = statement ? valuesOf(statement, trust) : undefined;
  if (ours.length > 1 || !statement || !values) {
    return { kind: 'conflict', detail: `statement ${removal.sid} in ${where} is not of the shape we write` };
  }
  const gone = new Set(removal.values);
  const removed = values.filter((v) => gone.has(v));
  if (removed.length === 0)
    return { kind: 'nothing', why: `${where} no longer grants ${removal.values.join(', ')}` };
  const remaining = values.filter((v) => !gone.has(v));
  // Every other statement is kept as it is, in its place.
  const kept = statements.flatMap((s) =>
    s !== statement ? [s] : remaining.length > 0 ? [withValues(s, remaining, trust)] : [],
  );
  const document: PolicyDocument = { ...base, Statement: kept };
  const common = { roleName: role.name, base, ownSid: removal.sid, removed: [...removed].sort() };
  if (trust) {
    if (kept.length === 0)
      return { kind: 'conflict', detail: `removing ${removal.sid} would empty ${where}` };
    return { kind: 'change', change: { action: 'UpdateAssumeRolePolicy', document, ...common } };
  }
  const policyName = removal.policyName as string;
  return {
    kind: 'change',
    change:
      kept.length > 0
        ? { action: 'PutRolePolicy', policyName, document, ...common }
        : { action: 'DeleteRolePolicy', policyName, document, ...common },
  };
}

/** The ARNs our statement lists: its exact resources, or its trusted AWS principals; undefined when not our shape. */
function valuesOf(s: PolicyStatement, trust: boolean): string[] | undefined {
  if (s.Effect !== 'Allow' || s.NotAction !== undefined || s.NotResource !== undefined) return undefined;
  if (s.NotPrincipal !== undefined) return undefined;
  if (!trust) return s.Resource === undefined ? undefined : asList(s.Resource);
  const principal = s.Principal;
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) return undefined;
  const keys = Object.keys(principal);
  if (keys.length !== 1 || keys[0] !== 'AWS') return undefined;
  return asList((principal as { AWS?: unknown }).AWS);
}

function withValues(s: PolicyStatement, values: string[], trust: boolean): PolicyStatement {
  return trust ? { ...s, Principal: { AWS: values } } : { ...s, Resource: values };
}
