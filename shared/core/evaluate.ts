/** Step 5 of the flow: what the job needs, what the account allows, and what is missing. */
import { arns, folderPrefix, parseLambdaArn, parseRoleArn, parseS3Uri, partitionOf } from './arn';
import { isBuiltinFunction } from './builtin-functions';
import { finding } from './findings';
import { statementsOf } from './policy-document';
import { assessDecrypt, unseenNote } from './output-key';
import { policyDocument, seenPolicy } from './resource-policies';
import { escalationPermissions, lambdaTrust, sageMakerTrust } from './role-guards';
import { evaluateAccess, type AccessQuestion, type Decision } from './simulate';
import type {
  AccountInventory,
  CoreOptions,
  Finding,
  LabelingJobRequest,
  PolicyDocument,
  PolicyStatement,
  ReasonCode,
  RoleInfo,
} from './types';

/** One IAM grant that would clear (part of) a finding. */
export type Need =
  | { kind: 'invoke'; roleName: string; functionArn: string }
  | { kind: 'assume'; roleName: string; targetRoleArn: string }
  | { kind: 'trust'; roleName: string; principalRoleArn: string }
  | { kind: 's3-read'; roleName: string; resourceArn: string }
  | { kind: 'kms-decrypt'; roleName: string; keyArn: string; objectArn: string; viaService: string };

/** A finding together with the grants that would fix it (empty when it cannot be fixed automatically). */
export interface Assessment {
  finding: Finding;
  needs: Need[];
}

/**
 * A guard finding (the role may not be changed this way) and which needs it blocks. Guards are not
 * problems of the job's permissions: they say why a fix is not ours to make.
 */
export interface Guard {
  finding: Finding;
  blocks: (need: Need) => boolean;
}

/** Everything the planner and the proof need to know about the job. */
export interface JobAssessment {
  assessments: Assessment[];
  guards: Guard[];
  /** Resource policies the verdict could not see (`bucket policy not seen: <bucket>, <why>`). */
  unseen?: string[];
}

/** The session name SageMaker uses for the execution role does not matter to invoke checks; this one is descriptive. */
const EXECUTION_SESSION = 'SageMaker';

/** The job's output location: where the s3-read grant points and the object the read check probes. */
export function outputLocation(request: LabelingJobRequest): {
  grantArn: string;
  probeObjectArn: string;
  wildcard: boolean;
} {
  const location = parseS3Uri(request.outputS3Uri);
  if (!location) throw new Error(`not an S3 URI: ${request.outputS3Uri}`); // parse-event validated it already
  const partition = partitionOf(request.executionRoleArn);
  // Ground Truth writes a job's output under <output>/<job name>/: the grant stops there.
  const jobPrefix = `${folderPrefix(location)}${request.jobName}/`;
  return {
    grantArn: arns.s3Object(partition, location.bucket, `${jobPrefix}*`),
    probeObjectArn: arns.s3Object(
      partition,
      location.bucket,
      `${jobPrefix}annotations/consolidated-annotation/consolidation-request/iteration-1/request.json`,
    ),
    // S3 keys may hold * and ?, which IAM would read as wildcards: such a prefix cannot be granted exactly.
    wildcard: /[*?]/.test(jobPrefix),
  };
}

/** The role an ARN names, when the inventory holds that exact role. */
export function findRole(inventory: AccountInventory, arn: string): RoleInfo | undefined {
  const parsed = parseRoleArn(arn);
  const role = parsed ? inventory.roles.get(parsed.roleName) : undefined;
  return role && role.arn === arn ? role : undefined;
}

/** The reason code of a decision that is not `allowed`. */
export function reasonOf(decision: Decision): ReasonCode {
  return decision.verdict === 'allowed' ? 'implicit-deny' : decision.verdict;
}

