/**
 * The event is a trigger, never a source of truth: it only names a job. What is acted on comes from
 * SageMaker's own DescribeLabelingJob answer, and only for a job that exists, is new and is running,
 * and matches every claim the event makes.
 */
import { finding } from './findings';
import { parseLabelingJobInput, type JobOrigin } from './parse-event';
import type { Finding, LabelingJobRequest } from './types';

/** The event's maximum age in the stack: a job older than this is not acted on. */
export const DEFAULT_MAX_JOB_AGE_MS = 60 * 60 * 1000;

/** Statuses of a job that is still starting or running; anything else is history. */
const ACTIVE: readonly string[] = Object.freeze(['Initializing', 'InProgress']);

/** What the event named: the job, where, and the fields it claims (absent when the event lacks them). */
export interface EventClaims {
  jobName: string;
  accountId: string;
  region: string;
  request?: LabelingJobRequest;
  labelingJobArn?: string;
}

/** SageMaker's answer, parsed. */
export interface DescribedJob {
  request: LabelingJobRequest;
  origin: Extract<JobOrigin, { source: 'describe' }>;
}

/** The verified request, or the EVENT_UNVERIFIED finding that says why not. */
export type Verification = { ok: true; request: LabelingJobRequest } | { ok: false; finding: Finding };

/** Checks the event against SageMaker's answer (undefined: no such job). */
export function verifyJob(
  claims: EventClaims,
  described: DescribedJob | undefined,
  now: Date,
  maxAgeMs: number = DEFAULT_MAX_JOB_AGE_MS,
): Verification {
  const jobArn = `labeling job ${claims.jobName} in ${claims.accountId} ${claims.region}`;
  const fail = (reason: Parameters<typeof finding>[3], detail: string): Verification => ({
    ok: false,
    finding: finding(
      'EVENT_UNVERIFIED',
      claims.request?.executionRoleArn ?? '',
      jobArn,
      reason,
      false,
      detail,
    ),
  });
  if (!described) return fail('job-not-found', `SageMaker has no ${jobArn}`);
  const job = described.request;
  const arn = described.origin.labelingJobArn;
  const arnParts = /^arn:[a-z-]+:sagemaker:([a-z0-9-]+):(\d{12}):labeling-job\/(.+)$/.exec(arn);
  // SageMaker lower-cases job names in ARNs.
  if (
    !arnParts ||
    arnParts[1] !== claims.region ||
    arnParts[2] !== claims.accountId ||
    arnParts[3] !== claims.jobName.toLowerCase() ||
    job.jobName !== claims.jobName
  ) {
    return fail('job-mismatch', `SageMaker's job is ${arn}, the event names ${jobArn}`);
  }
  if (claims.labelingJobArn && claims.labelingJobArn.toLowerCase() !== arn.toLowerCase()) {
    return fail('job-mismatch', `the event's labelingJobArn ${claims.labelingJobArn} is not ${arn}`);
  }
  const created = described.origin.creationTime ? Date.parse(described.origin.creationTime) : Number.NaN;
  if (Number.isNaN(created)) return fail('job-too-old', 'SageMaker gave no CreationTime');
  if (now.getTime() - created > maxAgeMs) {
    return fail(
      'job-too-old',
      `created ${described.origin.creationTime}, more than ${Math.round(maxAgeMs / 60_000)} minutes ago`,
    );
  }
  const status = described.origin.status;
  if (!status || !ACTIVE.includes(status)) return fail('job-not-running', `status ${status ?? 'unknown'}`);
  if (claims.request) {
    const differ = claimedFieldDifferences(claims.request, job);
    if (differ.length > 0)
      return fail('job-mismatch', `the event's ${differ.join(', ')} differ from the job's`);
  }
  return { ok: true, request: job };
}

/** The fields acted on (role, functions, output) whose claimed value is not SageMaker's, by their API names. */
export function claimedFieldDifferences(claimed: LabelingJobRequest, job: LabelingJobRequest): string[] {
  const fields: [string, string | undefined, string | undefined][] = [
    ['roleArn', claimed.executionRoleArn, job.executionRoleArn],
    ['preHumanTaskLambdaArn', claimed.preAnnotationLambdaArn, job.preAnnotationLambdaArn],
    ['annotationConsolidationLambdaArn', claimed.postAnnotationLambdaArn, job.postAnnotationLambdaArn],
    ['s3OutputPath', claimed.outputS3Uri, job.outputS3Uri],
  ];
  return fields.filter(([, c, actual]) => c !== actual).map(([name]) => name);
}

/** SageMaker's DescribeLabelingJob answer (undefined: no such job) as a DescribedJob; undefined when it is not one. */
export function describedJobOf(answer: Record<string, unknown> | undefined): DescribedJob | undefined {
  if (!answer) return undefined;
  const parsed = parseLabelingJobInput(answer);
  if (parsed.kind !== 'request' || parsed.origin.source !== 'describe') return undefined;
  return { request: parsed.request, origin: parsed.origin };
}
