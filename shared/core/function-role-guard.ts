/**
 * The post-annotation function's role must be Lambda's alone: a role that someone else may also
 * assume would hand them whatever the remediator grants it (a second hop to the job's data or role).
 */
import { accountOf } from './arn';
import { asList, statementsOf } from './policy-document';
import type { RoleInfo } from './types';

/** The one principal a function's role may trust. */
export const LAMBDA_SERVICE = 'lambda.amazonaws.com';

/** Alone: only Lambda may assume the role. Shared: the kinds of the other principals (never their conditions). */
export type FunctionRoleTrust = { shared: false } | { shared: true; kinds: string[] };

/** Which principals other than Lambda the role's trust policy admits, by kind. Deny statements only narrow it. */
export function checkFunctionRoleTrust({ role }: { role: RoleInfo }): FunctionRoleTrust {
  const kinds = new Set<string>();
  for (const statement of statementsOf(role.trustPolicy)) {
    if (statement.Effect !== 'Allow') continue;
    if (statement.NotPrincipal !== undefined) kinds.add('every principal but a few (NotPrincipal)');
    for (const kind of principalKinds(statement.Principal, accountOf(role.arn))) kinds.add(kind);
  }
  return kinds.size === 0 ? { shared: false } : { shared: true, kinds: [...kinds].sort() };
}

function principalKinds(principal: unknown, accountId: string): string[] {
  if (principal === undefined) return [];
  if (principal === '*') return ['anyone (*)'];
  if (typeof principal !== 'object' || principal === null) return ['an unreadable principal'];
  const out: string[] = [];
  for (const [type, value] of Object.entries(principal as Record<string, unknown>)) {
    const values = asList(value);
    if (values.length !== (Array.isArray(value) ? value.length : 1)) out.push('an unreadable principal');
    for (const v of values) {
      if (type === 'Service') {
        if (v !== LAMBDA_SERVICE) out.push('another service');
      } else if (type === 'AWS') out.push(awsKind(v, accountId));
      else if (type === 'Federated') out.push('a federated identity');
      else out.push(`a ${type} principal`);
    }
  }
  return out;
}

function awsKind(value: string, accountId: string): string {
  if (value === '*') return 'anyone (*)';
  const account = /^\d{12}$/.test(value) ? value : accountOf(value);
  const where = account === accountId ? 'this account' : 'another account';
  if (/^\d{12}$/.test(value) || value.endsWith(':root'))
    return where === 'this account' ? 'this account (root)' : where;
  if (value.includes(':role/')) return `a role in ${where}`;
  if (value.includes(':user/')) return `a user in ${where}`;
  if (value.includes(':assumed-role/')) return `a role session in ${where}`;
  return `a principal in ${where}`;
}
