/**
 * The grant ends with the job: on SageMaker's state-change event (Completed, Failed, Stopped), and in
 * `scan` for jobs that have ended, the job's read grant is removed — exactly that job's folder ARN,
 * through the same writer and read-back as every plan. Dry-run proposes the removal.
 */
import {
  decideOutcome,
  finding,
  parseLabelingJobInput,
  planRemoval,
  readGrantRemovals,
  reportChange,
  reportJob,
  scopeProblem,
  verifyJobEnded,
  type AccountInventory,
  type Change,
  type EndedClaims,
  type Finding,
  type LabelingJobRequest,
  type Report,
} from './core';
import { parseLambdaArn, parseRoleArn } from './core/arn';
import type { DescribedJob } from './core/verify-event';
import { applyPlan } from './apply-changes';
import { describeError } from './aws/errors';
import type { AccountPorts, SharedReads } from './flow-ports';
import {
  processQueue,
  RemediationError,
  type RemediationDeps,
  type RemediationResult,
} from './remediate-job';

/** How often the removal is planned again when another writer changed a document in between. */
const MAX_ATTEMPTS = 5;

/** Handles a parsed state-change event: verify that the job ended, then remove its read grant. */
export async function endJobEvent(claims: EndedClaims, deps: RemediationDeps): Promise<RemediationResult> {
  const account = await deps.accountFor(claims.accountId, claims.region).catch((error: unknown) => {
    throw new Error(`no access to account ${claims.accountId}: ${describeError(error)}`, { cause: error });
  });
  if (!account) {
    return deliverUnverified(
      claims,
      finding('EVENT_UNVERIFIED', '', `account ${claims.accountId}`, 'account-not-allowed', false),
      deps,
    );
  }
  let described: DescribedJob | undefined;
  try {
    const answer = await account.reader.describeLabelingJob(claims.jobName);
    const parsed = answer ? parseLabelingJobInput(answer) : undefined;
    if (parsed?.kind === 'request' && parsed.origin.source === 'describe')
      described = { request: parsed.request, origin: parsed.origin };
  } catch (error) {
    const report: Report = {
      ...unverifiedReport(claims, undefined),
      outcome: 'error',
      notes: [`DescribeLabelingJob ${claims.jobName} failed: ${describeError(error)}`],
    };
    await deliver(report, deps);
    throw new RemediationError(`ending ${claims.jobName} failed: ${describeError(error)}`, report, {
      cause: error,
    });
  }
  const verified = verifyJobEnded(claims, described);
  if (!verified.ok) return deliverUnverified(claims, verified.finding, deps);
  const report = await removeJobGrants(verified.request, account, deps, { status: verified.status });
  return { kind: 'report', report };
}

/** Extra inputs of {@link removeJobGrants}. */
export interface RemovalContext {
  /** The job's status as SageMaker gave it (Completed, Failed or Stopped). */
  status: string;
  /** The job's inventory when the caller read it already (a scan). */
  inventory?: AccountInventory;
  reads?: SharedReads;
}

/**
 * Removes the ended job's read grant from the roles that may hold it; outcome `remediated` with each
 * change's `removed` list, `proposed` in dry-run, `compliant` when there is nothing to remove.
 * Delivers the report; throws RemediationError for outcome `error`.
 */
export async function removeJobGrants(
  request: LabelingJobRequest,
  account: AccountPorts,
  deps: RemediationDeps,
  context: RemovalContext,
): Promise<Report> {
  const notes = [`the job has ended (${context.status}): the read grant made for it alone is removed`];
  let dryRun = true;
  let report: Report;
  try {
    const setting = await deps.dryRun.read();
    dryRun = setting.dryRun;
    if (setting.reason) notes.push(setting.reason);
    const inspect = (): Promise<AccountInventory> => account.reader.inspect(request, context.reads);
    const plan = planJobRemovals(request, context.inventory ?? (await inspect()), deps);
    if (dryRun || plan.changes.length === 0) {
      report = removalReport(request, plan.findings, plan.changes, { dryRun, applied: false, notes });
    } else {
      report = await (deps.applyQueue ?? processQueue).run(() =>
        applyRemovals(request, account, deps, plan, inspect, notes, dryRun),
      );
    }
  } catch (error) {
    report = {
      ...removalReport(request, [], [], { dryRun, applied: false, notes: [...notes, describeError(error)] }),
      outcome: 'error',
    };
  }
  await deliver(report, deps);
  if (report.outcome === 'error') {
    throw new RemediationError(
      `removing the grants of ${request.jobName} failed: ${(report.notes ?? []).at(-1)}`,
      report,
    );
  }
  return report;
}

