/**
 * What the evaluator's memos know about a policy document, computed once per document object (and
 * shared by documents of equal text): a number for its text, whether it names the clock or uses
 * policy variables, and its wildcard values by statement, compiled for comparisons.
 */
import type { PolicyDocument, PolicyStatement } from './types';

/** Context keys that change with every call (the clock) and that few policies test. */
export const CLOCK_KEYS = ['aws:CurrentTime', 'aws:EpochTime'];

/** A policy value compiled for the comparisons the job-name profile makes (simulation-memo.ts). */
export interface Matcher {
  value: string;
  lower: string;
  whole: RegExp;
  wholeFolded: RegExp;
  /** The same for the ARN's resource part, when the value is an ARN. */
  part?: RegExp;
  partFolded?: RegExp;
  /**
   * For an ASCII value: its runs without a wildcard, in lower case, and the same for the resource
   * part. An ASCII text that lacks one of them, in any case, matches neither pattern.
   */
  needles?: string[];
  partNeedles?: string[];
}

/** A statement's wildcard values, and which actions the statement is about. */
interface StatementWildcards {
  appliesTo: (action: string) => boolean;
  matchers: Matcher[];
}

/** Facts about one policy document, computed once per document object. */
export interface DocumentFacts {
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
  /** Whether the text holds each of the last names asked about (a job's, a role's), in any case. */
  naming?: Map<string, boolean>;
  /** The wildcard values of the statements about each action asked about. */
  byAction?: Map<string, Matcher[]>;
  /** The size IAM counts, and the hash a report shows (policy-document.ts, report-changes.ts), once per text. */
  size?: number;
  sha256?: string;
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
export function textId(text: string): number {
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

export function factsOf(document: PolicyDocument | undefined): DocumentFacts {
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

/** Whether the document's text holds `lowerName` in any case (kept for the last few names asked about). */
export function names(d: DocumentFacts, lowerName: string): boolean {
  let known = d.naming?.get(lowerName);
  if (known === undefined) {
    known = d.lower.includes(lowerName);
    if (!d.naming || d.naming.size >= 4) d.naming = new Map();
    d.naming.set(lowerName, known);
  }
  return known;
}

/** Every string value in a JSON value (object keys excluded). */
export function stringValues(value: unknown): string[] {
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

export function matcher(value: string): Matcher {
  const whole = wildcardSource(value);
  const part = resourcePart(value);
  const partSource = part !== undefined ? wildcardSource(part) : undefined;
  const ascii = isAscii(value);
  return {
    ...(ascii ? { needles: literalRuns(value) } : {}),
    ...(ascii && part !== undefined ? { partNeedles: literalRuns(part) } : {}),
    value,
    lower: value.toLowerCase(),
    whole: new RegExp(whole, 's'),
    wholeFolded: new RegExp(whole, 'is'),
    ...(partSource !== undefined
      ? { part: new RegExp(partSource, 's'), partFolded: new RegExp(partSource, 'is') }
      : {}),
  };
}

/**
 * Only ASCII: there, lower-casing and a case-insensitive regular expression agree on every
 * character (elsewhere they need not: a final sigma, a Kelvin sign).
 */
export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** The runs of a wildcard pattern without `*` or `?`, in lower case. */
function literalRuns(pattern: string): string[] {
  return pattern
    .toLowerCase()
    .split(/[*?]/)
    .filter((run) => run !== '');
}

/** Whether an ASCII text (in lower case) holds every run; without runs (not ASCII), it may match. */
export function mayMatch(lower: string, ascii: boolean, runs: readonly string[] | undefined): boolean {
  return !ascii || runs === undefined || runs.every((run) => lower.includes(run));
}

/** The part of an ARN after its fifth `:` (what ARN conditions and Resource elements match separately). */
export function resourcePart(arn: string): string | undefined {
  let at = -1;
  for (let i = 0; i < 5; i++) {
    at = arn.indexOf(':', at + 1);
    if (at < 0) return undefined;
  }
  return arn.slice(at + 1);
}

/** The wildcard values of the document's statements that are about `action` (kept per action). */
export function matchersFor(d: DocumentFacts, action: string): Matcher[] {
  let known = d.byAction?.get(action);
  if (!known) {
    known = d.wildcards().flatMap((w) => (w.appliesTo(action) ? w.matchers : []));
    (d.byAction ??= new Map()).set(action, known);
  }
  return known;
}
