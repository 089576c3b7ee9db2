/**
 * `scanJobs` against moto (IAM, Lambda) with SageMaker mocked (moto has no labeling jobs): the scan
 * reads each role, function and policy once however many jobs share them, and `fix` writes IAM.
 */
import { GetRoleCommand, GetRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeLabelingJobCommand,
  ListLabelingJobsCommand,
  SageMakerClient,
  type DescribeLabelingJobCommandOutput,
  type ListLabelingJobsCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { createClients, type CallCounter } from '../../shared/aws/clients';
import { DEFAULT_CORE_OPTIONS, type PolicyDocument } from '../../shared/core';
import { silentLogger } from '../../shared/logger';
import { cliFlow } from '../../shared/flow-context';
import { accountPorts } from '../../shared/flow-ports';
import { scanJobs, type ScanEntry, type ScanOptions } from '../../shared/scan';
import {
  ACCOUNT,
  createFunction,
  createManagedPolicy,
  createRole,
  policy,
  REGION,
  serviceTrustStatement,
} from '../support/aws-world';
import { resetMoto } from '../support/moto-reset';

const BUCKET = 'scan-labeling-data';
const GT_POLICY = 'arn:aws:iam::aws:policy/AmazonSageMakerGroundTruthExecution';
const BASIC_POLICY = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
const DATA_POLICY = `arn:aws:iam::${ACCOUNT}:policy/ScanLabelingData`;
const FN_POLICY = `arn:aws:iam::${ACCOUNT}:policy/ScanFunctionTracing`;
const K_ROLES = 3;
const N_JOBS = 12;
const PAGE_SIZE = 5;

const execRole = (k: number): string => `scan-exec-${k}`;
const roleArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const functionArn = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const jobName = (i: number): string => `scan-job-${String(i).padStart(3, '0')}`;
const allow = (action: string | string[], resource: string): PolicyDocument =>
  policy({ Effect: 'Allow', Action: action, Resource: resource });

/** K execution roles and one function role (each two managed and one inline policy); two functions share that role. */
async function seedAccount(iam: IAMClient, lambda: LambdaClient): Promise<void> {
  await createManagedPolicy(
    iam,
    'ScanLabelingData',
    allow(['s3:GetObject', 's3:PutObject'], `arn:aws:s3:::${BUCKET}/*`),
  );
  await createManagedPolicy(iam, 'ScanFunctionTracing', allow('xray:PutTraceSegments', '*'));
  const roles = [
    ...Array.from({ length: K_ROLES }, (_, k) => ({
      name: execRole(k),
      service: 'sagemaker.amazonaws.com',
      managed: [GT_POLICY, DATA_POLICY],
    })),
    { name: 'scan-fn-role', service: 'lambda.amazonaws.com', managed: [BASIC_POLICY, FN_POLICY] },
  ];
  for (const role of roles) {
    await createRole(iam, {
      name: role.name,
      trust: policy(serviceTrustStatement(role.service)),
      managed: role.managed,
      inline: { Logs: allow('logs:PutLogEvents', '*') },
    });
  }
  for (const name of ['scan-pre', 'scan-post']) await createFunction(lambda, name, roleArn('scan-fn-role'));
}

/** DescribeLabelingJob for job i: execution role i mod K, the two shared functions. */
function describedJob(i: number): Partial<DescribeLabelingJobCommandOutput> {
  const name = jobName(i);
  return {
    LabelingJobName: name,
    LabelingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/${name}`,
    LabelingJobStatus: 'InProgress',
    RoleArn: roleArn(execRole(i % K_ROLES)),
    HumanTaskConfig: {
      PreHumanTaskLambdaArn: functionArn('scan-pre'),
      AnnotationConsolidationConfig: { AnnotationConsolidationLambdaArn: functionArn('scan-post') },
    } as DescribeLabelingJobCommandOutput['HumanTaskConfig'],
    OutputConfig: { S3OutputPath: `s3://${BUCKET}/output/` },
  };
}

/** ListLabelingJobs in pages of PAGE_SIZE, chained by NextToken. */
function listPage(nextToken: string | undefined): Partial<ListLabelingJobsCommandOutput> {
  const start = Number(nextToken ?? '0');
  const end = Math.min(start + PAGE_SIZE, N_JOBS);
  return {
    LabelingJobSummaryList: Array.from({ length: end - start }, (_, j) => ({
      LabelingJobName: jobName(start + j),
      LabelingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/${jobName(start + j)}`,
      LabelingJobStatus: 'InProgress',
      CreationTime: new Date(),
      LastModifiedTime: new Date(),
      LabelCounters: {},
      WorkteamArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:workteam/private-crowd/team`,
      PreHumanTaskLambdaArn: functionArn('scan-pre'),
    })),
    ...(end < N_JOBS ? { NextToken: String(end) } : {}),
  };
}

/** Scans moto (SageMaker stubbed) with the CLI's flow: fresh clients counting into `counter`. */
function scanWith(
  counter: CallCounter,
  dryRun: boolean,
  options: ScanOptions = {},
  now?: Date,
): Promise<ScanEntry[]> {
  const ports = accountPorts(createClients({ region: REGION, counter }));
  const flow = cliFlow(ports, {
    core: DEFAULT_CORE_OPTIONS,
    dryRun,
    logger: silentLogger(),
    ...(now ? { now: () => now } : {}),
  });
  return scanJobs(ports, { ...flow, sleep: () => Promise.resolve(), verifyTimeoutMs: 2_000 }, options);
}

function statements(document: string | undefined): PolicyDocument['Statement'] & unknown[] {
  const parsed = JSON.parse(decodeURIComponent(document ?? '{}')) as PolicyDocument;
  return Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
}

describe('scanJobs', () => {
  const iam = new IAMClient({ region: REGION });
  const lambda = new LambdaClient({ region: REGION });
  const sagemaker = mockClient(SageMakerClient);

  beforeEach(async () => {
    await resetMoto();
    await seedAccount(iam, lambda);
    sagemaker.reset();
    sagemaker
      .on(ListLabelingJobsCommand)
      .callsFake((input: { NextToken?: string }) => listPage(input.NextToken));
    sagemaker
      .on(DescribeLabelingJobCommand)
      .callsFake((input: { LabelingJobName: string }) =>
        describedJob(Number(input.LabelingJobName.slice(-3))),
      );
  });
  afterAll(() => {
    iam.destroy();
    lambda.destroy();
    sagemaker.restore();
  });

  it('reads each role, function and managed policy once for N jobs over K roles', async () => {
    // Given N jobs over K execution roles and two functions sharing one role
    const counter: CallCounter = new Map();

    // When the account is scanned (dry-run)
    const entries = await scanWith(counter, true, { concurrency: 4 });

    // Then every job has a report with the same proposal for its role
    expect(entries.map((e) => e.job)).toEqual(Array.from({ length: N_JOBS }, (_, i) => jobName(i)));
    const reports = entries.map((e) => ('report' in e ? e.report : fail(`${e.job}: ${e.problem}`)));
    for (const report of reports) {
      expect(report).toMatchObject({ outcome: 'proposed', dryRun: true });
      expect(report.findings.map((f) => f.code)).toEqual(
        expect.arrayContaining(['INVOKE_DENIED', 'OUTPUT_READ_DENIED']),
      );
      expect(report.changes.length).toBeGreaterThan(0);
    }
    // And the cost follows distinct roles, functions and policies, not jobs
    const distinctRoles = K_ROLES + 1; // the execution roles and the post-annotation function's role
    const distinctManaged = 4; // GT execution, basic execution, ScanLabelingData, ScanFunctionTracing
    expect(counter.get('IAM.GetRole')).toBe(distinctRoles);
    expect(counter.get('IAM.ListRolePolicies')).toBe(distinctRoles);
    expect(counter.get('IAM.ListAttachedRolePolicies')).toBe(distinctRoles);
    expect(counter.get('IAM.GetRolePolicy')).toBe(distinctRoles);
    expect(counter.get('IAM.GetPolicy')).toBe(distinctManaged);
    expect(counter.get('IAM.GetPolicyVersion') ?? 0).toBeLessThanOrEqual(distinctManaged);
    expect(counter.get('Lambda.GetFunctionConfiguration')).toBe(2);
    // And no writes in dry-run
    expect([...counter.keys()].filter((k) => /\.(Put|Update|Attach|Create|Delete)/.test(k))).toEqual([]);
    // And SageMaker was paged through and asked once per job
    expect(sagemaker.commandCalls(ListLabelingJobsCommand)).toHaveLength(Math.ceil(N_JOBS / PAGE_SIZE));
    expect(sagemaker.commandCalls(DescribeLabelingJobCommand)).toHaveLength(N_JOBS);
  });

  it('filters by status and creation time in the ListLabelingJobs request', async () => {
    const now = new Date('2026-12-01T00:00:00Z');
    await scanWith(new Map(), true, { sinceDays: 2, statuses: ['InProgress'] }, now);
    expect(sagemaker).toHaveReceivedCommandWith(ListLabelingJobsCommand, {
      StatusEquals: 'InProgress',
      CreationTimeAfter: new Date('2026-11-29T00:00:00Z'),
    });
  });

  it('reports a job it cannot describe, and carries on with the others', async () => {
    sagemaker
      .on(DescribeLabelingJobCommand, { LabelingJobName: jobName(1) })
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    sagemaker
      .on(DescribeLabelingJobCommand, { LabelingJobName: jobName(2) })
      .rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFound' }));

    const entries = await scanWith(new Map(), true);

    const byJob = new Map<string, ScanEntry>(entries.map((e) => [e.job, e]));
    expect(byJob.get(jobName(1))).toEqual({ job: jobName(1), problem: 'ThrottlingException: slow down' });
    expect(byJob.get(jobName(2))).toEqual({ job: jobName(2), problem: 'job disappeared during the scan' });
    expect(entries.filter((e) => 'report' in e)).toHaveLength(N_JOBS - 2);
  });

  it("with fix, applies every role's plan and a second scan finds nothing to do", async () => {
    // When the scan runs with dry-run off
    const entries = await scanWith(new Map(), false);

    // Then every job ends remediated (its own writes) or compliant (another job's writes covered it)
    const outcomes = entries.map((e) => ('report' in e ? e.report.outcome : e.problem));
    expect(new Set(outcomes)).toEqual(new Set(['remediated', 'compliant']));
    expect(outcomes.filter((o) => o === 'remediated').length).toBeGreaterThanOrEqual(K_ROLES);

    // And IAM holds the grants: each execution role may invoke both functions and trusts the function's role
    for (let k = 0; k < K_ROLES; k++) {
      const invoke = await iam.send(
        new GetRolePolicyCommand({
          RoleName: execRole(k),
          PolicyName: DEFAULT_CORE_OPTIONS.invokePolicyName,
        }),
      );
      expect(JSON.stringify(statements(invoke.PolicyDocument))).toContain(functionArn('scan-pre'));
      expect(JSON.stringify(statements(invoke.PolicyDocument))).toContain(functionArn('scan-post'));
      const role = await iam.send(new GetRoleCommand({ RoleName: execRole(k) }));
      expect(JSON.stringify(statements(role.Role?.AssumeRolePolicyDocument))).toContain(
        roleArn('scan-fn-role'),
      );
    }
    // And the function's role needed no identity policy: each trust statement names it (minimal plan)
    await expect(
      iam.send(
        new GetRolePolicyCommand({
          RoleName: 'scan-fn-role',
          PolicyName: DEFAULT_CORE_OPTIONS.assumePolicyName,
        }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });

    // And a second, dry-run scan finds every job compliant
    const again = await scanWith(new Map(), true);
    expect(again.map((e) => ('report' in e ? e.report.outcome : e.problem))).toEqual(
      Array(N_JOBS).fill('compliant'),
    );
  });
});

describe('scanJobs and jobs that have ended', () => {
  const iam = new IAMClient({ region: REGION });
  const lambda = new LambdaClient({ region: REGION });
  const sagemaker = mockClient(SageMakerClient);
  const folder = (i: number): string => `arn:aws:s3:::${BUCKET}/output/${jobName(i)}/*`;
  const readPolicy = (...jobs: number[]): PolicyDocument =>
    policy({
      Sid: DEFAULT_CORE_OPTIONS.readPolicyName,
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: jobs.map(folder),
      Condition: { StringEquals: { 's3:ResourceAccount': ACCOUNT } },
    });
  const readBack = async (): Promise<string | undefined> =>
    (
      await iam.send(
        new GetRolePolicyCommand({
          RoleName: 'scan-fn-role',
          PolicyName: DEFAULT_CORE_OPTIONS.readPolicyName,
        }),
      )
    ).PolicyDocument;

  beforeEach(async () => {
    await resetMoto();
    await seedAccount(iam, lambda);
    // Jobs 0 and 1 were granted their folders directly; job 0 has since completed
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'scan-fn-role',
        PolicyName: DEFAULT_CORE_OPTIONS.readPolicyName,
        PolicyDocument: JSON.stringify(readPolicy(0, 1)),
      }),
    );
    sagemaker.reset();
    sagemaker
      .on(ListLabelingJobsCommand)
      .callsFake((input: { NextToken?: string }) => listPage(input.NextToken));
    sagemaker.on(DescribeLabelingJobCommand).callsFake((input: { LabelingJobName: string }) => {
      const i = Number(input.LabelingJobName.slice(-3));
      return { ...describedJob(i), ...(i === 0 ? { LabelingJobStatus: 'Completed' } : {}) };
    });
  });
  afterAll(() => {
    iam.destroy();
    lambda.destroy();
    sagemaker.restore();
  });

  it('proposes removing the ended job’s read grant without fix, and removes exactly it with fix', async () => {
    const before = await readBack();

    // Without --fix: proposed, nothing written
    const proposed = await scanWith(new Map(), true);
    const first = proposed.find((e) => e.job === jobName(0));
    expect(first && 'report' in first && first.report).toMatchObject({
      outcome: 'proposed',
      changes: [{ action: 'PutRolePolicy', roleName: 'scan-fn-role', added: [], removed: [folder(0)] }],
    });
    expect(await readBack()).toEqual(before);

    // With --fix: removed, read back; the running job's folder stays
    const fixed = await scanWith(new Map(), false);
    const ended = fixed.find((e) => e.job === jobName(0));
    expect(ended && 'report' in ended && ended.report.outcome).toBe('remediated');
    expect(JSON.parse(decodeURIComponent((await readBack()) ?? '{}'))).toEqual(readPolicy(1));
    // And the ended job was not granted anything new
    expect(ended && 'report' in ended && ended.report.changes.flatMap((c) => c.added)).toEqual([]);
  });
});

function fail(message: string): never {
  throw new Error(message);
}
