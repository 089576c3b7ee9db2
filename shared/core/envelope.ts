/**
 * The Ground Truth envelope: what any labeling job's execution role may do without handing its
 * holder anything new. Making the execution role assumable by the post-annotation function's role is
 * safe only when every permission of that role is inside the envelope or already the function
 * role's own. Actions are expanded with @cloud-copilot/iam-expand (wildcards and NotAction), never a
 * hand-written list; whatever cannot be judged counts as outside.
 */
import { expandIamActions, invertIamActions, type InvalidActionBehavior } from '@cloud-copilot/iam-expand';
import { arns, parseS3Uri, partitionOf } from './arn';
import { knownManagedPolicy } from './managed-policies';
import { asList, statementsOf } from './policy-document';
import { canonicalJson } from './report-changes';
import type { LabelingJobRequest, PolicyDocument, PolicyStatement, RoleInfo } from './types';

/** At most this many actions are named when the role is outside. */
export const OUTSIDE_LIMIT = 5;

/** Object reads and writes a job makes in its own input and output buckets. */
export const JOB_OBJECT_ACTIONS = [
  's3:AbortMultipartUpload',
  's3:GetObject',
  's3:GetObjectVersion',
  's3:ListMultipartUploadParts',
  's3:PutObject',
];

/** What a job does with its output KMS key. */
export const JOB_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'];

/** Inside: every permission is covered. Outside: up to five actions (or unreadable policies) that are not. */
export type EnvelopeResult = { inside: true } | { inside: false; outside: string[] };

/** What the proof looks at. */
export interface EnvelopeInput {
  request: LabelingJobRequest;
  executionRole: RoleInfo;
  /** The post-annotation function's role: what it may already do needs no envelope. */
  functionRole: RoleInfo;
}

/** One Allow statement, its actions expanded (lower case) and its resources and condition as written. */
interface Grant {
  actions: ReadonlySet<string>;
  resources: string[];
  condition: string | undefined;
}

/**
 * Proves that everything the execution role may do is inside the envelope or already the function
 * role's. Never throws: when the action data cannot be read, the proof is simply not made.
 */
export async function proveInsideEnvelope(input: EnvelopeInput): Promise<EnvelopeResult> {
  try {
    return await prove(input);
  } catch {
    // e.g. an action data file missing from a bundle: unsure, so not proven.
    return { inside: false, outside: ['(the action data could not be read)'] };
  }
}

async function prove({ request, executionRole, functionRole }: EnvelopeInput): Promise<EnvelopeResult> {
  const outside: string[] = [];
  const note = (what: string): void => {
    if (!outside.includes(what)) outside.push(what);
  };
  const envelope = await grantsOf(envelopeStatements(request));
  const own = await functionRoleGrants(functionRole);
  const covers = (grants: readonly Grant[], action: string, resource: string, condition?: string): boolean =>
    grants.some(
      (g) =>
        g.actions.has(action.toLowerCase()) &&
        (g.condition === undefined || g.condition === condition) &&
        g.resources.some((pattern) => resourceWithin(resource, pattern)),
    );

  for (const policy of executionRole.managedPolicies) {
    if (!policy.document) note(`unreadable policy ${policy.name}`);
  }
  for (const statement of allowStatements(executionRole)) {
    if (outside.length >= OUTSIDE_LIMIT) break;
    const actions = await actionsOf(statement);
    const condition = statement.Condition === undefined ? undefined : canonicalJson(statement.Condition);
    // NotResource allows every resource but a few: never inside a bounded envelope.
    const resources = statement.NotResource !== undefined ? undefined : asList(statement.Resource);
    for (const action of actions) {
      if (outside.length >= OUTSIDE_LIMIT) break;
      if (!resources || resources.length === 0) {
        note(action);
        continue;
      }
      for (const resource of resources) {
        if (!covers(envelope, action, resource, condition) && !covers(own, action, resource, condition)) {
          note(action);
          break;
        }
      }
    }
  }
  return outside.length === 0
    ? { inside: true }
    : { inside: false, outside: outside.slice(0, OUTSIDE_LIMIT) };
}

