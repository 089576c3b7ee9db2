/** `scan`: every labeling job of the account/region through the same flow; each role, function and policy read once. */
import pLimit from 'p-limit';
import { parseLabelingJobInput, type FunctionInfo, type Report } from './core';
import { describeError } from './aws/errors';
import { IamReader } from './aws/iam';
import { inspectJob } from './aws/inspect';
import { describeLabelingJob, listLabelingJobNames } from './aws/sagemaker';
import { remediateRequest, RemediationError, type RemediationDeps } from './remediate-job';

/** What to scan and how hard to push the APIs. */
export interface ScanOptions {
  sinceDays?: number;
  statuses?: string[];
  /** Jobs in flight at once (default 4): IAM's request quotas are low, the SDK's adaptive retry handles the rest. */
  concurrency?: number;
  /** Called after each job (for a progress bar). */
  onProgress?: (done: number, total: number) => void;
}

/** One line of the scan: the job's report, or why it could not be checked. */
export type ScanEntry = { job: string; report: Report } | { job: string; problem: string };

/** Scans the jobs; never throws for one bad job (its entry says what went wrong). */
export async function scanJobs(deps: RemediationDeps, options: ScanOptions = {}): Promise<ScanEntry[]> {
  const since =
    options.sinceDays !== undefined
      ? new Date((deps.now?.() ?? new Date()).getTime() - options.sinceDays * 86_400_000)
      : undefined;
  const names = await listLabelingJobNames(deps.clients.sagemaker, since, options.statuses ?? []);
  const iam = new IamReader(deps.clients.iam);
  const functionMemo = new Map<string, Promise<FunctionInfo | undefined>>();
  const limit = pLimit(options.concurrency ?? 4);
  let done = 0;
  options.onProgress?.(0, names.length);
  const entries = await Promise.all(
    names.map((job) =>
      limit(async (): Promise<ScanEntry> => {
        try {
          return await checkOne(job, deps, iam, functionMemo);
        } finally {
          options.onProgress?.(++done, names.length);
        }
      }),
    ),
  );
  return entries;
}

async function checkOne(
  job: string,
  deps: RemediationDeps,
  iam: IamReader,
  functionMemo: Map<string, Promise<FunctionInfo | undefined>>,
): Promise<ScanEntry> {
  try {
    const described = await describeLabelingJob(deps.clients.sagemaker, job);
    if (!described) return { job, problem: 'job disappeared during the scan' };
    const parsed = parseLabelingJobInput(described);
    if (parsed.kind !== 'request')
      return { job, problem: 'reason' in parsed ? parsed.reason : 'incomplete job description' };
    const inventory = await inspectJob(parsed.request, { iam, lambda: deps.clients.lambda, functionMemo });
    return { job, report: await remediateRequest(parsed.request, deps, inventory) };
  } catch (error) {
    if (error instanceof RemediationError) return { job, report: error.report };
    return { job, problem: describeError(error) };
  }
}
