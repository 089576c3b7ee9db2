/**
 * The evaluator's memo. The evaluator is a pure function of its inputs, and a scan (or one event's
 * plan, proof and guards) asks the same questions many times: answers are kept by their inputs,
 * bounded. Two things would make every job's questions distinct although the answers are not:
 * the clock, and the job's own name (its output prefix, its ARN in `aws:SourceArn`). The key drops
 * each of them where no policy of the simulation can tell two values apart.
 */
import {
  CLOCK_KEYS,
  factsOf,
  isAscii,
  mayMatch,
  matcher,
  matchersFor,
  names,
  resourcePart,
  stringValues,
  textId,
  type DocumentFacts,
  type Matcher,
} from './document-facts';
import type { PolicyDocument } from './types';

/** What the memo needs to know about one simulation, besides the request. */
export interface MemoInput {
  /** The identity policies and boundary, in order, and the resource policy (undefined entries: none). */
  documents: readonly (PolicyDocument | undefined)[];
  /** Names of the identity policies (part of the evaluator's answer). */
  names: readonly string[];
  principal: unknown;
  action: string;
  resource: string;
  resourceAccount: string;
  context: Readonly<Record<string, unknown>>;
  knownKeys: readonly string[];
  /** The job the request is about, when it is about one job: its name may be abstracted. */
  jobName?: string;
  /**
   * The role whose session calls (or that is assumed): roles with equal documents get equal answers
   * unless a policy can tell their names apart, so the name may be abstracted too.
   */
  roleName?: string;
}

/** Characters SageMaker allows in a labeling job name: no separator, no wildcard, no quote. */
export const JOB_NAME = /^[A-Za-z0-9-]{1,63}$/;
/** Stands for the job's name in a key; a simulation whose inputs already hold it is never abstracted. */
const PLACEHOLDER = '\u27e8job\u27e9';
const PLACEHOLDER_LOWER = '\u27e8job-lower\u27e9';
const ROLE_PLACEHOLDER = '\u27e8role\u27e9';
/** An assumed-role session's ARN: partition, account, role name. */
const ASSUMED_ROLE_SESSION = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//;
/** Characters IAM allows in a role name: no separator, no wildcard. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** Replaces a job's name where it is a whole path segment. */
export interface Renamer {
  name: string;
  lowerName: string;
  /** In one value: after a `/`, before a `/` or the end. */
  value: (text: string) => string;
  /** In JSON text: the end of a string value is a `"` not followed by `:` (never an object key). */
  json: (text: string) => string;
  /** Whether a value holds the name (or its lower-case form) at all. */
  mayName: (text: string) => boolean;
}

const renamers = new Map<string, Renamer>();

/** The job's name and its lower-case form (as in a labeling job's ARN), each with its own placeholder. */
export function renamerFor(name: string): Renamer {
  let known = renamers.get(name);
  if (!known) {
    const lowerName = name.toLowerCase();
    const tokens: [string, string][] = [[name, PLACEHOLDER]];
    if (lowerName !== name) tokens.push([lowerName, PLACEHOLDER_LOWER]);
    const replacer = (json: boolean) => (text: string) =>
      tokens.reduce((t, [token, placeholder]) => replaceSegments(t, token, placeholder, json), text);
    known = {
      name,
      lowerName,
      value: replacer(false),
      json: replacer(true),
      mayName: (text) => text.includes(name) || text.includes(lowerName),
    };
    if (renamers.size >= 1_000) renamers.clear();
    renamers.set(name, known);
  }
  return known;
}

/**
 * `text` with each occurrence of `token` that is a whole path segment replaced: after a `/`, and
 * before a `/` or the end of the value (in JSON text: a `"` not followed by `:`, so never a key).
 */