/** The envelope of this job: AmazonSageMakerGroundTruthExecution, objects of its own buckets, its own key. */
export function envelopeStatements(request: LabelingJobRequest): PolicyStatement[] {
  const partition = partitionOf(request.executionRoleArn);
  const managed = knownManagedPolicy(arns.awsManagedPolicy(partition, 'AmazonSageMakerGroundTruthExecution'));
  const buckets = [request.outputS3Uri, request.inputManifestS3Uri]
    .flatMap((uri) => (uri ? [parseS3Uri(uri)?.bucket] : []))
    .filter((b): b is string => b !== undefined);
  const statements: PolicyStatement[] = [...(managed?.document ? statementsOf(managed.document) : [])];
  if (buckets.length > 0)
    statements.push({
      Effect: 'Allow',
      Action: JOB_OBJECT_ACTIONS,
      Resource: [...new Set(buckets)].map((b) => arns.s3Object(partition, b, '*')),
    });
  const key = request.outputKmsKeyId && keyArn(request.outputKmsKeyId, request, partition);
  if (key) statements.push({ Effect: 'Allow', Action: JOB_KEY_ACTIONS, Resource: key });
  return statements;
}

/** The output key as an ARN (key IDs and alias names are the job's account and region). */
function keyArn(id: string, request: LabelingJobRequest, partition: string): string {
  if (id.startsWith('arn:')) return id;
  const name = id.startsWith('alias/') ? id : `key/${id}`;
  return `arn:${partition}:kms:${request.region}:${request.accountId}:${name}`;
}

function allowStatements(role: RoleInfo): PolicyStatement[] {
  return documentsOf(role)
    .flatMap(statementsOf)
    .filter((s) => s.Effect === 'Allow');
}

function documentsOf(role: RoleInfo): PolicyDocument[] {
  return [
    ...role.inlinePolicies.map((p) => p.document),
    ...role.managedPolicies.flatMap((p) => (p.document ? [p.document] : [])),
  ];
}

/**
 * The statement's actions, expanded. An action the evaluator's data does not know is kept as written
 * (so it is judged, and found outside), and so is a wildcard that expands to nothing known.
 */
async function actionsOf(statement: PolicyStatement): Promise<string[]> {
  if (statement.NotAction !== undefined) {
    // Everything but a few: what the data knows, plus whatever AWS adds later.
    return [...(await invertIamActions(asList(statement.NotAction))), '*'];
  }
  const out: string[] = [];
  for (const pattern of asList(statement.Action)) {
    const expanded = await expandIamActions(pattern, {
      expandAsterisk: true,
      // Exported as a type only: the enum's value is its name.
      invalidActionBehavior: 'Include' as InvalidActionBehavior,
    });
    out.push(...(expanded.length > 0 ? expanded : [pattern]));
  }
  return [...new Set(out)];
}

async function grantsOf(statements: readonly PolicyStatement[]): Promise<Grant[]> {
  const grants: Grant[] = [];
  for (const s of statements) {
    if (s.Effect !== 'Allow' || s.NotAction !== undefined || s.NotResource !== undefined) continue;
    const actions = await expandIamActions(asList(s.Action), { expandAsterisk: true });
    grants.push({
      actions: new Set(actions.map((a) => a.toLowerCase())),
      resources: asList(s.Resource),
      condition: s.Condition === undefined ? undefined : canonicalJson(s.Condition),
    });
  }
  return grants;
}

/**
 * What the function's role may already do, as far as its Allow statements show it without doubt: no
 * boundary, every policy readable, and no Deny at all (a Deny's reach is not judged here).
 */
async function functionRoleGrants(role: RoleInfo): Promise<Grant[]> {
  if (role.boundary || role.managedPolicies.some((p) => !p.document)) return [];
  const statements = documentsOf(role).flatMap(statementsOf);
  if (statements.some((s) => s.Effect !== 'Allow')) return [];
  return grantsOf(statements);
}

/**
 * Whether every ARN the pattern `inner` may match is matched by `outer`: `outer` must match the text
 * of `inner` with each `*` of `inner` taken by a `*` of `outer`. Policy variables count as unknown.
 */
export function resourceWithin(inner: string, outer: string): boolean {
  if (outer === '*') return true;
  if (inner.includes('${')) return false;
  const source = outer
    .split('')
    .map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[^*]' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(inner);
}
