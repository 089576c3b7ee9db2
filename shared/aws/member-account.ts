/**
 * Clients for the account and region of a job. The home account uses the function's own credentials;
 * another account is reached through its member role (STS AssumeRole), credentials cached per account.
 * Reports, the result event and the dry-run flag always stay with the home account and region.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { Config } from '../config';
import { s3Config, type AwsClients } from './clients';
import { sageMakerSdk } from './sagemaker';

/** The role every member account holds for the remediator (cdk/member-role-stack.ts creates it). */
export const MEMBER_ROLE_NAME = 'GtPermissionsRemediatorMember';

/** The function role's fixed name in organisation mode, so member templates can name it before it exists. */
export const FUNCTION_ROLE_NAME = 'GtPermissionsRemediatorFunction';

/** The session name the remediator uses in member accounts (it shows in their CloudTrail). */
export const MEMBER_SESSION_NAME = 'gt-permissions-remediator';

/** Credentials are renewed this long before they expire. */
export const CREDENTIAL_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** Temporary credentials of a member-role session. */
export interface MemberCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** Inputs of {@link memberClientsFactory}. */
export interface MemberAccessOptions {
  /** The clients of the home account and region (the function's own). */
  home: AwsClients;
  /** The home account's ID (the account of the function's role). */
  homeAccountId: string;
  /** The home region: the report topic, the result bus and the dry-run parameter live there. */
  homeRegion: string;
  /** `aws`, `aws-cn`, `aws-us-gov`. */
  partition: string;
  /** Other accounts served; the home account always is. */
  allowedAccounts?: readonly string[];
  /** Organisation mode: any account whose member role can be assumed is served. */
  organizationId?: string;
  /** STS client of the home credentials (default: one in the home region). */
  sts?: STSClient;
  now?: () => Date;
}

/** What {@link memberClientsFactory} returns: the `clientsFor` hook of LambdaDeps (shared/flow-context.ts), and the allow-check. */
export interface MemberAccess {
  /** Clients for a job in `accountId`/`region`, or undefined when the account is not served. */
  readonly clientsFor: (accountId: string, region: string) => Promise<AwsClients | undefined>;
  /**
   * Whether events from `accountId` are served: the home account, a listed account, or (organisation
   * mode) an account whose member role could be assumed.
   */
  readonly accountAllowed: (accountId: string) => Promise<boolean>;
}

