/** `gt-remediate`: the offline (and live) command line over the same core as the Lambda. */
import { Command, CommanderError, Option } from 'commander';
import {
  checkJob,
  DEFAULT_CORE_OPTIONS,
  parseLabelingJobInput,
  renderReport,
  type CoreOptions,
  type LabelingJobRequest,
  type Report,
} from '../shared/core';
import { ConfigError, parseScopePatterns, parseScopeTag, parseStrategy } from '../shared/config';
import { createInterface } from 'node:readline/promises';
import { InputError, loadSnapshot, readJsonFile } from './input-files';
import { runLive, type LiveRunner } from './live';
import { progressReporter, renderScan, runScanLive, scanExitStatus, type ScanRunner } from './scan-command';

/** Exit statuses: 0 compliant, 1 findings, 2 bad input or usage. */
export const EXIT = { compliant: 0, findings: 1, usage: 2, awsError: 3 } as const;

interface CheckFlags {
  event: string;
  snapshot?: string;
  live?: boolean;
  json?: boolean;
  strategy?: string;
  scope?: string[];
  scopeTag?: string;
}

interface FixFlags extends CheckFlags {
  yes?: boolean;
  dryRun?: boolean;
}

/** Where the CLI writes; injectable for tests. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** The options every command shares with the Lambda's configuration: strategy and managed scope. */
function withCoreOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--strategy <name>', 'how the post-annotation function reads the output').choices([
        'assume-role',
        's3-read',
      ]),
    )
    .option(
      '--scope <patterns...>',
      'role ARN patterns the remediator may change (default: every role of the account)',
    )
    .option('--scope-tag <key=value>', 'tag a role must carry to be changed');
}

function withEvent(command: Command): Command {
  return command.requiredOption(
    '--event <file>',
    'CloudTrail CreateLabelingJob event or DescribeLabelingJob response (JSON)',
  );
}