/** Writes the removals (one writer at a time), re-planning when another writer changed a document. */
async function applyRemovals(
  request: LabelingJobRequest,
  account: AccountPorts,
  deps: RemediationDeps,
  first: { changes: Change[]; findings: Finding[] },
  inspect: () => Promise<AccountInventory>,
  notes: string[],
  dryRun: boolean,
): Promise<Report> {
  let plan = first;
  const timing = {
    timeoutMs: deps.verifyTimeoutMs ?? 15_000,
    sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
  };
  const written: Change[] = [];
  let problem: string | undefined;
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) plan = planJobRemovals(request, await inspect(), deps);
    if (plan.changes.length === 0) break;
    const result = await applyPlan(plan.changes, account.writer, deps.logger, timing);
    written.push(...result.written);
    if (result.kind === 'applied') break;
    if (result.kind === 'failed') {
      problem = result.problem;
      break;
    }
    if (attempt >= MAX_ATTEMPTS) {
      problem = `another writer kept changing ${result.change.roleName} (${attempt} attempts); nothing more was removed`;
      break;
    }
  }
  return removalReport(request, plan.findings, written, {
    dryRun,
    applied: true,
    notes: problem ? [...notes, problem] : notes,
    failed: problem !== undefined,
  });
}

/** The removals for the job against the inventory: changes to write, and findings where we may not. */
function planJobRemovals(
  request: LabelingJobRequest,
  inventory: AccountInventory,
  deps: RemediationDeps,
): { changes: Change[]; findings: Finding[] } {
  const post = request.postAnnotationLambdaArn ? parseLambdaArn(request.postAnnotationLambdaArn) : undefined;
  const postRoleArn = post ? inventory.functions.get(post.unqualified)?.roleArn : undefined;
  const roleNames = [postRoleArn, request.executionRoleArn]
    .map((arn) => (arn ? parseRoleArn(arn)?.roleName : undefined))
    .filter((name): name is string => name !== undefined);
  const changes: Change[] = [];
  const findings: Finding[] = [];
  for (const removal of readGrantRemovals(request, roleNames, deps.core)) {
    const role = inventory.roles.get(removal.roleName);
    const planned = planRemoval(role, removal);
    if (planned.kind === 'nothing') continue;
    if (planned.kind === 'conflict') {
      findings.push(
        finding(
          'PLAN_UNPROVEN',
          role?.arn ?? removal.roleName,
          removal.roleName,
          'foreign-statement',
          false,
          planned.detail,
        ),
      );
      continue;
    }
    const problem = role ? scopeProblem(role, request, deps.core) : undefined;
    if (problem && role) {
      findings.push(finding('ROLE_OUT_OF_SCOPE', role.arn, role.arn, problem.reason, false, problem.detail));
      continue;
    }
    changes.push(planned.change);
  }
  return { changes, findings };
}

function removalReport(
  request: LabelingJobRequest,
  findings: Finding[],
  changes: readonly Change[],
  options: { dryRun: boolean; applied: boolean; notes: string[]; failed?: boolean },
): Report {
  return {
    job: reportJob(request),
    outcome: decideOutcome({
      findings,
      planned: changes.length,
      applied: options.applied,
      failed: options.failed ?? false,
    }),
    dryRun: options.dryRun,
    findings,
    changes: changes.map(reportChange),
    notes: options.notes,
  };
}

function unverifiedReport(claims: EndedClaims, f: Finding | undefined): Report {
  const findings = f ? [f] : [];
  return {
    job: {
      name: claims.jobName,
      account: claims.accountId,
      region: claims.region,
      executionRoleArn: '',
      preAnnotationLambdaArn: null,
      postAnnotationLambdaArn: null,
      outputS3Uri: '',
    },
    outcome: decideOutcome({ findings, planned: 0, applied: false, failed: false }),
    dryRun: true,
    findings,
    changes: [],
    notes: [`nothing was removed: the ${claims.status} event could not be verified against SageMaker`],
  };
}

async function deliverUnverified(
  claims: EndedClaims,
  f: Finding,
  deps: RemediationDeps,
): Promise<RemediationResult> {
  const report = unverifiedReport(claims, f);
  await deliver(report, deps);
  return { kind: 'report', report };
}

async function deliver(report: Report, deps: RemediationDeps): Promise<void> {
  deps.logger.info(
    {
      outcome: report.outcome,
      dryRun: report.dryRun,
      removed: report.changes.flatMap((c) => c.removed ?? []).length,
    },
    'job-end removal finished',
  );
  await deps.reports?.deliver(report);
}
