/** `gt-remediate scan --live`: a table (or JSON lines) of every labeling job's outcome, with a summary. */
import { SingleBar } from 'cli-progress';
import type { CoreOptions } from '../shared/core';
import { STSClient } from '@aws-sdk/client-sts';
import { createClients } from '../shared/aws/clients';
import { listActiveAccountIds, OrganizationsClient } from '../shared/aws/organizations';
import { silentLogger } from '../shared/logger';
import { scanAccounts, scanJobs, type AccountScan, type ScanEntry, type ScanOptions } from '../shared/scan';
import { cliFlow } from '../shared/flow-context';
import { accountPorts, fixedDryRun } from '../shared/flow-ports';
import type { RemediationDeps } from '../shared/remediate-job';
import { AwsFailureError } from './cli-errors';
import { ask, canAsk, type Io } from './io';
import { InputError } from './input-files';
import { reachAccounts } from './live';
import { findingSetOfProblem, findingSetOfReport, type FindingSet } from '../shared/core/report-export';
import { renderExport } from './report-output';
import {
  coreOptionsFromFlags,
  formatFromFlags,
  parseAccountList,
  parseRegionList,
  targetFromFlags,
  type CoreFlags,
  type FormatFlags,
  type OutputFormat,
  type TargetFlags,
} from './options';

/** Runs the scan with live clients in `region` (default: the SDK's region) as `profile`; injectable for tests. */
export type ScanRunner = (
  core: CoreOptions,
  options: ScanOptions & { fix: boolean; region?: string; profile?: string },
) => Promise<ScanEntry[]>;

/** Options of a fleet scan: accounts from the organisation or a list, regions (empty: the CLI's region). */
export type FleetScanOptions = ScanOptions & {
  fix: boolean;
  profile?: string;
  accounts: 'organization' | string[];
  regions: string[];
  /** A fresh progress callback for each account and region. */
  progress?: () => ScanOptions['onProgress'];
};

/** Runs a scan over accounts and regions (`--org`, `--accounts`, `--regions`); injectable for tests. */
export type FleetScanRunner = (core: CoreOptions, options: FleetScanOptions) => Promise<AccountScan[]>;

/** Flags of `scan`. */
export interface ScanFlags extends CoreFlags, TargetFlags, FormatFlags {
  org?: boolean;
  accounts?: string;
  regions?: string;
  live?: boolean;
  since?: string;
  status?: string;
  fix?: boolean;
  yes?: boolean;
}