function replaceSegments(text: string, token: string, placeholder: string, json: boolean): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + 1)) {
    const after = at + token.length;
    const next = text[after];
    const ends = json
      ? next === '/' || (next === '"' && text[after + 1] !== ':')
      : next === '/' || next === undefined;
    if (at > 0 && text[at - 1] === '/' && ends && at >= from) {
      out += text.slice(from, at) + placeholder;
      from = after;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * How each policy value that could tell job names apart compares with each request value:
 * equal, equal ignoring case, and wildcard match (whole value and ARN resource part, with and
 * without case). Two jobs whose keys are equal except for the name and whose profiles are equal get
 * the same answer from every comparison the evaluator makes.
 */
export function profile(policyValues: readonly Matcher[], requestValues: readonly string[]): string {
  if (policyValues.length === 0 || requestValues.length === 0) return '';
  const values = requestValues.map((s) => {
    const part = resourcePart(s);
    return { s, lower: s.toLowerCase(), part, partLower: part?.toLowerCase(), ascii: isAscii(s) };
  });
  // Sparse: the number of pairs, then the index and bits of each pair with a bit set.
  let out = `${policyValues.length * values.length}`;
  let pair = 0;
  for (const t of policyValues) {
    for (const { s, lower, part, partLower, ascii } of values) {
      let bits = (t.value === s ? 32 : 0) | (t.lower === lower ? 16 : 0);
      // A case-sensitive match is a case-insensitive one too; and, both sides ASCII, neither can
      // match a text that lacks one of the pattern's literal runs in any case.
      if (mayMatch(lower, ascii, t.needles) && t.wholeFolded.test(s)) bits |= 4 | (t.whole.test(s) ? 8 : 0);
      if (
        part !== undefined &&
        t.partFolded !== undefined &&
        mayMatch(partLower ?? '', ascii, t.partNeedles) &&
        t.partFolded.test(part)
      )
        bits |= 1 | (t.part?.test(part) ? 2 : 0);
      if (bits !== 0) out += `,${pair}:${bits}`;
      pair++;
    }
  }
  return out;
}

/**
 * Profiles of the documents' wildcard values against the named values, kept: the same job asks
 * several times, about roles whose documents differ only where no wildcard is (a planned grant).
 */
const profiles = new Map<string, string>();
function wildcardProfile(
  documents: readonly DocumentFacts[],
  action: string,
  named: readonly string[],
): string {
  const relevant = documents.filter((d) => matchersFor(d, action).length > 0);
  const key = `${relevant.map((d) => d.id).join(',')}|${action}|${named.join('|')}`;
  let bits = profiles.get(key);
  if (bits === undefined) {
    bits = profile(
      relevant.flatMap((d) => matchersFor(d, action)),
      named,
    );
    if (profiles.size >= 10_000) profiles.clear();
    profiles.set(key, bits);
  }
  return bits;
}

/** How a question's values may stand for any job's: the renaming, and what must be equal for two jobs to share. */
export interface JobAbstraction {
  /** The value with the job's name (as a path segment) replaced by a placeholder. */
  rename: (value: string) => string;
  /** How the documents' wildcard values compare with the values that name the job. */
  comparisons: string;
}

/**
 * The abstraction of `jobName` for a question on `documents` about `action` whose request holds
 * `values` (every string the evaluator sees, or a superset), or undefined when the values do not
 * name the job or a document could tell names apart in a way the comparisons do not capture (it
 * names the job, in any case, or uses a policy variable).
 */
export function abstractJobName(
  documents: readonly (PolicyDocument | undefined)[],
  action: string,
  jobName: string,
  values: readonly string[],
): JobAbstraction | undefined {
  if (!JOB_NAME.test(jobName)) return undefined;
  const rename = renamerFor(jobName);
  const named = values.filter((v) => rename.mayName(v) && rename.value(v) !== v);
  if (named.length === 0 || values.some((v) => v.includes('\u27e8'))) return undefined;
  const facts = documents.map(factsOf);
  if (facts.some((d) => d.hasVariables || d.hasPlaceholder || names(d, rename.lowerName))) return undefined;
  return {
    rename: (v) => (rename.mayName(v) ? rename.value(v) : v),
    comparisons: wildcardProfile(facts, action, named),
  };
}

/** The parts of a key that the job's name may change. */
interface KeyParts {
  ids: number[];
  resource: string;
  values: (v: unknown) => unknown;
  comparisons: string;
}

/** The memo's key: every input, with the clock and the job's and role's names left out where no policy can tell them apart. */
export function memoKey(input: MemoInput): string {
  const documents = input.documents.map(factsOf);
  const clockMatters = documents.some((d) => d.namesClock);
  const context = Object.entries(input.context).filter(([key]) => clockMatters || !CLOCK_KEYS.includes(key));
  const parts = jobParts(input, documents, context);
  const role = abstractRole(input, documents, context);
  const renameRole = (v: unknown) => (role && typeof v === 'string' ? role.rename(v) : v);
  // Lists that repeat from call to call stand in the key as numbers.
  const fixed = [
    textId(input.names.join('\u0000')),
    textId(input.knownKeys.join('\u0000')),
    renameRole(input.principal),
    input.action,
    input.resourceAccount,
  ];
  return JSON.stringify([
    parts.ids,
    fixed,
    renameRole(parts.resource),
    context.flatMap(([k, v]) => [k, renameRole(parts.values(v))]),
    parts.comparisons,
    role?.comparisons ?? '',
  ]);
}

/** The key's parts with the job's name abstracted where no policy can tell it apart, or as they are. */
function jobParts(input: MemoInput, documents: DocumentFacts[], context: [string, unknown][]): KeyParts {
  const exact: KeyParts = {
    ids: documents.map((d) => d.id),
    resource: input.resource,
    values: (v) => v,
    comparisons: '',
  };
  if (input.jobName === undefined || !JOB_NAME.test(input.jobName)) return exact;
  const rename = renamerFor(input.jobName);
  const contextValues = context.map(([, value]) => value);
  if (!contextValues.every((v): v is string => typeof v === 'string')) return exact;
  const requestValues = [input.resource, ...contextValues];
  const named = requestValues.filter((v) => rename.mayName(v) && rename.value(v) !== v);
  const naming = documents.filter((d) => names(d, rename.lowerName));
  if (named.length === 0 && naming.length === 0) return exact;
  if (documents.some((d) => d.hasVariables || d.hasPlaceholder)) return exact;
  if (requestValues.some((v) => v.includes('\u27e8'))) return exact;
  // Values naming the job in any case: they may equal (or match) one job's values only.
  const namingValues = naming.flatMap((d) =>
    stringValues(JSON.parse(d.text))
      .filter((v) => v.toLowerCase().includes(rename.lowerName))
      .map(matcher),
  );
  // Only pairs where a side changes with the name can compare differently for another job.
  return {
    ids: documents.map((d) => (names(d, rename.lowerName) ? textId(rename.json(d.text)) : d.id)),
    resource: rename.value(input.resource),
    values: (v) => (rename.mayName(v as string) ? rename.value(v as string) : v),
    comparisons: `${wildcardProfile(documents, input.action, named)}|${profile(namingValues, requestValues)}`,
  };
}

/**
 * The role's name abstracted: in the principal (`assumed-role/<name>/...`), the resource (a role
 * being assumed) and the context (`aws:PrincipalArn`), as a whole path segment, in its own case.
 * Only when no document names the role in any case or uses a policy variable, the name neither holds
 * nor is held in the job's, and no value holds a placeholder; the comparisons are how each wildcard
 * value compares with each value naming the role, including the role's ARN without its path (what
 * an assumed-role session is matched as).
 */
function abstractRole(
  input: MemoInput,
  documents: DocumentFacts[],
  context: [string, unknown][],
): { rename: (v: string) => string; comparisons: string } | undefined {
  const name = input.roleName;
  if (name === undefined || !ROLE_NAME.test(name)) return undefined;
  const lower = name.toLowerCase();
  const job = input.jobName?.toLowerCase();
  if (job !== undefined && (job.includes(lower) || lower.includes(job))) return undefined;
  const contextValues = context.map(([, value]) => value);
  if (!contextValues.every((v): v is string => typeof v === 'string')) return undefined;
  if (typeof input.principal !== 'string') return undefined;
  const values = [input.principal, input.resource, ...contextValues];
  if (values.some((v) => v.includes('\u27e8'))) return undefined;
  if (documents.some((d) => d.hasVariables || d.hasPlaceholder || names(d, lower))) return undefined;
  const rename = (v: string) => (v.includes(name) ? replaceSegments(v, name, ROLE_PLACEHOLDER, false) : v);
  const named = values.filter((v) => rename(v) !== v);
  if (named.length === 0) return undefined;
  // An assumed-role session is matched as its role's ARN, which the session's ARN holds without the path.
  const session = ASSUMED_ROLE_SESSION.exec(input.principal);
  if (session) named.push(`arn:${session[1]}:iam::${session[2]}:role/${session[3]}`);
  return { rename, comparisons: wildcardProfile(documents, input.action, named) };
}

/** Answers by key, bounded; the oldest is dropped first. */
export class SimulationMemo<T> {
  private readonly answers = new Map<string, T>();
  /** Lookups answered from the memo, and lookups that ran the evaluator. */
  readonly counts = { hits: 0, misses: 0 };

  constructor(private readonly limit = 20_000) {}

  /** The memoised answer for `input`, or `compute()`'s, kept. */
  get(input: MemoInput, compute: () => T): T {
    const key = memoKey(input);
    const hit = this.answers.get(key);
    if (hit !== undefined) {
      this.counts.hits++;
      return hit;
    }
    this.counts.misses++;
    const answer = compute();
    if (this.answers.size >= this.limit) this.answers.delete(this.answers.keys().next().value as string);
    this.answers.set(key, answer);
    return answer;
  }

  /** How many answers are kept. */
  get size(): number {
    return this.answers.size;
  }
}
