/** A new version of the shared author policy: the statements other principals rely on, plus this proposal's. */
import { canonicalJson } from '../report-changes';
import { statementsOf } from '../policy-document';
import type { PolicyDocument, PolicyStatement } from '../types';

/** Keeps every existing statement verbatim and adds each proposed one not already there (Sids kept unique). */
export function mergeAuthorPolicy(
  existing: PolicyDocument | undefined,
  proposal: PolicyDocument,
): PolicyDocument {
  if (!existing) return proposal;
  const kept = statementsOf(existing);
  const body = (s: PolicyStatement): string => canonicalJson({ ...s, Sid: undefined });
  const bodies = new Set(kept.map(body));
  const sids = new Set(kept.map((s) => s.Sid).filter(Boolean));
  const added: PolicyStatement[] = [];
  for (const statement of statementsOf(proposal)) {
    if (bodies.has(body(statement))) continue;
    let sid = statement.Sid ?? 'Author';
    for (let n = 2; sids.has(sid); n++) sid = `${statement.Sid ?? 'Author'}${n}`;
    sids.add(sid);
    added.push({ ...statement, Sid: sid });
  }
  return { Version: '2012-10-17', Statement: [...kept, ...added] };
}
