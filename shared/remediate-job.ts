/** The live flow for one event: parse, verify, configure, inspect, evaluate + plan (core), apply, verify, report. */
import {
  decideOutcome,
  finding,
  parseJobEndedEvent,
  parseLabelingJobInput,
  planJob,
  reportChange,
  reportJob,
  verifyJob,
  type AccountInventory,
  type Change,
  type CoreOptions,
  type JobCheck,
  type LabelingJobRequest,
  type ParseResult,
  type Report,
} from './core';
import { DEFAULT_MAX_JOB_AGE_MS, describedJobOf, type EventClaims } from './core/verify-event';
import { applyPlan } from './apply-changes';
import { endJobEvent } from './end-job';
import { describeError } from './aws/errors';
import type { AccountPorts, DryRunSource, ReportSink, SharedReads } from './flow-ports';
import type { Logger } from './logger';

/**
 * Everything the live flow talks to, through explicit interfaces (shared/flow-ports.ts); each context
 * builds them with its factory (shared/flow-context.ts).
 */
export interface RemediationDeps {
  /** The core's settings (for the Lambda in organisation mode, with the organisation as known context). */
  core: CoreOptions;
  logger: Logger;
  /**
   * The reader and writer of a job's account and region (organisation mode: through the member role);
   * undefined when the remediator does not serve that account. Rejects when it cannot be reached.
   */
  accountFor: (accountId: string, region: string) => Promise<AccountPorts | undefined>;
  /** Whether writes are allowed, read once per job. */
  dryRun: DryRunSource;
  /** Where reports go; without one nothing is delivered (the CLI prints the report itself). */
  reports?: ReportSink;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** How long the read-back may wait for IAM's eventual consistency (default 15 s). */
  verifyTimeoutMs?: number;
  /** Serialises read-modify-write; one per process by default (tests give two writers their own). */
  applyQueue?: ApplyQueue;
}

/** What one event came to: a report, or the reason it was skipped. */
export type RemediationResult = { kind: 'report'; report: Report } | { kind: 'skipped'; reason: string };

/** The flow failed after the report was delivered; Lambda's retry and the dead-letter queue take over. */
export class RemediationError extends Error {
  constructor(
    message: string,
    readonly report: Report,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RemediationError';
  }
}

/** Runs read-modify-write work one at a time. */
export class ApplyQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** Runs `work` after everything queued before it. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/** The stack also runs one invocation at a time; this covers work inside one process (also the removals of end-job.ts). */
export const processQueue = new ApplyQueue();

/** The outcome of a check that could not be completed, by the one outcome rule. */
const FAILED = decideOutcome({ findings: [], planned: 0, applied: false, failed: true });

/** How often a plan is rebuilt when another writer changed a document between read and write. */
const MAX_PLAN_ATTEMPTS = 5;

/**
 * Handles one event. The event only names a job: its execution role, functions and output are
 * taken from SageMaker's DescribeLabelingJob answer, and only for a new, running job whose every
 * claim matches. Throws RemediationError for outcome `error`.
 */
export async function remediateEvent(event: unknown, deps: RemediationDeps): Promise<RemediationResult> {
  // A job that ended: its read grant ends with it (shared/end-job.ts).
  const ended = parseJobEndedEvent(event);
  if (ended?.kind === 'ended') return endJobEvent(ended.claims, deps);
  const parsed = ended ? ({ kind: 'invalid', reason: ended.reason } as const) : parseLabelingJobInput(event);
  if (parsed.kind === 'ignored') return { kind: 'skipped', reason: parsed.reason };
  if (parsed.kind === 'invalid') {
    const report = invalidReport(parsed.reason);
    await deliver(report, deps);
    return { kind: 'report', report };
  }
  const claims = claimsOf(parsed);
  const createdBy = parsed.origin.source === 'cloudtrail' ? parsed.origin.createdBy : undefined;
  const account = await deps.accountFor(claims.accountId, claims.region).catch((error: unknown) => {
    throw new Error(`no access to account ${claims.accountId}: ${describeError(error)}`, {
      cause: error,
    });
  });
  if (!account) {
    const report = unverifiedReport(
      claims,
      finding(
        'EVENT_UNVERIFIED',
        '',
        `account ${claims.accountId}`,
        'account-not-allowed',
        false,
        `events from ${claims.accountId} are not accepted`,
      ),
      createdBy,
    );
    await deliver(report, deps);
    return { kind: 'report', report };
  }
  const described = await describeOrError(claims, account, deps, createdBy);
  const verified = verifyJob(
    claims,
    described,
    deps.now?.() ?? new Date(),
    deps.core.maxJobAgeMs ?? DEFAULT_MAX_JOB_AGE_MS,
  );
  if (!verified.ok) {
    const report = unverifiedReport(claims, verified.finding, createdBy);
    await deliver(report, deps);
    return { kind: 'report', report };
  }
  return {
    kind: 'report',
    report: await remediateRequest(verified.request, account, deps, createdBy ? { createdBy } : {}),
  };
}

