/**
 * SageMaker's "Ground Truth Labeling Job State Change" event (Completed, Failed or Stopped): a
 * trigger to remove the grants made for that job alone. Like the creation event it only names a job;
 * that the job really ended, and what it used, comes from DescribeLabelingJob.
 */
import { finding } from './findings';
import { outputLocation } from './evaluate';
import type { GrantRemoval } from './remove-grants';
import type { DescribedJob } from './verify-event';
import type { CoreOptions, Finding, LabelingJobRequest } from './types';

/** The event's detail-type (README, "Flow"). */
export const JOB_STATE_CHANGE = 'SageMaker Ground Truth Labeling Job State Change';

/** Statuses of a job that has ended: its grants end with it. */
export const ENDED_STATUSES: ReadonlySet<string> = new Set(['Completed', 'Failed', 'Stopped']);

/** What an ended-job event claims: the job (its name as the ARN has it: lower case), where, and the status. */
export interface EndedClaims {
  labelingJobArn: string;
  jobName: string;
  accountId: string;
  region: string;
  status: string;
}

/** The event's claims; `undefined` when the input is not this kind of event. */
export type EndedParse =
  { kind: 'ended'; claims: EndedClaims } | { kind: 'invalid'; reason: string } | undefined;

const JOB_ARN =
  /^arn:aws[a-z-]*:sagemaker:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):labeling-job\/([a-z0-9](?:-*[a-z0-9]){0,62})$/;

/** Recognises the state-change event as EventBridge delivers it (the job's ARN in `resources`). */
export function parseJobEndedEvent(input: unknown): EndedParse {
  if (typeof input !== 'object' || input === null) return undefined;
  const event = input as Record<string, unknown>;
  if (event['detail-type'] !== JOB_STATE_CHANGE) return undefined;
  const detail = (event.detail ?? {}) as Record<string, unknown>;
  const status = detail.LabelingJobStatus;
  if (event.source !== 'aws.sagemaker')
    return { kind: 'invalid', reason: 'the state-change event is not from aws.sagemaker' };
  if (typeof status !== 'string')
    return { kind: 'invalid', reason: 'the state-change event has no LabelingJobStatus' };
  const resources: unknown[] = Array.isArray(event.resources) ? (event.resources as unknown[]) : [];
  const arn = [detail.LabelingJobArn, ...resources].find((r): r is string => typeof r === 'string');
  const parts = arn ? JOB_ARN.exec(arn.toLowerCase()) : null;
  if (!arn || !parts) return { kind: 'invalid', reason: 'the state-change event names no labeling job ARN' };
  const [, region, accountId, jobName] = parts as unknown as [string, string, string, string];
  if (event.account !== undefined && event.account !== accountId)
    return {
      kind: 'invalid',
      reason: `the event's account ${JSON.stringify(event.account)} is not the job's (${accountId})`,
    };
  if (event.region !== undefined && event.region !== region)
    return {
      kind: 'invalid',
      reason: `the event's region ${JSON.stringify(event.region)} is not the job's (${region})`,
    };
  return { kind: 'ended', claims: { labelingJobArn: arn, jobName, accountId, region, status } };
}

/** The ended job as SageMaker describes it, or the EVENT_UNVERIFIED finding that says why nothing is removed. */
export function verifyJobEnded(
  claims: EndedClaims,
  described: DescribedJob | undefined,
): { ok: true; request: LabelingJobRequest; status: string } | { ok: false; finding: Finding } {
  const jobArn = `labeling job ${claims.jobName} in ${claims.accountId} ${claims.region}`;
  const fail = (reason: 'job-not-found' | 'job-mismatch' | 'job-not-ended', detail: string) => ({
    ok: false as const,
    finding: finding('EVENT_UNVERIFIED', '', jobArn, reason, false, detail),
  });
  if (!described) return fail('job-not-found', `SageMaker has no ${jobArn}`);
  const arn = described.origin.labelingJobArn;
  if (
    arn.toLowerCase() !== claims.labelingJobArn.toLowerCase() ||
    described.request.jobName.toLowerCase() !== claims.jobName
  ) {
    return fail('job-mismatch', `SageMaker's job is ${arn}, the event names ${claims.labelingJobArn}`);
  }
  const status = described.origin.status;
  if (!status || !ENDED_STATUSES.has(status)) {
    return fail(
      'job-not-ended',
      `SageMaker says the job is ${status ?? 'of unknown status'}, not Completed, Failed or Stopped`,
    );
  }
  return { ok: true, request: described.request, status };
}

/**
 * The removals a job's end calls for: the job folder's ARN out of our read statement, on every role
 * of the job that may hold it (the post-annotation function's role, and the execution role under
 * `assume-role`). Other jobs' ARNs and every other statement stay.
 */
export function readGrantRemovals(
  request: LabelingJobRequest,
  roleNames: readonly string[],
  options: Pick<CoreOptions, 'readPolicyName'>,
): GrantRemoval[] {
  const { grantArn } = outputLocation(request);
  return [...new Set(roleNames)].map((roleName) => ({
    roleName,
    policyName: options.readPolicyName,
    sid: options.readPolicyName,
    values: [grantArn],
  }));
}
