/** The customer managed policy, one per person, that grants exactly the requests found missing in the person's scope. */
import { createHash } from 'node:crypto';
import type { PolicyDocument, PolicyStatement } from '../types';
import { authorArns, type AuthorRequest, type AuthorScope } from './capabilities';

/** The start of every author policy's name; the person's name follows (`GroundTruthLambdaAuthor-ann`). */
export const AUTHOR_POLICY_PREFIX = 'GroundTruthLambdaAuthor';

/** The tag on an author policy naming the one principal it is for (set when `author --apply` creates it). */
export const AUTHOR_POLICY_TAG = 'gt-remediate:author';

// IAM policy names: 1 to 128 characters of [\w+=,.@-].
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;

/**
 * The person's own policy: `GroundTruthLambdaAuthor-<name>`, or `GroundTruthLambdaAuthor-<16 hex of
 * SHA-256(ARN)>` when that is not a valid IAM policy name (too long, or characters IAM rejects).
 */
export function authorPolicyName(principal: { name: string; arn: string }): string {
  const named = `${AUTHOR_POLICY_PREFIX}-${principal.name}`;
  if (POLICY_NAME.test(named)) return named;
  return `${AUTHOR_POLICY_PREFIX}-${createHash('sha256').update(principal.arn).digest('hex').slice(0, 16)}`;
}

/** The ARN of the person's author policy in the principal's partition and account. */
export function authorPolicyArn(principal: {
  name: string;
  arn: string;
  partition: string;
  accountId: string;
}): string {
  return `arn:${principal.partition}:iam::${principal.accountId}:policy/${authorPolicyName(principal)}`;
}

/**
 * One statement per kind of resource and set of actions (resources listed), actions sorted, Sids that
 * say what each grants. An action is granted only on the resources where it was missing.
 */
export function proposeAuthorPolicy(missing: readonly AuthorRequest[], scope: AuthorScope): PolicyDocument {
  const byResource = new Map<string, { resource: string; service?: string; actions: Set<string> }>();
  for (const r of missing) {
    const service = r.context?.['iam:PassedToService'];
    const key = `${r.resource}|${service ?? ''}`;
    const group = byResource.get(key) ?? {
      resource: r.resource,
      ...(service ? { service } : {}),
      actions: new Set(),
    };
    group.actions.add(r.action);
    byResource.set(key, group);
  }
  // Resources of one kind that miss the same actions share a statement.
  const merged = new Map<string, { sid: string; service?: string; actions: string[]; resources: string[] }>();
  for (const g of byResource.values()) {
    const actions = [...g.actions].sort();
    const sid = sidFor(g.resource, g.service, scope);
    const key = `${sid}|${g.service ?? ''}|${actions.join(',')}`;
    const statement = merged.get(key) ?? {
      sid,
      ...(g.service ? { service: g.service } : {}),
      actions,
      resources: [],
    };
    statement.resources.push(g.resource);
    merged.set(key, statement);
  }
  const statements: PolicyStatement[] = [...merged.values()].map((m) => {
    const resources = [...m.resources].sort();
    return {
      Sid: m.sid,
      Effect: 'Allow',
      Action: m.actions.length === 1 ? m.actions[0] : m.actions,
      Resource: resources.length === 1 ? resources[0] : resources,
      ...(m.service
        ? { Condition: { StringEquals: { 'iam:PassedToService': m.service } } }
        : resources[0] === '*'
          ? // List and search calls take no resource ARN: the region is the scope.
            { Condition: { StringEquals: { 'aws:RequestedRegion': scope.region } } }
          : {}),
    };
  });
  statements.sort(
    (a, b) =>
      String(a.Sid).localeCompare(String(b.Sid)) ||
      JSON.stringify(a.Resource).localeCompare(JSON.stringify(b.Resource)),
  );
  const seen = new Map<string, number>();
  for (const s of statements) {
    const n = (seen.get(String(s.Sid)) ?? 0) + 1;
    seen.set(String(s.Sid), n);
    if (n > 1) s.Sid = `${String(s.Sid)}${n}`;
  }
  return { Version: '2012-10-17', Statement: statements };
}

function sidFor(resource: string, service: string | undefined, scope: AuthorScope): string {
  if (service === 'lambda.amazonaws.com') return 'PassFunctionRoleToLambda';
  if (service === 'sagemaker.amazonaws.com') return 'PassExecutionRoleToSageMaker';
  if (service) return 'PassRole';
  if (resource === '*') return 'ListAndSearchInRegion';
  if (authorArns.functions(scope).includes(resource)) return 'LabelingFunctions';
  if (resource === authorArns.recipe(scope)) return 'GroundTruthRecipe';
  if (resource === authorArns.labelingJobs(scope)) return 'CreateLabelingJobs';
  return 'Author';
}
