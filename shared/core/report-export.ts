/** What the SARIF and CSV exports need from a job report, an author report or a scan problem: one shape. */
import { partitionOfRegion } from './arn';
import type { Finding, Report } from './types';

/** One checked subject (a labeling job, or a person for `author`) and its findings. */
export interface FindingSet {
  account: string;
  region: string;
  /** The job's name; for `author`, the principal's ARN. Empty when the event could not be read. */
  job: string;
  /** The job's ARN (or the author principal's ARN): the logical location every result points at. */
  subjectArn: string;
  outcome: string;
  findings: readonly Finding[];
  notes?: readonly string[];
}

/** The labeling job's ARN (SageMaker lower-cases the name in it). */
export function labelingJobArn(job: { account: string; region: string; name: string }): string {
  return `arn:${partitionOfRegion(job.region)}:sagemaker:${job.region}:${job.account}:labeling-job/${job.name.toLowerCase()}`;
}

/** A job report as a finding set. */
export function findingSetOfReport(report: Report): FindingSet {
  const { job } = report;
  return {
    account: job?.account ?? '',
    region: job?.region ?? '',
    job: job?.name ?? '',
    subjectArn: job ? labelingJobArn(job) : '',
    outcome: report.outcome,
    findings: report.findings,
    ...(report.notes ? { notes: report.notes } : {}),
  };
}

/** The parts of an author report the exports use (structural, so the author core stays independent). */
export interface AuthorReportLike {
  principal: { arn: string };
  scope: { accountId: string; region: string };
  outcome: string;
  findings: readonly Finding[];
  notes?: readonly string[];
}

/** An author report as a finding set: the subject is the person's principal. */
export function findingSetOfAuthor(report: AuthorReportLike): FindingSet {
  return {
    account: report.scope.accountId,
    region: report.scope.region,
    job: report.principal.arn,
    subjectArn: report.principal.arn,
    outcome: report.outcome,
    findings: report.findings,
    ...(report.notes ? { notes: report.notes } : {}),
  };
}

/** A scan entry that has no report (the job could not be read): an error with the problem as its note. */
export function findingSetOfProblem(problem: {
  job: string;
  problem: string;
  account?: string;
  region?: string;
}): FindingSet {
  const account = problem.account ?? '';
  const region = problem.region ?? '';
  return {
    account,
    region,
    job: problem.job,
    subjectArn: account && region ? labelingJobArn({ account, region, name: problem.job }) : '',
    outcome: 'error',
    findings: [],
    notes: [problem.problem],
  };
}

/** The fix a finding gets, in words: shared by SARIF, CSV and the human report's `fix:` line. */
export function fixText(finding: Pick<Finding, 'fixable'>): string {
  return finding.fixable
    ? 'automatic: the remediator grants exactly this (see the proposed changes; `fix --live` applies them)'
    : 'needs a person: the remediator will not change this; follow the reason and detail';
}
