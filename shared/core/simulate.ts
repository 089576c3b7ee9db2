/**
 * A role's questions in the terms of IAM: builds the request AWS would see (principal, context, the
 * role's policies) and asks the evaluator it is given (evaluator/evaluator.ts is the one door to
 * iam-simulate). Every function that asks takes the `Evaluator` as its first parameter.
 */
import { partitionOf } from './arn';
import type { Decision, Evaluator, NamedPolicy, SimulationInput } from './evaluator/evaluator';
import type { PolicyDocument, RoleInfo } from './types';

export type { Decision, Evaluator, Verdict } from './evaluator/evaluator';

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
export function evaluateAccess(evaluator: Evaluator, q: AccessQuestion): Promise<Decision> {
  const partition = partitionOf(q.role.arn);
  const contextVariables = requestContext(q);
  const known = [
    ...Object.keys(contextVariables),
    ...ABSENT_FOR_ROLE_SESSIONS,
    // The role's own tags are all there is: a missing PrincipalTag is known to be absent.
    '/^aws:PrincipalTag\\/.*$/',
    ...(q.resourceTags ? ['/^aws:ResourceTag\\/.*$/'] : []),
  ];
  return ask(
    evaluator,
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
export function evaluateServiceAssume(
  evaluator: Evaluator,
  role: RoleInfo,
  service: string,
  context: Record<string, string>,
  jobName?: string,
): Promise<Decision> {
  const accountId = role.arn.split(':')[4] ?? '';
  const contextVariables = {
    'aws:PrincipalServiceName': service,
    'aws:PrincipalIsAWSService': 'true',
    'aws:SecureTransport': 'true',
    ...context,
  };
  return ask(
    evaluator,
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

function identityPoliciesOf(role: RoleInfo): NamedPolicy[] {
  return [
    ...role.inlinePolicies.map((p) => ({ name: `inline:${p.name}`, policy: p.document })),
    ...role.managedPolicies.flatMap((p) => (p.document ? [{ name: p.arn, policy: p.document }] : [])),
  ];
}

/**
 * Asks in Discovery mode with every key we supply (or know to be absent) declared known: an Allowed
 * answer that still depends on other keys is "depends on unknown context", never a guess either way.
 */
function ask(
  evaluator: Evaluator,
  request: SimulationInput['request'],
  identityPolicies: NamedPolicy[],
  boundaryPolicy: RoleInfo['boundary'],
  resourcePolicy: PolicyDocument | undefined,
  knownKeys: string[],
  jobName: string | undefined,
  /** The role whose session calls, or that is assumed (its name may be abstracted in the memo). */
  roleName: string,
): Promise<Decision> {
  const boundary = boundaryPolicy?.document;
  return evaluator.decide({
    simulation: {
      request,
      identityPolicies,
      ...(resourcePolicy ? { resourcePolicy } : {}),
      ...(boundary
        ? { permissionBoundaryPolicies: [{ name: boundaryPolicy?.arn ?? 'boundary', policy: boundary }] }
        : {}),
    },
    knownKeys,
    hints: { ...(jobName !== undefined ? { jobName } : {}), roleName },
  });
}
