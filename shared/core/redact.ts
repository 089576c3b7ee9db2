/**
 * Finding details name statements and condition keys, never condition values: an `sts:ExternalId`,
 * a tag value, an organisation ID or a source IP in a policy is somebody's secret or control, and a
 * report goes to email, an event bus and logs. Two layers: every detail about a statement is made by
 * {@link describeStatement}, and {@link redactFindings} removes any condition value of the account's
 * documents that still reached a detail, whatever code built it.
 */
import { asList, statementsOf } from './policy-document';
import type { AccountInventory, Finding, PolicyDocument, PolicyStatement } from './types';

/** Shown where a condition value stood. */
export const REDACTED = '[redacted]';

/** How many actions a statement's description lists before it says "and N more". */
const ACTIONS_SHOWN = 5;

/**
 * Names a statement for a finding: its Sid (or its position), effect, actions and the condition
 * keys it tests, and the elements that are not Action / Resource / Principal; never a condition
 * value, a resource or a principal.
 */
export function describeStatement(statement: PolicyStatement, index: number): string {
  const name =
    typeof statement.Sid === 'string' && statement.Sid !== '' ? `"${statement.Sid}"` : 'without Sid';
  const parts = [String(statement.Effect)];
  for (const element of ['Action', 'NotAction'] as const) {
    const actions = asList(statement[element]);
    if (actions.length === 0) continue;
    const shown = actions.slice(0, ACTIONS_SHOWN).join(' ');
    const more = actions.length > ACTIONS_SHOWN ? ` and ${actions.length - ACTIONS_SHOWN} more` : '';
    parts.push(`${element} ${shown}${more}`);
  }
  const keys = conditionKeys(statement.Condition);
  if (keys.length > 0) parts.push(`condition on ${keys.join(', ')}`);
  if (wildcarded(statement.Resource)) parts.push('a wildcard Resource');
  const unusual = Object.keys(statement).filter(
    (k) => !['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'Principal', 'Condition'].includes(k),
  );
  if (unusual.length > 0) parts.push(`also ${unusual.sort().join(', ')}`);
  return `statement #${index + 1} ${name} (${parts.join('; ')})`;
}

/** The condition keys a statement tests (`operator:key`), sorted; their values are left out. */
function conditionKeys(condition: unknown): string[] {
  if (typeof condition !== 'object' || condition === null) return [];
  const keys = Object.entries(condition as Record<string, unknown>).flatMap(([operator, block]) =>
    typeof block === 'object' && block !== null
      ? Object.keys(block).map((key) => `${key} (${operator})`)
      : [`(${operator})`],
  );
  return [...new Set(keys)].sort();
}

function wildcarded(resource: unknown): boolean {
  return asList(resource).some((r) => /[*?]/.test(r));
}

/**
 * The findings with every condition value of the inventory's documents replaced by
 * {@link REDACTED} in their details. `disclosed` lists text the report shows anyway (the job's
 * names and ARNs, the findings' principals and resources): a value equal to one of those stays.
 */
export function redactFindings(
  findings: readonly Finding[],
  inventory: AccountInventory,
  disclosed: readonly string[] = [],
): Finding[] {
  const values = secretValues(
    inventory,
    new Set([...disclosed, ...findings.flatMap((f) => [f.principal, f.resource])]),
  );
  if (values.length === 0 || !findings.some((f) => f.detail)) return [...findings];
  return findings.map((f) => (f.detail ? { ...f, detail: redactText(f.detail, values) } : f));
}

/** `text` with each of `values` (longest first) replaced where it stands as a whole token. */
export function redactText(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of values) {
    if (!out.includes(value)) continue;
    const escaped = value.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
    out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, 'g'), REDACTED);
  }
  return out;
}

/** Values that are nobody's secret: booleans and service principals (`lambda.amazonaws.com`). */
const PUBLIC = /^(true|false|[a-z0-9.-]+\.amazonaws\.com(\.cn)?)$/i;

/** Values no report needs: every string in a Condition of the inventory's documents, longest first. */
function secretValues(inventory: AccountInventory, disclosed: ReadonlySet<string>): string[] {
  const documents: PolicyDocument[] = [];
  for (const role of inventory.roles.values()) {
    documents.push(role.trustPolicy, ...role.inlinePolicies.map((p) => p.document));
    for (const p of [...role.managedPolicies, ...(role.boundary ? [role.boundary] : [])])
      if (p.document) documents.push(p.document);
  }
  const values = new Set<string>();
  for (const document of documents)
    for (const statement of statementsOf(document)) collectStrings(statement.Condition, values);
  return [...values]
    .filter((v) => v.trim() !== '' && !disclosed.has(v) && !PUBLIC.test(v))
    .sort((a, b) => b.length - a.length);
}

function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (typeof value === 'number' || typeof value === 'boolean') into.add(String(value));
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, into);
  else if (typeof value === 'object' && value !== null)
    for (const v of Object.values(value as Record<string, unknown>)) collectStrings(v, into);
}
