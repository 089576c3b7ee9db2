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

/**
 * Where the author works: the principal's partition and account, the job's region, and the narrowing.
 * Never a wildcard over roles or over every function: a part that is not known (given or inferred from
 * the person's own jobs) leaves the requests that need it unchecked and nothing proposed.
 */
export interface AuthorScope {
  partition: string;
  accountId: string;
  region: string;
  /** The execution roles the person's labeling jobs use (exact ARNs, `--execution-role`). */
  executionRoleArns?: string[];
  /** The functions' name prefix (`--function-prefix`). */
  functionPrefix?: string;
  /** The functions by exact name, when there is no prefix (inferred from the person's jobs). */
  functionNames?: string[];
  /** The functions' own roles (exact ARNs, `--function-role`). */
  functionRoleArns?: string[];
}

/** A part of the scope a request needs, and the flag that gives it. */
export type ScopePart = 'execution-role' | 'functions' | 'function-role';

/** The flag that names each scope part. */
export const SCOPE_FLAG: Record<ScopePart, string> = {
  'execution-role': '--execution-role ARN',
  functions: '--function-prefix PREFIX',
  'function-role': '--function-role ARN',
};

/** The scope parts each capability needs. */
export const CAPABILITY_NEEDS: Record<Capability, readonly ScopePart[]> = {
  'create-functions': ['functions', 'function-role'],
  recipe: [],
  console: ['functions'],
  'create-job': ['execution-role'],
};

/** The parts `capability` needs that `scope` lacks. */
export function missingScope(capability: Capability, s: AuthorScope): ScopePart[] {
  const has: Record<ScopePart, boolean> = {
    'execution-role': (s.executionRoleArns ?? []).length > 0,
    functions: Boolean(s.functionPrefix) || (s.functionNames ?? []).length > 0,
    'function-role': (s.functionRoleArns ?? []).length > 0,
  };
  return CAPABILITY_NEEDS[capability].filter((part) => !has[part]);
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

/** ARNs of the scope, all in its partition; an unknown part has none (never a wildcard standing in for it). */
export const authorArns = {
  functions: (s: AuthorScope): string[] => {
    const arn = (name: string): string =>
      `arn:${s.partition}:lambda:${s.region}:${s.accountId}:function:${name}`;
    if (s.functionPrefix) return [arn(`${s.functionPrefix}*`)];
    return [...new Set(s.functionNames ?? [])].sort().map(arn);
  },
  recipe: (s: AuthorScope): string =>
    `arn:${s.partition}:serverlessrepo:${s.region}:${RECIPE_PUBLISHER_ACCOUNT}:applications/aws-sagemaker-ground-truth-recipe`,
  labelingJobs: (s: AuthorScope): string =>
    `arn:${s.partition}:sagemaker:${s.region}:${s.accountId}:labeling-job/*`,
  functionRoles: (s: AuthorScope): string[] => [...new Set(s.functionRoleArns ?? [])].sort(),
  executionRoles: (s: AuthorScope): string[] => [...new Set(s.executionRoleArns ?? [])].sort(),
};

/** The requests of one capability in `scope` (a prefix resource stands for every name it matches). */
export function requestsFor(capability: Capability, s: AuthorScope): AuthorRequest[] {
  const own = (action: string, resource: string, context?: Record<string, string>): AuthorRequest => ({
    capability,
    action,
    resource,
    resourceAccount: s.accountId,
    ...(context ? { context } : {}),
  });
  const functions = authorArns.functions(s);
  const onFunctions = (action: string): AuthorRequest[] => functions.map((f) => own(action, f));
  const pass = (roles: string[], service: string): AuthorRequest[] =>
    roles.map((r) => own('iam:PassRole', r, { 'iam:PassedToService': service }));
  switch (capability) {
    case 'create-functions':
      return [
        ...onFunctions('lambda:CreateFunction'),
        ...onFunctions('lambda:UpdateFunctionCode'),
        ...onFunctions('lambda:UpdateFunctionConfiguration'),
        ...onFunctions('lambda:GetFunction'),
        own('lambda:ListFunctions', '*'),
        ...pass(authorArns.functionRoles(s), 'lambda.amazonaws.com'),
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
      return [own('lambda:ListFunctions', '*'), ...onFunctions('lambda:InvokeFunction')];
    case 'create-job':
      return [
        own('sagemaker:CreateLabelingJob', authorArns.labelingJobs(s)),
        ...pass(authorArns.executionRoles(s), 'sagemaker.amazonaws.com'),
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
