/** The core, end to end: assess the job, plan the patch, prove it, and report. Pure apart from the evaluator's data files. */
import { assessJob } from './evaluate';
import { finding, findingKey } from './findings';
import { decideOutcome } from './outcome';
import { planChanges } from './plan';
import { proveChanges } from './prove';
import { redactFindings } from './redact';
import { reportChange } from './report-changes';
import type {
  AccountInventory,
  Change,
  CoreOptions,
  Finding,
  LabelingJobRequest,
  Report,
  ReportJob,
} from './types';

/** Inputs besides the job and the account. */
export interface CheckOptions {
  core: CoreOptions;
  dryRun: boolean;
  now?: Date;
  notes?: string[];
  /** Who created the job, when known (CloudTrail userIdentity). */
  createdBy?: string;
}

/** The report and the plan behind it: the whole documents to write stay here, out of the report. */
export interface JobCheck {
  report: Report;
  changes: Change[];
  manualChanges: Change[];
}

/** Decides what the job needs and what to change; the report's outcome is `compliant`, `proposed` or `blocked`. */
export async function planJob(
  request: LabelingJobRequest,
  inventory: AccountInventory,
  options: CheckOptions,
): Promise<JobCheck> {
  const now = options.now ?? new Date();
  const job = await assessJob(request, inventory, { ...options.core, dryRun: options.dryRun }, now);
  const plan = planChanges(request, inventory, job, options.core);
  let { changes, findings } = plan;
  const fixable = new Set(plan.findings.filter((f) => f.fixable).map(findingKey));
  const claimed = job.assessments.filter((a) => fixable.has(findingKey(a.finding)));
  const failure = await proveChanges(request, inventory, claimed, changes, options.core, now);
  if (failure) {
    findings = [
      ...findings.map((f) => ({ ...f, fixable: false })),
      finding('PLAN_UNPROVEN', request.executionRoleArn, request.jobName, 'proof-failed', false, failure),
    ];
    changes = [];
  }
  // Whatever built a detail, no condition value of the account's documents leaves in a report.
  const disclosed = [
    ...Object.values(reportJob(request)).filter((v): v is string => typeof v === 'string'),
    ...options.core.scopePatterns,
    ...(options.core.scopeTag ? [options.core.scopeTag.value] : []),
  ];
  const notes = [...(options.notes ?? []), ...(job.notes ?? [])];
  const built = buildReport(request, redactFindings(findings, inventory, disclosed), changes, {
    ...options,
    notes,
  });
  // A resource policy we could not see is said in the verdict, never silently taken as allowing.
  const unseen = (job.unseen ?? []).map((u) => (built.outcome === 'compliant' ? `compliant (${u})` : u));
  const report = unseen.length > 0 ? { ...built, notes: [...(built.notes ?? []), ...unseen] } : built;
  const manualChanges = failure ? [] : plan.manualChanges;
  return {
    report: manualChanges.length > 0 ? { ...report, manualChanges: manualChanges.map(reportChange) } : report,
    changes,
    manualChanges,
  };
}

/** The report alone (offline check, scan). */
export async function checkJob(
  request: LabelingJobRequest,
  inventory: AccountInventory,
  options: CheckOptions,
): Promise<Report> {
  return (await planJob(request, inventory, options)).report;
}

/** The report's view of the job. */
export function reportJob(request: LabelingJobRequest): ReportJob {
  return {
    name: request.jobName,
    account: request.accountId,
    region: request.region,
    executionRoleArn: request.executionRoleArn,
    preAnnotationLambdaArn: request.preAnnotationLambdaArn ?? null,
    postAnnotationLambdaArn: request.postAnnotationLambdaArn ?? null,
    outputS3Uri: request.outputS3Uri,
  };
}

/** Assembles the report JSON (README, "Report JSON") for changes planned but not (yet) applied. */
export function buildReport(
  request: LabelingJobRequest | null,
  findings: Finding[],
  changes: Change[],
  options: Pick<CheckOptions, 'dryRun' | 'notes' | 'createdBy'>,
): Report {
  return {
    job: request ? reportJob(request) : null,
    ...(options.createdBy ? { createdBy: options.createdBy } : {}),
    outcome: decideOutcome({ findings, planned: changes.length, applied: false, failed: false }),
    dryRun: options.dryRun,
    findings,
    changes: changes.map(reportChange),
    ...(options.notes && options.notes.length > 0 ? { notes: [...options.notes] } : {}),
  };
}
