/** The one door to @cloud-copilot/iam-simulate: builds the request AWS would see and classifies the answer. */
import {
  getDenialReasons,
  runSimulation,
  type DiscoveryContextKeyConstraint,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
import { partitionOf } from './arn';
import { QuestionMemo, questionKey } from './question-memo';
import { SimulationMemo } from './simulation-memo';
import type { PolicyDocument, RoleInfo } from './types';

/** Simulation results as runSimulation returns them. */
export type SimulationResults = Awaited<ReturnType<typeof runSimulation>>;

/** Why a request is or is not allowed, in the words of our findings. */
export type Verdict =
  'allowed' | 'implicit-deny' | 'explicit-deny' | 'boundary' | 'depends-on-unknown-context' | 'unevaluable';

/** The evaluator's answer for one request. */
export interface Decision {
  verdict: Verdict;
  /** The identity policies alone allow the action on the resource. */
  identityAllows: boolean;
  /** The resource policy (trust policy) lets this principal in, alone or together with an identity grant. */
  resourceAllows: boolean;
  /** For `unevaluable`: what the evaluator rejected; for `depends-on-unknown-context`: the keys. */
  detail?: string;
  /** For `depends-on-unknown-context`: the condition keys whose values we do not know. */
  unknownKeys?: string[];
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
  /** Tags of the resource, when known (`aws:ResourceTag/*` is then known context). */
  resourceTags?: Record<string, string>;
  /** Further context values the caller knows (e.g. `aws:PrincipalOrgID`, `s3:ResourceAccount`). */
  knownContext?: Record<string, string>;
  now: Date;
  /**
   * The job the request is about, when its name is part of the resource (the job's output): jobs
   * whose names no policy tells apart share their answers.
   */
  jobName?: string;
}

/**
 * Keys that a role session of a Lambda function (or SageMaker's session of the execution role) never
 * carries: their absence is known, so conditions on them are decided, not "unknown".
 */
const ABSENT_FOR_ROLE_SESSIONS = [
  'aws:MultiFactorAuthPresent',
  'aws:MultiFactorAuthAge',
  'aws:SourceIdentity',
  'aws:FederatedProvider',
  'sts:ExternalId',
  'sts:SourceIdentity',
  'sts:RoleSessionName',
  'sts:TransitiveTagKeys',
  'iam:PassedToService',
];

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
  for (const [key, value] of Object.entries(q.resourceTags ?? {})) context[`aws:ResourceTag/${key}`] = value;
  return { ...context, ...(q.knownContext ?? {}) };
}

/** Evaluates one request with the role's identity policies, its boundary and the resource policy. */
export function evaluateAccess(q: AccessQuestion): Promise<Decision> {
  const key = questionKey(
    q.role,
    q.now,
    [q.resourcePolicy],
    [
      q.accountId,
      q.region,
      q.sessionName,
      q.action,
      q.resourceArn,
      q.resourceAccount,
      q.resourceTags,
      q.knownContext,
    ],
    q.jobName !== undefined ? { name: q.jobName, action: q.action } : undefined,
  );
  return questions.get(key, () => askAccess(q));
}

function askAccess(q: AccessQuestion): Promise<Decision> {
  const partition = partitionOf(q.role.arn);
  const contextVariables = requestContext(q);
  const known = [
    ...Object.keys(contextVariables),
    ...ABSENT_FOR_ROLE_SESSIONS,
    // The role's own tags are all there is: a missing PrincipalTag is known to be absent.
    '/^aws:PrincipalTag\\/.*$/',
    ...(q.resourceTags ? ['/^aws:ResourceTag\\/.*$/'] : []),
  ];
  return simulate(
    {
      principal: `arn:${partition}:sts::${q.accountId}:assumed-role/${q.role.name}/${q.sessionName}`,
      action: q.action,
      resource: { resource: q.resourceArn, accountId: q.resourceAccount },
      contextVariables,
    },
    identityPoliciesOf(q.role),
    q.role.boundary,
    q.resourcePolicy,
    known,
    q.jobName,
    q.role.name,
  );
}

/** A service principal (e.g. `sagemaker.amazonaws.com`) calling sts:AssumeRole on `role`, with the context the service sends. */
export async function evaluateServiceAssume(
  role: RoleInfo,
  service: string,
  context: Record<string, string>,
  jobName?: string,
): Promise<Decision> {
  // The answer depends on the role's ARN and trust policy only.
  const key = questionKey(
    undefined,
    undefined,
    [role.trustPolicy],
    ['service', role.arn, service, context],
    jobName !== undefined ? { name: jobName, action: 'sts:AssumeRole' } : undefined,
  );
  return questions.get(key, () => askServiceAssume(role, service, context, jobName));
}