/** What a parsed input claims about its job (also the CLI's --live verification). */
export function claimsOf(parsed: Extract<ParseResult, { kind: 'request' | 'incomplete' }>): EventClaims {
  const labelingJobArn = parsed.origin.source === 'create-request' ? undefined : parsed.origin.labelingJobArn;
  if (parsed.kind === 'incomplete') {
    return {
      jobName: parsed.jobName,
      accountId: parsed.accountId,
      region: parsed.region,
      ...(labelingJobArn ? { labelingJobArn } : {}),
    };
  }
  const r = parsed.request;
  return {
    jobName: r.jobName,
    accountId: r.accountId,
    region: r.region,
    request: r,
    ...(labelingJobArn ? { labelingJobArn } : {}),
  };
}

/** Extra facts for the report, and what the caller already read. */
export interface RequestContext {
  createdBy?: string;
  /** Notes to carry (e.g. "not verified: offline"). */
  notes?: string[];
  /** The job's inventory, when the caller read it already (a scan). */
  inventory?: AccountInventory;
  /** Memoised reads for re-planning (a scan); fresh reads otherwise. */
  reads?: SharedReads;
}

/**
 * Handles one verified job request end to end (also `gt-remediate check --live`, `fix` and `scan`,
 * which take the request from DescribeLabelingJob themselves).
 */
export async function remediateRequest(
  request: LabelingJobRequest,
  account: AccountPorts,
  deps: RemediationDeps,
  context: RequestContext = {},
): Promise<Report> {
  const notes: string[] = [...(context.notes ?? [])];
  let dryRun = true;
  let report: Report;
  try {
    const inspect: Inspect = () => account.reader.inspect(request, context.reads);
    // The dry-run switch and the inventory do not depend on each other: read them at the same time.
    // A dry-run source never rejects, so the switch is known before an inspection failure is reported.
    const inventoryRead = context.inventory ? Promise.resolve(context.inventory) : inspect();
    inventoryRead.catch(() => undefined);
    const setting = await deps.dryRun.read();
    dryRun = setting.dryRun;
    if (setting.reason) notes.push(setting.reason);
    const options = () => ({
      core: deps.core,
      dryRun,
      now: deps.now?.() ?? new Date(),
      notes,
      ...(context.createdBy ? { createdBy: context.createdBy } : {}),
    });
    const checked = await planJob(request, await inventoryRead, options());
    report = checked.report;
    if (!dryRun && checked.changes.length > 0) {
      report = await (deps.applyQueue ?? processQueue).run(() =>
        applyWithRetries(request, account, deps, inspect, options, checked),
      );
    }
  } catch (error) {
    const failed = errorReport(request, dryRun, [...notes, describeError(error)], context.createdBy);
    await deliver(failed, deps);
    throw new RemediationError(`remediation of ${request.jobName} failed: ${describeError(error)}`, failed, {
      cause: error,
    });
  }
  await deliver(report, deps);
  if (report.outcome === 'error') {
    throw new RemediationError(
      `remediation of ${request.jobName} failed: ${(report.notes ?? []).at(-1)}`,
      report,
    );
  }
  return report;
}

type Inspect = () => Promise<AccountInventory>;

/**
 * Writes each document only if it is still the one the plan was built on, reads back; when another
 * writer got there first, re-reads and re-plans (bounded).
 */
