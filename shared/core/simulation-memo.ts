/**
 * The evaluator's memo. The evaluator is a pure function of its inputs, and a scan (or one event's
 * plan, proof and guards) asks the same questions many times: answers are kept by their inputs,
 * bounded. Two things would make every job's questions distinct although the answers are not:
 * the clock, and the job's own name (its output prefix, its ARN in `aws:SourceArn`). The key drops
 * each of them where no policy of the simulation can tell two values apart.
 */
import type { PolicyDocument, PolicyStatement } from './types';

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
}

/** Context keys that change with every call (the clock) and that few policies test. */
const CLOCK_KEYS = ['aws:CurrentTime', 'aws:EpochTime'];

/** A policy value compiled for the comparisons {@link profile} makes. */
interface Matcher {
  value: string;
  lower: string;
  whole: RegExp;
  wholeFolded: RegExp;
  /** The same for the ARN's resource part, when the value is an ARN. */
  part?: RegExp;
  partFolded?: RegExp;
}

/** A statement's wildcard values, and which actions the statement is about. */
interface StatementWildcards {
  appliesTo: (action: string) => boolean;
  matchers: Matcher[];
}

/** Facts about one policy document, computed once per document object. */
interface DocumentFacts {
  text: string;
  /** A short stand-in for `text` in keys. */
  id: number;
  lower: string;
  /** A clock key is named (in a condition or as a policy variable). */
  namesClock: boolean;
  /** A policy variable (`${...}`) is used: its value comes from the context, so names cannot be abstracted. */
  hasVariables: boolean;
  /** The text holds the placeholders' first character: its names are never abstracted. */
  hasPlaceholder: boolean;
  /**
   * Every string value holding an IAM wildcard, by statement: these may match one job's name and
   * not another's. A statement only counts for the actions it names (a NotAction one for any).
   */
  wildcards: () => StatementWildcards[];
  /** Whether the text holds the last job name asked about, in any case. */
  naming?: { name: string; names: boolean };
  /** The wildcard values of the statements about each action asked about. */
  byAction?: Map<string, Matcher[]>;
}

const facts = new WeakMap<object, DocumentFacts>();
/** The same by text: a scan's planner makes equal documents for many jobs. */
const factsByText = new Map<string, DocumentFacts>();

/**
 * Policy texts by number, so that keys stay short. Numbers are never reused: when the table is
 * cleared, a text seen again gets a new number and its old keys are simply never hit again.
 */
const textIds = new Map<string, number>();
let lastId = 0;
function textId(text: string): number {
  let id = textIds.get(text);
  if (id === undefined) {
    if (textIds.size >= 50_000) textIds.clear();
    id = ++lastId;
    textIds.set(text, id);
  }
  return id;
}

const EMPTY: DocumentFacts = {
  text: '-',
  id: 0,
  lower: '-',
  namesClock: false,
  hasVariables: false,
  hasPlaceholder: false,
  wildcards: () => [],
};

function factsOf(document: PolicyDocument | undefined): DocumentFacts {
  if (!document) return EMPTY;
  let known = facts.get(document);
  if (!known) {
    const text = JSON.stringify(document);
    known = factsByText.get(text) ?? factsOfText(text);
    facts.set(document, known);
  }
  return known;
}

function factsOfText(text: string): DocumentFacts {
  const lower = text.toLowerCase();
  let wildcards: StatementWildcards[] | undefined;
  const known: DocumentFacts = {
    text,
    id: textId(text),
    lower,
    namesClock: CLOCK_KEYS.some((key) => lower.includes(key.slice(4).toLowerCase())),
    hasVariables: text.includes('${'),
    hasPlaceholder: text.includes('\u27e8'),
    // Compiled only when a question names a job.
    wildcards: () => (wildcards ??= wildcardsOf(JSON.parse(text) as PolicyDocument)),
  };
  if (factsByText.size >= 10_000) factsByText.clear();
  factsByText.set(text, known);
  return known;
}

function wildcardsOf(document: PolicyDocument): StatementWildcards[] {
  const wild = (value: unknown) =>
    stringValues(value)
      .filter((v) => v.includes('*') || v.includes('?'))
      .map(matcher);
  const { Statement, ...rest } = document;
  const out: StatementWildcards[] = [{ appliesTo: () => true, matchers: wild(rest) }];
  // Documents come from IAM as they are: check the shape instead of trusting the type.
  const statements: unknown[] = Array.isArray(Statement) ? Statement : [Statement];
  for (const statement of statements) {
    const fields: Partial<PolicyStatement> = statement && typeof statement === 'object' ? statement : {};
    const actions = fields.Action;
    const list: unknown[] | undefined =
      typeof actions === 'string' ? [actions] : Array.isArray(actions) ? actions : undefined;
    const named =
      list && list.every((a) => typeof a === 'string') && fields.NotAction === undefined
        ? new RegExp(`^(?:${list.map((a) => wildcardSource(a).slice(1, -1)).join('|')})$`, 'is')
        : undefined;
    out.push({ appliesTo: named ? (action) => named.test(action) : () => true, matchers: wild(statement) });
  }
  return out.filter((w) => w.matchers.length > 0);
}

/** A number standing for the document's text, and whether it names a clock key (for keys built elsewhere). */
export function documentFacts(document: PolicyDocument | undefined): { id: number; namesClock: boolean } {
  return factsOf(document);
}

/** A number standing for `text` (equal texts, equal numbers, until the table is full). */
export function internText(text: string): number {
  return textId(text);
}

