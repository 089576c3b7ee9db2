import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createClients, type AwsClients } from '../../shared/aws/clients';
import {
  CREDENTIAL_REFRESH_MARGIN_MS,
  memberAccessFromConfig,
  memberClientsFactory,
  MEMBER_ROLE_NAME,
  memberRoleArn,
} from '../../shared/aws/member-account';
import { ACCOUNT, REGION } from '../support/aws-world';

const MEMBER = '111111111111';
const STRANGER = '999999999999';
const ORG = 'o-a1b2c3d4e5';
/** An organisation account of this file only (other deployed suites create member roles in theirs). */
const ORG_MEMBER = '210987654329';

/** IAM clients of `accountId` in moto, through a session of its member role. */
async function iamOf(accountId: string): Promise<IAMClient> {
  const sts = new STSClient({ region: REGION });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: memberRoleArn('aws', accountId), RoleSessionName: 'test-reader' }),
  );
  sts.destroy();
  return new IAMClient({
    region: REGION,
    credentials: {
      accessKeyId: c?.AccessKeyId ?? '',
      secretAccessKey: c?.SecretAccessKey ?? '',
      sessionToken: c?.SessionToken ?? '',
    },
  });
}

async function accessKeyOf(clients: AwsClients): Promise<string> {
  const identity = await clients.iam.config.credentials();
  return identity.accessKeyId;
}

describe('memberClientsFactory', () => {
  const home = createClients({ region: REGION });
  const suffix = Date.now().toString(36);

  it('writes to the member account through its role, and keeps reports in the home account and region', async () => {
    // Given a factory serving one listed member account
    const access = memberClientsFactory({
      home,
      homeAccountId: ACCOUNT,
      homeRegion: REGION,
      partition: 'aws',
      allowedAccounts: [MEMBER],
    });
    // When the flow asks for that account's clients in another region and creates a role with them
    const member = await access.clientsFor(MEMBER, 'eu-west-1');
    if (!member) throw new Error('member account was refused');
    const roleName = `member-probe-${suffix}`;
    await member.iam.send(
      new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trustLambda()) }),
    );
    // Then the role exists in the member account and not at home
    const memberIam = await iamOf(MEMBER);
    const { Role } = await memberIam.send(new GetRoleCommand({ RoleName: roleName }));
    expect(Role?.Arn).toBe(`arn:aws:iam::${MEMBER}:role/${roleName}`);
    await expect(home.iam.send(new GetRoleCommand({ RoleName: roleName }))).rejects.toThrow();
    memberIam.destroy();
    // And Lambda/SageMaker run in the job's region while SNS, SSM and EventBridge stay home
    expect(await member.lambda.config.region()).toBe('eu-west-1');
    expect(await member.sagemaker.config.region()).toBe('eu-west-1');
    expect(member.sns).toBe(home.sns);
    expect(member.ssm).toBe(home.ssm);
    expect(member.events).toBe(home.events);
  });

  it('uses the home credentials for the home account, and the home clients in the home region', async () => {
    const access = memberClientsFactory({
      home,
      homeAccountId: ACCOUNT,
      homeRegion: REGION,
      partition: 'aws',
    });
    expect(await access.clientsFor(ACCOUNT, REGION)).toBe(home);
    const west = await access.clientsFor(ACCOUNT, 'us-west-2');
    expect(await west?.lambda.config.region()).toBe('us-west-2');
    expect(await accessKeyOf(west as AwsClients)).toBe(await accessKeyOf(home));
    expect(await access.accountAllowed(ACCOUNT)).toBe(true);
  });

  it('refuses an account that is neither home nor listed (no organisation)', async () => {
    const access = memberClientsFactory({
      home,
      homeAccountId: ACCOUNT,
      homeRegion: REGION,
      partition: 'aws',
      allowedAccounts: [MEMBER],
    });
    expect(await access.clientsFor(STRANGER, REGION)).toBeUndefined();
    expect(await access.accountAllowed(STRANGER)).toBe(false);
    expect(await access.clientsFor(MEMBER, 'not-a-region')).toBeUndefined();
  });

  it('keeps one session per account until 5 minutes before it expires', async () => {
    // Given a clock we can move
    let clock = Date.now();
    const access = memberClientsFactory({
      home,
      homeAccountId: ACCOUNT,
      homeRegion: REGION,
      partition: 'aws',
      allowedAccounts: [MEMBER],
      now: () => new Date(clock),
    });
    const first = await accessKeyOf((await access.clientsFor(MEMBER, REGION)) as AwsClients);
    // When another region of the same account is asked for soon after: the same session
    const again = await accessKeyOf((await access.clientsFor(MEMBER, 'eu-west-1')) as AwsClients);
    expect(again).toBe(first);
    // When the session is within the refresh margin of its (1 hour) expiry: a new session
    clock += 60 * 60 * 1000 - CREDENTIAL_REFRESH_MARGIN_MS + 1000;
    const clients = (await access.clientsFor(MEMBER, REGION)) as AwsClients;
    const renewed = await clients.iam.config.credentials({ forceRefresh: true });
    expect(renewed.accessKeyId).not.toBe(first);
  });

  it('in organisation mode serves an account whose member role exists, and refuses one without it', async () => {
    // Given the member role in ORG_MEMBER only (moto's STS issues credentials for any role ARN, so the
    // factory's own read of the member role is what tells them apart)
    const memberIam = await iamOf(ORG_MEMBER);
    await memberIam
      .send(
        new CreateRoleCommand({
          RoleName: MEMBER_ROLE_NAME,
          AssumeRolePolicyDocument: JSON.stringify(trustAccount(ACCOUNT)),
        }),
      )
      .catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'EntityAlreadyExists') throw error;
      });
    memberIam.destroy();
    const access = memberClientsFactory({
      home,
      homeAccountId: ACCOUNT,
      homeRegion: REGION,
      partition: 'aws',
      organizationId: ORG,
    });
    // Then the account without the role is refused and the one with it served through its session
    expect(await access.accountAllowed(STRANGER)).toBe(false);
    expect(await access.clientsFor(STRANGER, REGION)).toBeUndefined();
    expect(await access.accountAllowed(ORG_MEMBER)).toBe(true);
    const member = await access.clientsFor(ORG_MEMBER, REGION);
    expect(member && (await accessKeyOf(member))).not.toBe(await accessKeyOf(home));
  });

  it('in organisation mode refuses an account where STS denies the member role', async () => {
    // Given STS refusing the role outside the organisation (mocked: moto does not evaluate aws:ResourceOrgID)
    const sts = new STSClient({ region: REGION });
    mockClient(sts)
      .on(AssumeRoleCommand)
      .rejects(
        Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }),
      );
    const access = memberClientsFactory({
      home,
      homeAccountId: ACCOUNT,
      homeRegion: REGION,
      partition: 'aws',
      organizationId: ORG,
      sts,
    });
    expect(await access.accountAllowed(MEMBER)).toBe(false);
    expect(await access.clientsFor(MEMBER, REGION)).toBeUndefined();
  });

  it('is configured from the function role ARN and region, or not at all', () => {
    const config = { core: { selfRoleArn: `arn:aws:iam::${ACCOUNT}:role/fn` } } as never;
    expect(memberAccessFromConfig(home, config, REGION)).toBeDefined();
    expect(memberAccessFromConfig(home, config, undefined)).toBeUndefined();
    expect(memberAccessFromConfig(home, { core: {} } as never, REGION)).toBeUndefined();
  });
});

function trustLambda(): object {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  };
}

function trustAccount(accountId: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'sts:AssumeRole' },
    ],
  };
}