function askServiceAssume(
  role: RoleInfo,
  service: string,
  context: Record<string, string>,
  jobName: string | undefined,
): Promise<Decision> {
  const accountId = role.arn.split(':')[4] ?? '';
  const contextVariables = {
    'aws:PrincipalServiceName': service,
    'aws:PrincipalIsAWSService': 'true',
    'aws:SecureTransport': 'true',
    ...context,
  };
  return simulate(
    {
      principal: service,
      action: 'sts:AssumeRole',
      resource: { resource: role.arn, accountId },
      contextVariables,
    },
    [],
    undefined,
    role.trustPolicy,
    // A service principal belongs to no organisation and no account: those keys are known to be absent.
    [
      ...Object.keys(contextVariables),
      ...ABSENT_FOR_ROLE_SESSIONS,
      'aws:PrincipalOrgID',
      'aws:PrincipalOrgPaths',
      'aws:PrincipalAccount',
      'aws:PrincipalArn',
      '/^aws:PrincipalTag\\/.*$/',
    ],
    jobName,
    role.name,
  );
}

function identityPoliciesOf(role: RoleInfo): { name: string; policy: PolicyDocument }[] {
  return [
    ...role.inlinePolicies.map((p) => ({ name: `inline:${p.name}`, policy: p.document })),
    ...role.managedPolicies.flatMap((p) => (p.document ? [{ name: p.arn, policy: p.document }] : [])),
  ];
}

/**
 * Runs the evaluator in Discovery mode with every key we supply (or know to be absent) declared
 * known: an Allowed answer that still depends on other keys is "depends on unknown context", never
 * a guess either way.
 */
async function simulate(
  request: Simulation['request'],
  identityPolicies: { name: string; policy: PolicyDocument }[],
  boundaryPolicy: RoleInfo['boundary'],
  resourcePolicy: PolicyDocument | undefined,
  knownKeys: string[],
  jobName: string | undefined,
  /** The role whose session calls, or that is assumed (its name may be abstracted in the memo). */
  roleName: string,
): Promise<Decision> {
  const boundary = boundaryPolicy?.document;
  const simulation: Simulation = {
    request,
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
    ...(boundary
      ? { permissionBoundaryPolicies: [{ name: boundaryPolicy?.arn ?? 'boundary', policy: boundary }] }
      : {}),
  };
  const discoveryContextKeyConstraints: DiscoveryContextKeyConstraint[] = [...new Set(knownKeys)].map(
    (keyName) => ({ keyName, presenceIsKnown: true, valueIsKnown: true }),
  );
  const results = memo.get(
    {
      documents: [...identityPolicies.map((p) => p.policy), boundary, resourcePolicy],
      names: [...identityPolicies.map((p) => p.name), boundaryPolicy?.arn ?? ''],
      principal: request.principal,
      action: request.action,
      resource: request.resource.resource,
      resourceAccount: request.resource.accountId,
      context: request.contextVariables ?? {},
      knownKeys: discoveryContextKeyConstraints.map((c) => c.keyName),
      ...(jobName !== undefined ? { jobName } : {}),
      roleName,
    },
    () => runSimulation(simulation, { simulationMode: 'Discovery', discoveryContextKeyConstraints }),
  );
  return classifyResult(await results, boundary !== undefined);
}

/**
 * Classifies the evaluator's answer in the words of our findings (every door to the evaluator uses this one).
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

/** Every condition `key` named anywhere in the evaluator's condition expression. */
function conditionKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(conditionKeys);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const own = typeof record.key === 'string' ? [record.key] : [];
  return [...own, ...Object.values(record).flatMap(conditionKeys)];
}

/** Answers by role and question (question-memo.ts), then by the evaluator's inputs (simulation-memo.ts): for the process's life, bounded. */
const questions = new QuestionMemo<Promise<Decision>>();
const memo = new SimulationMemo<Promise<SimulationResults>>();

/** How often the evaluator's memo answered, and how often the evaluator ran (for tests and the benchmark). */
export function simulationCounts(): Readonly<{ hits: number; misses: number }> {
  return { ...memo.counts };
}
