import { join } from 'node:path';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { Command } from 'commander';
import { parseRoleArn, sameDocument, type PolicyDocument } from '../shared/core';
import {
  authorPolicyConflict,
  CAPABILITY_NEEDS,
  checkAuthor,
  inferAuthorScope,
  mergeAuthorPolicy,
  parseCapabilities,
  parsePrincipalArn,
  principalFromSnapshot,
  proveProposal,
  renderAuthorReport,
  wideGrants,
  type AuthorJob,
  type AuthorOptions,
  type AuthorPrincipal,
  type AuthorReport,
  type Capability,
  type ExistingAuthorPolicy,
} from '../shared/core/author';
import { createClients } from '../shared/aws/clients';
import { readAuthorJobs } from '../shared/aws/author-jobs';
import { readAuthorPrincipal } from '../shared/aws/author-reader';
import {
  AuthorPolicyConflictError,
  readAuthorPolicy,
  writeAuthorPolicy,
  type AuthorPolicyWrite,
} from '../shared/aws/author-writer';
import { IamReader } from '../shared/aws/iam';
import { AwsFailureError, InterruptedError, oneLineText } from './cli-errors';
import { InputError, readJsonFile } from './input-files';
import { ask, canAsk, type Io } from './io';
import { formatFromFlags, withFormat, type FormatFlags } from './options';
import { renderExport } from './report-output';
import { findingSetOfAuthor } from '../shared/core/report-export';

/** Flags of `author`. */
export interface AuthorFlags extends FormatFlags {
  principal: string;
  region?: string;
  profile?: string;
  /** Exact execution role ARNs (the flag repeats). */
  executionRole?: string[];
  functionPrefix?: string;
  /** Exact function role ARNs (the flag repeats). */
  functionRole?: string[];
  snapshot?: string;
  live?: boolean;
  only?: string;
  context?: string[];
  apply?: boolean;
  yes?: boolean;
}

type Target = { region?: string; profile?: string };

/** The live account as `author` needs it; injectable for tests. Rejects with AWS errors as they come. */
export interface AuthorLive {
  /** The principal and its own author policy (`GroundTruthLambdaAuthor-<name>`), if that exists. */
  read(
    arn: string,
    target: Target,
  ): Promise<{
    principal?: AuthorPrincipal;
    existingPolicy?: ExistingAuthorPolicy;
    region: string;
  }>;
  write(principal: AuthorPrincipal, document: PolicyDocument, target: Target): Promise<AuthorPolicyWrite>;
  /** The labeling jobs the principal created in the region (CloudTrail, SageMaker, Lambda). */
  jobs?(principal: AuthorPrincipal, target: Target & { region: string }): Promise<AuthorJob[]>;
}

const clientsFor = ({ region, profile }: Target) =>
  createClients({ ...(region ? { region } : {}), ...(profile ? { profile } : {}) });

/** The default: SDK clients as `--profile`, region from `--region` or the SDK's configuration. */
export const authorLive: AuthorLive = {
  async read(arn, target) {
    const clients = clientsFor(target);
    const principal = await readAuthorPrincipal(clients.iam, arn, new IamReader(clients.iam));
    const existingPolicy = principal ? await readAuthorPolicy(clients.iam, principal) : undefined;
    return {
      ...(principal ? { principal } : {}),
      ...(existingPolicy ? { existingPolicy } : {}),
      region: target.region ?? (await clients.iam.config.region()),
    };
  },
  write: (principal, document, target) => writeAuthorPolicy(clientsFor(target).iam, principal, document),
  async jobs(principal, target) {
    const clients = clientsFor(target);
    const cloudtrail = new CloudTrailClient({
      region: target.region,
      ...(target.profile ? { profile: target.profile } : {}),
    });
    try {
      return await readAuthorJobs(
        { cloudtrail, sagemaker: clients.sagemaker, lambda: clients.lambda },
        principal.arn,
      );
    } finally {
      cloudtrail.destroy();
    }
  },
};

