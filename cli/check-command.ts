/** `check` (offline or live, never writes) and `fix` (live, asks before writing). */
import { planJob, renderReport, type Report } from '../shared/core';
import { ask, canAsk, type Io } from './io';
import { InputError, loadSnapshot } from './input-files';
import { snapshotMismatch } from '../shared/core/input-match';
import type { LiveRunner } from './live';
import { renderMachine } from './report-output';
import {
  coreOptionsFromFlags,
  formatFromFlags,
  readRequest,
  subjectFromFlags,
  targetFromFlags,
  type CoreFlags,
  type FormatFlags,
  type OutputFormat,
  type SubjectFlags,
  type TargetFlags,
} from './options';

/** Exit statuses: 0 compliant (or remediated), 1 findings, 2 bad input or usage, 3 an AWS call failed, 130 Ctrl-C. */
export const EXIT = { compliant: 0, findings: 1, usage: 2, awsError: 3, interrupted: 130 } as const;

/** Flags of `check`. */
export interface CheckFlags extends CoreFlags, TargetFlags, SubjectFlags, FormatFlags {
  snapshot?: string;
  live?: boolean;
}

/** Flags of `fix`. */
export interface FixFlags extends CheckFlags {
  yes?: boolean;
  dryRun?: boolean;
}

/** `check`: offline against a snapshot, or live read-only. */
export async function runCheck(flags: CheckFlags, io: Io, live: LiveRunner): Promise<number> {
  if (Boolean(flags.snapshot) === Boolean(flags.live))
    throw new InputError('check needs exactly one of --snapshot DIR or --live');
  const format = formatFromFlags(flags);
  const core = coreOptionsFromFlags(flags);
  if (flags.live) {
    const target = targetFromFlags(flags);
    const subject = subjectFromFlags(flags);
    const report = await live(subject, core, { dryRun: true, purpose: 'check', ...target });
    printReport(report, format, io);
    return exitFor(report);
  }
  if (flags.job) throw new InputError('--job reads the job from SageMaker: use it with --live');
  if (flags.region || flags.profile) throw new InputError('--region and --profile apply to --live only');
  if (flags.account) throw new InputError('--account applies to --live only');
  if (!flags.event) throw new InputError('give --event FILE (the job to check)');
  const request = readRequest(flags.event);
  const inventory = loadSnapshot(flags.snapshot as string);
  const mismatch = snapshotMismatch(inventory, request);
  if (mismatch) throw new InputError(mismatch);
  // Offline nobody asked for a dry run: the plan is simply proposed, and a person gets the whole documents.
  const checked = await planJob(request, inventory, {
    core,
    dryRun: true,
    notes: [OFFLINE_NOTE],
  });
  io.out(
    format === 'text'
      ? renderReport(checked.report, { documents: checked.changes, manualDocuments: checked.manualChanges })
      : renderMachine(checked.report, format),
  );
  return checked.report.outcome === 'compliant' ? EXIT.compliant : EXIT.findings;
}

/** What an offline check cannot know: whether the job exists as the input says (the live modes verify it). */
export const OFFLINE_NOTE =
  'unverified (offline): the input was not checked against SageMaker; check --live verifies the job';

/** `fix`: the preview once, the question, then the result once (or the result alone with --yes). */
export async function runFix(flags: FixFlags, io: Io, live: LiveRunner): Promise<number> {
  if (!flags.live)
    throw new InputError('fix works on the live account only: add --live (use check --snapshot offline)');
  const format = formatFromFlags(flags);
  const core = coreOptionsFromFlags(flags);
  const target = targetFromFlags(flags);
  const subject = subjectFromFlags(flags);
  // Fail before reading the account when we could not ask anyway.
  if (!flags.yes && !flags.dryRun && !canAsk(io)) {
    throw new InputError('refusing to change IAM without confirmation: stdin is not a terminal (add --yes)');
  }
  const proposal = await live(subject, core, { dryRun: true, purpose: 'fix', ...target });
  if (flags.dryRun || proposal.changes.length === 0) {
    printReport(proposal, format, io);
    return exitFor(proposal);
  }
  if (flags.yes) {
    const report = await live(subject, core, { dryRun: false, purpose: 'fix', ...target });
    printReport(report, format, io);
    return exitFor(report);
  }
  // With a machine format, stdout carries only the result; the preview goes to the terminal on stderr.
  (format === 'text' ? io.out : io.err)(renderReport(proposal));
  if (!(await ask(io, `Apply ${proposal.changes.length} change(s) to IAM? [y/N] `))) {
    io.err('gt-remediate: nothing changed\n');
    return EXIT.findings;
  }
  const report = await live(subject, core, { dryRun: false, purpose: 'fix', ...target });
  io.out(format === 'text' ? renderFixResult(report) : renderMachine(report, format));
  return exitFor(report);
}

/** After the question: what was applied, worded for the outcome (the preview already showed the details). */
export function renderFixResult(report: Report): string {
  const n = report.changes.length;
  const changes = `${n} change${n === 1 ? '' : 's'}`;
  const open = report.findings.filter((f) => !f.fixable);
  const lines: string[] = [];
  switch (report.outcome) {
    case 'remediated':
      lines.push(
        `Result: REMEDIATED: ${changes} applied and verified; the job has the permissions it needs.`,
      );
      break;
    case 'blocked':
      lines.push(
        `Result: BLOCKED: ${n > 0 ? `${changes} applied and verified; ` : 'nothing applied; '}${open.length} finding(s) still need a person.`,
      );
      for (const f of open) lines.push(`  ${f.code}: ${f.principal || f.resource} (${f.reason})`);
      break;
    case 'compliant':
      lines.push('Result: COMPLIANT: nothing was left to change (IAM changed since the preview).');
      break;
    default:
      lines.push(`Result: ${report.outcome.toUpperCase()}: nothing was applied.`);
  }
  if (report.outcome !== 'compliant') {
    for (const c of report.changes)
      lines.push(
        `  applied: ${c.action} ${c.action === 'PutRolePolicy' ? `${c.policyName ?? ''} on ` : ''}role ${c.roleName}`,
      );
  }
  for (const note of report.notes ?? []) lines.push(`Note: ${note}`);
  return `${lines.join('\n')}\n`;
}

/** 0 compliant or remediated, 3 error, 1 otherwise. */
export function exitFor(report: Report): number {
  if (report.outcome === 'error') return EXIT.awsError;
  return report.outcome === 'compliant' || report.outcome === 'remediated' ? EXIT.compliant : EXIT.findings;
}

function printReport(report: Report, format: OutputFormat, io: Io): void {
  io.out(format === 'text' ? renderReport(report) : renderMachine(report, format));
}
