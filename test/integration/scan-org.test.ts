/**
 * `gt-remediate scan --live --org/--accounts --regions` against moto: accounts from Organizations,
 * member accounts reached through STS AssumeRole, each account's own IAM state; SageMaker is mocked
 * (moto has no labeling jobs) and answers per account and region of the calling client.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  ListAccountsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  DescribeLabelingJobCommand,
  ListLabelingJobsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  type AssumeRoleCommandInput,
} from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { main, type Io } from '../../cli/main';
import { fleetScanLive } from '../../cli/scan-command';
import { memberRoleArn } from '../../shared/aws/member-account';
import type { Report } from '../../shared/core';
import {
  ACCOUNT,
  createFunction,
  createRole,
  GROUND_TRUTH_POLICY_ARN,
  policy,
  REGION,
  serviceTrustStatement,
} from '../support/aws-world';
import { resetMoto } from '../support/moto-reset';

const REGIONS = [REGION, 'eu-west-1'];
const BUCKET = 'org-scan-data';
const job = (account: string, region: string): string => `org-${account}-${region}`;

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken: string };

/** A member-role session in `account` (moto lets any role be assumed); undefined for the home account. */
async function credentialsOf(account: string): Promise<Credentials | undefined> {
  if (account === ACCOUNT) return undefined;
  const sts = new STSClient({ region: REGION });
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: memberRoleArn('aws', account), RoleSessionName: 'test-seed' }),
  );
  sts.destroy();
  return {
    accessKeyId: c?.AccessKeyId ?? '',
    secretAccessKey: c?.SecretAccessKey ?? '',
    sessionToken: c?.SessionToken ?? '',
  };
}

/** The execution role (unless `withoutExecutionRole`), the function role, and both functions in every region. */
async function seedAccount(account: string, withoutExecutionRole: boolean): Promise<void> {
  const credentials = await credentialsOf(account);
  const iam = new IAMClient({ region: REGION, ...(credentials ? { credentials } : {}) });
  if (!withoutExecutionRole) {
    await createRole(iam, {
      name: 'org-exec',
      trust: policy(serviceTrustStatement('sagemaker.amazonaws.com')),
      managed: [GROUND_TRUTH_POLICY_ARN],
    });
  }
  const fnRole = await createRole(iam, {
    name: 'org-fn',
    trust: policy(serviceTrustStatement('lambda.amazonaws.com')),
  });
  iam.destroy();
  for (const region of REGIONS) {
    const lambda = new LambdaClient({ region, ...(credentials ? { credentials } : {}) });
    for (const name of ['org-pre', 'org-post']) await createFunction(lambda, name, fnRole);
    lambda.destroy();
  }
}

/** The account and region of the client SageMaker was called on (its credentials' account, per moto's STS). */
async function whereIs(client: {
  config: SageMakerClient['config'];
}): Promise<{ account: string; region: string }> {
  const region = await client.config.region();
  const credentials = await client.config.credentials();
  const sts = new STSClient({ region, credentials });
  const { Account } = await sts.send(new GetCallerIdentityCommand({}));
  sts.destroy();
  return { account: Account ?? '', region };
}

/** One job per account and region, named after both, using that account's roles and that region's functions. */
function describe_(account: string, region: string): Record<string, unknown> {
  const fn = (name: string): string => `arn:aws:lambda:${region}:${account}:function:${name}`;
  const name = job(account, region);
  return {
    LabelingJobName: name,
    LabelingJobArn: `arn:aws:sagemaker:${region}:${account}:labeling-job/${name}`,
    LabelingJobStatus: 'InProgress',
    CreationTime: new Date(),
    RoleArn: `arn:aws:iam::${account}:role/org-exec`,
    HumanTaskConfig: {
      PreHumanTaskLambdaArn: fn('org-pre'),
      AnnotationConsolidationConfig: { AnnotationConsolidationLambdaArn: fn('org-post') },
    },
    OutputConfig: { S3OutputPath: `s3://${BUCKET}/${account}/` },
  };
}

function captureIo(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}

