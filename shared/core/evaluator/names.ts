/**
 * The abstraction layer of the evaluator's memo (switchable: memo.ts `abstraction`). The clock, the
 * job's own name (its output prefix, its ARN in `aws:SourceArn`) and the calling or assumed role's
 * name make every job's questions distinct although the answers are not. The abstracted key is the
 * canonical form of the whole question (key.ts) with the clock dropped where no policy names it, and
 * the job's and role's names replaced by placeholders in the request's values where no policy can
 * tell two names apart, plus, for each policy wildcard value, how it compares with each value naming
 * them (the wildcard profile): two questions with equal abstracted keys get equal answers.
 */
import type { PolicyDocument } from '../types';
import type { Question } from './evaluator';
import { DEFAULT_LIMITS, matchingSteps } from './complexity';
import { canonicalKey } from './key';
import {
  CLOCK_KEYS,
  isAscii,
  mayMatch,
  matcher,
  matchersFor,
  names,
  resourcePart,
  stringValues,
  type DocumentFacts,
  type Matcher,
  type MemoTables,
} from './tables';

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

/** The job's name and its lower-case form (as in a labeling job's ARN), each with its own placeholder. */
export function renamerFor(tables: MemoTables, name: string): Renamer {
  return tables.perKey(
    'renamers',
    name,
    () => {
      const lowerName = name.toLowerCase();
      const tokens: [string, string][] = [[name, PLACEHOLDER]];
      if (lowerName !== name) tokens.push([lowerName, PLACEHOLDER_LOWER]);
      const replacer = (json: boolean) => (text: string) =>
        tokens.reduce((t, [token, placeholder]) => replaceSegments(t, token, placeholder, json), text);
      return {
        name,
        lowerName,
        value: replacer(false),
        json: replacer(true),
        mayName: (text: string) => text.includes(name) || text.includes(lowerName),
      };
    },
    1_000,
  );
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
 * How each policy value that could tell names apart compares with each request value: equal, equal
 * ignoring case, and wildcard match (whole value and ARN resource part, with and without case). Two
 * questions whose keys are equal except for the name and whose profiles are equal get the same answer
 * from every comparison the evaluator makes.
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
 * The profile, or undefined when matching would cost more than the complexity cap allows: then the
 * question is not abstracted, and the evaluator's own cap names the policy (complexity.ts).
 */
export function boundedProfile(
  policyValues: readonly Matcher[],
  requestValues: readonly string[],
): string | undefined {
  const cap = DEFAULT_LIMITS.maxSteps;
  const steps = matchingSteps(
    policyValues.map((m) => m.value),
    requestValues.flatMap((v) => [v, resourcePart(v) ?? '']),
    cap,
  );
  return steps > cap ? undefined : profile(policyValues, requestValues);
}

/** Profiles of the documents' wildcard values about `action` against the named values, kept per documents. */
export function wildcardProfile(
  tables: MemoTables,
  documents: readonly DocumentFacts[],
  action: string,
  named: readonly string[],
): string | undefined {
  const relevant = documents.filter((d) => matchersFor(d, action).length > 0);
  const key = `${relevant.map((d) => d.id).join(',')}|${action}|${named.join('|')}`;
  const bits = tables.perKey(
    'profiles',
    key,
    () =>
      boundedProfile(
        relevant.flatMap((d) => matchersFor(d, action)),
        named,
      ) ?? TOO_COMPLEX,
  );
  return bits === TOO_COMPLEX ? undefined : bits;
}

/** Kept in place of a profile that would cost too much to compute. */
const TOO_COMPLEX = '\u0000too-complex';

/** Every document of a question: identity policies, boundary, resource policy (undefined: none). */
function documentsOf(q: Question): (PolicyDocument | undefined)[] {
  const s = q.simulation;
  return [
    ...s.identityPolicies.map((p) => p.policy),
    ...(s.permissionBoundaryPolicies ?? []).map((p) => p.policy),
    s.resourcePolicy,
  ];
}

/**
 * The abstracted key of a question, or undefined when nothing can be abstracted (then the memo keys
 * on the exact canonical form).
 */
export function abstractedKey(q: Question, tables: MemoTables): string | undefined {
  const documents = documentsOf(q).map((d) => tables.factsOf(d));
  const clockMatters = documents.some((d) => d.namesClock);
  const { request } = q.simulation;
  const context = Object.entries(request.contextVariables).filter(
    ([key]) => clockMatters || !CLOCK_KEYS.includes(key),
  );
  const job = jobParts(q, tables, documents, context);
  const role = abstractRole(q, tables, documents, context);
  if (clockMatters && !job && !role) return undefined;
  const renameJob = job?.rename ?? ((v: string) => v);
  const renameRole = role?.rename ?? ((v: string) => v);
  return canonicalKey(q, tables, {
    // The principal holds the role's name, never the job's (a session named like the job stays as it is).
    renamePrincipal: renameRole,
    rename: (v: string) => renameRole(renameJob(v)),
    context: Object.fromEntries(context),
    documentId: job?.documentId ?? ((d) => d.id),
    comparisons: `${job?.comparisons ?? ''}|${role?.comparisons ?? ''}`,
  });
}

/** What the job's name changes in the key, when no policy can tell it apart from another's. */
interface JobParts {
  rename: (v: string) => string;
  documentId: (d: DocumentFacts) => number;
  comparisons: string;
}

/** The strings of the request values (context lists flattened), or undefined when one is not a string. */
function requestStrings(context: [string, unknown][]): string[] | undefined {
  const values = context.map(([, value]) => value);
  if (!values.every((v): v is string => typeof v === 'string')) return undefined;
  return values;
}

function jobParts(
  q: Question,
  tables: MemoTables,
  documents: DocumentFacts[],
  context: [string, unknown][],
): JobParts | undefined {
  const jobName = q.hints?.jobName;
  if (jobName === undefined || !JOB_NAME.test(jobName)) return undefined;
  const rename = renamerFor(tables, jobName);
  const contextValues = requestStrings(context);
  if (!contextValues) return undefined;
  const { request } = q.simulation;
  const requestValues = [request.resource.resource, ...contextValues];
  const named = requestValues.filter((v) => rename.mayName(v) && rename.value(v) !== v);
  const namingDocuments = documents.filter((d) => names(d, rename.lowerName));
  if (named.length === 0 && namingDocuments.length === 0) return undefined;
  if (documents.some((d) => d.hasVariables || d.hasPlaceholder)) return undefined;
  if ([request.principal, ...requestValues].some((v) => v.includes('\u27e8'))) return undefined;
  // The principal is not renamed: a job name in it stays as it is (no sharing across such names).
  // Values naming the job in any case: they may equal (or match) one job's values only.
  const namingValues = namingDocuments.flatMap((d) =>
    stringValues(JSON.parse(d.text))
      .filter((v) => v.toLowerCase().includes(rename.lowerName))
      .map(matcher),
  );
  // Only pairs where a side changes with the name can compare differently for another job.
  const wildcards = wildcardProfile(tables, documents, request.action, named);
  const naming = boundedProfile(namingValues, requestValues);
  if (wildcards === undefined || naming === undefined) return undefined;
  return {
    rename: (v) => (rename.mayName(v) ? rename.value(v) : v),
    documentId: (d) => (names(d, rename.lowerName) ? tables.textId(rename.json(d.text)) : d.id),
    comparisons: `${wildcards}|${naming}`,
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
  q: Question,
  tables: MemoTables,
  documents: DocumentFacts[],
  context: [string, unknown][],
): { rename: (v: string) => string; comparisons: string } | undefined {
  const name = q.hints?.roleName;
  if (name === undefined || !ROLE_NAME.test(name)) return undefined;
  const lower = name.toLowerCase();
  const job = q.hints?.jobName?.toLowerCase();
  if (job !== undefined && (job.includes(lower) || lower.includes(job))) return undefined;
  const contextValues = requestStrings(context);
  if (!contextValues) return undefined;
  const { request } = q.simulation;
  const values = [request.principal, request.resource.resource, ...contextValues];
  if (values.some((v) => v.includes('\u27e8'))) return undefined;
  if (documents.some((d) => d.hasVariables || d.hasPlaceholder || names(d, lower))) return undefined;
  const rename = (v: string) => (v.includes(name) ? replaceSegments(v, name, ROLE_PLACEHOLDER, false) : v);
  const named = values.filter((v) => rename(v) !== v);
  if (named.length === 0) return undefined;
  // An assumed-role session is matched as its role's ARN, which the session's ARN holds without the path.
  const session = ASSUMED_ROLE_SESSION.exec(request.principal);
  if (session) named.push(`arn:${session[1]}:iam::${session[2]}:role/${session[3]}`);
  const comparisons = wildcardProfile(tables, documents, request.action, named);
  return comparisons === undefined ? undefined : { rename, comparisons };
}