/** Runs the CLI and resolves to its exit status; never throws for bad input. */
export async function main(
  argv: string[],
  io: Io = processIo,
  live: LiveRunner = runLive,
  scan: ScanRunner = runScanLive,
): Promise<number> {
  let status: number = EXIT.usage;
  const program = new Command('gt-remediate')
    .description('Check (and fix) the IAM permissions of SageMaker Ground Truth labeling jobs')
    .exitOverride()
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      outputError: (text, write) => write(oneLine(text)),
    });

  withEvent(withCoreOptions(program.command('check')))
    .description('evaluate one labeling job (CloudTrail event or DescribeLabelingJob JSON); never writes')
    .option('--snapshot <dir>', 'offline account snapshot: iam.json and lambda.json')
    .option('--live', 'read the account with the default AWS credentials')
    .option('--json', 'print the report JSON instead of the human report')
    .action(async (flags: CheckFlags) => {
      status = await runCheck(flags, io, live);
    });

  withEvent(withCoreOptions(program.command('fix')))
    .description('evaluate one labeling job in the live account and apply the plan (asks first unless --yes)')
    .option('--live', 'use the default AWS credentials (the only mode fix supports)')
    .option('--yes', 'apply without asking')
    .option('--dry-run', 'show what would change and write nothing')
    .option('--json', 'print the report JSON instead of the human report')
    .action(async (flags: FixFlags) => {
      status = await runFix(flags, io, live);
    });

  withCoreOptions(program.command('scan'))
    .description('check every labeling job of the account and region')
    .option('--live', 'use the default AWS credentials (the only mode scan supports)')
    .option('--since <days>', 'only jobs created in the last DAYS days')
    .option('--status <list>', 'only jobs with these statuses, e.g. InProgress,Completed')
    .option('--region <region>', 'region to scan (default: the SDK default region)')
    .option('--json', 'print one report JSON per job (JSON lines)')
    .option('--fix', 'apply the plans (asks first unless --yes)')
    .option('--yes', 'with --fix: apply without asking')
    .action(async (flags: ScanFlags) => {
      status = await runScan(flags, io, scan);
    });

  try {
    await program.parseAsync(argv);
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT.usage;
    }
    if (error instanceof InputError || error instanceof ConfigError) {
      io.err(`gt-remediate: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

async function runCheck(flags: CheckFlags, io: Io, live: LiveRunner): Promise<number> {
  if (Boolean(flags.snapshot) === Boolean(flags.live))
    throw new InputError('check needs exactly one of --snapshot DIR or --live');
  const core = coreOptionsFromFlags(flags);
  const request = readRequest(flags.event);
  if (flags.live) {
    const report = await live(request, core, { dryRun: true });
    printReport(report, flags.json === true, io);
    return exitFor(report);
  }
  const inventory = loadSnapshot(flags.snapshot as string);
  const report = await checkJob(request, inventory, { core, dryRun: true });
  printReport(report, flags.json === true, io);
  return report.outcome === 'compliant' ? EXIT.compliant : EXIT.findings;
}

async function runFix(flags: FixFlags, io: Io, live: LiveRunner): Promise<number> {
  if (!flags.live)
    throw new InputError('fix works on the live account only: add --live (use check --snapshot offline)');
  const core = coreOptionsFromFlags(flags);
  const request = readRequest(flags.event);
  // Fail before reading the account when we could not ask anyway.
  if (!flags.yes && !flags.dryRun && !process.stdin.isTTY) {
    throw new InputError('refusing to change IAM without confirmation: stdin is not a terminal (add --yes)');
  }
  const proposal = await live(request, core, { dryRun: true });
  if (flags.dryRun || proposal.changes.length === 0) {
    printReport(proposal, flags.json === true, io);
    return exitFor(proposal);
  }
  if (!flags.yes) {
    io.err(renderReport(proposal));
    if (!(await confirm(`Apply ${proposal.changes.length} change(s) to IAM? [y/N] `))) {
      io.err('gt-remediate: nothing changed\n');
      return EXIT.findings;
    }
  }
  const report = await live(request, core, { dryRun: false });
  printReport(report, flags.json === true, io);
  return exitFor(report);
}

interface ScanFlags extends Omit<FixFlags, 'event' | 'dryRun'> {
  since?: string;
  status?: string;
  region?: string;
  fix?: boolean;
}

async function runScan(flags: ScanFlags, io: Io, scan: ScanRunner): Promise<number> {
  if (!flags.live) throw new InputError('scan works on the live account only: add --live');
  const sinceDays = flags.since === undefined ? undefined : Number(flags.since);
  if (sinceDays !== undefined && !(Number.isFinite(sinceDays) && sinceDays > 0))
    throw new InputError(`--since takes a positive number of days, got "${flags.since}"`);
  const statuses = (flags.status ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const known = ['Initializing', 'InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];
  const bad = statuses.find((s) => !known.includes(s));
  if (bad) throw new InputError(`--status: unknown status "${bad}" (one of ${known.join(', ')})`);
  const core = coreOptionsFromFlags(flags);
  const base = {
    ...(sinceDays !== undefined ? { sinceDays } : {}),
    statuses,
    ...(flags.region ? { region: flags.region } : {}),
  };
  if (flags.fix && !flags.yes && !process.stdin.isTTY) {
    throw new InputError('refusing to change IAM without confirmation: stdin is not a terminal (add --yes)');
  }
  let entries = await scan(core, { ...base, fix: false, onProgress: progressReporter() });
  if (flags.fix && entries.some((e) => 'report' in e && e.report.changes.length > 0)) {
    const total = entries.reduce((n, e) => n + ('report' in e ? e.report.changes.length : 0), 0);
    io.err(renderScan(entries));
    if (flags.yes || (await confirm(`Apply ${total} change(s) to IAM? [y/N] `))) {
      entries = await scan(core, { ...base, fix: true, onProgress: progressReporter() });
    }
  }
  io.out(
    flags.json
      ? entries.map((e) => JSON.stringify('report' in e ? e.report : e)).join('\n') +
          (entries.length ? '\n' : '')
      : renderScan(entries),
  );
  return scanExitStatus(entries);
}

function exitFor(report: Report): number {
  if (report.outcome === 'error') return EXIT.awsError;
  return report.outcome === 'compliant' || report.outcome === 'remediated' ? EXIT.compliant : EXIT.findings;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** The CLI's flags as the same CoreOptions the Lambda builds from its environment. */
export function coreOptionsFromFlags(
  flags: Pick<CheckFlags, 'strategy' | 'scope' | 'scopeTag'>,
): CoreOptions {
  return {
    ...DEFAULT_CORE_OPTIONS,
    strategy: parseStrategy(flags.strategy, '--strategy'),
    scopePatterns: parseScopePatterns((flags.scope ?? []).join(','), '--scope'),
    scopeTag: parseScopeTag(flags.scopeTag, '--scope-tag'),
  };
}

/** Reads the event file and turns it into a request, or throws an InputError saying why not. */
export function readRequest(path: string): LabelingJobRequest {
  const parsed = parseLabelingJobInput(readJsonFile(path));
  switch (parsed.kind) {
    case 'request':
      return parsed.request;
    case 'incomplete':
      throw new InputError(`${path}: the event lacks ${parsed.missing.join(', ')}`);
    case 'ignored':
      throw new InputError(`${path}: ${parsed.reason}`);
    case 'invalid':
      throw new InputError(`${path}: ${parsed.reason}`);
  }
}

function printReport(report: Report, json: boolean, io: Io): void {
  io.out(json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
}

function oneLine(text: string): string {
  return `${text.trim().split('\n')[0] ?? ''}\n`;
}
