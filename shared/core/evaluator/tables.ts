/**
 * The tables a memoizing evaluator owns (memo.ts): what it knows about each policy document (a number
 * for its text, whether it names the clock or uses policy variables, its wildcard values compiled
 * for comparisons), the job-name renamers and wildcard profiles (names.ts), and numbers for the
 * input objects the proof memo keys on. One instance per Lambda container, scan or CLI run; nothing
 * here is module-level, so two evaluators never share an answer.
 */
import type { PolicyDocument, PolicyStatement } from '../types';
import { globMatch } from './complexity';

/** Context keys that change with every call (the clock) and that few policies test. */
export const CLOCK_KEYS: readonly string[] = Object.freeze(['aws:CurrentTime', 'aws:EpochTime']);

/** A policy value compiled for the comparisons the job-name profile makes (names.ts). */
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
}

/** Stands for "no document" in keys: the same for every table. */
function emptyFacts(): DocumentFacts {
  return {
    text: '-',
    id: 0,
    lower: '-',
    namesClock: false,
    hasVariables: false,
    hasPlaceholder: false,
    wildcards: () => [],
  };
}

/** Document facts, text numbers and per-object caches, owned by one memoizing evaluator. */
export class MemoTables {
  private readonly facts = new WeakMap<object, DocumentFacts>();
  /** The same by text: a scan's planner makes equal documents for many jobs. */
  private readonly factsByText = new Map<string, DocumentFacts>();
  /**
   * Texts by number, so that keys stay short. Numbers are never reused: when the table is cleared, a
   * text seen again gets a new number and its old keys are simply never hit again.
   */
  private readonly textIds = new Map<string, number>();
  private lastId = 0;
  private readonly empty = emptyFacts();
  private readonly objectIds = new WeakMap<object, number>();
  private lastObjectId = 0;
  private readonly caches = new Map<string, WeakMap<object, unknown>>();
  private readonly keyed = new Map<string, Map<string, unknown>>();

  /** A number standing for `text` (equal texts, equal numbers, until the table is full). */
  textId(text: string): number {
    let id = this.textIds.get(text);
    if (id === undefined) {
      if (this.textIds.size >= 50_000) this.textIds.clear();
      id = ++this.lastId;
      this.textIds.set(text, id);
    }
    return id;
  }

  /** The facts of a document (the empty document's for undefined). */
  factsOf(document: PolicyDocument | undefined): DocumentFacts {
    if (!document) return this.empty;
    let known = this.facts.get(document);
    if (!known) {
      const text = JSON.stringify(document);
      known = this.factsByText.get(text) ?? this.factsOfText(text);
      this.facts.set(document, known);
    }
    return known;
  }

  /** A number for an input object (equal numbers, the same object). */
  objectId(value: object): number {
    let id = this.objectIds.get(value);
    if (id === undefined) {
      id = ++this.lastObjectId;
      this.objectIds.set(value, id);
    }
    return id;
  }

  /** `compute(key)`, once per key object for the cache named `name`. */
  perObject<K extends object, V>(name: string, key: K, compute: (key: K) => V): V {
    let cache = this.caches.get(name) as WeakMap<K, V> | undefined;
    if (!cache) {
      cache = new WeakMap<K, V>();
      this.caches.set(name, cache);
    }
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  }

  /** `compute()`, once per text key for the cache named `name`, bounded (cleared when full). */
  perKey<V>(name: string, key: string, compute: () => V, limit = 10_000): V {
    let cache = this.keyed.get(name) as Map<string, V> | undefined;
    if (!cache) {
      cache = new Map<string, V>();
      this.keyed.set(name, cache);
    }
    let value = cache.get(key);
    if (value === undefined) {
      value = compute();
      if (cache.size >= limit) cache.clear();
      cache.set(key, value);
    }
    return value;
  }

  private factsOfText(text: string): DocumentFacts {
    const lower = text.toLowerCase();
    let wildcards: StatementWildcards[] | undefined;
    const known: DocumentFacts = {
      text,
      id: this.textId(text),
      lower,
      namesClock: CLOCK_KEYS.some((key) => lower.includes(key.slice(4).toLowerCase())),
      hasVariables: text.includes('${'),
      hasPlaceholder: text.includes('\u27e8'),
      // Compiled only when a question names a job.
      wildcards: () => (wildcards ??= wildcardsOf(JSON.parse(text) as PolicyDocument)),
    };
    if (this.factsByText.size >= 10_000) this.factsByText.clear();
    this.factsByText.set(text, known);
    return known;
  }
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
      list && list.every((a): a is string => typeof a === 'string') && fields.NotAction === undefined
        ? list
        : undefined;
    out.push({
      appliesTo: named ? (action) => named.some((a) => actionMayMatch(a, action)) : () => true,
      matchers: wild(statement),
    });
  }
  return out.filter((w) => w.matchers.length > 0);
}

/**
 * Whether an Action pattern matches `action` ignoring case, in linear time; a pattern or action
 * beyond ASCII counts as matching (the statement is then profiled too, which is only ever safe).
 */
function actionMayMatch(pattern: string, action: string): boolean {
  if (!isAscii(pattern) || !isAscii(action)) return true;
  return globMatch(pattern.toLowerCase(), action.toLowerCase());
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

/** A policy value compiled for the profile's comparisons (only after the complexity cap let it through). */
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
