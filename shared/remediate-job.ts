/** The live flow for one event: parse, configure, inspect, evaluate + plan (core), apply, verify, report. */
import {
  buildNotification,
  buildReport,
  checkJob,
  finding,
  parseLabelingJobInput,
  type AccountInventory,
  type FunctionInfo,
  type LabelingJobRequest,
  type ParseResult,
  type Report,
} from './core';
import type { AwsClients } from './aws/clients';
import { describeError } from './aws/errors';
import { putResultEvent } from './aws/events';
import { IamReader, writeChange } from './aws/iam';
import { inspectJob } from './aws/inspect';
import { describeLabelingJob } from './aws/sagemaker';
import { publishNotification } from './aws/sns';
import { readDryRun } from './aws/ssm';
import type { Config } from './config';
import type { Logger } from './logger';

/** Everything the live flow talks to; injected so tests can use moto or mocked clients. */
export interface RemediationDeps {
  clients: AwsClients;
  config: Config;
  logger: Logger;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** How long the read-back may wait for IAM's eventual consistency (default 15 s). */
  verifyTimeoutMs?: number;
  /** Forces dry-run on or off instead of reading the SSM parameter (the CLI's `fix --dry-run`). */
  dryRunOverride?: boolean;
  /** Publish to SNS and EventBridge (default true; the CLI turns it off). */
  deliver?: boolean;
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

class VerifyError extends Error {}

/** Serialises IAM read-modify-write inside one process (the stack also runs one invocation at a time). */
let applyQueue: Promise<unknown> = Promise.resolve();
function serialised<T>(work: () => Promise<T>): Promise<T> {
  const run = applyQueue.then(work, work);
  applyQueue = run.catch(() => undefined);
  return run;
}

/** Handles one CloudTrail event (or DescribeLabelingJob JSON). Throws RemediationError for outcome `error`. */
export async function remediateEvent(event: unknown, deps: RemediationDeps): Promise<RemediationResult> {
  const parsed = parseLabelingJobInput(event);
  if (parsed.kind === 'ignored') return { kind: 'skipped', reason: parsed.reason };
  let request: LabelingJobRequest;
  if (parsed.kind === 'invalid') {
    const report = invalidReport(parsed.reason);
    await deliver(report, deps);
    return { kind: 'report', report };
  }
  if (parsed.kind === 'incomplete') {
    const described = await describeOrError(parsed, deps);
    const again = described ? parseLabelingJobInput(described) : undefined;
    if (again?.kind !== 'request') {
      const report = invalidReport(
        `event lacks ${parsed.missing.join(', ')} and DescribeLabelingJob ${described ? 'did not supply them' : `found no job ${parsed.jobName}`}`,
      );
      await deliver(report, deps);
      return { kind: 'report', report };
    }
    request = again.request;
  } else {
    request = parsed.request;
  }
  return { kind: 'report', report: await remediateRequest(request, deps) };
}

/** Handles one parsed job request end to end (also used by `gt-remediate check --live`, `fix` and `scan`). */
export async function remediateRequest(
  request: LabelingJobRequest,
  deps: RemediationDeps,
  inventory?: AccountInventory,
): Promise<Report> {
  const notes: string[] = [];
  let dryRun = deps.dryRunOverride ?? true;
  let report: Report;
  try {
    if (deps.dryRunOverride === undefined) {
      if (deps.config.dryRunParameterName) {
        const setting = await readDryRun(deps.clients.ssm, deps.config.dryRunParameterName);
        dryRun = setting.dryRun;
        if (setting.reason) notes.push(setting.reason);
      } else {
        notes.push('no dry-run parameter is configured: dry-run is on');
      }
    }
    const now = deps.now?.() ?? new Date();
    const checkOptions = { core: deps.config.core, dryRun, now, notes };
    const inspect = inspector(request, deps);
    report = await checkJob(request, inventory ?? (await inspect()), checkOptions);
    if (!dryRun && report.changes.length > 0)
      report = await serialised(() => applyAndVerify(request, deps, notes, inspect));
  } catch (error) {
    const failed = errorReport(request, dryRun, [...notes, describeError(error)]);
    await deliver(failed, deps);
    throw new RemediationError(`remediation of ${request.jobName} failed: ${describeError(error)}`, failed, {
      cause: error,
    });
  }
  await deliver(report, deps);
  return report;
}

type Inspect = () => Promise<AccountInventory>;

/**
 * A fresh read of the job's roles on every call (they are what we change and verify); the functions'
 * roles are looked up once per event, since nothing we do changes them.
 */
function inspector(request: LabelingJobRequest, deps: RemediationDeps): Inspect {
  const functionMemo = new Map<string, Promise<FunctionInfo | undefined>>();
  return () =>
    inspectJob(request, { iam: new IamReader(deps.clients.iam), lambda: deps.clients.lambda, functionMemo });
}

/** Re-reads and re-plans (another change may have landed), writes, then reads back until IAM agrees. */
async function applyAndVerify(
  request: LabelingJobRequest,
  deps: RemediationDeps,
  notes: string[],
  inspect: Inspect,
): Promise<Report> {
  const options = { core: deps.config.core, dryRun: false, now: deps.now?.() ?? new Date(), notes };
  const fresh = await checkJob(request, await inspect(), options);
  if (fresh.changes.length === 0) return fresh;
  const applied: string[] = [];
  for (const change of fresh.changes) {
    try {
      await writeChange(deps.clients.iam, change);
    } catch (error) {
      const done =
        applied.length > 0
          ? `; already applied (complete documents, each a valid grant): ${applied.join(', ')}`
          : '; nothing was written';
      throw new Error(`${change.action} on ${change.roleName} failed (${describeError(error)})${done}`, {
        cause: error,
      });
    }
    applied.push(
      `${change.action} ${change.roleName}${change.action === 'PutRolePolicy' ? `/${change.policyName}` : ''}`,
    );
    deps.logger.info({ action: change.action, roleName: change.roleName }, 'change applied');
  }
  await verify(request, deps, options, inspect);
  return { ...fresh, outcome: fresh.findings.some((f) => !f.fixable) ? 'blocked' : 'remediated' };
}

async function verify(
  request: LabelingJobRequest,
  deps: RemediationDeps,
  options: Parameters<typeof checkJob>[2],
  inspect: Inspect,
): Promise<void> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + (deps.verifyTimeoutMs ?? 15_000);
  for (let delay = 250; ; delay = Math.min(delay * 2, 4_000)) {
    const after = await checkJob(request, await inspect(), options);
    if (after.changes.length === 0 && !after.findings.some((f) => f.fixable)) return;
    if (Date.now() + delay > deadline) {
      throw new VerifyError(
        `read-back still shows ${after.findings
          .filter((f) => f.fixable)
          .map((f) => f.code)
          .join(', ')} after the writes`,
      );
    }
    await sleep(delay);
  }
}

