/** The CLI's live mode: the Lambda's own verification and flow, with the operator's credentials, no SSM switch and no notifications. */
import type { CoreOptions, Report } from '../shared/core';
import { MISMATCH } from '../shared/core/input-match';
import type { JobOrigin } from '../shared/core/parse-event';
import type { EventClaims } from '../shared/core/verify-event';
import { STSClient } from '@aws-sdk/client-sts';
import { createClients, type AwsClients, type ClientOptions } from '../shared/aws/clients';
import { describeError } from '../shared/aws/errors';
import { memberClientsFactory, memberRoleArn } from '../shared/aws/member-account';
import { callerIdentity } from '../shared/aws/organizations';
import { cliFlow } from '../shared/flow-context';
import { accountPorts } from '../shared/flow-ports';
import { silentLogger } from '../shared/logger';
import { remediateRequest, RemediationError } from '../shared/remediate-job';
import { AwsFailureError } from './cli-errors';
import { InputError } from './input-files';
import { verifyLiveJob, type LivePurpose } from './verify-job';

/**
 * The job to check: what an input file claims about it (only a pointer: verified against SageMaker),
 * with the kind of input; or a job name (`--job`), looked up in the account and region.
 */
export type LiveSubject = { claims: EventClaims; source: JobOrigin['source'] } | { jobName: string };

/** Where and as whom: `--region` (an event's region must match it; `--job`: default the SDK's) and `--profile`. */
export interface LiveTarget {
  region?: string;
  profile?: string;
  /** `--account`: another account, reached through its member role (the caller's own: its credentials). */
  account?: string;
}

/** Runs one job against the live account; `dryRun` true never writes. Rejects with AwsFailureError or InputError. */
export type LiveRunner = (
  subject: LiveSubject,
  core: CoreOptions,
  options: { dryRun: boolean; purpose: LivePurpose } & LiveTarget,
) => Promise<Report>;

/**
 * The default live runner: who the caller is (GetCallerIdentity), SDK clients in the job's account
 * and region, DescribeLabelingJob verification of every input, then the Lambda's remediation flow on
 * SageMaker's job. An input of another account than the credentials' (or `--account`) is refused.
 */
export const runLive: LiveRunner = async (subject, core, { dryRun, purpose, region, profile, account }) => {
  const target = 'claims' in subject ? subject.claims.region : region;
  const clientOptions = { ...(target ? { region: target } : {}), ...(profile ? { profile } : {}) };
  const claimed = 'claims' in subject ? subject.claims.accountId : undefined;
  if (claimed && account && claimed !== account)
    throw new InputError(`${MISMATCH}: the job is in account ${claimed}, --account is ${account}`);
  const reach = await reachAccounts(clientOptions, account ? [account] : []).catch((error: unknown) => {
    throw AwsFailureError.from(error);
  });
  const jobAccount = account ?? reach.homeAccount;
  if (claimed && claimed !== jobAccount) {
    throw new InputError(
      `${MISMATCH}: the job is in account ${claimed}, your credentials are of account ${jobAccount} (use --account ${claimed}, or that account's credentials)`,
    );
  }
  const jobRegion = target ?? reach.homeRegion;
  const clients = await reach.clientsIn(jobAccount, jobRegion).catch((error: unknown) => {
    throw AwsFailureError.from(error);
  });
  const ports = accountPorts(clients);
  const deps = cliFlow(ports, { core, dryRun, logger: silentLogger() });
  const claims: EventClaims =
    'claims' in subject
      ? subject.claims
      : { jobName: subject.jobName, accountId: jobAccount, region: jobRegion };
  try {
    const answer = await ports.reader.describeLabelingJob(claims.jobName);
    if (!answer && 'jobName' in subject)
      throw new InputError(`no labeling job named ${subject.jobName} in ${jobRegion}`);
    const source = 'claims' in subject ? subject.source : 'job-name';
    const verified = verifyLiveJob(claims, source, answer, purpose, new Date());
    if (verified.kind === 'refuse') return verified.report;
    return await remediateRequest(verified.request, ports, deps, { notes: verified.notes });
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw AwsFailureError.from(error instanceof RemediationError ? (error.cause ?? error) : error);
  }
};

/** The caller's account and region, and clients for any account it may reach. */
export interface AccountReach {
  /** The caller's own account. */
  readonly homeAccount: string;
  /** The CLI's region (--region, or the SDK's default). */
  readonly homeRegion: string;
  /**
   * Clients in `account` and `region`: the caller's own credentials for its own account, the member
   * role's session for another. Rejects naming the account and the role when it cannot be assumed.
   */
  clientsIn(account: string, region: string): Promise<AwsClients>;
}

/** Who the caller is (GetCallerIdentity), and the member-role factory for `accounts`; `sts` is injectable for tests. */
export async function reachAccounts(
  options: ClientOptions,
  accounts: readonly string[],
  sts: STSClient = new STSClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  }),
): Promise<AccountReach> {
  const self = await callerIdentity(sts);
  const homeRegion = await sts.config.region();
  const home = createClients({ ...options, region: homeRegion });
  const own = new Map<string, AwsClients>([[homeRegion, home]]);
  const members = memberClientsFactory({
    home,
    homeAccountId: self.accountId,
    homeRegion,
    partition: self.partition,
    allowedAccounts: accounts.filter((a) => a !== self.accountId),
    sts,
  });
  const clientsIn = async (account: string, region: string): Promise<AwsClients> => {
    if (account === self.accountId) {
      let got = own.get(region);
      if (!got) own.set(region, (got = createClients({ ...options, region })));
      return got;
    }
    const role = memberRoleArn(self.partition, account);
    const got = await members.clientsFor(account, region).catch((error: unknown) => {
      throw new Error(`account ${account}: cannot assume ${role}: ${describeError(error)}`, { cause: error });
    });
    if (!got) throw new Error(`account ${account}: not reachable in ${region} through ${role}`);
    return got;
  };
  return { homeAccount: self.accountId, homeRegion, clientsIn };
}
