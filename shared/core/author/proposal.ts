/** The one customer managed policy that grants exactly the requests found missing, scoped to the author's scope. */
import type { PolicyDocument, PolicyStatement } from '../types';
import { authorArns, type AuthorRequest, type AuthorScope } from './capabilities';

/** The name of the customer managed policy `author --apply` and the stack create. */
export const AUTHOR_POLICY_NAME = 'GroundTruthLambdaAuthor';

/** The ARN of the author policy in the principal's partition and account. */
export function authorPolicyArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:policy/${AUTHOR_POLICY_NAME}`;
}

/** One statement per resource (and PassRole target service), actions sorted, Sids that say what each grants. */
export function proposeAuthorPolicy(missing: readonly AuthorRequest[], scope: AuthorScope): PolicyDocument {
  const groups = new Map<string, { resource: string; service?: string; actions: Set<string> }>();
  for (const r of missing) {
    const service = r.context?.['iam:PassedToService'];
    const key = `${r.resource}|${service ?? ''}`;
    const group = groups.get(key) ?? {
      resource: r.resource,
      ...(service ? { service } : {}),
      actions: new Set(),
    };
    group.actions.add(r.action);
    groups.set(key, group);
  }
  const statements: PolicyStatement[] = [...groups.values()].map((g) => {
    const actions = [...g.actions].sort();
    return {
      Sid: sidFor(g.resource, g.service, scope),
      Effect: 'Allow',
      Action: actions.length === 1 ? actions[0] : actions,
      Resource: g.resource,
      ...(g.service
        ? { Condition: { StringEquals: { 'iam:PassedToService': g.service } } }
        : g.resource === '*'
          ? // List and search calls take no resource ARN: the region is the scope.
            { Condition: { StringEquals: { 'aws:RequestedRegion': scope.region } } }
          : {}),
    };
  });
  statements.sort((a, b) => String(a.Sid).localeCompare(String(b.Sid)));
  return { Version: '2012-10-17', Statement: statements };
}

function sidFor(resource: string, service: string | undefined, scope: AuthorScope): string {
  if (service === 'lambda.amazonaws.com') return 'PassFunctionRoleToLambda';
  if (service === 'sagemaker.amazonaws.com') return 'PassExecutionRoleToSageMaker';
  if (service) return 'PassRole';
  if (resource === '*') return 'ListAndSearchInRegion';
  if (resource === authorArns.functions(scope)) return 'LabelingFunctions';
  if (resource === authorArns.recipe(scope)) return 'GroundTruthRecipe';
  if (resource === authorArns.labelingJobs(scope)) return 'CreateLabelingJobs';
  return 'Author';
}
