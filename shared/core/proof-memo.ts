/**
 * The proof's memo. A scan proves the same plan for every job of one execution role and pair of
 * functions: the proof re-assesses the job on the patched roles five times or more, and every job
 * pays that although the answers are the ones the first job got. A proof that held is kept under a
 * key that stands for any job no policy can tell apart from this one, with the same reasoning as the
 * evaluator's memo (simulation-memo.ts), made once for the whole proof instead of per question.
 *
 * Why a key match means the proof holds again. The proof is a pure function of the request, the
 * inventory, the claimed findings, the changes, the options and the clock. The key holds all of them
 * except the job's name, which it requires to appear nowhere but where the core itself puts it: as a
 * whole path segment of the output grant and probe ARNs, of the job's ARN (`aws:SourceArn`), of the
 * claimed findings' resources and of the changes' documents (the s3-read grant). No input may name
 * the job elsewhere, in any case, nor use a policy variable; no built-in probe name may hold it.
 * Every request the proof sends to the evaluator for another job is then this job's with the name
 * swapped; the evaluator can tell the two apart only by how a policy value compares with a value
 * naming the job, and the key holds, for every value of every statement of every document, how it
 * compares with each of those (the wildcard profile of simulation-memo.ts). The proof's own checks
 * (statements kept, no wildcard added, findings cleared) compare strings in which the name, when
 * present, is at the same place on both sides. Only a proof that held is shared: a failure names
 * the job, and is computed again for each job.
 */
import { arns, parseLambdaArn, parseRoleArn, partitionOf } from './arn';
import {
  factsOf,
  matcher,
  names,
  stringValues,
  textId,
  type DocumentFacts,
  type Matcher,
} from './document-facts';
import { outputLocation, type Assessment } from './evaluate';
import { findingKey } from './findings';
import { PRIVILEGE_PROBE_NAME } from './role-guards';
import { JOB_NAME, profile, renamerFor, type Renamer } from './simulation-memo';
import type {
  AccountInventory,
  Change,
  CoreOptions,
  FunctionInfo,
  LabelingJobRequest,
  RoleInfo,
} from './types';

/** Names the proof and its guards put into requests of their own: a job named inside one is never abstracted. */
const BUILT_IN_NAMES = ['gt-remediator-proof-probe', PRIVILEGE_PROBE_NAME];

/** Numbers for input objects (roles, functions, options): equal numbers, the same object. */
const objectIds = new WeakMap<object, number>();
let lastObjectId = 0;
function objectId(value: object): number {
  let id = objectIds.get(value);
  if (id === undefined) {
    id = ++lastObjectId;
    objectIds.set(value, id);
  }
  return id;
}

/** An object's JSON text in lower case, once per object: whether it names a job is asked per job. */
const lowerTexts = new WeakMap<object, string>();
function lowerText(value: object): string {
  let text = lowerTexts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value).toLowerCase();
    lowerTexts.set(value, text);
  }
  return text;
}

/** What the key needs of a role, once per role object: a scan's jobs share their roles. */
interface RoleKeyFacts {
  id: number;
  /** The role's ARN, name, path and tags as JSON, in lower case (its documents are checked one by one). */
  fieldsLower: string;
  documents: DocumentFacts[];
  plain: boolean;
  wildcards: Matcher[];
  namesClock: boolean;
}

const roleKeyFacts = new WeakMap<RoleInfo, RoleKeyFacts>();
function roleKeyFactsOf(role: RoleInfo): RoleKeyFacts {
  let known = roleKeyFacts.get(role);
  if (!known) {
    const { trustPolicy, inlinePolicies, managedPolicies, boundary, ...fields } = role;
    const documents = [
      trustPolicy,
      ...inlinePolicies.map((p) => p.document),
      ...managedPolicies.map((p) => p.document),
      boundary?.document,
    ].map(factsOf);
    known = {
      id: objectId(role),
      fieldsLower: JSON.stringify(fields).toLowerCase(),
      documents,
      plain: documents.every(plain),
      wildcards: documents.flatMap(allWildcards),
      namesClock: documents.some((d) => d.namesClock),
    };
    roleKeyFacts.set(role, known);
  }
  return known;
}

/** Every wildcard value of every statement of the document, whatever its action. */
function allWildcards(d: DocumentFacts): Matcher[] {
  return d.wildcards().flatMap((w) => w.matchers);
}

/** One matcher per value, in the order first seen: equal values compare alike. */
function distinct(matchers: readonly Matcher[]): Matcher[] {
  const seen = new Set<string>();
  return matchers.filter((m) => !seen.has(m.value) && seen.add(m.value));
}

/** A document can be part of an abstracted key: no policy variable, no placeholder character. */
function plain(d: DocumentFacts): boolean {
  return !d.hasVariables && !d.hasPlaceholder;
}

/**
 * The part of the inventory the proof can reach: the execution role, the job's functions, their
 * roles and the roles the changes touch. The proof runs on this alone (prove.ts), so the key below
 * holds everything it can see; a lookup outside it would find nothing and fail the proof, never
 * reuse one.
 */
