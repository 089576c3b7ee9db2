/** The core, end to end: assess the job, plan the patch, prove it, and report. Pure apart from the evaluator's data files. */
import { assessJob } from './evaluate';
import { finding } from './findings';
import { planChanges } from './plan';
import { proveChanges } from './prove';
import type {
  AccountInventory,
  Change,
  CoreOptions,
  Finding,
  LabelingJobRequest,
  Outcome,
  Report,
} from './types';

/** Inputs besides the job and the account. */
export interface CheckOptions {
  core: CoreOptions;
  dryRun: boolean;
  now?: Date;
  notes?: string[];
}

/** Decides what the job needs and what to change; the returned outcome is `compliant`, `proposed` or `blocked`. */
export async function checkJob(
  request: LabelingJobRequest,
  inventory: AccountInventory,
  options: CheckOptions,
): Promise<Report> {
  const now = options.now ?? new Date();
  const assessments = await assessJob(request, inventory, options.core.strategy, now);
  const plan = planChanges(request, inventory, assessments, options.core);
  let { changes, findings } = plan;
  const claimed = assessments.filter((a) =>
    plan.findings.some((f) => f.fixable && sameFinding(f, a.finding)),
  );
  const failure = await proveChanges(request, inventory, claimed, changes, options.core, now);
  if (failure) {
    findings = [
      ...findings.map((f) => ({ ...f, fixable: false })),
      finding('PLAN_UNPROVEN', request.executionRoleArn, request.jobName, failure),
    ];
    changes = [];
  }
  return buildReport(request, findings, changes, options.dryRun, options.notes);
}

function sameFinding(a: Finding, b: Finding): boolean {
  return a.code === b.code && a.principal === b.principal && a.resource === b.resource;
}

/** The outcome before anything is applied. */
export function outcomeOf(findings: readonly Finding[], changes: readonly Change[]): Outcome {
  if (findings.some((f) => !f.fixable)) return 'blocked';
  return changes.length > 0 ? 'proposed' : 'compliant';
}

/** Assembles the report JSON of DESIGN.md. */
export function buildReport(
  request: LabelingJobRequest,
  findings: Finding[],
  changes: Change[],
  dryRun: boolean,
  notes?: string[],
): Report {
  return {
    job: {
      name: request.jobName,
      account: request.accountId,
      region: request.region,
      executionRoleArn: request.executionRoleArn,
      preAnnotationLambdaArn: request.preAnnotationLambdaArn ?? null,
      postAnnotationLambdaArn: request.postAnnotationLambdaArn ?? null,
      outputS3Uri: request.outputS3Uri,
    },
    outcome: outcomeOf(findings, changes),
    dryRun,
    findings,
    changes,
    ...(notes && notes.length > 0 ? { notes } : {}),
  };
}