async function applyWithRetries(
  request: LabelingJobRequest,
  account: AccountPorts,
  deps: RemediationDeps,
  inspect: Inspect,
  options: () => Parameters<typeof planJob>[2],
  first: JobCheck,
): Promise<Report> {
  const timing = {
    timeoutMs: deps.verifyTimeoutMs ?? 15_000,
    sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
  };
  const written: Change[] = [];
  for (let attempt = 1; ; attempt++) {
    // The first attempt writes the plan just made: each write re-reads its document first anyway.
    const fresh: JobCheck = attempt === 1 ? first : await planJob(request, await inspect(), options());
    if (fresh.changes.length === 0) return appliedReport(fresh, written, undefined);
    const result = await applyPlan(fresh.changes, account.writer, deps.logger, timing);
    written.push(...result.written);
    if (result.kind === 'applied') return appliedReport(fresh, written, undefined);
    if (result.kind === 'failed') return appliedReport(fresh, written, result.problem);
    deps.logger.warn(
      { attempt, roleName: result.change.roleName },
      'document changed since planning; planning again',
    );
    if (attempt >= MAX_PLAN_ATTEMPTS) {
      return appliedReport(
        fresh,
        written,
        `another writer kept changing ${result.change.roleName} while we planned (${attempt} attempts); nothing more was written`,
      );
    }
  }
}

/** The report after writing: what was written (across attempts), and `error` with the problem if any. */
function appliedReport(check: JobCheck, written: readonly Change[], problem: string | undefined): Report {
  const notes = [...(check.report.notes ?? []), ...(problem ? [problem] : [])];
  return {
    ...check.report,
    outcome: decideOutcome({
      findings: check.report.findings,
      planned: written.length,
      applied: true,
      failed: problem !== undefined,
    }),
    changes: written.map(reportChange),
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/** DescribeLabelingJob; a failure other than "no such job" is outcome `error`: delivered, then thrown for the retry. */
async function describeOrError(
  claims: EventClaims,
  account: AccountPorts,
  deps: RemediationDeps,
  createdBy: string | undefined,
): Promise<Parameters<typeof verifyJob>[1]> {
  let described: Record<string, unknown> | undefined;
  try {
    described = await account.reader.describeLabelingJob(claims.jobName);
  } catch (error) {
    const failed: Report = {
      ...unverifiedReport(claims, undefined, createdBy),
      outcome: FAILED,
      notes: [`DescribeLabelingJob ${claims.jobName} failed: ${describeError(error)}`],
    };
    await deliver(failed, deps);
    throw new RemediationError(`remediation of ${claims.jobName} failed: ${describeError(error)}`, failed, {
      cause: error,
    });
  }
  return describedJobOf(described);
}

/** Logs the summary and hands the report to the context's sink, if it has one. */
async function deliver(report: Report, deps: RemediationDeps): Promise<void> {
  deps.logger.info(
    {
      outcome: report.outcome,
      dryRun: report.dryRun,
      findings: report.findings.map((f) => f.code),
      changes: report.changes.length,
    },
    'remediation finished',
  );
  await deps.reports?.deliver(report);
}

function errorReport(
  request: LabelingJobRequest,
  dryRun: boolean,
  notes: string[],
  createdBy: string | undefined,
): Report {
  return {
    job: reportJob(request),
    ...(createdBy ? { createdBy } : {}),
    outcome: FAILED,
    dryRun,
    findings: [],
    changes: [],
    notes,
  };
}

/** A report about the job the event names, as far as the event itself says (nothing verified). */
export function unverifiedReport(
  claims: EventClaims,
  f: ReturnType<typeof finding> | undefined,
  createdBy?: string,
): Report {
  const findings = f ? [f] : [];
  return {
    job: claims.request
      ? reportJob(claims.request)
      : {
          name: claims.jobName,
          account: claims.accountId,
          region: claims.region,
          executionRoleArn: '',
          preAnnotationLambdaArn: null,
          postAnnotationLambdaArn: null,
          outputS3Uri: '',
        },
    ...(createdBy ? { createdBy } : {}),
    outcome: decideOutcome({ findings, planned: 0, applied: false, failed: false }),
    dryRun: true,
    findings,
    changes: [],
    notes: ['nothing was changed: the event could not be verified against SageMaker'],
  };
}

function invalidReport(reason: string): Report {
  return {
    job: null,
    outcome: FAILED,
    dryRun: true,
    findings: [finding('EVENT_INVALID', '', '', 'event-malformed', false, reason)],
    changes: [],
    notes: [reason],
  };
}
