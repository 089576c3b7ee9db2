/** `gt-remediate`: the offline (and live) command line over the same core as the Lambda. */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../shared/config';
import { EXIT, runCheck, runFix, type CheckFlags, type FixFlags } from './check-command';
import { AwsFailureError, InterruptedError, oneLineText } from './cli-errors';
import { InputError } from './input-files';
import { processIo, type Io } from './io';
import { runLive, type LiveRunner } from './live';
import { withAccount, withCoreOptions, withFormat, withSubject, withTarget } from './options';
import {
  runFleetScanLive,
  runScan,
  runScanLive,
  type FleetScanRunner,
  type ScanFlags,
  type ScanRunner,
} from './scan-command';
import { runSelftest, runSelftestLive, type SelftestFlags, type SelftestRunner } from './selftest-command';
import { authorLive, registerAuthorCommand } from './author-command';
import { packageVersion } from './version';

export { EXIT } from './check-command';
export { coreOptionsFromFlags, readRequest } from './options';
import { NothingToCheckError } from './options';
export type { Io } from './io';

/** Runs the CLI and resolves to its exit status; never throws for bad input, AWS failures or Ctrl-C. */
export async function main(
  argv: string[],
  io: Io = processIo,
  live: LiveRunner = runLive,
  scan: ScanRunner = runScanLive,
  selftest: SelftestRunner = runSelftestLive,
  fleet: FleetScanRunner = runFleetScanLive,
): Promise<number> {
  let status: number = EXIT.usage;
  const program = new Command('gt-remediate')
    .description('Check (and fix) the IAM permissions of SageMaker Ground Truth labeling jobs')
    .version(packageVersion(), '--version', 'print the version and exit')
    .exitOverride()
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      outputError: (text, write) => write(commanderLine(text)),
    });

  withAccount(
    withTarget(
      withSubject(withCoreOptions(withFormat(program.command('check'), 'the report JSON'))),
      "the event's region; with --job, the SDK default region",
    ),
  )
    .description('evaluate one labeling job (CloudTrail event or DescribeLabelingJob JSON); never writes')
    .option('--snapshot <dir>', 'offline account snapshot: iam.json and lambda.json')
    .option('--live', 'read the account with your AWS credentials (--profile, or the default chain)')
    .action(async (flags: CheckFlags) => {
      status = await runCheck(flags, io, live);
    });

  withAccount(
    withTarget(
      withSubject(withCoreOptions(withFormat(program.command('fix'), 'the report JSON'))),
      "the event's region; with --job, the SDK default region",
    ),
  )
    .description('evaluate one labeling job in the live account and apply the plan (asks first unless --yes)')
    .option('--live', 'use your AWS credentials (the only mode fix supports)')
    .option('--yes', 'apply without asking')
    .option('--dry-run', 'show what would change and write nothing')
    .action(async (flags: FixFlags) => {
      status = await runFix(flags, io, live);
    });

  withTarget(
    withCoreOptions(withFormat(program.command('scan'), 'one report JSON per job, JSON lines')),
    "the SDK's default region",
  )
    .description('check every labeling job of the account and region')
    .option('--live', 'use your AWS credentials (the only mode scan supports)')
    .option('--since <days>', 'only jobs created in the last DAYS days')
    .option('--status <list>', 'only jobs with these statuses, e.g. InProgress,Completed')
    .option('--fix', 'apply the plans (asks first unless --yes)')
    .option('--yes', 'with --fix: apply without asking')
    .option('--org', 'every ACTIVE account of your organisation (organizations:ListAccounts)')
    .option('--accounts <ids>', 'these accounts, comma-separated (e.g. 111111111111,222222222222)')
    .option('--regions <list>', "these regions, comma-separated (default: the CLI's region)")
    .action(async (flags: ScanFlags) => {
      status = await runScan(flags, io, scan, fleet);
    });

  withTarget(program.command('selftest'), "the SDK's default region")
    .description(
      'end-to-end test of a deployed stack: a test event in, a result event out; never changes IAM',
    )
    .option('--live', 'use your AWS credentials (the only mode selftest supports)')
    .option('--stack <name>', 'name of the deployed stack', 'GtPermissionsRemediator')
    .option('--timeout <seconds>', 'how long to wait for the result', '60')
    .option(
      '--result-bus <name>',
      'bus the function puts results on (default: <stack>-results if it exists, else default)',
    )
    .action(async (flags: SelftestFlags) => {
      status = await runSelftest(flags, io, selftest);
    });

  registerAuthorCommand(program, io, authorLive, (s) => (status = s));

  try {
    await program.parseAsync(argv);
    return status;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT.usage;
    if (error instanceof InputError || error instanceof ConfigError) {
      io.err(`gt-remediate: ${oneLineText(error.message)}\n`);
      return EXIT.usage;
    }
    if (error instanceof NothingToCheckError) {
      io.err(`gt-remediate: ${oneLineText(error.message)}\n`);
      return EXIT.compliant;
    }
    if (error instanceof AwsFailureError) {
      io.err(`gt-remediate: ${oneLineText(error.message)}\n`);
      return EXIT.awsError;
    }
    if (error instanceof InterruptedError) {
      io.err(`gt-remediate: ${error.message}\n`);
      return EXIT.interrupted;
    }
    throw error;
  }
}

/** Commander's message on one line with our prefix, keeping its "(Did you mean ...?)" suggestion. */
function commanderLine(text: string): string {
  const [first = '', ...rest] = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const suggestion = rest.find((l) => /^\(Did you mean /.test(l));
  return `gt-remediate: ${first.replace(/^error:\s*/, '')}${suggestion ? ` ${suggestion}` : ''}\n`;
}
