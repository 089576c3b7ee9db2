/** `gt-remediate scan --live`: a table (or JSON lines) of every labeling job's outcome, with a summary. */
import { SingleBar } from 'cli-progress';
import type { CoreOptions } from '../shared/core';
import { createClients } from '../shared/aws/clients';
import { silentLogger } from '../shared/logger';
import { scanJobs, type ScanEntry, type ScanOptions } from '../shared/scan';
import type { RemediationDeps } from '../shared/remediate-job';

/** Runs the scan with live clients in `region` (default: the SDK's region); injectable for tests. */
export type ScanRunner = (
  core: CoreOptions,
  options: ScanOptions & { fix: boolean; region?: string },
) => Promise<ScanEntry[]>;

/** The default runner: adaptive retry for IAM throttling, the same flow as the Lambda, no notifications. */
export const runScanLive: ScanRunner = (core, options) => {
  const deps: RemediationDeps = {
    clients: createClients({
      retryMode: 'adaptive',
      maxAttempts: 8,
      ...(options.region ? { region: options.region } : {}),
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
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r[1], (counts.get(r[1]) ?? 0) + 1);
  const summary = [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n\n${entries.length} job(s): ${summary || 'none found'}\n`;
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
