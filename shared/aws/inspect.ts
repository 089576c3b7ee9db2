/** Step 4 of the flow: read exactly the roles and functions one job involves into an AccountInventory. */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  isBuiltinFunction,
  parseLambdaArn,
  parseRoleArn,
  type AccountInventory,
  type FunctionInfo,
  type LabelingJobRequest,
  type RoleInfo,
} from '../core';
import type { IamReader } from './iam';
import { readFunction } from './lambda';
import { readOutputFolder } from './s3';

/** What inspection reads through: an IAM reader (memoising) and a Lambda client. */
export interface InspectDeps {
  iam: IamReader;
  lambda: LambdaClient;
  /** Lists the job's output folder (is it new?); without it the folder is not checked. */
  s3?: S3Client;
  /** Memo of function lookups shared across jobs (a scan); a fresh one per event otherwise. */
  functionMemo?: Map<string, Promise<FunctionInfo | undefined>>;
}

/** Reads the execution role, the job's own functions (same account and region) and the post-annotation function's role. */
export async function inspectJob(request: LabelingJobRequest, deps: InspectDeps): Promise<AccountInventory> {
  const memo = deps.functionMemo ?? new Map<string, Promise<FunctionInfo | undefined>>();
  const functionArns = [request.preAnnotationLambdaArn, request.postAnnotationLambdaArn]
    .filter((arn): arn is string => arn !== undefined && !isBuiltinFunction(arn, request.region))
    .map((arn) => parseLambdaArn(arn))
    .filter((fn) => fn !== undefined && fn.accountId === request.accountId && fn.region === request.region)
    .map((fn) => fn?.unqualified as string);

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
  };
}
