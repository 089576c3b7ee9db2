/** The one door to @cloud-copilot/iam-simulate: builds the request AWS would see and classifies the answer. */
import { getDenialReasons, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument, RoleInfo } from './types';

/** Why a request is or is not allowed, in the words of our findings. */
export type Verdict = 'allowed' | 'implicit-deny' | 'explicit-deny' | 'boundary' | 'unevaluable';

/** The evaluator's answer for one request. */
export interface Decision {
  verdict: Verdict;
  /** The identity policies alone allow the action on the resource. */
  identityAllows: boolean;
  /** The resource policy (trust policy) lets this principal in, alone or together with an identity grant. */
  resourceAllows: boolean;
  /** For `unevaluable`: what the evaluator rejected. */
  detail?: string;
}

/** One request: a role's session calling `action` on `resourceArn`. */
export interface AccessQuestion {
  role: RoleInfo;
  /** Account of the role (and of the job). */
  accountId: string;
  region: string;
  /** The role session's name, e.g. the function name for a Lambda execution role. */
  sessionName: string;
  action: string;
  resourceArn: string;
  resourceAccount: string;
  resourcePolicy?: PolicyDocument;
  now: Date;
}

/**
 * The request context AWS itself supplies for a role session: trust policies with conditions on
 * these keys are common, and an empty context would deny them wrongly.
 */
export function requestContext(q: AccessQuestion): Record<string, string> {
  const context: Record<string, string> = {
    'aws:PrincipalArn': q.role.arn,
    'aws:PrincipalAccount': q.accountId,
    'aws:PrincipalType': 'AssumedRole',
    'aws:PrincipalIsAWSService': 'false',
    'aws:ViaAWSService': 'false',
    'aws:SecureTransport': 'true',
    'aws:RequestedRegion': q.region,
    'aws:ResourceAccount': q.resourceAccount,
    'aws:CurrentTime': q.now.toISOString(),
    'aws:EpochTime': String(Math.floor(q.now.getTime() / 1000)),
  };
  for (const [key, value] of Object.entries(q.role.tags)) context[`aws:PrincipalTag/${key}`] = value;
  return context;
}

/** Evaluates one request with the role's identity policies, its boundary and the resource policy. */
export async function evaluateAccess(q: AccessQuestion): Promise<Decision> {
  const identityPolicies = [
    ...q.role.inlinePolicies.map((p) => ({ name: `inline:${p.name}`, policy: p.document })),
    ...q.role.managedPolicies.flatMap((p) => (p.document ? [{ name: p.arn, policy: p.document }] : [])),
  ];
  const boundary = q.role.boundary?.document;
  const simulation: Simulation = {
    request: {
      principal: `arn:aws:sts::${q.accountId}:assumed-role/${q.role.name}/${q.sessionName}`,
      action: q.action,
      resource: { resource: q.resourceArn, accountId: q.resourceAccount },
      contextVariables: requestContext(q),
    },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(q.resourcePolicy ? { resourcePolicy: q.resourcePolicy } : {}),
    ...(boundary
      ? { permissionBoundaryPolicies: [{ name: q.role.boundary?.arn ?? 'boundary', policy: boundary }] }
      : {}),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') {
    return {
      verdict: 'unevaluable',
      identityAllows: false,
      resourceAllows: false,
      detail: result.errors.message,
    };
  }
  const analysis = result.resultType === 'single' ? result.result.analysis : result.results[0]?.analysis;
  if (!analysis)
    return { verdict: 'unevaluable', identityAllows: false, resourceAllows: false, detail: 'no result' };
  const identityAllows = analysis.identityAnalysis?.result === 'Allowed';
  const resourceResult = analysis.resourceAnalysis?.result;
  const resourceAllows = resourceResult === 'Allowed' || resourceResult === 'AllowedForAccount';
  if (result.overallResult === 'Allowed') return { verdict: 'allowed', identityAllows, resourceAllows };

  const denials = getDenialReasons(analysis);
  const boundaryBlocks =
    (boundary !== undefined && analysis.permissionBoundaryAnalysis?.result !== 'Allowed') ||
    denials.some((d) => d.policyType === 'pb');
  let verdict: Verdict = 'implicit-deny';
  if (result.overallResult === 'ExplicitlyDenied') {
    const explicit = denials.filter((d) => d.denialType === 'Explicit');
    verdict =
      explicit.length > 0 && explicit.every((d) => d.policyType === 'pb') ? 'boundary' : 'explicit-deny';
  } else if (boundaryBlocks) {
    verdict = 'boundary';
  }
  return { verdict, identityAllows, resourceAllows };
}
