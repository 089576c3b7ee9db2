/**
 * A user's or a role session's request, with the context AWS supplies for a person's call; the
 * answer is classified by simulate.ts's classifyResult, like every other request.
 */
import {
  runSimulation,
  type DiscoveryContextKeyConstraint,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
import { classifyResult, type Decision, type SimulationResults } from '../simulate';
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
export function principalSimulation(q: PrincipalQuestion): Simulation {
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
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(q.resourcePolicy ? { resourcePolicy: q.resourcePolicy } : {}),
    ...(boundary && p.boundary
      ? { permissionBoundaryPolicies: [{ name: p.boundary.arn, policy: boundary }] }
      : {}),
  };
}

/** Evaluates one request of the principal; every key we supply, or know to be absent, is declared known. */
export async function evaluatePrincipal(q: PrincipalQuestion): Promise<Decision> {
  const simulation = principalSimulation(q);
  const known = [
    ...Object.keys(simulation.request.contextVariables),
    // Its own tags are all the principal has; iam:PassedToService is sent only with iam:PassRole.
    '/^aws:PrincipalTag\\/.*$/',
    'iam:PassedToService',
  ];
  const discoveryContextKeyConstraints: DiscoveryContextKeyConstraint[] = [...new Set(known)].map(
    (keyName) => ({
      keyName,
      presenceIsKnown: true,
      valueIsKnown: true,
    }),
  );
  const run = (s: Simulation) =>
    runSimulation(s, { simulationMode: 'Discovery', discoveryContextKeyConstraints });
  const result = await run(simulation);
  const decision = classifyResult(result, simulation.permissionBoundaryPolicies !== undefined);
  if (decision.verdict !== 'implicit-deny' || !simulation.permissionBoundaryPolicies || hasAnalysis(result))
    return decision;
  // A wildcard request the evaluator denied outright carries no analysis: ask again without the boundary.
  const unbounded: Simulation = { ...simulation };
  delete unbounded.permissionBoundaryPolicies;
  const without = classifyResult(await run(unbounded), false);
  return without.verdict === 'allowed' || without.verdict === 'depends-on-unknown-context'
    ? { ...decision, verdict: 'boundary', identityAllows: true }
    : decision;
}

function hasAnalysis(result: SimulationResults): boolean {
  return result.resultType === 'single' || (result.resultType === 'wildcard' && result.results.length > 0);
}
