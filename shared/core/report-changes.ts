/** What a report may say about a change: our own statement and the documents' hashes, nothing else. */
import { createHash } from 'node:crypto';
import { factsOf } from './document-facts';
import { asList, statementsOf } from './policy-document';
import type { Change, PolicyDocument, PolicyStatement, ReportedChange } from './types';

/** JSON with object keys sorted, so equal documents have equal text (and equal hashes). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 (hex) of a document's canonical JSON (once per text: a scan plans equal documents for many jobs). */
export function documentSha256(document: PolicyDocument): string {
  const facts = factsOf(document);
  facts.sha256 ??= createHash('sha256').update(canonicalJson(document)).digest('hex');
  return facts.sha256;
}

/** True when two documents are the same policy text (key order aside). */
export function sameDocument(a: PolicyDocument | undefined, b: PolicyDocument | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonicalJson(a) === canonicalJson(b);
}

/** The report's view of a planned change. */
export function reportChange(change: Change): ReportedChange {
  const ours = (doc: PolicyDocument | undefined): PolicyStatement[] =>
    doc ? statementsOf(doc).filter((s) => s.Sid === change.ownSid) : [];
  const statements = ours(change.document);
  // A Sid-less statement of our shape in our own policy was ours before (the plan merged it under our Sid).
  const sidless = (doc: PolicyDocument | undefined): PolicyStatement[] =>
    doc && change.action === 'PutRolePolicy' ? statementsOf(doc).filter((s) => !('Sid' in s)) : [];
  const before = new Set([...ours(change.base), ...sidless(change.base)].flatMap(grantedValues));
  return {
    action: change.action,
    roleName: change.roleName,
    ...(change.action !== 'UpdateAssumeRolePolicy' ? { policyName: change.policyName } : {}),
    statements,
    added: statements.flatMap(grantedValues).filter((v) => !before.has(v)),
    ...(change.removed ? { removed: [...change.removed] } : {}),
    beforeSha256: change.base ? documentSha256(change.base) : null,
    afterSha256: documentSha256(change.document),
  };
}

/** The ARNs a statement of ours grants: its resources, or the AWS principals it trusts. */
function grantedValues(statement: PolicyStatement): string[] {
  const principal = statement.Principal as { AWS?: unknown } | undefined;
  return [...asList(statement.Resource), ...asList(principal?.AWS)];
}