export function proofInventory(
  request: LabelingJobRequest,
  inventory: AccountInventory,
  changes: readonly Change[],
): AccountInventory {
  const functions = new Map<string, FunctionInfo>();
  for (const arn of [request.preAnnotationLambdaArn, request.postAnnotationLambdaArn]) {
    const unqualified = arn ? parseLambdaArn(arn)?.unqualified : undefined;
    const fn = unqualified ? inventory.functions.get(unqualified) : undefined;
    if (unqualified && fn) functions.set(unqualified, fn);
  }
  const roleNames = [
    parseRoleArn(request.executionRoleArn)?.roleName,
    ...[...functions.values()].map((fn) => parseRoleArn(fn.roleArn)?.roleName),
    ...changes.map((c) => c.roleName),
  ];
  const roles = new Map<string, RoleInfo>();
  for (const roleName of roleNames) {
    const role = roleName ? inventory.roles.get(roleName) : undefined;
    if (roleName && role) roles.set(roleName, role);
  }
  // The resource policies decide verdicts too (function, bucket and key policies): the proof keeps them.
  return {
    roles,
    functions,
    ...(inventory.resourcePolicies ? { resourcePolicies: inventory.resourcePolicies } : {}),
  };
}

/** What a proof is made of: the job, what it can reach, the findings the plan claims to clear, the plan. */
export interface Proof {
  request: LabelingJobRequest;
  inventory: AccountInventory;
  claimed: readonly Assessment[];
  changes: readonly Change[];
  options: CoreOptions;
  now: Date;
}

/**
 * The key of a proof that may be shared with other jobs, or undefined when the job's name cannot be
 * abstracted (see the file's comment for why an equal key means an equal proof).
 */
export function proofKey({ request, inventory, claimed, changes, options, now }: Proof): string | undefined {
  const name = request.jobName;
  if (!JOB_NAME.test(name)) return undefined;
  const rename: Renamer = renamerFor(name);
  const lower = rename.lowerName;
  if (BUILT_IN_NAMES.some((builtIn) => builtIn.includes(lower))) return undefined;
  // The request's other fields, all of them (a field added to the type must be added here).
  const requestText = JSON.stringify([
    request.accountId,
    request.region,
    request.executionRoleArn,
    request.preAnnotationLambdaArn ?? null,
    request.postAnnotationLambdaArn ?? null,
    request.outputS3Uri,
  ]);
  if (Object.keys(request).length > 7 || requestText.toLowerCase().includes(lower)) return undefined;
  if (lowerText(options).includes(lower)) return undefined;

  // A resource policy document is not in the key: such a proof is made every time.
  const policies = inventory.resourcePolicies;
  if (
    policies &&
    [policies.functions, policies.buckets, policies.keys].some((m) =>
      [...m.values()].some((seen) => seen.kind === 'policy'),
    )
  )
    return undefined;

  const wildcards: Matcher[] = [];
  let clock = false;
  const inventoryIds: (string | number)[] = [];
  // Each entry by its name and object: the proof's inventory (proofInventory) is built in one order.
  for (const [roleName, role] of inventory.roles) {
    const facts = roleKeyFactsOf(role);
    if (!facts.plain || roleName.toLowerCase().includes(lower) || facts.fieldsLower.includes(lower))
      return undefined;
    if (facts.documents.some((d) => names(d, lower))) return undefined;
    wildcards.push(...facts.wildcards);
    clock ||= facts.namesClock;
    inventoryIds.push(roleName, facts.id);
  }
  for (const [arn, fn] of inventory.functions) {
    if (arn.toLowerCase().includes(lower) || lowerText(fn).includes(lower)) return undefined;
    inventoryIds.push(arn, objectId(fn));
  }

  // The changes may name the job, as whole path segments only (the s3-read grant's prefix); what
  // they were based on is an inventory document, checked like the others.
  const changeTexts: string[] = [];
  const naming: Matcher[] = [];
  for (const change of changes) {
    const d = factsOf(change.document);
    const base = factsOf(change.base);
    if (!plain(d) || !plain(base) || names(base, lower)) return undefined;
    const fields = JSON.stringify([
      change.action,
      change.roleName,
      change.action === 'PutRolePolicy' ? change.policyName : null,
      change.ownSid,
    ]);
    const renamed = rename.mayName(d.text) ? rename.json(d.text) : d.text;
    if (fields.toLowerCase().includes(lower) || renamed.toLowerCase().includes(lower)) return undefined;
    changeTexts.push(fields, String(base.id), String(textId(renamed)));
    wildcards.push(...allWildcards(d), ...allWildcards(base));
    clock ||= d.namesClock || base.namesClock;
    if (names(d, lower)) {
      naming.push(
        ...stringValues(JSON.parse(d.text))
          .filter((v) => v.toLowerCase().includes(lower))
          .map(matcher),
      );
    }
  }
  const findings = claimed.map((a) => rename.value(findingKey(a.finding)));
  if (findings.some((f) => f.toLowerCase().includes(lower))) return undefined;

  // Every value the core builds from the job's name.
  const { grantArn, probeObjectArn } = outputLocation(request);
  const jobArn = arns.labelingJob(
    partitionOf(request.executionRoleArn),
    request.region,
    request.accountId,
    name,
  );
  const named = [grantArn, probeObjectArn, jobArn];
  const comparisons = `${profile(distinct(wildcards), named)}|${profile(naming, named)}`;
  return JSON.stringify([
    objectId(options),
    requestText,
    inventoryIds,
    changeTexts,
    findings,
    comparisons,
    clock ? now.toISOString() : '',
  ]);
}

/** Keys of proofs that held, bounded: when full, it starts again empty. */
export class ProofMemo {
  private readonly held = new Set<string>();
  /** Proofs answered from the memo, and proofs made. */
  readonly counts = { hits: 0, misses: 0 };

  constructor(private readonly limit = 10_000) {}

  has(key: string | undefined): boolean {
    const hit = key !== undefined && this.held.has(key);
    if (hit) this.counts.hits++;
    else this.counts.misses++;
    return hit;
  }

  add(key: string | undefined): void {
    if (key === undefined) return;
    if (this.held.size >= this.limit) this.held.clear();
    this.held.add(key);
  }
}
