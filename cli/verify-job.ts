/**
 * `check --live` and `fix --live` verify every input like the Lambda does: the input only names a
 * job, SageMaker's DescribeLabelingJob answer is checked with the Lambda's own verifyJob, and what
 * is acted on (role, functions, output) comes from that answer alone.
 *
 * Where the CLI differs, and why:
 * - Age: any. The Lambda refuses jobs older than an hour because its event may be a replay; a person
 *   runs the CLI later, and SageMaker's answer is read now. `fix` still needs a job that is
 *   `Initializing` or `InProgress`; `check` also reads ended jobs (and says fix would not write).
 * - A CreateLabelingJob request is checked before the job exists: `check` then reports on the
 *   request as written, noted `unverified (job not created yet)`; `fix` never writes for it.
 * - An input whose role, functions or output differ from SageMaker's job is not refused: those values
 *   are dropped, the job as SageMaker describes it is checked (and fixed), and a note says so.
 */
import { verifyJob, type LabelingJobRequest, type Report } from '../shared/core';
import type { JobOrigin } from '../shared/core/parse-event';
import { claimedFieldDifferences, describedJobOf, type EventClaims } from '../shared/core/verify-event';
import { unverifiedReport } from '../shared/remediate-job';

/** `check` reads (any job SageMaker describes, or a request not created yet); `fix` writes (a running job only). */
export type LivePurpose = 'check' | 'fix';

/** Act on SageMaker's job (with notes for the report), or refuse with the EVENT_UNVERIFIED report. */
export type LiveVerification =
  { kind: 'act'; request: LabelingJobRequest; notes: string[] } | { kind: 'refuse'; report: Report };

/** The note on a check of a CreateLabelingJob request whose job SageMaker does not have (yet). */
export const NOT_CREATED_NOTE = 'unverified (job not created yet)';

/**
 * Verifies `claims` against SageMaker's DescribeLabelingJob `answer` (undefined: no such job).
 * @param source what the input was: a CloudTrail event, a DescribeLabelingJob response, a
 *   CreateLabelingJob request, or (`--job`) only a name.
 */
export function verifyLiveJob(
  claims: EventClaims,
  source: JobOrigin['source'] | 'job-name',
  answer: Record<string, unknown> | undefined,
  purpose: LivePurpose,
  now: Date,
): LiveVerification {
  const described = describedJobOf(answer);
  const place = `labeling job ${claims.jobName} in ${claims.accountId} ${claims.region}`;
  if (!described && source === 'create-request' && claims.request && purpose === 'check') {
    return {
      kind: 'act',
      request: claims.request,
      notes: [
        `${NOT_CREATED_NOTE}: SageMaker has no ${place}; this checks the request as written, and fix --live writes nothing until the job exists`,
      ],
    };
  }
  // The job's identity (name, account, region, ARN), existence, age and status; the claimed fields
  // are compared below, as a note: they are never used.
  const identity: EventClaims = {
    jobName: claims.jobName,
    accountId: claims.accountId,
    region: claims.region,
    ...(claims.labelingJobArn ? { labelingJobArn: claims.labelingJobArn } : {}),
  };
  const verified = verifyJob(identity, described, now, Number.POSITIVE_INFINITY);
  const job = verified.ok ? verified.request : described?.request;
  const differ = claims.request && job ? claimedFieldDifferences(claims.request, job) : [];
  const notes =
    differ.length > 0
      ? [
          `the input's ${differ.join(', ')} differ from SageMaker's job: ${purpose === 'fix' ? 'acting on' : 'checked'} the job as SageMaker describes it, never the input's values`,
        ]
      : [];
  if (verified.ok) return { kind: 'act', request: verified.request, notes };
  if (purpose === 'check' && verified.finding.reason === 'job-not-running' && described) {
    const status = described.origin.status ?? 'unknown';
    notes.push(`the job is ${status}: fix --live writes only for a job that is Initializing or InProgress`);
    return { kind: 'act', request: described.request, notes };
  }
  const report = unverifiedReport(claims, verified.finding);
  const why =
    source === 'create-request' && !described
      ? `the job is not created yet: fix --live writes only for a job SageMaker describes; create it, then run fix --live --job ${claims.jobName}`
      : purpose === 'fix'
        ? 'fix --live writes only for a job SageMaker describes as Initializing or InProgress, with the name, account, region and ARN the input gives'
        : 'check --live checks only a job SageMaker describes with the name, account, region and ARN the input gives';
  return { kind: 'refuse', report: { ...report, notes: [...(report.notes ?? []), why] } };
}