/** Evaluates every permission the job needs, and the guards on the roles a fix would touch. Never throws for expected cases. */
export async function assessJob(
  request: LabelingJobRequest,
  inventory: AccountInventory,
  options: Pick<CoreOptions, 'strategy' | 'knownContext'>,
  now: Date,
): Promise<JobAssessment> {
  const out: Assessment[] = [];
  const guards: Guard[] = [];
  const unseen: string[] = [];
  const executionRole = findRole(inventory, request.executionRoleArn);
  if (!executionRole) {
    out.push(
      plain(
        finding(
          'ROLE_NOT_FOUND',
          request.executionRoleArn,
          request.executionRoleArn,
          'execution-role-missing',
        ),
      ),
    );
  } else {
    out.push(...unknownPolicies(executionRole));
    const trust = await sageMakerTrust(executionRole, request);
    if (!trust.trusted) {
      guards.push({
        finding: finding(
          'ROLE_NOT_SAGEMAKER_EXECUTION',
          executionRole.arn,
          executionRole.arn,
          trust.unknownKeys ? 'depends-on-unknown-context' : 'trust-lacks-service',
          false,
          trust.unknownKeys ? trust.unknownKeys.join(', ') : 'sagemaker.amazonaws.com',
        ),
        // Not an execution role: nothing about this job is ours to change.
        blocks: () => true,
      });
    }
  }

  const functionArns = [...new Set([request.preAnnotationLambdaArn, request.postAnnotationLambdaArn])].filter(
    (arn): arn is string => arn !== undefined && !isBuiltinFunction(arn, request.region),
  );
  for (const functionArn of functionArns) {
    const fn = parseLambdaArn(functionArn);
    if (!fn) continue; // parse-event validated every ARN
    if (fn.accountId !== request.accountId || fn.region !== request.region) {
      const reason = fn.accountId !== request.accountId ? 'other-account' : 'other-region';
      out.push(plain(finding('CROSS_ACCOUNT_FUNCTION', request.executionRoleArn, functionArn, reason)));
      continue;
    }
    const info = inventory.functions.get(fn.unqualified);
    if (!info) {
      out.push(
        plain(finding('FUNCTION_NOT_FOUND', request.executionRoleArn, functionArn, 'no-such-function')),
      );
      continue;
    }
    if (!executionRole) continue;
    const functionPolicy = seenPolicy(inventory, 'functions', functionArn);
    if (functionPolicy?.kind === 'unseen')
      unseen.push(unseenNote('function policy', functionArn, functionPolicy.why));
    const resourcePolicy = policyDocument(functionPolicy);
    const decision = await evaluateAccess({
      role: executionRole,
      accountId: request.accountId,
      region: request.region,
      sessionName: EXECUTION_SESSION,
      action: 'lambda:InvokeFunction',
      resourceArn: functionArn,
      resourceAccount: fn.accountId,
      ...(resourcePolicy ? { resourcePolicy } : {}),
      ...(info.tags ? { resourceTags: info.tags } : {}),
      ...(options.knownContext ? { knownContext: options.knownContext } : {}),
      now,
    });
    if (decision.verdict === 'allowed') continue;
    const fixable = decision.verdict === 'implicit-deny';
    out.push({
      finding: finding(
        'INVOKE_DENIED',
        executionRole.arn,
        functionArn,
        reasonOf(decision),
        fixable,
        decision.detail,
      ),
      needs: fixable ? [{ kind: 'invoke', roleName: executionRole.name, functionArn }] : [],
    });
  }

  const read = await assessOutputRead(request, inventory, executionRole, options, now);
  out.push(...read.assessments);
  guards.push(...read.guards);
  unseen.push(...(read.unseen ?? []));
  return { assessments: out, guards, ...(unseen.length > 0 ? { unseen } : {}) };
}