describe('gt-remediate scan --live over accounts and regions', () => {
  const sagemaker = mockClient(SageMakerClient);
  let accounts: string[] = [];
  let noRole = '';

  beforeAll(async () => {
    // Given an organisation of three accounts (the caller's and two created), each with its own roles;
    // the third has no execution role at all
    await resetMoto();
    const org = new OrganizationsClient({ region: REGION });
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    for (const n of [1, 2])
      await org.send(new CreateAccountCommand({ AccountName: `member-${n}`, Email: `m${n}@example.com` }));
    const listed = await org.send(new ListAccountsCommand({}));
    org.destroy();
    accounts = (listed.Accounts ?? []).map((a) => a.Id ?? '');
    expect(accounts).toHaveLength(3);
    expect(accounts).toContain(ACCOUNT);
    noRole = accounts.find((a) => a !== ACCOUNT) ?? '';
    for (const account of accounts) await seedAccount(account, account === noRole);
  });

  beforeEach(() => {
    sagemaker.reset();
    sagemaker.on(ListLabelingJobsCommand).callsFake(async (_input, getClient) => {
      const { account, region } = await whereIs(getClient());
      return { LabelingJobSummaryList: [{ LabelingJobName: job(account, region) }] };
    });
    sagemaker
      .on(DescribeLabelingJobCommand)
      .callsFake(async (input: { LabelingJobName: string }, getClient) => {
        const { account, region } = await whereIs(getClient());
        // A client may only see its own account's and region's job.
        if (input.LabelingJobName !== job(account, region)) throw new Error('wrong account or region');
        return describe_(account, region);
      });
  });
  afterAll(() => sagemaker.restore());

  it("--org finds each account's job in each region with that account's IAM state", async () => {
    // When the organisation is scanned in two regions, as JSON lines
    const io = captureIo();
    const status = await main(
      ['node', 'gt-remediate', 'scan', '--live', '--org', '--regions', REGIONS.join(','), '--json'],
      io,
    );

    // Then there is one report per account and region, each naming its account and region
    expect(status).toBe(1);
    const reports = io
      .stdout()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Report);
    expect(reports.map((r) => r.job?.name).sort()).toEqual(
      accounts.flatMap((a) => REGIONS.map((r) => job(a, r))).sort(),
    );
    for (const report of reports) {
      const account = report.job?.account ?? '';
      expect(report.job?.name).toBe(job(account, report.job?.region ?? ''));
      const codes = report.findings.map((f) => f.code);
      if (account === noRole) {
        // And the account without the execution role reports exactly that (its own IAM, not home's)
        expect(codes).toContain('ROLE_NOT_FOUND');
      } else {
        expect(report.changes.length).toBeGreaterThan(0);
        const invoke = report.findings.find((f) => f.code === 'INVOKE_DENIED');
        expect(invoke?.principal).toBe(`arn:aws:iam::${account}:role/org-exec`);
        expect(report.changes.every((c) => c.roleName === 'org-exec' || c.roleName === 'org-fn')).toBe(true);
      }
    }
    // And stderr carries one summary line per account
    expect(io.stderr().trimEnd().split('\n').sort()).toEqual(
      accounts.map((a) => `${a} ${REGIONS.join(',')}: 2 job(s), 0 compliant, 2 findings, 0 errors`).sort(),
    );
  });

  it('reports an account whose member role cannot be assumed on one line, and scans the others', async () => {
    // Given STS refuses the member role of one listed account (moto lets every role be assumed)
    const denied = '444444444444';
    const real = new STSClient({ region: REGION });
    const sts = new STSClient({ region: REGION });
    const stub = mockClient(sts);
    stub.on(GetCallerIdentityCommand).callsFake(() => real.send(new GetCallerIdentityCommand({})));
    stub
      .on(AssumeRoleCommand)
      .callsFake((input: AssumeRoleCommandInput) => real.send(new AssumeRoleCommand(input)));
    stub
      .on(AssumeRoleCommand, { RoleArn: memberRoleArn('aws', denied) })
      .rejects(
        Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }),
      );
    const [first = '', second = ''] = accounts.filter((a) => a !== noRole);

    // When those accounts are scanned (human output)
    const io = captureIo();
    const status = await main(
      [
        'node',
        'gt-remediate',
        'scan',
        '--live',
        '--accounts',
        [first, denied, second].join(','),
        '--regions',
        REGIONS.join(','),
      ],
      io,
      undefined,
      undefined,
      undefined,
      fleetScanLive({ sts }),
    );

    // Then it exits 3, the denied account is one error line naming it and the role, the others were scanned
    expect(status).toBe(3);
    const out = io.stdout();
    const deniedLines = out.split('\n').filter((l) => l.includes(denied));
    expect(deniedLines).toEqual([
      `${denied} ${REGIONS.join(',')}: error: account ${denied}: cannot assume ${memberRoleArn('aws', denied)}: AccessDenied: not authorized to perform: sts:AssumeRole`,
    ]);
    for (const account of [first, second]) {
      expect(out).toContain(`${account} ${REGIONS.join(',')}: 2 job(s), 0 compliant, 2 findings, 0 errors`);
      for (const region of REGIONS)
        expect(out).toMatch(
          new RegExp(`^${account}\\s+${region}\\s+${job(account, region)}\\s+(proposed|blocked)\\s`, 'm'),
        );
    }
    real.destroy();
    stub.restore();
  });

  it('--org with --accounts is a usage error, one line', async () => {
    const io = captureIo();
    const status = await main(['node', 'gt-remediate', 'scan', '--live', '--org', '--accounts', ACCOUNT], io);
    expect(status).toBe(2);
    expect(io.stderr()).toBe('gt-remediate: give --org or --accounts, not both\n');
    expect(io.stdout()).toBe('');
  });
});
