/** Step 4 of the flow: what the job needs, what the account allows, and what is missing. */
import { folderPrefix, parseLambdaArn, parseRoleArn, parseS3Uri } from './arn';
import { isBuiltinFunction } from './builtin-functions';
import { finding } from './findings';
import { evaluateAccess, type Decision } from './simulate';
import type { AccountInventory, Finding, LabelingJobRequest, RoleInfo, Strategy } from './types';

/** One IAM grant that would clear (part of) a finding. */
export type Need =
  | { kind: 'invoke'; roleName: string; functionArn: string }
  | { kind: 'assume'; roleName: string; targetRoleArn: string }
  | { kind: 'trust'; roleName: string; principalRoleArn: string }
  | { kind: 's3-read'; roleName: string; resourceArn: string };

/** A finding together with the grants that would fix it (empty when it cannot be fixed automatically). */
export interface Assessment {
  finding: Finding;
  needs: Need[];
}

/** The session name SageMaker uses for the execution role does not matter to invoke checks; this one is descriptive. */
const EXECUTION_SESSION = 'SageMaker';

/** What the job's S3 read check and s3-read grant are about. */
export function outputLocation(request: LabelingJobRequest): { grantArn: string; probeObjectArn: string } {
  const location = parseS3Uri(request.outputS3Uri);
  if (!location) throw new Error(`not an S3 URI: ${request.outputS3Uri}`); // parse-event validated it already
  const prefix = folderPrefix(location);
  return {
    grantArn: `arn:aws:s3:::${location.bucket}/${prefix}*`,
    probeObjectArn: `arn:aws:s3:::${location.bucket}/${prefix}${request.jobName}/annotations/consolidated-annotation/consolidation-request/iteration-1/request.json`,
  };
}

/** The role an ARN names, when the inventory holds that exact role. */
export function findRole(inventory: AccountInventory, arn: string): RoleInfo | undefined {
  const parsed = parseRoleArn(arn);
  const role = parsed ? inventory.roles.get(parsed.roleName) : undefined;
  return role && role.arn === arn ? role : undefined;
}

/** Evaluates every permission the job needs; returns one assessment per finding. Never throws for expected cases. */
export async function assessJob(
  request: LabelingJobRequest,
  inventory: AccountInventory,
  strategy: Strategy,
  now: Date,
): Promise<Assessment[]> {
  const out: Assessment[] = [];
  const executionRole = findRole(inventory, request.executionRoleArn);
  if (!executionRole) {
    out.push({
      finding: finding(
        'ROLE_NOT_FOUND',
        request.executionRoleArn,
        request.executionRoleArn,
        'execution-role-missing',
      ),
      needs: [],
    });
  } else {
    out.push(...unknownPolicies(executionRole));
  }

  const functionArns = [...new Set([request.preAnnotationLambdaArn, request.postAnnotationLambdaArn])].filter(
    (arn): arn is string => arn !== undefined && !isBuiltinFunction(arn, request.region),
  );
  for (const functionArn of functionArns) {
    const fn = parseLambdaArn(functionArn);
    if (!fn) continue; // parse-event validated every ARN
    if (fn.accountId !== request.accountId || fn.region !== request.region) {
      const reason = fn.accountId !== request.accountId ? 'other-account' : 'other-region';
      out.push({
        finding: finding('CROSS_ACCOUNT_FUNCTION', request.executionRoleArn, functionArn, reason),
        needs: [],
      });
      continue;
    }
    if (!inventory.functions.has(fn.unqualified)) {
      out.push({
        finding: finding('FUNCTION_NOT_FOUND', request.executionRoleArn, functionArn, 'no-such-function'),
        needs: [],
      });
      continue;
    }
    if (!executionRole) continue;
    const decision = await evaluateAccess({
      role: executionRole,
      accountId: request.accountId,
      region: request.region,
      sessionName: EXECUTION_SESSION,
      action: 'lambda:InvokeFunction',
      resourceArn: functionArn,
      resourceAccount: fn.accountId,
      now,
    });
    if (decision.verdict === 'allowed') continue;
    const fixable = decision.verdict === 'implicit-deny';
    out.push({
      finding: finding('INVOKE_DENIED', executionRole.arn, functionArn, reasonOf(decision), fixable),
      needs: fixable ? [{ kind: 'invoke', roleName: executionRole.name, functionArn }] : [],
    });
  }

  out.push(...(await assessOutputRead(request, inventory, executionRole, strategy, now)));
  return out;
}

