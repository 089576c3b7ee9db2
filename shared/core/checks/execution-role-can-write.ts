/**
 * Check: the execution role may write the job's output. Ground Truth writes `<output>/<jobName>/` as
 * the execution role; when that role may not `s3:PutObject` there the job fails whatever is granted,
 * so a read grant would only outlive a failed job.
 */
import { finding } from '../findings';
import { evaluateAccess } from '../simulate';
import type { Finding, LabelingJobRequest, RoleInfo } from '../types';

/** Inputs of {@link checkExecutionRoleCanWrite}. */
export interface ExecutionWriteInput {
  request: LabelingJobRequest;
  executionRole: RoleInfo | undefined;
  /** The read grant's resource ARN (`…/<jobName>/*`): what the finding names. */
  grantArn: string;
  /** An object under the job's folder that Ground Truth writes (the probe). */
  probeObjectArn: string;
  knownContext?: Record<string, string>;
  now: Date;
}

/** Undefined when the execution role may write there; else the EXECUTION_ROLE_CANNOT_WRITE_OUTPUT finding. */
export async function checkExecutionRoleCanWrite(input: ExecutionWriteInput): Promise<Finding | undefined> {
  const { request, executionRole, grantArn } = input;
  const cannot = (
    reason: 'cannot-write-output' | 'depends-on-unknown-context' | 'execution-role-missing',
    detail?: string,
  ): Finding =>
    finding(
      'EXECUTION_ROLE_CANNOT_WRITE_OUTPUT',
      executionRole?.arn ?? request.executionRoleArn,
      grantArn,
      reason,
      false,
      detail,
    );
  if (!executionRole) return cannot('execution-role-missing');
  const decision = await evaluateAccess({
    role: executionRole,
    accountId: request.accountId,
    region: request.region,
    sessionName: 'SageMaker',
    action: 's3:PutObject',
    resourceArn: input.probeObjectArn,
    resourceAccount: request.accountId,
    // As for the read: the output bucket is taken to be the job account's.
    knownContext: { 's3:ResourceAccount': request.accountId, ...(input.knownContext ?? {}) },
    now: input.now,
    jobName: request.jobName,
  });
  if (decision.verdict === 'allowed') return undefined;
  if (decision.verdict === 'depends-on-unknown-context')
    return cannot('depends-on-unknown-context', decision.detail);
  return cannot(
    'cannot-write-output',
    decision.detail ? `${decision.verdict}: ${decision.detail}` : decision.verdict,
  );
}
