/** `gt-remediate author`: can this person build custom workflows? Offline or live; `--live --apply` grants what is missing. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseRoleArn, type PolicyDocument } from '../shared/core';
import {
  checkAuthor,
  mergeAuthorPolicy,
  parseCapabilities,
  parsePrincipalArn,
  principalFromSnapshot,
  proveProposal,
  renderAuthorReport,
  type AuthorPrincipal,
  type AuthorReport,
} from '../shared/core/author';
import { createClients } from '../shared/aws/clients';
import { readAuthorPrincipal } from '../shared/aws/author-reader';
import { writeAuthorPolicy, type AuthorPolicyWrite } from '../shared/aws/author-writer';
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
  executionRole?: string;
  functionPrefix?: string;
  functionRole?: string;
  snapshot?: string;
  live?: boolean;
  only?: string;
  context?: string[];
  apply?: boolean;
  yes?: boolean;
}

/** The live account as `author` needs it; injectable for tests. Rejects with AWS errors as they come. */
export interface AuthorLive {
  /** The principal and the current default document of its account's author policy (if the policy exists). */
  read(
    arn: string,
    target: { region?: string; profile?: string },
  ): Promise<{
    principal?: AuthorPrincipal;
    existingPolicy?: PolicyDocument;
    region: string;
  }>;
  write(
    principal: AuthorPrincipal,
    document: PolicyDocument,
    target: { region?: string; profile?: string },
  ): Promise<AuthorPolicyWrite>;
}

/** The default: SDK clients as `--profile`, region from `--region` or the SDK's configuration. */
export const authorLive: AuthorLive = {
  async read(arn, { region, profile }) {
    const clients = createClients({ ...(region ? { region } : {}), ...(profile ? { profile } : {}) });
    const reader = new IamReader(clients.iam);
    const principal = await readAuthorPrincipal(clients.iam, arn, reader);
    const parsed = parsePrincipalArn(arn);
    const policyArn = parsed
      ? `arn:${parsed.partition}:iam::${parsed.accountId}:policy/GroundTruthLambdaAuthor`
      : '';
    const existingPolicy = principal ? (await reader.readManagedPolicy(policyArn)).document : undefined;
    return {
      ...(principal ? { principal } : {}),
      ...(existingPolicy ? { existingPolicy } : {}),
      region: region ?? (await clients.iam.config.region()),
    };
  },
  write: (principal, document, { region, profile }) =>
    writeAuthorPolicy(
      createClients({ ...(region ? { region } : {}), ...(profile ? { profile } : {}) }).iam,
      principal,
      document,
    ),
};

/** Registers `author` on `program`; `onStatus` receives the exit status. */
export function registerAuthorCommand(
  program: Command,
  io: Io,
  live: AuthorLive,
  onStatus: (status: number) => void,
): Command {
  const command = program
    .command('author')
    .description(
      'check that a user or role can build custom labeling workflows, and propose the one policy it lacks',
    )
    .requiredOption('--principal <arn>', 'IAM user or role ARN of the person')
    .option('--region <region>', 'region of the labeling jobs (live default: the SDK region)')
    .option('--execution-role <arn>', 'the execution role the jobs use (default: any role)')
    .option('--function-prefix <prefix>', "the functions' name prefix (default: any function)")
    .option('--function-role <arn>', "the functions' own role (default: roles named like the prefix)")
    .option('--only <list>', 'capabilities: create-functions,recipe,console,create-job')
    .option('--context <key=value...>', 'condition-key values you know, e.g. aws:MultiFactorAuthPresent=true')
    .option('--snapshot <dir>', 'offline account snapshot (iam.json from get-account-authorization-details)')
    .option('--live', 'read the account with the default AWS credentials')
    .option('--profile <name>', 'named profile for --live')
    .option('--apply', 'with --live: create or update GroundTruthLambdaAuthor and attach it (asks first)')
    .option('--yes', 'with --apply: do not ask');
  return withFormat(command, 'the report JSON').action(async (flags: AuthorFlags) =>
    onStatus(await runAuthor(flags, io, live)),
  );
}

