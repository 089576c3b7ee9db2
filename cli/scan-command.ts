/** `gt-remediate scan --live`: a table (or JSON lines) of every labeling job's outcome, with a summary. */
import { SingleBar } from 'cli-progress';
import type { CoreOptions } from '../shared/core';
import { createClients } from '../shared/aws/clients';
import { silentLogger } from '../shared/logger';
import { scanJobs, type ScanEntry, type ScanOptions } from '../shared/scan';
import type { RemediationDeps } from '../shared/remediate-job';
import { AwsFailureError } from './cli-errors';
import { ask, canAsk, type Io } from './io';
import { InputError } from './input-files';
import { coreOptionsFromFlags, targetFromFlags, type CoreFlags, type TargetFlags } from './options';

/** Runs the scan with live clients in `region` (default: the SDK's region) as `profile`; injectable for tests. */
export type ScanRunner = (
  core: CoreOptions,
  options: ScanOptions & { fix: boolean; region?: string; profile?: string },
) => Promise<ScanEntry[]>;

/** Flags of `scan`. */
export interface ScanFlags extends CoreFlags, TargetFlags {
  live?: boolean;
  json?: boolean;
  since?: string;
  status?: string;
  fix?: boolean;
  yes?: boolean;
}

const STATUSES = ['Initializing', 'InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];

/** `scan`: one table (or JSON lines) of every job; with --fix, the proposals, the question, then a summary line. */
export async function runScan(flags: ScanFlags, io: Io, scan: ScanRunner): Promise<number> {
  if (!flags.live) throw new InputError('scan works on the live account only: add --live');
  const sinceDays = flags.since === undefined ? undefined : Number(flags.since);
  if (sinceDays !== undefined && !(Number.isFinite(sinceDays) && sinceDays > 0))
    throw new InputError(`--since takes a positive number of days, got "${flags.since}"`);
  const statuses = (flags.status ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = statuses.find((s) => !STATUSES.includes(s));
  if (bad) throw new InputError(`--status: unknown status "${bad}" (one of ${STATUSES.join(', ')})`);
  const core = coreOptionsFromFlags(flags);
  const base = { ...(sinceDays !== undefined ? { sinceDays } : {}), statuses, ...targetFromFlags(flags) };
  if (flags.fix && !flags.yes && !canAsk(io)) {
    throw new InputError('refusing to change IAM without confirmation: stdin is not a terminal (add --yes)');
  }
  const run = async (fix: boolean): Promise<ScanEntry[]> => {
    try {
      return await scan(core, { ...base, fix, onProgress: progressReporter() });
    } catch (error) {
      // Listing the jobs failed (credentials, permissions, the API): there is no table to show.
      throw AwsFailureError.from(error);
    }
  };
  const print = (entries: ScanEntry[]): void =>
    io.out(
      flags.json
        ? entries.map((e) => `${JSON.stringify('report' in e ? e.report : e)}\n`).join('')
        : renderScan(entries),
    );
  const proposals = await run(false);
  const total = proposals.reduce((n, e) => n + ('report' in e ? e.report.changes.length : 0), 0);
  if (!flags.fix || total === 0) {
    print(proposals);
    return scanExitStatus(proposals);
  }
  if (flags.yes) {
    const applied = await run(true);
    print(applied);
    return scanExitStatus(applied);
  }
  // With --json, stdout carries only JSON lines; the proposals go to the terminal on stderr.
  if (flags.json) io.err(renderScan(proposals));
  else print(proposals);
  if (!(await ask(io, `Apply ${total} change(s) to IAM? [y/N] `))) {
    io.err('gt-remediate: nothing changed\n');
    if (flags.json) print(proposals);
    return scanExitStatus(proposals);
  }
  const applied = await run(true);
  // The table above already lists every job: after applying, one summary line (or the JSON lines).
  if (flags.json) print(applied);
  else io.out(`Applied: ${summarize(applied)}\n`);
  return scanExitStatus(applied);
}

/** The default runner: adaptive retry for IAM throttling, the same flow as the Lambda, no notifications. */
export const runScanLive: ScanRunner = (core, options) => {
  const deps: RemediationDeps = {
    clients: createClients({
      retryMode: 'adaptive',
      maxAttempts: 8,
      ...(options.region ? { region: options.region } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
    }),
    config: { core, eventBusName: 'default', notifyCompliant: false },
    logger: silentLogger(),
    dryRunOverride: !options.fix,
    deliver: false,
  };
  return scanJobs(deps, options);
};

/** A progress bar on stderr when it is a terminal; nothing otherwise. */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ScanOptions['onProgress'] {
  if (!stream.isTTY) return undefined;
  const bar = new SingleBar({
    stream,
    format: 'scanning {bar} {value}/{total} jobs',
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return (done, total) => {
    if (!started) {
      bar.start(total, done);
      started = true;
    } else bar.update(done);
    if (done === total) bar.stop();
  };
}

/** The table and summary printed by `scan`. */
export function renderScan(entries: readonly ScanEntry[]): string {
  const rows = entries.map((e) =>
    'report' in e
      ? [
          e.job,
          e.report.outcome,
          e.report.findings.map((f) => f.code).join(',') || '-',
          String(e.report.changes.length),
        ]
      : [e.job, 'error', e.problem, '0'],
  );
  const header = ['JOB', 'OUTCOME', 'FINDINGS', 'CHANGES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n\n${summarize(entries)}\n`;
}

/** "3 job(s): 2 compliant, 1 proposed". */
export function summarize(entries: readonly ScanEntry[]): string {
  const counts = new Map<string, number>();
  for (const e of entries) {
    const outcome = 'report' in e ? e.report.outcome : 'error';
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }
  const summary = [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ');
  return `${entries.length} job(s): ${summary || 'none found'}`;
}

/** Exit status for a scan: 0 when every job is compliant or remediated, 3 when any could not be checked, 1 otherwise. */
export function scanExitStatus(entries: readonly ScanEntry[]): number {
  if (entries.some((e) => !('report' in e) || e.report.outcome === 'error')) return 3;
  return entries.every(
    (e) => 'report' in e && (e.report.outcome === 'compliant' || e.report.outcome === 'remediated'),
  )
    ? 0
    : 1;
}
