/** The options several commands share, and turning them into the core's options and the job to check. */
import { Command, Option } from 'commander';
import {
  parseLabelingJobInput,
  DEFAULT_CORE_OPTIONS,
  type CoreOptions,
  type LabelingJobRequest,
} from '../shared/core';
import { parseProtectedRoles, parseScopePatterns, parseScopeTag, parseStrategy } from '../shared/config';
import { MISMATCH } from '../shared/core/input-match';
import { claimsOf } from '../shared/remediate-job';
import { collectContext, parseContextOption } from './context-option';
import { InputError, readJsonFile } from './input-files';
import type { LiveSubject, LiveTarget } from './live';

/** Strategy and managed scope: the same choices the Lambda reads from its environment. */
export interface CoreFlags {
  strategy?: string;
  scope?: string[];
  scopeTag?: string;
  /** `--protected-role NAME|ARN-PATTERN ...`: roles never changed, besides the built-in ones. */
  protectedRole?: string[];
  /** `--context key=value`, repeatable. */
  context?: string[];
}

/** `--region`, `--profile` and (check, fix) `--account`. */
export interface TargetFlags {
  region?: string;
  profile?: string;
  account?: string;
}

/** `--event FILE` or `--job NAME`. */
export interface SubjectFlags {
  event?: string;
  job?: string;
}

/** Adds --strategy, --scope, --scope-tag, --protected-role and --context. */
export function withCoreOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--strategy <name>', 'how the post-annotation function reads the output').choices([
        'auto',
        'assume-role',
        's3-read',
      ]),
    )
    .option(
      '--scope <patterns...>',
      'role ARN patterns the remediator may change (default: every role of the account)',
    )
    .option('--scope-tag <key=value>', 'tag a role must carry to be changed')
    .option(
      '--protected-role <names...>',
      'role names (any path) or role ARN patterns never changed, besides the built-in admin and bootstrap roles',
    )
    .option(
      '--context <key=value>',
      'a condition-key value you know, e.g. aws:PrincipalOrgID=o-abc123 (repeatable)',
      collectContext,
    );
}

/** Adds --region and --profile; `regionDefault` says what an absent --region means. */
export function withTarget(command: Command, regionDefault: string): Command {
  return command
    .option('--region <region>', `AWS region to read (default: ${regionDefault})`)
    .option(
      '--profile <name>',
      'named profile from the AWS config files (default: the SDK credential chain)',
    );
}

/** Adds --account (check and fix). */
export function withAccount(command: Command): Command {
  return command.option(
    '--account <id>',
    "with --live: the job's account, reached through its GtPermissionsRemediatorMember role (default: yours)",
  );
}

/** Adds --event and --job (exactly one is needed). */
export function withSubject(command: Command): Command {
  return command
    .option(
      '--event <file>',
      'CloudTrail CreateLabelingJob event, DescribeLabelingJob response or CreateLabelingJob request (JSON); --live verifies it with SageMaker',
    )
    .option('--job <name>', 'labeling job name, read with DescribeLabelingJob (live only)');
}

/** The CLI's flags as the same CoreOptions the Lambda builds from its environment. */
export function coreOptionsFromFlags(flags: CoreFlags): CoreOptions {
  const knownContext = parseContextOption(flags.context, '--context');
  return {
    ...DEFAULT_CORE_OPTIONS,
    strategy: parseStrategy(flags.strategy, '--strategy'),
    scopePatterns: parseScopePatterns((flags.scope ?? []).join(','), '--scope'),
    scopeTag: parseScopeTag(flags.scopeTag, '--scope-tag'),
    ...protectedRolesFromFlags(flags),
    ...(knownContext ? { knownContext } : {}),
  };
}

function protectedRolesFromFlags(flags: CoreFlags): Pick<CoreOptions, 'protectedRoles'> {
  const protectedRoles = parseProtectedRoles((flags.protectedRole ?? []).join(','), '--protected-role');
  return protectedRoles.length > 0 ? { protectedRoles } : {};
}

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT_ID = /^\d{12}$/;

/** --region, --profile and --account, validated. */
export function targetFromFlags(flags: TargetFlags): LiveTarget {
  if (flags.region !== undefined && !REGION_NAME.test(flags.region))
    throw new InputError(`--region: "${flags.region}" is not a region name (e.g. us-east-1)`);
  if (flags.account !== undefined && !ACCOUNT_ID.test(flags.account))
    throw new InputError(`--account: "${flags.account}" is not a 12-digit account ID`);
  if (flags.profile !== undefined && flags.profile.trim() === '')
    throw new InputError('--profile needs a profile name');
  return {
    ...(flags.region ? { region: flags.region } : {}),
    ...(flags.profile ? { profile: flags.profile.trim() } : {}),
    ...(flags.account ? { account: flags.account } : {}),
  };
}

