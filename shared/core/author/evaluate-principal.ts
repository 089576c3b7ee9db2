/**
 * A user's or a role session's request, with the context AWS supplies for a person's call; asked of
 * the evaluator it is given, like every other request.
 */
import type { Decision, Evaluator, SimulationInput } from '../evaluator/evaluator';
import type { PolicyDocument } from '../types';
import type { AuthorRequest } from './capabilities';
import type { AuthorPrincipal } from './principal';

/** The session name a role principal's request is evaluated under (it never matters to the verdict). */
export const AUTHOR_SESSION = 'gt-remediate-author';

/** A request of the principal, with extra identity policies (a proposal) and known context values. */
export interface PrincipalQuestion {
  principal: AuthorPrincipal;
  request: AuthorRequest;
  region: string;
  now: Date;
  /** Identity policies evaluated as if attached too (the proposal, during its proof). */
  extraPolicies?: { name: string; policy: PolicyDocument }[];
  /** The resource's own policy, when it has one that matters (the public recipe application). */
  resourcePolicy?: PolicyDocument;
  knownContext?: Record<string, string>;
}

/** The context AWS supplies for a person's request as this user or role session. */
export function principalContext(q: PrincipalQuestion): Record<string, string> {
  const p = q.principal;
  const context: Record<string, string> = {
    'aws:PrincipalArn': p.arn,
    'aws:PrincipalAccount': p.accountId,
    'aws:PrincipalType': p.kind === 'user' ? 'User' : 'AssumedRole',
    'aws:PrincipalIsAWSService': 'false',
    'aws:ViaAWSService': 'false',
    'aws:SecureTransport': 'true',
    'aws:RequestedRegion': q.region,
    'aws:ResourceAccount': q.request.resourceAccount,
    'aws:CurrentTime': q.now.toISOString(),
    'aws:EpochTime': String(Math.floor(q.now.getTime() / 1000)),
    ...(p.kind === 'user' ? { 'aws:username': p.name } : {}),
  };
  for (const [key, value] of Object.entries(p.tags)) context[`aws:PrincipalTag/${key}`] = value;
  return { ...context, ...(q.request.context ?? {}), ...(q.knownContext ?? {}) };
}

/** The ARN the evaluator sees as the caller: the user, or a session of the role. */
export function callerArn(p: AuthorPrincipal): string {
  return p.kind === 'user'
    ? p.arn
    : `arn:${p.partition}:sts::${p.accountId}:assumed-role/${p.name}/${AUTHOR_SESSION}`;
}

/** Builds the Simulation of one request of the principal. */
export function principalSimulation(q: PrincipalQuestion): SimulationInput {
  const p = q.principal;
  const boundary = p.boundary?.document;
  return {
    request: {
      principal: callerArn(p),
      action: q.request.action,
      resource: { resource: q.request.resource, accountId: q.request.resourceAccount },
      contextVariables: principalContext(q),
    },
    identityPolicies: [
      ...p.policies.flatMap((policy) =>
        policy.document ? [{ name: policy.source, policy: policy.document }] : [],
      ),
      ...(q.extraPolicies ?? []),
    ],
    ...(q.resourcePolicy ? { resourcePolicy: q.resourcePolicy } : {}),
    ...(boundary && p.boundary
      ? { permissionBoundaryPolicies: [{ name: p.boundary.arn, policy: boundary }] }
      : {}),
  };
}

/** Evaluates one request of the principal; every key we supply, or know to be absent, is declared known. */
export async function evaluatePrincipal(evaluator: Evaluator, q: PrincipalQuestion): Promise<Decision> {
  const simulation = principalSimulation(q);
  const knownKeys = [
    ...Object.keys(simulation.request.contextVariables),
    // Its own tags are all the principal has; iam:PassedToService is sent only with iam:PassRole.
    '/^aws:PrincipalTag\\/.*$/',
    'iam:PassedToService',
  ];
  const decision = await evaluator.decide({ simulation, knownKeys });
  if (decision.verdict !== 'implicit-deny' || !simulation.permissionBoundaryPolicies || !decision.unanalysed)
    return decision;
  // A wildcard request the evaluator denied outright carries no analysis: ask again without the boundary.
  const unbounded: SimulationInput = { ...simulation };
  delete unbounded.permissionBoundaryPolicies;
  const without = await evaluator.decide({ simulation: unbounded, knownKeys });
  return without.verdict === 'allowed' || without.verdict === 'depends-on-unknown-context'
    ? { verdict: 'boundary', identityAllows: true, resourceAllows: decision.resourceAllows }
    : decision;
}