const STATUSES = ['Initializing', 'InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];

/** `scan`: one table (or JSON lines) of every job; with --fix, the proposals, the question, then a summary line. */
export async function runScan(
  flags: ScanFlags,
  io: Io,
  scan: ScanRunner,
  fleet: FleetScanRunner = runFleetScanLive,
): Promise<number> {
  if (!flags.live) throw new InputError('scan works on the live account only: add --live');
  const format = formatFromFlags(flags);
  const sinceDays = flags.since === undefined ? undefined : Number(flags.since);
  if (sinceDays !== undefined && !(Number.isFinite(sinceDays) && sinceDays > 0))
    throw new InputError(`--since takes a positive number of days, got "${flags.since}"`);
  const statuses = (flags.status ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = statuses.find((s) => !STATUSES.includes(s));
  if (bad) throw new InputError(`--status: unknown status "${bad}" (one of ${STATUSES.join(', ')})`);
  if (flags.org && flags.accounts !== undefined) throw new InputError('give --org or --accounts, not both');
  if (flags.region !== undefined && flags.regions !== undefined)
    throw new InputError('give --region or --regions, not both');
  const core = coreOptionsFromFlags(flags);
  const base = { ...(sinceDays !== undefined ? { sinceDays } : {}), statuses, ...targetFromFlags(flags) };
  const isFleet = flags.org === true || flags.accounts !== undefined || flags.regions !== undefined;
  const fleetOptions = isFleet
    ? {
        accounts: flags.org
          ? ('organization' as const)
          : flags.accounts !== undefined
            ? parseAccountList(flags.accounts, '--accounts')
            : [],
        regions:
          flags.regions !== undefined
            ? parseRegionList(flags.regions, '--regions')
            : base.region
              ? [base.region]
              : [],
      }
    : undefined;
  if (flags.fix && !flags.yes && !canAsk(io)) {
    throw new InputError('refusing to change IAM without confirmation: stdin is not a terminal (add --yes)');
  }
  const failed = (error: unknown): never => {
    // Listing the jobs (or the accounts) failed (credentials, permissions, the API): there is no table to show.
    throw AwsFailureError.from(error);
  };
  if (fleetOptions) {
    const { region: _region, ...rest } = base;
    void _region;
    return scanFlow(flags, format, io, fleetView, (fix) =>
      fleet(core, { ...rest, ...fleetOptions, fix, progress: () => progressReporter() }).catch(failed),
    );
  }
  return scanFlow(flags, format, io, singleView, (fix) =>
    scan(core, { ...base, fix, onProgress: progressReporter() }).catch(failed),
  );
}

/** How a scan's result is shown and judged. */
interface ScanView<T> {
  table: (result: T) => string;
  jsonLines: (result: T) => string;
  /** Every job's findings (and every problem) for SARIF and CSV. */
  sets: (result: T) => FindingSet[];
  /** What is printed after applying, when the table was already shown. */
  applied: (result: T) => string;
  changes: (result: T) => number;
  exitStatus: (result: T) => number;
  /** Lines for stderr next to the JSON lines (the per-account summary), or ''. */
  sideNotes: (result: T) => string;
}

async function scanFlow<T>(
  flags: ScanFlags,
  format: OutputFormat,
  io: Io,
  view: ScanView<T>,
  run: (fix: boolean) => Promise<T>,
) {
  const machine = format !== 'text';
  const machineOut = (result: T): string =>
    format === 'json' || format === 'text' ? view.jsonLines(result) : renderExport(format, view.sets(result));
  const print = (result: T): void => {
    if (!machine) return io.out(view.table(result));
    io.out(machineOut(result));
    const notes = view.sideNotes(result);
    if (notes) io.err(notes);
  };
  const proposals = await run(false);
  const total = view.changes(proposals);
  if (!flags.fix || total === 0) {
    print(proposals);
    return view.exitStatus(proposals);
  }
  if (flags.yes) {
    const applied = await run(true);
    print(applied);
    return view.exitStatus(applied);
  }
  // With a machine format, stdout carries only that; the proposals go to the terminal on stderr.
  if (machine) io.err(view.table(proposals));
  else print(proposals);
  if (!(await ask(io, `Apply ${total} change(s) to IAM? [y/N] `))) {
    io.err('gt-remediate: nothing changed\n');
    if (machine) io.out(machineOut(proposals));
    return view.exitStatus(proposals);
  }
  const applied = await run(true);
  // The table above already lists every job: after applying, the summary (or the JSON lines).
  if (machine) print(applied);
  else io.out(view.applied(applied));
  return view.exitStatus(applied);
}

const entryJson = (e: ScanEntry): string => `${JSON.stringify('report' in e ? e.report : e)}\n`;
const changesOf = (entries: readonly ScanEntry[]): number =>
  entries.reduce((n, e) => n + ('report' in e ? e.report.changes.length : 0), 0);

const setOf = (e: ScanEntry & { account?: string; region?: string }): FindingSet =>
  'report' in e ? findingSetOfReport(e.report) : findingSetOfProblem(e);

const singleView: ScanView<ScanEntry[]> = {
  table: (entries) => renderScan(entries),
  jsonLines: (entries) => entries.map(entryJson).join(''),
  sets: (entries) => entries.map(setOf),
  applied: (entries) => `Applied: ${summarize(entries)}\n`,
  changes: changesOf,
  exitStatus: (entries) => scanExitStatus(entries),
  sideNotes: () => '',
};

const fleetView: ScanView<AccountScan[]> = {
  table: (scans) => renderFleetScan(scans),
  jsonLines: (scans) =>
    scans
      .flatMap((s) => [
        ...s.entries.map((e) =>
          'report' in e ? entryJson(e) : `${JSON.stringify({ ...e, account: s.account })}\n`,
        ),
        ...[...(s.unreachable !== undefined ? [s.unreachable] : []), ...s.problems].map(
          (problem) => `${JSON.stringify({ account: s.account, regions: s.regions, problem })}\n`,
        ),
      ])
      .join(''),
  sets: (scans) =>
    scans.flatMap((s) => [
      ...s.entries.map((e) => setOf({ ...e, account: s.account })),
      ...[...(s.unreachable !== undefined ? [s.unreachable] : []), ...s.problems].map((problem) =>
        findingSetOfProblem({ job: '', problem, account: s.account }),
      ),
    ]),
  applied: (scans) => `Applied:\n${accountSummaries(scans)}`,
  changes: (scans) => changesOf(scans.flatMap((s) => s.entries)),
  exitStatus: (scans) =>
    scans.some((s) => s.unreachable !== undefined || s.problems.length > 0)
      ? 3
      : scanExitStatus(scans.flatMap((s) => s.entries)),
  sideNotes: (scans) => accountSummaries(scans),
};

/** The fleet table (account and region columns), then one summary line per account. */
export function renderFleetScan(scans: readonly AccountScan[]): string {
  const entries = scans.flatMap((s) => s.entries.map((e) => ({ ...e, account: s.account })));
  const rows = entries.map((e) => [e.account, e.region, ...row(e)]);
  const header = ['ACCOUNT', 'REGION', 'JOB', 'OUTCOME', 'FINDINGS', 'CHANGES'];
  const table = entries.length > 0 ? `${renderTable(header, rows)}\n` : '';
  return `${table}${accountSummaries(scans)}`;
}

/**
 * One line per account: "111111111111 us-east-1,eu-west-1: 4 job(s), 2 compliant, 1 findings, 1 errors";
 * an account that could not be reached (or a region that could not be listed) adds an error line.
 */
export function accountSummaries(scans: readonly AccountScan[]): string {
  const lines: string[] = [];
  for (const s of scans) {
    const head = `${s.account} ${s.regions.join(',') || '-'}`;
    if (s.unreachable !== undefined) {
      lines.push(`${head}: error: ${s.unreachable}`);
      continue;
    }
    const compliant = s.entries.filter(
      (e) => 'report' in e && (e.report.outcome === 'compliant' || e.report.outcome === 'remediated'),
    ).length;
    const errors = s.entries.filter((e) => !('report' in e) || e.report.outcome === 'error').length;
    const findings = s.entries.length - compliant - errors;
    lines.push(
      `${head}: ${s.entries.length} job(s), ${compliant} compliant, ${findings} findings, ${errors} errors`,
    );
    for (const problem of s.problems) lines.push(`${head}: error: ${problem}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : 'no accounts to scan\n';
}

/** The default runner: adaptive retry for IAM throttling, the same flow as the Lambda, no notifications. */
export const runScanLive: ScanRunner = (core, options) => {
  const account = accountPorts(
    createClients({
      retryMode: 'adaptive',
      maxAttempts: 8,
      ...(options.region ? { region: options.region } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
    }),
  );
  return scanJobs(account, cliFlow(account, { core, dryRun: !options.fix, logger: silentLogger() }), options);
};

/** The fleet runner with injectable STS and Organizations clients (tests); the defaults use --profile and the region. */
export function fleetScanLive(
  clients: { sts?: STSClient; organizations?: OrganizationsClient } = {},
): FleetScanRunner {
  return async (core, options) => {
    const { fix, profile, accounts, regions, progress, ...scanOptions } = options;
    const clientOptions = {
      retryMode: 'adaptive' as const,
      maxAttempts: 8,
      ...(regions[0] ? { region: regions[0] } : {}),
      ...(profile ? { profile } : {}),
    };
    const sts =
      clients.sts ??
      new STSClient({ ...(regions[0] ? { region: regions[0] } : {}), ...(profile ? { profile } : {}) });
    const homeRegion = await sts.config.region();
    const ids =
      accounts === 'organization'
        ? await listActiveAccountIds(
            clients.organizations ??
              new OrganizationsClient({ region: homeRegion, ...(profile ? { profile } : {}) }),
          )
        : accounts;
    const reach = await reachAccounts(clientOptions, ids, sts);
    const targets = ids.length > 0 ? ids : [reach.homeAccount];
    // One flow for the fleet; each account and region is read and written through its own clients.
    const flow: RemediationDeps = {
      core,
      logger: silentLogger(),
      accountFor: (account, region) => reach.clientsIn(account, region).then(accountPorts),
      dryRun: fixedDryRun(!fix),
    };
    return scanAccounts(
      targets,
      regions.length > 0 ? regions : [reach.homeRegion],
      flow,
      async (account, region) => accountPorts(await reach.clientsIn(account, region)),
      { ...scanOptions, ...(progress ? { progress } : {}) },
    );
  };
}

/** The default fleet runner. */
export const runFleetScanLive: FleetScanRunner = (core, options) => fleetScanLive()(core, options);

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
  return `${renderTable(['JOB', 'OUTCOME', 'FINDINGS', 'CHANGES'], entries.map(row))}\n\n${summarize(entries)}\n`;
}

/** One job's cells: job, outcome, finding codes, number of changes. */
function row(e: ScanEntry): string[] {
  return 'report' in e
    ? [
        e.job,
        e.report.outcome,
        e.report.findings.map((f) => f.code).join(',') || '-',
        String(e.report.changes.length),
      ]
    : [e.job, 'error', e.problem, '0'];
}

/** Left-aligned columns, two spaces apart. */
function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
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
