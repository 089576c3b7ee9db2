/** The four things a custom-workflow author must be able to do, and the requests each one makes. */
import type { FindingCode, PolicyDocument } from '../types';

/** A capability of `gt-remediate author --only`. */
export type Capability = 'create-functions' | 'recipe' | 'console' | 'create-job';

/** Every capability, in the order they are checked and reported. */
export const CAPABILITIES: readonly Capability[] = ['create-functions', 'recipe', 'console', 'create-job'];

/** The finding raised when a capability is missing. */
export const CAPABILITY_FINDING: Record<Capability, FindingCode> = {
  'create-functions': 'AUTHOR_CANNOT_CREATE_FUNCTIONS',
  recipe: 'AUTHOR_CANNOT_DEPLOY_RECIPE',
  console: 'AUTHOR_CANNOT_CHOOSE_FUNCTIONS',
  'create-job': 'AUTHOR_CANNOT_CREATE_JOB',
};

/** The AWS account that publishes the Ground Truth starter functions in the Serverless Application Repository. */
export const RECIPE_PUBLISHER_ACCOUNT = '838997950401';

const RECIPE_ACTIONS = ['ListApplicationVersions', 'GetApplication', 'CreateCloudFormationTemplate'];

/** Where the author works: the principal's partition and account, the job's region, and optional narrowing. */
export interface AuthorScope {
  partition: string;
  accountId: string;
  region: string;
  /** The labeling job's execution role; without it, PassRole to SageMaker is checked on every role. */
  executionRoleArn?: string;
  /** The functions' name prefix; without it, every function of the account and region. */
  functionPrefix?: string;
  /** The functions' own role; without it, the roles named like the prefix (or every role). */
  functionRoleArn?: string;
}

/** One request a capability needs. */
export interface AuthorRequest {
  capability: Capability;
  action: string;
  resource: string;
  /** The account that owns the resource. */
  resourceAccount: string;
  /** Condition keys the request carries (e.g. iam:PassedToService). */
  context?: Record<string, string>;
}

/** ARNs of the scope, all in its partition. */
export const authorArns = {
  functions: (s: AuthorScope): string =>
    `arn:${s.partition}:lambda:${s.region}:${s.accountId}:function:${s.functionPrefix ?? ''}*`,
  recipe: (s: AuthorScope): string =>
    `arn:${s.partition}:serverlessrepo:${s.region}:${RECIPE_PUBLISHER_ACCOUNT}:applications/aws-sagemaker-ground-truth-recipe`,
  labelingJobs: (s: AuthorScope): string =>
    `arn:${s.partition}:sagemaker:${s.region}:${s.accountId}:labeling-job/*`,
  functionRole: (s: AuthorScope): string =>
    s.functionRoleArn ?? `arn:${s.partition}:iam::${s.accountId}:role/${s.functionPrefix ?? ''}*`,
  executionRole: (s: AuthorScope): string =>
    s.executionRoleArn ?? `arn:${s.partition}:iam::${s.accountId}:role/*`,
};

/** The requests of one capability in `scope` (wildcard resources stand for every name they match). */
export function requestsFor(capability: Capability, s: AuthorScope): AuthorRequest[] {
  const own = (action: string, resource: string, context?: Record<string, string>): AuthorRequest => ({
    capability,
    action,
    resource,
    resourceAccount: s.accountId,
    ...(context ? { context } : {}),
  });
  const functions = authorArns.functions(s);
  switch (capability) {
    case 'create-functions':
      return [
        own('lambda:CreateFunction', functions),
        own('lambda:UpdateFunctionCode', functions),
        own('lambda:UpdateFunctionConfiguration', functions),
        own('lambda:GetFunction', functions),
        own('lambda:ListFunctions', '*'),
        own('iam:PassRole', authorArns.functionRole(s), { 'iam:PassedToService': 'lambda.amazonaws.com' }),
      ];
    case 'recipe':
      return [
        ...RECIPE_ACTIONS.map((a) => ({
          capability,
          action: `serverlessrepo:${a}`,
          resource: authorArns.recipe(s),
          resourceAccount: RECIPE_PUBLISHER_ACCOUNT,
        })),
        own('serverlessrepo:SearchApplications', '*'),
      ];
    case 'console':
      return [own('lambda:ListFunctions', '*'), own('lambda:InvokeFunction', functions)];
    case 'create-job':
      return [
        own('sagemaker:CreateLabelingJob', authorArns.labelingJobs(s)),
        own('iam:PassRole', authorArns.executionRole(s), {
          'iam:PassedToService': 'sagemaker.amazonaws.com',
        }),
      ];
  }
}

/** Parses `--only a,b`; returns the capabilities, or the first unknown name. */
export function parseCapabilities(
  text: string | undefined,
): { ok: true; capabilities: Capability[] } | { ok: false; unknown: string } {
  if (text === undefined) return { ok: true, capabilities: [...CAPABILITIES] };
  const names = text
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.find((n) => !CAPABILITIES.includes(n as Capability));
  if (unknown !== undefined || names.length === 0) return { ok: false, unknown: unknown ?? text };
  return { ok: true, capabilities: CAPABILITIES.filter((c) => names.includes(c)) };
}

/** The public application's resource policy: the recipe is shared with every account, so only the identity side can deny. */
export function resourcePolicyFor(request: AuthorRequest, s: AuthorScope): PolicyDocument | undefined {
  if (request.resourceAccount !== RECIPE_PUBLISHER_ACCOUNT) return undefined;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PublicApplication',
        Effect: 'Allow',
        Principal: '*',
        Action: RECIPE_ACTIONS.map((a) => `serverlessrepo:${a}`),
        Resource: authorArns.recipe(s),
      },
    ],
  };
}