/** Registers `author` on `program`; `onStatus` receives the exit status. */
export function registerAuthorCommand(
  program: Command,
  io: Io,
  live: AuthorLive,
  onStatus: (status: number) => void,
): Command {
  const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
  const command = program
    .command('author')
    .description(
      "check that a user or role can build custom labeling workflows, and propose that person's own policy for what it lacks",
    )
    .requiredOption('--principal <arn>', 'IAM user or role ARN of the person')
    .option('--region <region>', 'region of the labeling jobs (live default: the SDK region)')
    .option(
      '--execution-role <arn>',
      "an execution role the person's jobs use (repeatable; live default: those of the person's jobs)",
      collect,
    )
    .option(
      '--function-prefix <prefix>',
      "the functions' name prefix (live default: the functions of the person's jobs, by name)",
    )
    .option(
      '--function-role <arn>',
      "the functions' own role (repeatable; live default: the roles of the person's job functions)",
      collect,
    )
    .option('--only <list>', 'capabilities: create-functions,recipe,console,create-job')
    .option('--context <key=value...>', 'condition-key values you know, e.g. aws:MultiFactorAuthPresent=true')
    .option('--snapshot <dir>', 'offline account snapshot (iam.json from get-account-authorization-details)')
    .option('--live', 'read the account with the default AWS credentials')
    .option('--profile <name>', 'named profile for --live')
    .option(
      '--apply',
      "with --live: create or update the person's own GroundTruthLambdaAuthor-<name> and attach it (asks first)",
    )
    .option('--yes', 'with --apply: do not ask');
  return withFormat(command, 'the report JSON').action(async (flags: AuthorFlags) =>
    onStatus(await runAuthor(flags, io, live)),
  );
}

/**
 * Runs `author`; resolves to the exit status: 0 everything allowed (after `--apply`: applied and now
 * allowed), 1 findings or an incomplete scope (after `--apply`: applied, findings remain), 2 bad input
 * or a refused `--apply` (nothing to apply, another principal's policy; nothing written), 3 an AWS
 * call failed, 130 Ctrl-C.
 */
export async function runAuthor(flags: AuthorFlags, io: Io, live: AuthorLive = authorLive): Promise<number> {
  try {
    return await author(flags, io, live);
  } catch (error) {
    const refused = error instanceof InputError || error instanceof AuthorPolicyConflictError;
    if (refused) io.err(`gt-remediate: ${oneLineText(error.message)}\n`);
    else if (error instanceof InterruptedError) io.err(`gt-remediate: ${error.message}\n`);
    else io.err(`gt-remediate: ${AwsFailureError.from(error).message}\n`);
    return refused ? 2 : error instanceof InterruptedError ? 130 : 3;
  }
}