async function assessOutputRead(
  request: LabelingJobRequest,
  inventory: AccountInventory,
  executionRole: RoleInfo | undefined,
  strategy: Strategy,
  now: Date,
): Promise<Assessment[]> {
  const postArn = request.postAnnotationLambdaArn;
  if (!postArn || isBuiltinFunction(postArn, request.region)) return [];
  const fn = parseLambdaArn(postArn);
  if (!fn || fn.accountId !== request.accountId || fn.region !== request.region) return [];
  const info = inventory.functions.get(fn.unqualified);
  if (!info) return [];
  const lambdaRole = findRole(inventory, info.roleArn);
  if (!lambdaRole) {
    return [
      { finding: finding('ROLE_NOT_FOUND', info.roleArn, postArn, 'function-role-missing'), needs: [] },
    ];
  }
  const out = lambdaRole.name === executionRole?.name ? [] : unknownPolicies(lambdaRole);
  const { grantArn, probeObjectArn } = outputLocation(request);
  const base = {
    role: lambdaRole,
    accountId: request.accountId,
    region: request.region,
    sessionName: fn.functionName,
    now,
  };
  const s3 = await evaluateAccess({
    ...base,
    action: 's3:GetObject',
    resourceArn: probeObjectArn,
    resourceAccount: request.accountId,
  });
  if (s3.verdict === 'allowed') return out;
  const assume = executionRole
    ? await evaluateAccess({
        ...base,
        action: 'sts:AssumeRole',
        resourceArn: executionRole.arn,
        resourceAccount: request.accountId,
        resourcePolicy: executionRole.trustPolicy,
      })
    : undefined;
  if (assume?.verdict === 'allowed') return out;

  if (strategy === 's3-read') {
    const fixable = s3.verdict === 'implicit-deny';
    out.push({
      finding: finding('OUTPUT_READ_DENIED', lambdaRole.arn, grantArn, reasonOf(s3), fixable),
      needs: fixable ? [{ kind: 's3-read', roleName: lambdaRole.name, resourceArn: grantArn }] : [],
    });
    return out;
  }
  if (!assume || !executionRole) {
    out.push({
      finding: finding('OUTPUT_READ_DENIED', lambdaRole.arn, grantArn, 'execution-role-missing'),
      needs: [],
    });
    return out;
  }
  const needs: Need[] = [];
  if (assume.verdict === 'implicit-deny') {
    if (!assume.identityAllows)
      needs.push({ kind: 'assume', roleName: lambdaRole.name, targetRoleArn: executionRole.arn });
    if (!assume.resourceAllows)
      needs.push({ kind: 'trust', roleName: executionRole.name, principalRoleArn: lambdaRole.arn });
  }
  out.push({
    finding: finding('OUTPUT_READ_DENIED', lambdaRole.arn, grantArn, reasonOf(assume), needs.length > 0),
    needs,
  });
  return out;
}

function reasonOf(decision: Decision): string {
  return decision.verdict === 'unevaluable'
    ? `unevaluable: ${decision.detail ?? 'policy rejected by the evaluator'}`
    : decision.verdict;
}

function unknownPolicies(role: RoleInfo): Assessment[] {
  const missing = [...role.managedPolicies, ...(role.boundary ? [role.boundary] : [])].filter(
    (p) => !p.document,
  );
  return missing.map((p) => ({
    finding: finding('POLICY_UNKNOWN', role.arn, p.arn, 'document-unavailable'),
    needs: [],
  }));
}
