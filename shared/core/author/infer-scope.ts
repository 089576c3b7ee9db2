/**
 * The scope `author` infers when no flag gives it: the execution roles, functions and function roles of
 * the labeling jobs this person created. Who created a job is CloudTrail's word (SageMaker keeps no
 * creator); a job without that word is never counted as the person's.
 */
import { parseLambdaArn, parseRoleArn } from '../arn';
import { isBuiltinFunction } from '../builtin-functions';
import type { AuthorPrincipal } from './principal';

/** A labeling job as SageMaker describes it, with who created it (CloudTrail) and its functions' roles (Lambda). */
export interface AuthorJob {
  name: string;
  /** The IAM user, or the role behind the session, that called CreateLabelingJob. */
  creator: string;
  executionRoleArn?: string;
  functionArns: string[];
  /** Each function's own role, by function ARN; absent when the function could not be read. */
  functionRoles: Record<string, string | undefined>;
}

/** What the jobs give: only exact ARNs and names, each in the principal's partition, account and region. */
export interface InferredScope {
  executionRoleArns: string[];
  functionNames: string[];
  functionRoleArns: string[];
  /** The person's jobs it was inferred from. */
  jobs: string[];
  notes: string[];
}

// A wildcard in a role's path would be one in the grant.
const exactRole = (arn: string, principal: AuthorPrincipal): boolean => {
  const role = parseRoleArn(arn);
  return (
    role !== undefined &&
    !/[*?]/.test(arn) &&
    role.partition === principal.partition &&
    role.accountId === principal.accountId
  );
};

/** The user or role ARN behind a CloudTrail record's `userIdentity` (a role session counts as its role). */
export function creatorOf(userIdentity: unknown): string | undefined {
  if (!userIdentity || typeof userIdentity !== 'object') return undefined;
  const u = userIdentity as {
    type?: string;
    arn?: string;
    sessionContext?: { sessionIssuer?: { type?: string; arn?: string } };
  };
  if (u.type === 'IAMUser') return u.arn;
  if (u.type === 'AssumedRole' && u.sessionContext?.sessionIssuer?.type === 'Role')
    return u.sessionContext.sessionIssuer.arn;
  return undefined;
}

/** The scope of the jobs `principal` created in `region`; jobs of anyone else are ignored. */
export function inferAuthorScope(
  jobs: readonly AuthorJob[],
  principal: AuthorPrincipal,
  region: string,
): InferredScope {
  const own = jobs.filter((j) => j.creator === principal.arn);
  const executionRoles = new Set<string>();
  const functionNames = new Set<string>();
  const functionRoles = new Set<string>();
  for (const job of own) {
    if (job.executionRoleArn && exactRole(job.executionRoleArn, principal))
      executionRoles.add(job.executionRoleArn);
    for (const arn of job.functionArns) {
      const fn = parseLambdaArn(arn);
      if (
        !fn ||
        isBuiltinFunction(arn, region) ||
        fn.partition !== principal.partition ||
        fn.accountId !== principal.accountId ||
        fn.region !== region
      )
        continue;
      functionNames.add(fn.functionName);
      const role = job.functionRoles[arn];
      if (role && exactRole(role, principal)) functionRoles.add(role);
    }
  }
  const names = own.map((j) => j.name).sort();
  return {
    executionRoleArns: [...executionRoles].sort(),
    functionNames: [...functionNames].sort(),
    functionRoleArns: [...functionRoles].sort(),
    jobs: names,
    notes: [
      names.length === 0
        ? `no labeling job created by ${principal.arn} in ${region} (CloudTrail CreateLabelingJob events): nothing inferred`
        : `inferred from ${names.length} labeling job(s) created by ${principal.arn} (CloudTrail): ${names.join(', ')}`,
    ],
  };
}