async function author(flags: AuthorFlags, io: Io, live: AuthorLive): Promise<number> {
  formatFromFlags(flags); // a bad --format fails before anything is read
  const arn = parsePrincipalArn(flags.principal);
  if (!arn) throw new InputError(`--principal: "${flags.principal}" is not an IAM user or role ARN`);
  const only = parseCapabilities(flags.only);
  if (!only.ok)
    throw new InputError(
      `--only: unknown capability "${only.unknown}" (create-functions, recipe, console, create-job)`,
    );
  for (const [flag, values] of [
    ['--execution-role', flags.executionRole],
    ['--function-role', flags.functionRole],
  ] as const)
    for (const value of values ?? []) {
      const role = parseRoleArn(value);
      // A wildcard in the path would be a wildcard in the grant.
      if (!role || /[*?]/.test(value) || role.partition !== arn.partition || role.accountId !== arn.accountId)
        throw new InputError(
          `${flag}: "${value}" is not an exact role ARN of account ${arn.accountId} (partition ${arn.partition})`,
        );
    }
  if (flags.functionPrefix !== undefined && !/^[A-Za-z0-9_-]{1,63}$/.test(flags.functionPrefix))
    throw new InputError(`--function-prefix: "${flags.functionPrefix}" is not the start of a function name`);
  if (flags.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(flags.region))
    throw new InputError(`--region: "${flags.region}" is not a region name (e.g. us-east-1)`);
  const knownContext = flags.context ? parseContext(flags.context) : undefined;
  if (Boolean(flags.snapshot) === Boolean(flags.live))
    throw new InputError('author needs exactly one of --snapshot DIR or --live');
  if (flags.apply && !flags.live) throw new InputError('--apply changes the live account: add --live');
  if (flags.yes && !flags.apply) throw new InputError('--yes goes with --apply');
  // Fail before reading the account when we could not ask anyway.
  if (flags.apply && !flags.yes && !canAsk(io))
    throw new InputError('refusing to change IAM without confirmation: stdin is not a terminal (add --yes)');

  let principal: AuthorPrincipal | undefined;
  let existingPolicy: ExistingAuthorPolicy | undefined;
  let region = flags.region;
  const target = (r: string | undefined): Target => ({
    ...(r ? { region: r } : {}),
    ...(flags.profile ? { profile: flags.profile } : {}),
  });
  if (flags.snapshot) {
    if (!region) throw new InputError('--region is needed with --snapshot');
    try {
      principal = principalFromSnapshot(readJsonFile(join(flags.snapshot, 'iam.json')), flags.principal);
    } catch (cause) {
      if (cause instanceof InputError) throw cause;
      throw new InputError(`snapshot ${flags.snapshot}: ${(cause as Error).message}`, { cause });
    }
  } else {
    const got = await live.read(flags.principal, target(region));
    ({ principal, existingPolicy } = got);
    region = got.region;
  }
  if (!principal) throw new InputError(`principal not found: ${flags.principal}`);
  if (!region) throw new InputError('no region: give --region');
  const options: AuthorOptions = {
    region,
    ...(knownContext ? { knownContext } : {}),
    capabilities: only.capabilities,
    ...(await scopeOptions(flags, only.capabilities, principal, region, live)),
  };
  const report = await checkAuthor(principal, options);
  if (!flags.apply) return print(report, flags, io);
  if (report.outcome === 'incomplete')
    throw new InputError(
      `nothing to apply: give ${(report.needs ?? []).join(' and ')} (not inferred: ${(report.notes ?? []).join('; ') || 'no jobs read'})`,
    );
  if (!report.proposal) return print(report, flags, io);

  // Only the person's own policy is ever written: refuse one made for, or attached to, anyone else.
  const conflict = authorPolicyConflict(existingPolicy, principal);
  if (conflict) throw new InputError(`${conflict}; nothing changed`);
  // The person's policy may hold statements from an earlier scope: keep them, and prove the whole version.
  const document = mergeAuthorPolicy(existingPolicy?.document, report.proposal.document);
  const wide = wideGrants(document);
  if (wide.length > 0)
    throw new InputError(`${report.proposal.policyName} would grant ${wide[0]}; nothing changed`);
  const proof = await proveProposal(principal, report.proposal.claimed, document, report.scope, new Date());
  if (!proof.proven)
    throw new InputError(
      `${report.proposal.policyName} already grants more than ${principal.arn} needs (${proof.failures[0]}); nothing changed`,
    );
  const proposed: AuthorReport = { ...report, proposal: { ...report.proposal, document, proof } };
  if (!flags.yes) {
    io.err(renderAuthorReport(proposed));
    const question = `Create or update ${report.proposal.policyName} and attach it to ${principal.kind} ${principal.name} only? [y/N] `;
    if (!(await ask(io, question))) {
      io.err('gt-remediate: nothing changed\n');
      return print(report, flags, io);
    }
  }
  let written: AuthorPolicyWrite;
  try {
    written = await live.write(principal, document, target(region));
  } catch (error) {
    if (error instanceof AuthorPolicyConflictError) throw error;
    throw new AwsFailureError(
      `${AwsFailureError.from(error).message}; ${await whatIamHolds(live, flags.principal, target(region))}`,
      { cause: error },
    );
  }
  // Read back: IAM must hold exactly this version, attached to this principal; then check again.
  const after = await live.read(flags.principal, target(region));
  const held = after.existingPolicy;
  if (
    !after.principal ||
    !held?.document ||
    !sameDocument(held.document, document) ||
    !after.principal.attachedPolicyArns.includes(written.policyArn)
  )
    throw new AwsFailureError(
      `read back: ${written.policyArn} version ${written.versionId} was written but IAM does not hold it attached to ${principal.arn}`,
    );
  const recheck = await checkAuthor(after.principal, options);
  const applied: AuthorReport = {
    ...proposed,
    outcome: recheck.outcome === 'compliant' ? 'remediated' : 'partial',
    capabilities: recheck.capabilities,
    findings: recheck.findings,
    applied: { ...written, document: held.document },
  };
  return print(applied, flags, io);
}

