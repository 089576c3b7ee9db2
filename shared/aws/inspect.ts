/** Step 4 of the flow: read exactly the roles and functions one job involves into an AccountInventory. */
import type { KMSClient } from '@aws-sdk/client-kms';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  isBuiltinFunction,
  parseLambdaArn,
  parseRoleArn,
  parseS3Uri,
  type AccountInventory,
  type FunctionInfo,
  type LabelingJobRequest,
  type ResourcePolicies,
  type RoleInfo,
  type SeenPolicy,
} from '../core';
import { readBucketPolicy } from './bucket-policy';
import type { IamReader } from './iam';
import { readKeyPolicy, resolveKeyArn } from './kms';
import { readFunction, readFunctionPolicy } from './lambda';
import { readOutputFolder } from './s3';

/** What inspection reads through: an IAM reader (memoising) and a Lambda client. */
export interface InspectDeps {
  iam: IamReader;
  lambda: LambdaClient;
  /** Lists the job's output folder (is it new?) and reads its bucket policy; without it neither is checked. */
  s3?: S3Client;
  /** Memo of function lookups shared across jobs (a scan); a fresh one per event otherwise. */
  functionMemo?: Map<string, Promise<FunctionInfo | undefined>>;
  /** The KMS client of the job's account and region; without it (or `s3`), that policy is "not seen". */
  kms?: KMSClient;
}

/** Reads the execution role, the job's own functions (same account and region) and the post-annotation function's role. */
export async function inspectJob(request: LabelingJobRequest, deps: InspectDeps): Promise<AccountInventory> {
  const memo = deps.functionMemo ?? new Map<string, Promise<FunctionInfo | undefined>>();
  const namedArns = [request.preAnnotationLambdaArn, request.postAnnotationLambdaArn].filter(
    (arn): arn is string => {
      if (arn === undefined || isBuiltinFunction(arn, request.region)) return false;
      const fn = parseLambdaArn(arn);
      return fn !== undefined && fn.accountId === request.accountId && fn.region === request.region;
    },
  );
  const functionArns = namedArns.map((arn) => parseLambdaArn(arn)?.unqualified as string);
  const policiesRead = readResourcePolicies(request, [...new Set(namedArns)], deps);
  policiesRead.catch(() => undefined);

  const readFn = (arn: string): Promise<FunctionInfo | undefined> => {
    let pending = memo.get(arn);
    if (!pending) {
      pending = readFunction(deps.lambda, arn);
      memo.set(arn, pending);
      pending.catch(() => memo.delete(arn));
    }
    return pending;
  };
  // The execution role does not depend on the functions: read it while they are looked up.
  const executionRoleName = parseRoleArn(request.executionRoleArn)?.roleName;
  const executionRoleRead = executionRoleName ? deps.iam.readRole(executionRoleName) : undefined;
  executionRoleRead?.catch(() => undefined);
  const folderRead = deps.s3
    ? readOutputFolder(deps.s3, request.outputS3Uri, request.jobName, request.accountId)
    : undefined;
  folderRead?.catch(() => undefined);
  const functions = (await Promise.all([...new Set(functionArns)].map(readFn))).filter(
    (f): f is FunctionInfo => f !== undefined,
  );
  const postArn = request.postAnnotationLambdaArn
    ? parseLambdaArn(request.postAnnotationLambdaArn)?.unqualified
    : undefined;
  const postRole = functions.find((f) => f.arn === postArn)?.roleArn;
  const roleNames = [request.executionRoleArn, postRole]
    .map((arn) => (arn ? parseRoleArn(arn)?.roleName : undefined))
    .filter((name): name is string => name !== undefined);
  const roles = (await Promise.all([...new Set(roleNames)].map((name) => deps.iam.readRole(name)))).filter(
    (r): r is RoleInfo => r !== undefined,
  );
  const outputFolder = await folderRead;
  return {
    roles: new Map(roles.map((r) => [r.name, r])),
    functions: new Map(functions.map((f) => [f.arn, f])),
    ...(outputFolder ? { outputFolder } : {}),
    resourcePolicies: await policiesRead,
  };
}

const NO_CLIENT: SeenPolicy = { kind: 'unseen', why: 'not read' };

/** The function policies (each ARN as the job names it), the output bucket's policy and the output key's policy. */
async function readResourcePolicies(
  request: LabelingJobRequest,
  functionArns: string[],
  deps: InspectDeps,
): Promise<ResourcePolicies> {
  const bucket = parseS3Uri(request.outputS3Uri)?.bucket;
  const { s3, kms } = deps;
  const keyRead = async (): Promise<[string, string | undefined, SeenPolicy] | undefined> => {
    const keyId = request.outputKmsKeyId;
    if (!keyId) return undefined;
    if (!kms) return [keyId, undefined, NO_CLIENT];
    const keyArn = await resolveKeyArn(kms, keyId);
    if (!keyArn) return [keyId, undefined, { kind: 'unseen', why: 'key not resolved' }];
    return [keyId, keyArn, await readKeyPolicy(kms, keyArn)];
  };
  const [functionPolicies, bucketPolicy, key] = await Promise.all([
    Promise.all(functionArns.map(async (arn) => [arn, await readFunctionPolicy(deps.lambda, arn)] as const)),
    bucket === undefined ? undefined : s3 ? readBucketPolicy(s3, bucket) : NO_CLIENT,
    keyRead(),
  ]);
  return {
    functions: new Map(functionPolicies),
    buckets: new Map(bucket !== undefined && bucketPolicy ? [[bucket, bucketPolicy]] : []),
    keys: new Map(key ? [[key[1] ?? key[0], key[2]]] : []),
    keyArns: new Map(key?.[1] ? [[key[0], key[1]]] : []),
  };
}