/** Runs `author`; resolves to the exit status (0 allowed, 1 findings, 2 bad input, 3 AWS failure, 130 Ctrl-C). */
export async function runAuthor(flags: AuthorFlags, io: Io, live: AuthorLive = authorLive): Promise<number> {
  try {
    return await author(flags, io, live);
  } catch (error) {
    if (error instanceof InputError) io.err(`gt-remediate: ${oneLineText(error.message)}\n`);
    else if (error instanceof InterruptedError) io.err(`gt-remediate: ${error.message}\n`);
    else io.err(`gt-remediate: ${AwsFailureError.from(error).message}\n`);
    return error instanceof InputError ? 2 : error instanceof InterruptedError ? 130 : 3;
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
  for (const [flag, value] of [
    ['--execution-role', flags.executionRole],
    ['--function-role', flags.functionRole],
  ] as const) {
    const role = value === undefined ? undefined : parseRoleArn(value);
    if (value !== undefined && (!role || role.partition !== arn.partition))
      throw new InputError(`${flag}: "${value}" is not a role ARN of partition ${arn.partition}`);
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
  let existingPolicy: PolicyDocument | undefined;
  let region = flags.region;
  if (flags.snapshot) {
    if (!region) throw new InputError('--region is needed with --snapshot');
    try {
      principal = principalFromSnapshot(readJsonFile(join(flags.snapshot, 'iam.json')), flags.principal);
    } catch (cause) {
      if (cause instanceof InputError) throw cause;
      throw new InputError(`snapshot ${flags.snapshot}: ${(cause as Error).message}`, { cause });
    }
  } else {
    const got = await live.read(flags.principal, {
      ...(region ? { region } : {}),
      ...(flags.profile ? { profile: flags.profile } : {}),
    });
    ({ principal, existingPolicy } = got);
    region = got.region;
  }
  if (!principal) throw new InputError(`principal not found: ${flags.principal}`);
  if (!region) throw new InputError('no region: give --region');
  const options = {
    region,
    ...(knownContext ? { knownContext } : {}),
    capabilities: only.capabilities,
    ...(flags.executionRole ? { executionRoleArn: flags.executionRole } : {}),
    ...(flags.functionPrefix ? { functionPrefix: flags.functionPrefix } : {}),
    ...(flags.functionRole ? { functionRoleArn: flags.functionRole } : {}),
  };
  const report = await checkAuthor(principal, options);
  if (!flags.apply || !report.proposal) return print(report, flags, io);

  // The policy may already hold statements other principals rely on: keep them, and prove the whole version for this one.
  const document = mergeAuthorPolicy(existingPolicy, report.proposal.document);
  const proof = await proveProposal(principal, report.proposal.claimed, document, report.scope, new Date());
  if (!proof.proven)
    throw new InputError(
      `${report.proposal.policyName} already grants more than ${principal.arn} needs (${proof.failures[0]}); nothing changed`,
    );
  const proposed: AuthorReport = { ...report, proposal: { ...report.proposal, document, proof } };
  if (!flags.yes) {
    io.err(renderAuthorReport(proposed));
    const question = `Create or update ${report.proposal.policyName} and attach it to ${principal.kind} ${principal.name}? [y/N] `;
    if (!(await ask(io, question))) {
      io.err('gt-remediate: nothing changed\n');
      return print(report, flags, io);
    }
  }
  const written = await live.write(principal, document, {
    region,
    ...(flags.profile ? { profile: flags.profile } : {}),
  });
  // Read back: the principal as IAM now has it must hold every requested capability.
  const after = await live.read(flags.principal, {
    region,
    ...(flags.profile ? { profile: flags.profile } : {}),
  });
  const recheck = after.principal ? await checkAuthor(after.principal, options) : undefined;
  const applied: AuthorReport & { applied: AuthorPolicyWrite } = {
    ...proposed,
    outcome: recheck?.outcome === 'compliant' ? 'remediated' : 'blocked',
    findings: recheck?.findings ?? report.findings,
    applied: written,
  };
  return print(applied, flags, io);
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
