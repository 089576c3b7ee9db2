/** `scan`: every labeling job of the account/region through the same flow; each role, function and policy read once. */
import pLimit from 'p-limit';
import { ENDED_STATUSES, parseLabelingJobInput, type Report } from './core';
import { describeError } from './aws/errors';
import { removeJobGrants } from './end-job';
import type { AccountPorts, SharedReads } from './flow-ports';
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
export async function scanJobs(
  account: AccountPorts,
  deps: RemediationDeps,
  options: ScanOptions = {},
): Promise<ScanEntry[]> {
  const since =
    options.sinceDays !== undefined
      ? new Date((deps.now?.() ?? new Date()).getTime() - options.sinceDays * 86_400_000)
      : undefined;
  const names = await account.reader.listLabelingJobNames(since, options.statuses ?? []);
  const reads = account.sharedReads();
  const limit = pLimit(options.concurrency ?? 4);
  let done = 0;
  options.onProgress?.(0, names.length);
  const entries = await Promise.all(
    names.map((job) =>
      limit(async (): Promise<ScanEntry> => {
        try {
          return await checkOne(job, account, deps, reads);
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
  account: AccountPorts,
  deps: RemediationDeps,
  reads: SharedReads,
): Promise<ScanEntry> {
  try {
    const described = await account.reader.describeLabelingJob(job);
    if (!described) return { job, problem: 'job disappeared during the scan' };
    const parsed = parseLabelingJobInput(described);
    if (parsed.kind !== 'request')
      return { job, problem: 'reason' in parsed ? parsed.reason : 'incomplete job description' };
    const inventory = await account.reader.inspect(parsed.request, reads);
    // A job that has ended gets nothing more: what was granted for it alone is removed (proposed without --fix).
    const status = parsed.origin.source === 'describe' ? parsed.origin.status : undefined;
    if (status && ENDED_STATUSES.has(status)) {
      return {
        job,
        report: await removeJobGrants(parsed.request, account, deps, { status, inventory, reads }),
      };
    }
    return { job, report: await remediateRequest(parsed.request, account, deps, { inventory }) };
  } catch (error) {
    if (error instanceof RemediationError) return { job, report: error.report };
    return { job, problem: describeError(error) };
  }
}

/** A job entry of a fleet scan, with the region it was found in. */
export type RegionScanEntry = ScanEntry & { region: string };

/** One account of a fleet scan: every region's jobs, and one line for each part that could not be scanned. */
export interface AccountScan {
  account: string;
  regions: string[];
  entries: RegionScanEntry[];
  /** Why the account could not be reached (its member role); then nothing else was scanned. */
  unreachable?: string;
  /** One line for each region whose jobs could not be listed. */
  problems: string[];
}

/** The reader and writer of one account and region; rejects when the account cannot be reached. */
export type AccountReacher = (account: string, region: string) => Promise<AccountPorts>;

/**
 * Scans each account in each region, one after the other (IAM's quotas are per account; the SDK's
 * adaptive retry handles the rest). An account that cannot be reached is `unreachable` and no
 * further regions; a region whose jobs cannot be listed is one problem line; the others still run.
 */
export async function scanAccounts(
  accounts: readonly string[],
  regions: readonly string[],
  deps: RemediationDeps,
  reach: AccountReacher,
  options: ScanOptions & { progress?: () => ScanOptions['onProgress'] } = {},
): Promise<AccountScan[]> {
  const { progress, ...scanOptions } = options;
  const scans: AccountScan[] = [];
  for (const account of accounts) {
    const scan: AccountScan = { account, regions: [...regions], entries: [], problems: [] };
    scans.push(scan);
    for (const region of regions) {
      let ports: AccountPorts;
      try {
        ports = await reach(account, region);
      } catch (error) {
        // The member role is per account, not per region: one line for the account.
        scan.unreachable = describeError(error);
        break;
      }
      try {
        const onProgress = progress?.();
        const entries = await scanJobs(ports, deps, {
          ...scanOptions,
          ...(onProgress ? { onProgress } : {}),
        });
        scan.entries.push(...entries.map((e) => ({ ...e, region })));
      } catch (error) {
        scan.problems.push(`${region}: ${describeError(error)}`);
      }
    }
  }
  return scans;
}
