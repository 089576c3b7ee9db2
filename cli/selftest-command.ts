/** `gt-remediate selftest --live`: flags, the pass/fail summary and its exit status (the AWS side is selftest-live.ts). */
import type { SelftestCheck, SelftestResult } from '../shared/selftest';
import { EXIT } from './check-command';
import type { Io } from './io';
import { InputError } from './input-files';
import { targetFromFlags, type TargetFlags } from './options';
import { runSelftestLive } from './selftest-live';

export { runSelftestLive };

/** Flags of `selftest`. */
export interface SelftestFlags extends TargetFlags {
  live?: boolean;
  stack: string;
  timeout: string;
  resultBus?: string;
}

/** What the CLI asks of the runner. */
export interface SelftestOptions {
  region?: string;
  profile?: string;
  stack: string;
  timeoutMs: number;
  /** Where the function puts its result (default: `<stack>-results` when it exists, else `default`). */
  resultBus?: string;
}

/** What came back: the result event (or none before the timeout), and what was cleaned up. */
export interface SelftestRun {
  region: string;
  /** The bus the temporary rule listened on. */
  resultBus?: string;
  nonce: string;
  elapsedMs: number;
  result?: SelftestResult;
  /** Temporary resources deleted at the end. */
  cleanedUp: string[];
  /** Temporary resources that could not be deleted (named so the operator can delete them). */
  leftOver: string[];
}

/** Puts the test event and waits for its result; injectable for tests. */
export type SelftestRunner = (options: SelftestOptions) => Promise<SelftestRun>;

/** Runs the self-test and prints a short summary: 0 pass, 1 fail or no answer, 3 AWS failure, 130 Ctrl-C. */
export async function runSelftest(flags: SelftestFlags, io: Io, runner: SelftestRunner): Promise<number> {
  if (!flags.live) throw new InputError('selftest works on a deployed stack only: add --live');
  const seconds = Number(flags.timeout);
  if (!(Number.isFinite(seconds) && seconds > 0 && seconds <= 900))
    throw new InputError(`--timeout takes seconds between 1 and 900, got "${flags.timeout}"`);
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(flags.stack))
    throw new InputError(`--stack: "${flags.stack}" is not a CloudFormation stack name`);
  const run = await runner({
    ...targetFromFlags(flags),
    stack: flags.stack,
    timeoutMs: seconds * 1000,
    ...(flags.resultBus ? { resultBus: flags.resultBus } : {}),
  });
  const verdict = judge(run, flags.stack);
  io.out(renderSelftest(run, flags.stack, verdict));
  return verdict.pass ? EXIT.compliant : EXIT.findings;
}

/** Pass, or the problems beyond the failed checks (which the summary shows anyway). */
interface Verdict {
  pass: boolean;
  problems: string[];
}

function judge(run: SelftestRun, stack: string): Verdict {
  const problems: string[] = [];
  if (!run.result) {
    problems.push(
      `no result within ${Math.round(run.elapsedMs / 1000)} s: is the stack deployed in ${run.region}, with its self-test rule? See the function's logs.`,
    );
    return { pass: false, problems };
  }
  const fn = run.result.functionName;
  if (fn && !fn.startsWith(`${stack}-`))
    problems.push(`the answer came from function ${fn}, not from stack ${stack}`);
  return { pass: problems.length === 0 && run.result.checks.every((c) => c.ok), problems };
}

/** The summary: a PASS/FAIL line, what the function could read, and the clean-up. */
function renderSelftest(run: SelftestRun, stack: string, verdict: Verdict): string {
  const lines = [
    `Self test of ${stack} in ${run.region}: ${verdict.pass ? 'PASS' : 'FAIL'} (${(run.elapsedMs / 1000).toFixed(1)} s, nonce ${run.nonce})`,
  ];
  if (run.result) {
    lines.push(
      `  answered by   ${run.result.functionName ?? '(unknown function)'} on bus ${run.resultBus ?? 'default'}`,
    );
    for (const check of run.result.checks)
      lines.push(`  ${label(check)}${check.ok ? 'ok  ' : 'FAIL'}  ${check.detail}`);
  }
  for (const problem of verdict.problems) lines.push(`  problem       ${problem}`);
  lines.push(
    `  cleaned up    ${run.cleanedUp.length > 0 ? run.cleanedUp.join(', ') : '(nothing was created)'}`,
  );
  if (run.leftOver.length > 0) lines.push(`  NOT deleted   ${run.leftOver.join(', ')} (delete by hand)`);
  lines.push('  IAM was not changed and no email was sent.');
  return `${lines.join('\n')}\n`;
}

function label(check: SelftestCheck): string {
  const names: Record<SelftestCheck['name'], string> = {
    'dry-run-parameter': 'dry-run flag  ',
    'own-role': 'own role      ',
    evaluator: 'evaluator     ',
  };
  return names[check.name];
}