/** After a failed write: what IAM holds now, so the message never claims more or less than was written. */
async function whatIamHolds(live: AuthorLive, arn: string, where: Target): Promise<string> {
  try {
    const now = await live.read(arn, where);
    const held = now.existingPolicy;
    if (!held) return 'IAM holds no author policy for this principal (nothing was written)';
    const attached = now.principal?.attachedPolicyArns.includes(held.arn) ?? false;
    return `IAM now holds ${held.arn}, ${attached ? 'attached' : 'NOT attached'} to ${arn}`;
  } catch {
    return 'what IAM holds now could not be read';
  }
}

/** The scope flags, and for each part they leave out that a capability needs, what the person's jobs give. */
async function scopeOptions(
  flags: AuthorFlags,
  capabilities: readonly Capability[],
  principal: AuthorPrincipal,
  region: string,
  live: AuthorLive,
): Promise<Partial<AuthorOptions>> {
  const given: Partial<AuthorOptions> = {
    ...(flags.executionRole?.length ? { executionRoleArns: flags.executionRole } : {}),
    ...(flags.functionPrefix ? { functionPrefix: flags.functionPrefix } : {}),
    ...(flags.functionRole?.length ? { functionRoleArns: flags.functionRole } : {}),
  };
  const needed = new Set(capabilities.flatMap((c) => CAPABILITY_NEEDS[c]));
  const lacking =
    (needed.has('execution-role') && !given.executionRoleArns) ||
    (needed.has('functions') && !given.functionPrefix) ||
    (needed.has('function-role') && !given.functionRoleArns);
  if (!lacking) return given;
  if (flags.snapshot || !live.jobs)
    return {
      ...given,
      notes: [
        flags.snapshot
          ? 'offline: a snapshot holds no labeling jobs, so no role or function is inferred'
          : 'no labeling jobs were read, so no role or function is inferred',
      ],
    };
  let jobs: AuthorJob[];
  try {
    jobs = await live.jobs(principal, jobsTarget(flags, region));
  } catch (error) {
    // Without the creator's word no job counts as the person's: infer nothing (never guess wider).
    return {
      ...given,
      notes: [
        `the person's jobs could not be read (${AwsFailureError.from(error).message}): nothing inferred`,
      ],
    };
  }
  const inferred = inferAuthorScope(jobs, principal, region);
  return {
    ...((given.executionRoleArns ?? inferred.executionRoleArns).length
      ? { executionRoleArns: given.executionRoleArns ?? inferred.executionRoleArns }
      : {}),
    ...(given.functionPrefix
      ? { functionPrefix: given.functionPrefix }
      : inferred.functionNames.length > 0
        ? { functionNames: inferred.functionNames }
        : {}),
    ...((given.functionRoleArns ?? inferred.functionRoleArns).length
      ? { functionRoleArns: given.functionRoleArns ?? inferred.functionRoleArns }
      : {}),
    notes: inferred.notes,
  };
}

function jobsTarget(flags: AuthorFlags, region: string): Target & { region: string } {
  return { region, ...(flags.profile ? { profile: flags.profile } : {}) };
}

function print(report: AuthorReport, flags: AuthorFlags, io: Io): number {
  const format = formatFromFlags(flags);
  io.out(
    format === 'text'
      ? renderAuthorReport(report)
      : format === 'json'
        ? `${JSON.stringify(report, null, 2)}\n`
        : renderExport(format, [findingSetOfAuthor(report)]),
  );
  return report.outcome === 'compliant' || report.outcome === 'remediated' ? 0 : 1;
}

function parseContext(pairs: string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0 || !/^[A-Za-z0-9]+:[\w/.-]+$/.test(pair.slice(0, at)))
      throw new InputError(
        `--context: "${pair}" is not key=value with a condition key such as aws:MultiFactorAuthPresent`,
      );
    context[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return context;
}
