/** The CLI's live mode: the Lambda's own flow, with the operator's credentials, no SSM switch and no notifications. */
import {
  parseLabelingJobInput,
  type CoreOptions,
  type LabelingJobRequest,
  type Report,
} from '../shared/core';
import { STSClient } from '@aws-sdk/client-sts';
import { createClients, type AwsClients, type ClientOptions } from '../shared/aws/clients';
import { describeError } from '../shared/aws/errors';
import { memberClientsFactory, memberRoleArn } from '../shared/aws/member-account';
import { callerIdentity } from '../shared/aws/organizations';
import { describeLabelingJob } from '../shared/aws/sagemaker';
import { cliFlow } from '../shared/flow-context';
import { accountPorts } from '../shared/flow-ports';
import { silentLogger } from '../shared/logger';
import { remediateRequest, RemediationError } from '../shared/remediate-job';
import { AwsFailureError } from './cli-errors';
import { InputError } from './input-files';

/** The job to check: a request read from an event file, or a job name to look up with DescribeLabelingJob. */
export type LiveSubject = { request: LabelingJobRequest } | { jobName: string };

/** Where and as whom: `--region` (default: the event's region, or the SDK's for `--job`) and `--profile`. */
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
  options: { dryRun: boolean } & LiveTarget,
) => Promise<Report>;

/** The default live runner: SDK clients in the chosen account and region, the same remediation flow as the Lambda. */
export const runLive: LiveRunner = async (subject, core, { dryRun, region, profile, account }) => {
  const eventRegion = 'request' in subject ? subject.request.region : undefined;
  const target = region ?? eventRegion;
  if (account && 'request' in subject && subject.request.accountId !== account)
    throw new InputError(`--account ${account}: the event's job is in account ${subject.request.accountId}`);
  const clientOptions = { ...(target ? { region: target } : {}), ...(profile ? { profile } : {}) };
  let clients: AwsClients;
  if (account) {
    const reach = await reachAccounts(clientOptions, [account]).catch((error: unknown) => {
      throw AwsFailureError.from(error);
    });
    clients = await reach.clientsIn(account, target ?? reach.homeRegion).catch((error: unknown) => {
      throw AwsFailureError.from(error);
    });
  } else clients = createClients(clientOptions);
  const ports = accountPorts(clients);
  const deps = cliFlow(ports, { core, dryRun, logger: silentLogger() });
  try {
    const request = 'request' in subject ? subject.request : await requestForJob(clients, subject.jobName);
    return await remediateRequest(request, ports, deps);
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

/** DescribeLabelingJob for `jobName`, as the request the core checks. */
async function requestForJob(clients: AwsClients, jobName: string): Promise<LabelingJobRequest> {
  const described = await describeLabelingJob(clients.sagemaker, jobName);
  if (!described) {
    const region = await clients.sagemaker.config.region();
    throw new InputError(`no labeling job named ${jobName} in ${region}`);
  }
  const parsed = parseLabelingJobInput(described);
  if (parsed.kind === 'request') return parsed.request;
  throw new InputError(
    `labeling job ${jobName}: ${parsed.kind === 'incomplete' ? `DescribeLabelingJob lacks ${parsed.missing.join(', ')}` : parsed.reason}`,
  );
}