async function assessOutputRead(
  request: LabelingJobRequest,
  inventory: AccountInventory,
  executionRole: RoleInfo | undefined,
  options: Pick<CoreOptions, 'strategy' | 'knownContext'>,
  now: Date,
): Promise<JobAssessment> {
  const none: JobAssessment = { assessments: [], guards: [] };
  const postArn = request.postAnnotationLambdaArn;
  if (!postArn || isBuiltinFunction(postArn, request.region)) return none;
  const fn = parseLambdaArn(postArn);
  if (!fn || fn.accountId !== request.accountId || fn.region !== request.region) return none;
  const info = inventory.functions.get(fn.unqualified);
  if (!info) return none;
  const lambdaRole = findRole(inventory, info.roleArn);
  if (!lambdaRole) {
    return {
      assessments: [plain(finding('ROLE_NOT_FOUND', info.roleArn, postArn, 'function-role-missing'))],
      guards: [],
    };
  }
  const assessments = lambdaRole.name === executionRole?.name ? [] : unknownPolicies(lambdaRole);
  const guards: Guard[] = [];
  const lambdaTrusted = await lambdaTrust(lambdaRole, fn.unqualified, request.accountId);
  if (!lambdaTrusted.trusted) {
    guards.push({
      finding: finding(
        'ROLE_NOT_LAMBDA_EXECUTION',
        lambdaRole.arn,
        lambdaRole.arn,
        lambdaTrusted.unknownKeys ? 'depends-on-unknown-context' : 'trust-lacks-service',
        false,
        lambdaTrusted.unknownKeys ? lambdaTrusted.unknownKeys.join(', ') : 'lambda.amazonaws.com',
      ),
      // Nothing may let this role read the data or assume the execution role.
      blocks: (need) =>
        need.roleName === lambdaRole.name ||
        (need.kind === 'trust' && need.principalRoleArn === lambdaRole.arn),
    });
  }

  const location = outputLocation(request);
  const { grantArn, probeObjectArn } = location;
  const bucket = parseS3Uri(request.outputS3Uri)?.bucket ?? '';
  const bucketPolicy = seenPolicy(inventory, 'buckets', bucket);
  const unseen =
    bucketPolicy?.kind === 'unseen' ? [unseenNote('bucket policy', bucket, bucketPolicy.why)] : [];
  const resourcePolicy = policyDocument(bucketPolicy);
  const readAs = (role: RoleInfo, sessionName: string): AccessQuestion => ({
    role,
    accountId: request.accountId,
    region: request.region,
    sessionName,
    action: 's3:GetObject',
    resourceArn: probeObjectArn,
    resourceAccount: request.accountId,
    ...(resourcePolicy ? { resourcePolicy } : {}),
    // The output bucket is taken to be the job account's (our grant's s3:ResourceAccount condition says so).
    knownContext: { 's3:ResourceAccount': request.accountId, ...(options.knownContext ?? {}) },
    now,
    jobName: request.jobName,
  });
  // The reader of the output (the function's role, or the execution role it assumes) also needs the key.
  const finish = async (reader: RoleInfo | undefined): Promise<JobAssessment> => {
    const decrypt = reader
      ? await assessDecrypt(request, inventory, {
          reader,
          sessionName: fn.functionName,
          probeObjectArn,
          grantArn,
          ...(options.knownContext ? { knownContext: options.knownContext } : {}),
          now,
        })
      : { assessments: [], unseen: [] };
    const notes = [...unseen, ...decrypt.unseen];
    return {
      assessments: [...assessments, ...decrypt.assessments],
      guards,
      ...(notes.length > 0 ? { unseen: notes } : {}),
    };
  };
  const s3 = await evaluateAccess(readAs(lambdaRole, fn.functionName));
  if (s3.verdict === 'allowed') return finish(lambdaRole);

  const readFinding = (reason: ReasonCode, fixable: boolean, needs: Need[], detail?: string): Assessment => ({
    finding: finding('OUTPUT_READ_DENIED', lambdaRole.arn, grantArn, reason, fixable, detail),
    needs,
  });
  if (options.strategy === 's3-read') {
    if (location.wildcard) {
      assessments.push(readFinding('wildcard-in-output-path', false, [], request.outputS3Uri));
      return finish(lambdaRole);
    }
    const fixable = s3.verdict === 'implicit-deny';
    assessments.push(
      readFinding(
        reasonOf(s3),
        fixable,
        fixable ? [{ kind: 's3-read', roleName: lambdaRole.name, resourceArn: grantArn }] : [],
        s3.detail,
      ),
    );
    return finish(lambdaRole);
  }
  if (!executionRole) {
    assessments.push(readFinding('execution-role-missing', false, []));
    return finish(undefined);
  }

  // assume-role: the function reads the data as the execution role, so the whole chain must hold.
  const assumeQuestion: AccessQuestion = {
    role: lambdaRole,
    accountId: request.accountId,
    region: request.region,
    sessionName: fn.functionName,
    action: 'sts:AssumeRole',
    resourceArn: executionRole.arn,
    resourceAccount: request.accountId,
    resourcePolicy: executionRole.trustPolicy,
    resourceTags: executionRole.tags,
    ...(options.knownContext ? { knownContext: options.knownContext } : {}),
    now,
  };
  const assume = await evaluateAccess(assumeQuestion);
  const executionRead = await evaluateAccess(readAs(executionRole, fn.functionName));
  if (assume.verdict === 'allowed' && executionRead.verdict === 'allowed') return finish(executionRole);

  if (executionRead.verdict !== 'allowed' && executionRead.verdict !== 'implicit-deny') {
    // The execution role itself may never read the data: letting the function assume it cannot help.
    assessments.push(readFinding('execution-role-cannot-read', false, [], reasonDetail(executionRead)));
    return finish(undefined);
  }
  const readNeeds: Need[] =
    executionRead.verdict === 'implicit-deny'
      ? [{ kind: 's3-read', roleName: executionRole.name, resourceArn: grantArn }]
      : [];
  if (readNeeds.length > 0 && location.wildcard) {
    assessments.push(readFinding('wildcard-in-output-path', false, [], request.outputS3Uri));
    return finish(executionRole);
  }
  if (assume.verdict === 'allowed') {
    assessments.push(readFinding('execution-role-cannot-read', true, readNeeds));
    return finish(executionRole);
  }
  if (assume.verdict !== 'implicit-deny') {
    assessments.push(readFinding(reasonOf(assume), false, [], assume.detail));
    return finish(executionRole);
  }
  // In one account a trust statement naming the principal is enough on its own; when the trust
  // policy already admits the account (root), the identity policy is what is missing.
  const assumeNeeds: Need[] = assume.resourceAllows
    ? [{ kind: 'assume', roleName: lambdaRole.name, targetRoleArn: executionRole.arn }]
    : [{ kind: 'trust', roleName: executionRole.name, principalRoleArn: lambdaRole.arn }];
  // Would the grant be enough? A Deny on context we cannot see (e.g. aws:PrincipalOrgID) may still stand.
  const granted = await evaluateAccess({
    ...assumeQuestion,
    ...(assume.resourceAllows
      ? { role: withInlineGrant(lambdaRole, 'sts:AssumeRole', executionRole.arn) }
      : { resourcePolicy: withTrustedPrincipal(executionRole.trustPolicy, lambdaRole.arn) }),
  });
  if (granted.verdict === 'depends-on-unknown-context' || granted.verdict === 'explicit-deny') {
    assessments.push(readFinding(granted.verdict, false, [], granted.detail));
    return finish(executionRole);
  }
  assessments.push(readFinding('implicit-deny', true, [...assumeNeeds, ...readNeeds]));

  const privileged = await escalationPermissions(
    executionRole,
    request.accountId,
    request.region,
    now,
    request.jobName,
  );
  if (privileged.length > 0) {
    guards.push({
      finding: finding(
        'ROLE_PRIVILEGED',
        executionRole.arn,
        lambdaRole.arn,
        'can-escalate',
        false,
        privileged.join(', '),
      ),
      blocks: (need) =>
        (need.kind === 'trust' && need.roleName === executionRole.name) ||
        (need.kind === 'assume' && need.targetRoleArn === executionRole.arn),
    });
  }
  return finish(executionRole);
}

