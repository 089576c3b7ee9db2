/**
 * The evaluator's first memo: answers by the role's documents and the question, with a key that is
 * cheap to build (a scan asks dozens of questions per job, nearly all asked before). A miss goes on
 * to the simulation memo (simulation-memo.ts), which can share answers across jobs.
 */
import { documentFacts, internText } from './document-facts';
import { abstractJobName } from './simulation-memo';
import type { PolicyDocument, RoleInfo } from './types';

/** What a role contributes to an answer, as one number per role object. */
interface RoleFacts {
  id: number;
  namesClock: boolean;
  documents: (PolicyDocument | undefined)[];
}

const roles = new WeakMap<RoleInfo, RoleFacts>();

/**
 * The role's name, ARN, tags, identity policies and boundary, as a number. Not its trust policy:
 * a question that needs it passes it as a document of its own.
 */
function roleFacts(role: RoleInfo): RoleFacts {
  let known = roles.get(role);
  if (!known) {
    const own = [
      ...role.inlinePolicies.map((p) => p.document),
      ...role.managedPolicies.map((p) => p.document),
      role.boundary?.document,
    ];
    const documents = own.map(documentFacts);
    const text = JSON.stringify([
      role.arn,
      role.name,
      role.tags,
      role.inlinePolicies.map((p) => p.name),
      role.managedPolicies.map((p) => p.arn),
      role.boundary?.arn ?? null,
      documents.map((d) => d.id),
    ]);
    known = { id: internText(text), namesClock: documents.some((d) => d.namesClock), documents: own };
    roles.set(role, known);
  }
  return known;
}

/** The identity policies and boundary of the role, as a number (equal documents, equal numbers). */
export function identityOf(role: RoleInfo): number {
  return roleFacts(role).id;
}

/** A value of a question: a string, or an object of strings (as JSON). */
export type QuestionValue = string | Readonly<Record<string, string>> | undefined;

/**
 * The key of a question about `role`: the role's number, each document's number, each value
 * (length-prefixed, so no two lists of values share a key; an object as its size, keys and values), and the clock when a
 * document of the question names a clock key. With `job`, a question whose values name the job is
 * keyed for any job its documents cannot tell apart from this one (simulation-memo.ts).
 */
export function questionKey(
  role: RoleInfo | undefined,
  now: Date | undefined,
  documents: readonly (PolicyDocument | undefined)[],
  values: readonly QuestionValue[],
  job?: { name: string; action: string },
): string {
  const facts = role ? roleFacts(role) : undefined;
  let clock = facts?.namesClock ?? false;
  let key = String(facts?.id ?? '');
  for (const document of documents) {
    const d = documentFacts(document);
    clock ||= d.namesClock;
    key += `#${d.id}`;
  }
  const abstraction = job
    ? abstractJobName(
        [...(facts?.documents ?? []), ...documents],
        job.action,
        job.name,
        values.flatMap((v) => (v === undefined ? [] : typeof v === 'string' ? [v] : Object.values(v))),
      )
    : undefined;
  const rename = abstraction?.rename ?? ((v: string) => v);
  const part = (text: string) => `|${text.length}:${text}`;
  for (const value of values) {
    if (value === undefined) key += '|-';
    else if (typeof value === 'string') key += part(rename(value));
    else {
      // An object: its size, then each key and value.
      key += `|{${Object.keys(value).length}`;
      for (const [k, v] of Object.entries(value)) key += part(k) + part(rename(v));
    }
  }
  if (abstraction) key += `|job:${abstraction.comparisons}`;
  return clock && now ? `${key}@${now.toISOString()}` : key;
}

/** Answers by question key, bounded; the oldest is dropped first. */
export class QuestionMemo<T> {
  private readonly answers = new Map<string, T>();

  constructor(private readonly limit = 20_000) {}

  /** The memoised answer for `key`, or `compute()`'s, kept. */
  get(key: string, compute: () => T): T {
    const hit = this.answers.get(key);
    if (hit !== undefined) return hit;
    const answer = compute();
    if (this.answers.size >= this.limit) this.answers.delete(this.answers.keys().next().value as string);
    this.answers.set(key, answer);
    return answer;
  }
}