/** DescribeLabelingJob; a failure other than "no such job" is outcome `error`: delivered, then thrown for the retry. */
async function describeOrError(
  parsed: Extract<ParseResult, { kind: 'incomplete' }>,
  deps: RemediationDeps,
): Promise<Record<string, unknown> | undefined> {
  try {
    return await describeLabelingJob(deps.clients.sagemaker, parsed.jobName);
  } catch (error) {
    const request: LabelingJobRequest = {
      jobName: parsed.jobName,
      accountId: parsed.accountId,
      region: parsed.region,
      executionRoleArn: '',
      outputS3Uri: '',
    };
    const failed = errorReport(request, true, [
      `DescribeLabelingJob ${parsed.jobName} failed: ${describeError(error)}`,
    ]);
    await deliver(failed, deps);
    throw new RemediationError(`remediation of ${parsed.jobName} failed: ${describeError(error)}`, failed, {
      cause: error,
    });
  }
}

/** Publishes the notification (unless compliant and not asked for) and the result event, and logs the summary. */
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
  if (deps.deliver === false) return;
  const { topicArn, notifyCompliant, eventBusName, dryRunParameterName } = deps.config;
  const tasks: Promise<void>[] = [putResultEvent(deps.clients.events, eventBusName, report)];
  if (topicArn && (report.outcome !== 'compliant' || notifyCompliant)) {
    tasks.push(
      publishNotification(deps.clients.sns, topicArn, buildNotification(report, dryRunParameterName)),
    );
  }
  const results = await Promise.allSettled(tasks);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    // The IAM state is already final here; a lost notification is logged, and for `error` the retry re-sends it.
    for (const f of failures) deps.logger.error({ err: describeError(f.reason) }, 'report delivery failed');
    if (report.outcome === 'error') return;
    throw new Error(`report delivery failed: ${failures.map((f) => describeError(f.reason)).join('; ')}`);
  }
}

function errorReport(request: LabelingJobRequest, dryRun: boolean, notes: string[]): Report {
  return { ...buildReport(request, [], [], dryRun, notes), outcome: 'error' };
}

function invalidReport(reason: string): Report {
  const unknown: LabelingJobRequest = {
    jobName: '(unknown)',
    accountId: '',
    region: '',
    executionRoleArn: '',
    outputS3Uri: '',
  };
  return {
    ...buildReport(unknown, [finding('EVENT_INVALID', '', '', reason)], [], true, [reason]),
    outcome: 'error',
  };
}