function reasonDetail(decision: Decision): string {
  return decision.detail ? `${decision.verdict}: ${decision.detail}` : decision.verdict;
}

function plain(f: Finding): Assessment {
  return { finding: f, needs: [] };
}

function unknownPolicies(role: RoleInfo): Assessment[] {
  const missing = [...role.managedPolicies, ...(role.boundary ? [role.boundary] : [])].filter(
    (p) => !p.document,
  );
  return missing.map((p) => plain(finding('POLICY_UNKNOWN', role.arn, p.arn, 'document-unavailable')));
}

/** The role with one more inline statement allowing `action` on `resource` (a what-if for the evaluator). */
function withInlineGrant(role: RoleInfo, action: string, resource: string): RoleInfo {
  const grant: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: action, Resource: resource }],
  };
  return { ...role, inlinePolicies: [...role.inlinePolicies, { name: 'what-if', document: grant }] };
}

/** The trust policy with one more statement trusting `principalArn` (a what-if for the evaluator). */
function withTrustedPrincipal(trust: PolicyDocument, principalArn: string): PolicyDocument {
  const statement: PolicyStatement = {
    Effect: 'Allow',
    Principal: { AWS: principalArn },
    Action: 'sts:AssumeRole',
  };
  return { ...trust, Statement: [...statementsOf(trust), statement] };
}
