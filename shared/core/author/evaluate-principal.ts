/**
 * The second door to @cloud-copilot/iam-simulate (through simulate.ts's `runSimulation` re-export
 * would be the first choice; simulate.ts has no exported classifier yet): a user's or a role
 * session's request, with the context AWS supplies for a person's call.
 */
import {
  getDenialReasons,
  runSimulation,
  type DiscoveryContextKeyConstraint,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
import type { Decision, Verdict } from '../simulate';
import type { PolicyDocument } from '../types';
import type { AuthorRequest } from './capabilities';
import type { AuthorPrincipal } from './principal';

/** Simulation results as runSimulation returns them. */
type SimulationResults = Awaited<ReturnType<typeof runSimulation>>;

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

/**
 * Classifies the evaluator's answer in the words of our findings (the same classification as
 * simulate.ts's private one: the lead may fold the two into one exported function).
 */
export function classifyResult(result: SimulationResults, hasBoundary: boolean): Decision {
  if (result.resultType === 'error')
    return {
      verdict: 'unevaluable',
      identityAllows: false,
      resourceAllows: false,
      detail: result.errors.message,
    };
  const analysis = result.resultType === 'single' ? result.result.analysis : result.results[0]?.analysis;
  if (!analysis) {
    // A wildcard resource that no policy grants is simulated no further: denied with nothing to analyse.
    if (result.overallResult === 'ImplicitlyDenied')
      return { verdict: 'implicit-deny', identityAllows: false, resourceAllows: false };
    return { verdict: 'unevaluable', identityAllows: false, resourceAllows: false, detail: 'no result' };
  }
  const identityAllows = analysis.identityAnalysis?.result === 'Allowed';
  const resourceResult = analysis.resourceAnalysis?.result;
  const resourceAllows = resourceResult === 'Allowed' || resourceResult === 'AllowedForAccount';
  if (result.overallResult === 'Allowed') {
    if (analysis.conditions === undefined) return { verdict: 'allowed', identityAllows, resourceAllows };
    const unknownKeys = [...new Set(conditionKeys(analysis.conditions))].sort();
    return {
      verdict: 'depends-on-unknown-context',
      identityAllows,
      resourceAllows,
      unknownKeys,
      detail: unknownKeys.join(', '),
    };
  }
  const denials = getDenialReasons(analysis);
  let verdict: Verdict = 'implicit-deny';
  if (result.overallResult === 'ExplicitlyDenied') {
    const explicit = denials.filter((d) => d.denialType === 'Explicit');
    verdict =
      explicit.length > 0 && explicit.every((d) => d.policyType === 'pb') ? 'boundary' : 'explicit-deny';
  } else if (
    (hasBoundary && analysis.permissionBoundaryAnalysis?.result !== 'Allowed') ||
    denials.some((d) => d.policyType === 'pb')
  ) {
    verdict = 'boundary';
  }
  return { verdict, identityAllows, resourceAllows };
}

function conditionKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(conditionKeys);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const own = typeof record.key === 'string' ? [record.key] : [];
  return [...own, ...Object.values(record).flatMap(conditionKeys)];
}