/** Whether the document's text holds `lowerName` in any case (kept for the last name asked about). */
function names(d: DocumentFacts, lowerName: string): boolean {
  if (d.naming?.name !== lowerName) d.naming = { name: lowerName, names: d.lower.includes(lowerName) };
  return d.naming.names;
}

/** Every string value in a JSON value (object keys excluded). */
function stringValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringValues);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringValues);
  return [];
}

/** An IAM wildcard pattern (`*` any run, `?` one character) as the source of an anchored regular expression. */
function wildcardSource(pattern: string): string {
  return `^${pattern
    .replace(/[\\^$.|+()[\]{}]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')}$`;
}

function matcher(value: string): Matcher {
  const whole = wildcardSource(value);
  const part = resourcePart(value);
  const partSource = part !== undefined ? wildcardSource(part) : undefined;
  return {
    value,
    lower: value.toLowerCase(),
    whole: new RegExp(whole, 's'),
    wholeFolded: new RegExp(whole, 'is'),
    ...(partSource !== undefined
      ? { part: new RegExp(partSource, 's'), partFolded: new RegExp(partSource, 'is') }
      : {}),
  };
}

/** The part of an ARN after its fifth `:` (what ARN conditions and Resource elements match separately). */
function resourcePart(arn: string): string | undefined {
  let at = -1;
  for (let i = 0; i < 5; i++) {
    at = arn.indexOf(':', at + 1);
    if (at < 0) return undefined;
  }
  return arn.slice(at + 1);
}

/** Characters SageMaker allows in a labeling job name: no separator, no wildcard, no quote. */
const JOB_NAME = /^[A-Za-z0-9-]{1,63}$/;
/** Stands for the job's name in a key; a simulation whose inputs already hold it is never abstracted. */
const PLACEHOLDER = '\u27e8job\u27e9';
const PLACEHOLDER_LOWER = '\u27e8job-lower\u27e9';

/** Replaces a job's name where it is a whole path segment. */
interface Renamer {
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
function renamerFor(name: string): Renamer {
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
function profile(policyValues: readonly Matcher[], requestValues: readonly string[]): string {
  if (policyValues.length === 0 || requestValues.length === 0) return '';
  const values = requestValues.map((s) => ({ s, lower: s.toLowerCase(), part: resourcePart(s) }));
  let bits = '';
  for (const t of policyValues) {
    for (const { s, lower, part } of values) {
      bits += t.value === s ? '1' : '0';
      bits += t.lower === lower ? '1' : '0';
      bits += t.whole.test(s) ? '1' : '0';
      bits += t.wholeFolded.test(s) ? '1' : '0';
      bits += part !== undefined && t.part?.test(part) ? '1' : '0';
      bits += part !== undefined && t.partFolded?.test(part) ? '1' : '0';
    }
  }
  return bits;
}

/** The wildcard values of the document's statements that are about `action` (kept per action). */
function matchersFor(d: DocumentFacts, action: string): Matcher[] {
  let known = d.byAction?.get(action);
  if (!known) {
    known = d.wildcards().flatMap((w) => (w.appliesTo(action) ? w.matchers : []));
    (d.byAction ??= new Map()).set(action, known);
  }
  return known;
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

/** The memo's key: every input, with the clock and the job's name left out where no policy can tell them apart. */
export function memoKey(input: MemoInput): string {
  const documents = input.documents.map(factsOf);
  const clockMatters = documents.some((d) => d.namesClock);
  const context = Object.entries(input.context).filter(([key]) => clockMatters || !CLOCK_KEYS.includes(key));
  // Lists that repeat from call to call stand in the key as numbers.
  const fixed = [
    textId(input.names.join('\u0000')),
    textId(input.knownKeys.join('\u0000')),
    input.principal,
    input.action,
    input.resourceAccount,
  ];
  const key = (ids: number[], resource: string, values: (v: unknown) => unknown, comparisons = '') =>
    JSON.stringify([ids, fixed, resource, context.flatMap(([k, v]) => [k, values(v)]), comparisons]);
  const exact = () =>
    key(
      documents.map((d) => d.id),
      input.resource,
      (v) => v,
    );
  if (input.jobName === undefined || !JOB_NAME.test(input.jobName)) return exact();
  const rename = renamerFor(input.jobName);
  const contextValues = context.map(([, value]) => value);
  if (!contextValues.every((v): v is string => typeof v === 'string')) return exact();
  const requestValues = [input.resource, ...contextValues];
  const named = requestValues.filter((v) => rename.mayName(v) && rename.value(v) !== v);
  const naming = documents.filter((d) => names(d, rename.lowerName));
  if (named.length === 0 && naming.length === 0) return exact();
  if (documents.some((d) => d.hasVariables || d.hasPlaceholder)) return exact();
  if (requestValues.some((v) => v.includes('\u27e8'))) return exact();
  // Values naming the job in any case: they may equal (or match) one job's values only.
  const namingValues = naming.flatMap((d) =>
    stringValues(JSON.parse(d.text))
      .filter((v) => v.toLowerCase().includes(rename.lowerName))
      .map(matcher),
  );
  // Only pairs where a side changes with the name can compare differently for another job.
  const comparisons = `${wildcardProfile(documents, input.action, named)}|${profile(namingValues, requestValues)}`;
  return key(
    documents.map((d) => (names(d, rename.lowerName) ? textId(rename.json(d.text)) : d.id)),
    rename.value(input.resource),
    (v) => (rename.mayName(v as string) ? rename.value(v as string) : v),
    comparisons,
  );
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