/** A comma-separated list of account IDs (`--accounts`): each 12 digits, duplicates dropped, at least one. */
export function parseAccountList(value: string, flag: string): string[] {
  const ids = [...new Set(value.split(',').map((s) => s.trim()))].filter(Boolean);
  const bad = ids.find((id) => !ACCOUNT_ID.test(id));
  if (bad !== undefined) throw new InputError(`${flag}: "${bad}" is not a 12-digit account ID`);
  if (ids.length === 0) throw new InputError(`${flag} needs at least one account ID`);
  return ids;
}

/** A comma-separated list of region names (`--regions`): duplicates dropped, at least one. */
export function parseRegionList(value: string, flag: string): string[] {
  const regions = [...new Set(value.split(',').map((s) => s.trim()))].filter(Boolean);
  const bad = regions.find((r) => !REGION_NAME.test(r));
  if (bad !== undefined) throw new InputError(`${flag}: "${bad}" is not a region name (e.g. us-east-1)`);
  if (regions.length === 0) throw new InputError(`${flag} needs at least one region`);
  return regions;
}

/**
 * The job to check live: what the input file claims (verified against SageMaker later; an event
 * lacking the role or output is fine, SageMaker gives them), or a job name. An input of another
 * region than `--region` is refused, naming both.
 */
export function subjectFromFlags(flags: SubjectFlags & Pick<TargetFlags, 'region'>): LiveSubject {
  if (Boolean(flags.event) === Boolean(flags.job))
    throw new InputError('give exactly one of --event FILE or --job NAME');
  if (flags.job) return { jobName: flags.job };
  const path = flags.event as string;
  const parsed = parseLabelingJobInput(readJsonFile(path), flags.region ? { region: flags.region } : {});
  if (parsed.kind === 'ignored') throw new NothingToCheckError(`${path}: ${parsed.reason}`);
  if (parsed.kind === 'invalid') throw new InputError(`${path}: ${parsed.reason}`);
  const claims = claimsOf(parsed);
  if (flags.region && flags.region !== claims.region)
    throw new InputError(`${MISMATCH}: the job is in region ${claims.region}, --region is ${flags.region}`);
  return { claims, source: parsed.origin.source };
}

/** The input names nothing to check (a failed CreateLabelingJob call): one line, exit 0. */
export class NothingToCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NothingToCheckError';
  }
}

/** Reads the event file and turns it into a request, or throws an InputError saying why not. */
export function readRequest(path: string): LabelingJobRequest {
  const parsed = parseLabelingJobInput(readJsonFile(path));
  switch (parsed.kind) {
    case 'request':
      return parsed.request;
    case 'incomplete':
      throw new InputError(
        `${path}: the event lacks ${parsed.missing.join(', ')}; pass the DescribeLabelingJob response (aws sagemaker describe-labeling-job --labeling-job-name ${parsed.jobName}) or use --live --job ${parsed.jobName}`,
      );
    case 'ignored':
      throw new NothingToCheckError(`${path}: ${parsed.reason}`);
    case 'invalid':
      throw new InputError(`${path}: ${parsed.reason}`);
  }
}

/** What a report is printed as. */
export type OutputFormat = 'text' | 'json' | 'sarif' | 'csv';
const FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif', 'csv'];

/** `--format`, its AWS CLI spelling `--output`, and `--json` (the same as `--format json`). */
export interface FormatFlags {
  format?: string;
  output?: string;
  json?: boolean;
}

/** Adds --format and --output (check, fix, scan, author); `json` says what --json prints for this command. */
export function withFormat(command: Command, json: string): Command {
  return command
    .option(
      '--format <format>',
      `text (default), json (${json}), sarif (SARIF 2.1.0) or csv (one row per finding)`,
    )
    .option('--output <format>', "the same as --format (the AWS CLI's spelling)")
    .option('--json', 'the same as --format json');
}

/** The one format the flags ask for; a name we do not know, or two different answers, is a usage error. */
export function formatFromFlags(flags: FormatFlags): OutputFormat {
  const asked: [string, string][] = [];
  if (flags.format !== undefined) asked.push(['--format', flags.format]);
  if (flags.output !== undefined) asked.push(['--output', flags.output]);
  if (flags.json) asked.push(['--json', 'json']);
  for (const [flag, value] of asked)
    if (!(FORMATS as readonly string[]).includes(value))
      throw new InputError(`${flag}: unknown format "${value}" (one of ${FORMATS.join(', ')})`);
  const [first, ...rest] = asked;
  const other = rest.find(([, value]) => value !== first?.[1]);
  if (first && other)
    throw new InputError(`${first[0]} ${first[1]} and ${other[0]} ${other[1]} disagree: give one format`);
  return (first?.[1] as OutputFormat | undefined) ?? 'text';
}