/** The member role's ARN in `accountId`. */
export function memberRoleArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:role/${MEMBER_ROLE_NAME}`;
}

/** Splits a role ARN into partition and account; undefined when it is not one. */
export function parseRoleArn(arn: string | undefined): { partition: string; accountId: string } | undefined {
  const match = /^arn:(aws[a-z-]*):iam::(\d{12}):role\//.exec(arn ?? '');
  return match?.[1] && match[2] ? { partition: match[1], accountId: match[2] } : undefined;
}

/** Clients whose IAM, Lambda, SageMaker, S3 and KMS calls go to the job's account and region, the rest home. */
function jobClients(
  home: AwsClients,
  region: string,
  credentials: (() => Promise<MemberCredentials>) | undefined,
): AwsClients {
  const config = { region, ...(credentials ? { credentials } : {}) };
  let iam: IAMClient | undefined;
  let lambda: LambdaClient | undefined;
  let sagemaker: SageMakerClient | undefined;
  let s3: S3Client | undefined;
  let kms: KMSClient | undefined;
  return {
    get iam() {
      return (iam ??= new IAMClient(config));
    },
    get lambda() {
      return (lambda ??= new LambdaClient(config));
    },
    get sagemaker() {
      return (sagemaker ??= new (sageMakerSdk().SageMakerClient)(config));
    },
    get s3() {
      return (s3 ??= new S3Client(s3Config(config)));
    },
    get ssm(): SSMClient {
      return home.ssm;
    },
    get sns(): SNSClient {
      return home.sns;
    },
    get events(): EventBridgeClient {
      return home.events;
    },
    get kms() {
      return (kms ??= new KMSClient(config));
    },
  };
}

/**
 * Builds the `clientsFor` hook: the home account → the function's own credentials in the job's region;
 * another served account → the member role's session, renewed 5 minutes before it expires. An account
 * that is neither listed nor (organisation mode) assumable gets undefined: its event is rejected.
 */
export function memberClientsFactory(options: MemberAccessOptions): MemberAccess {
  const now = options.now ?? (() => new Date());
  const listed = new Set(options.allowedAccounts ?? []);
  // The STS module loads with the first member-role session (a chunk of its own in the bundle): a
  // function that serves only its own account never needs it.
  let sts: Promise<{ client: STSClient; sdk: typeof import('@aws-sdk/client-sts') }> | undefined;
  const stsOf = () =>
    (sts ??= import('@aws-sdk/client-sts').then((sdk) => ({
      client: options.sts ?? new sdk.STSClient({ region: options.homeRegion }),
      sdk,
    })));
  const sessions = new Map<string, Promise<MemberCredentials>>();
  const clients = new Map<string, AwsClients>();

  const assume = async (accountId: string): Promise<MemberCredentials> => {
    const { client, sdk } = await stsOf();
    const got = await client.send(
      new sdk.AssumeRoleCommand({
        RoleArn: memberRoleArn(options.partition, accountId),
        RoleSessionName: MEMBER_SESSION_NAME,
      }),
    );
    const c = got.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new Error(`AssumeRole ${memberRoleArn(options.partition, accountId)} returned no credentials`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  };

  /** The cached session of `accountId`, or a new one when it is missing, failed or near expiry. */
  const credentialsOf = async (accountId: string): Promise<MemberCredentials> => {
    const cached = sessions.get(accountId);
    if (cached) {
      const c = await cached.catch(() => undefined);
      if (c && c.expiration.getTime() - CREDENTIAL_REFRESH_MARGIN_MS > now().getTime()) return c;
    }
    const fresh = assume(accountId);
    sessions.set(accountId, fresh);
    fresh.catch(() => sessions.delete(accountId));
    return fresh;
  };

  const isServed = (accountId: string): 'home' | 'listed' | 'organization' | 'no' => {
    if (accountId === options.homeAccountId) return 'home';
    if (listed.has(accountId)) return 'listed';
    return options.organizationId ? 'organization' : 'no';
  };

  /** Organisation accounts whose member role was seen; a refusal is not cached (the role may arrive later). */
  const confirmed = new Set<string>();

  /**
   * Organisation mode: the function's policy may assume the member role only in accounts of the
   * organisation (aws:ResourceOrgID), so an account outside it fails at AssumeRole. The session then
   * reads the member role itself: the credentials must belong to that account and its role must exist
   * (an emulator, or a misconfigured STS endpoint, would otherwise pass any account).
   */
  const memberRoleConfirmed = async (accountId: string): Promise<boolean> => {
    if (confirmed.has(accountId)) return true;
    const expected = memberRoleArn(options.partition, accountId);
    const iam = new IAMClient({ region: options.homeRegion, credentials: () => credentialsOf(accountId) });
    try {
      const { Role } = await iam.send(new GetRoleCommand({ RoleName: MEMBER_ROLE_NAME }));
      if (Role?.Arn !== expected) return false;
      confirmed.add(accountId);
      return true;
    } catch {
      return false;
    } finally {
      iam.destroy();
    }
  };

  const accountAllowed = async (accountId: string): Promise<boolean> => {
    const served = isServed(accountId);
    if (served === 'home' || served === 'listed') return true;
    if (served === 'no' || !/^\d{12}$/.test(accountId)) return false;
    return memberRoleConfirmed(accountId);
  };

  const clientsFor = async (accountId: string, region: string): Promise<AwsClients | undefined> => {
    const served = isServed(accountId);
    if (served === 'no' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) return undefined;
    if (served === 'organization' && !(await accountAllowed(accountId))) return undefined;
    const key = `${accountId}/${region}`;
    let got = clients.get(key);
    if (!got) {
      // A listed account whose role cannot be assumed is an AWS failure (retried), not a rejection.
      const credentials = served === 'home' ? undefined : () => credentialsOf(accountId);
      if (credentials) await credentials();
      got =
        served === 'home' && region === options.homeRegion
          ? options.home
          : jobClients(options.home, region, credentials);
      clients.set(key, got);
    }
    return got;
  };

  return { clientsFor, accountAllowed };
}

/**
 * The factory as the Lambda configures it: home account and partition from the function's own role
 * (REMEDIATOR_ROLE_ARN), home region from AWS_REGION; undefined when either is unknown.
 */
export function memberAccessFromConfig(
  home: AwsClients,
  config: Pick<Config, 'core' | 'allowedAccounts' | 'organizationId'>,
  homeRegion: string | undefined,
): MemberAccess | undefined {
  const self = parseRoleArn(config.core.selfRoleArn);
  if (!self || !homeRegion) return undefined;
  return memberClientsFactory({
    home,
    homeAccountId: self.accountId,
    homeRegion,
    partition: self.partition,
    ...(config.allowedAccounts ? { allowedAccounts: config.allowedAccounts } : {}),
    ...(config.organizationId ? { organizationId: config.organizationId } : {}),
  });
}
