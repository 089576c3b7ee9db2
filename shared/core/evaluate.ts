/** Step 5 of the flow: what the job needs, what the account allows, and what is missing. */
import {
  arns,
  folderPrefix,
  parseLambdaArn,
  parseRoleArn,
  parseS3Uri,
  partitionOf,
  type LambdaArn,
} from './arn';
import { isBuiltinFunction } from './builtin-functions';
import { directReadGuards } from './checks/direct-read-guards';
import { proveInsideEnvelope } from './envelope';
import { finding } from './findings';
import { checkFunctionRoleTrust } from './function-role-guard';
import { assessDecrypt, unseenNote } from './output-key';
import { statementsOf } from './policy-document';
import { readPathsOf, type ReadPath } from './read-paths';
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
export type Need = (
  | { kind: 'invoke'; roleName: string; functionArn: string }
  | { kind: 'assume'; roleName: string; targetRoleArn: string }
  | { kind: 'trust'; roleName: string; principalRoleArn: string }
  | { kind: 's3-read'; roleName: string; resourceArn: string }
  | { kind: 'kms-decrypt'; roleName: string; keyArn: string; objectArn: string; viaService: string }
) & {
  /** The reading path this need serves, when the finding has two (`auto`); none: the finding's only way. */
  path?: ReadPath;
};

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
  /** What the report should say besides findings (e.g. an output folder that could not be checked). */
  notes?: string[];
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
  options: Pick<CoreOptions, 'strategy' | 'knownContext'> & { dryRun?: boolean },
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
  // The direct read grant only for a new folder the job can write (checks/direct-read-guards.ts).
  const direct = await directReadGuards({
    request,
    inventory,
    executionRole,
    assessments: out,
    location: outputLocation(request),
    ...(options.knownContext ? { knownContext: options.knownContext } : {}),
    ...(options.dryRun !== undefined ? { dryRun: options.dryRun } : {}),
    now,
  });
  guards.push(...direct.guards);
  return {
    assessments: out,
    guards,
    ...(direct.notes.length > 0 ? { notes: direct.notes } : {}),
    ...(unseen.length > 0 ? { unseen } : {}),
  };
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

  const shared = checkFunctionRoleTrust({ role: lambdaRole });
  if (shared.shared) {
    guards.push({
      finding: finding(
        'FUNCTION_ROLE_SHARED',
        lambdaRole.arn,
        lambdaRole.arn,
        'shared-function-role',
        false,
        shared.kinds.join(', '),
      ),
      // Whatever this role gains, the other principals gain too: neither the read nor the trust.
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
  const decryptOf = (reader: RoleInfo) =>
    assessDecrypt(request, inventory, {
      reader,
      sessionName: fn.functionName,
      probeObjectArn,
      grantArn,
      ...(options.knownContext ? { knownContext: options.knownContext } : {}),
      now,
    });
  const keyNotes: string[] = [];
  /** The read assessed; `reader`: the role whose key access is a finding of its own (the read holds, or one path only). */
  const paths = readPathsOf({ strategy: options.strategy, tags: info.tags });
  const finish = async (reader: RoleInfo | undefined): Promise<JobAssessment> => {
    const decrypt = reader ? await decryptOf(reader) : { assessments: [], unseen: [] };
    if (paths.direct && paths.assume) {
      // auto: the key is part of the read (each path's plan carries its reader's kms:Decrypt), so a
      // read that holds but cannot decrypt is the same finding as the read, and the proof sees it so.
      decrypt.assessments = decrypt.assessments.map((a) => ({
        ...a,
        finding: { ...a.finding, principal: lambdaRole.arn, resource: grantArn },
      }));
    }
    const notes = [...unseen, ...keyNotes, ...decrypt.unseen];
    return {
      assessments: [...assessments, ...decrypt.assessments],
      guards,
      ...(notes.length > 0 ? { unseen: [...new Set(notes)] } : {}),
    };
  };
  const s3 = await evaluateAccess(readAs(lambdaRole, fn.functionName));
  if (s3.verdict === 'allowed') return finish(lambdaRole);

  const readFinding = (reason: ReasonCode, fixable: boolean, needs: Need[], detail?: string): Assessment => ({
    finding: finding('OUTPUT_READ_DENIED', lambdaRole.arn, grantArn, reason, fixable, detail),
    needs,
  });
  // The direct read: the function's role reads the output itself (planned in this one place).
  const direct: PathResult = location.wildcard
    ? { fixable: false, reason: 'wildcard-in-output-path', detail: request.outputS3Uri }
    : s3.verdict === 'implicit-deny'
      ? { fixable: true, needs: [{ kind: 's3-read', roleName: lambdaRole.name, resourceArn: grantArn }] }
      : { fixable: false, reason: reasonOf(s3), ...(s3.detail ? { detail: s3.detail } : {}) };
  if (!paths.assume) {
    assessments.push(pathFinding(readFinding, direct));
    return finish(lambdaRole);
  }
  const assume: PathResult | 'allowed' = executionRole
    ? await assumePath({ request, lambdaRole, executionRole, fn, location, readAs, options, now, guards })
    : { fixable: false, reason: 'execution-role-missing' };
  if (assume === 'allowed') return finish(executionRole);
  // The execution role is no reader when it is missing or may never read the data itself.
  const assumeReader =
    !assume.fixable &&
    (assume.reason === 'execution-role-missing' || assume.reason === 'execution-role-cannot-read')
      ? undefined
      : executionRole;
  if (!paths.direct) {
    assessments.push(pathFinding(readFinding, assume));
    return finish(assumeReader);
  }
  // auto: each path's reader also needs the key; its kms:Decrypt grant goes with that path's needs.
  const withKey = async (p: PathResult, reader: RoleInfo | undefined): Promise<PathResult> => {
    if (!p.fixable || !reader) return p;
    const decrypt = await decryptOf(reader);
    keyNotes.push(...decrypt.unseen);
    const denied = decrypt.assessments[0];
    if (!denied) return p;
    if (!denied.finding.fixable) {
      const { reason, detail } = denied.finding;
      return { fixable: false, reason, ...(detail ? { detail } : {}) };
    }
    return { fixable: true, needs: [...p.needs, ...denied.needs] };
  };
  const directKeyed = await withKey(direct, lambdaRole);
  const assumeKeyed = await withKey(assume, assumeReader);
  // auto: either path alone clears the finding; each fixable one is planned, tagged with its path.
  const fixable = [directKeyed, assumeKeyed].filter((p) => p.fixable);
  if (fixable.length === 0) {
    assessments.push(pathFinding(readFinding, directKeyed));
    return finish(undefined);
  }
  const tagged = (p: PathResult, path: ReadPath): Need[] =>
    p.fixable ? p.needs.map((n) => ({ ...n, path })) : [];
  assessments.push(
    readFinding('implicit-deny', true, [...tagged(directKeyed, 'direct'), ...tagged(assumeKeyed, 'assume')]),
  );
  return finish(undefined);
}

/** What one reading path needs: the grants that make it work, or why none can. */
type PathResult = { fixable: true; needs: Need[] } | { fixable: false; reason: ReasonCode; detail?: string };

function pathFinding(
  readFinding: (reason: ReasonCode, fixable: boolean, needs: Need[], detail?: string) => Assessment,
  result: PathResult,
): Assessment {
  return result.fixable
    ? readFinding('implicit-deny', true, result.needs)
    : readFinding(result.reason, false, [], result.detail);
}

/**
 * The assume path: the function reads the data as the execution role, so the whole chain must hold.
 * Pushes the guards on the execution role (privilege catalogue; the envelope under `auto`).
 */
async function assumePath({
  request,
  lambdaRole,
  executionRole,
  fn,
  location,
  readAs,
  options,
  now,
  guards,
}: {
  request: LabelingJobRequest;
  lambdaRole: RoleInfo;
  executionRole: RoleInfo;
  fn: LambdaArn;
  location: ReturnType<typeof outputLocation>;
  readAs: (role: RoleInfo, sessionName: string) => AccessQuestion;
  options: Pick<CoreOptions, 'strategy' | 'knownContext'>;
  now: Date;
  guards: Guard[];
}): Promise<PathResult | 'allowed'> {
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
  if (assume.verdict === 'allowed' && executionRead.verdict === 'allowed') return 'allowed';

  if (executionRead.verdict !== 'allowed' && executionRead.verdict !== 'implicit-deny') {
    // The execution role itself may never read the data: letting the function assume it cannot help.
    return { fixable: false, reason: 'execution-role-cannot-read', detail: reasonDetail(executionRead) };
  }
  const readNeeds: Need[] =
    executionRead.verdict === 'implicit-deny'
      ? [{ kind: 's3-read', roleName: executionRole.name, resourceArn: location.grantArn }]
      : [];
  if (readNeeds.length > 0 && location.wildcard) {
    return { fixable: false, reason: 'wildcard-in-output-path', detail: request.outputS3Uri };
  }
  if (assume.verdict === 'allowed') return { fixable: true, needs: readNeeds };
  if (assume.verdict !== 'implicit-deny') {
    return { fixable: false, reason: reasonOf(assume), ...(assume.detail ? { detail: assume.detail } : {}) };
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
    return { fixable: false, reason: granted.verdict, ...(granted.detail ? { detail: granted.detail } : {}) };
  }
  // Neither the trust statement nor the assume grant, for a role that must not be handed over.
  const makesAssumable = (need: Need): boolean =>
    (need.kind === 'trust' && need.roleName === executionRole.name) ||
    (need.kind === 'assume' && need.targetRoleArn === executionRole.arn);

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
      blocks: makesAssumable,
    });
  }
  if (options.strategy === 'auto') {
    const envelope = await proveInsideEnvelope({ request, executionRole, functionRole: lambdaRole });
    if (!envelope.inside) {
      guards.push({
        finding: finding(
          'EXECUTION_ROLE_EXCEEDS_ENVELOPE',
          executionRole.arn,
          lambdaRole.arn,
          'outside-envelope',
          false,
          envelope.outside.join(', '),
        ),
        blocks: makesAssumable,
      });
    }
  }
  return { fixable: true, needs: [...assumeNeeds, ...readNeeds] };
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
