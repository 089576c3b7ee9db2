/**
 * The author widening and its defaults, as attacks: whatever flags (or jobs) are given, no proposal
 * passes a wildcard role or writes every function; the scope comes only from the person's own jobs.
 */
import fc from 'fast-check';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeLabelingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { runAuthor, type AuthorFlags, type AuthorLive } from '../../cli/author-command';
import type { Io } from '../../cli/io';
import { readAuthorJobs } from '../../shared/aws/author-jobs';
import {
  authorPolicyName,
  inferAuthorScope,
  wideGrants,
  type AuthorJob,
  type AuthorReport,
} from '../../shared/core/author';
import type { PolicyStatement } from '../../shared/core';
import { ACCOUNT, user } from '../fixtures/author/principals';

const ANN = `arn:aws:iam::${ACCOUNT}:user/ann`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const role = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const fn = (name: string, region = 'us-east-1', account = ACCOUNT): string =>
  `arn:aws:lambda:${region}:${account}:function:${name}`;

/** A live account where ann has no permission at all (so every request is missing) and these jobs. */
function liveWith(jobs: AuthorJob[] | Error): AuthorLive & { written: number } {
  const live = {
    written: 0,
    read: () => Promise.resolve({ principal: user(), region: 'us-east-1' }),
    write: () => {
      live.written += 1;
      return Promise.reject(new Error('not in this test'));
    },
    jobs: () => (jobs instanceof Error ? Promise.reject(jobs) : Promise.resolve(jobs)),
  };
  return live;
}

async function run(
  flags: Partial<AuthorFlags>,
  live: AuthorLive,
): Promise<{ status: number; report?: AuthorReport; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t) };
  const status = await runAuthor({ principal: ANN, live: true, json: true, ...flags }, io, live);
  return { status, err, ...(out ? { report: JSON.parse(out) as AuthorReport } : {}) };
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** Independent of wideGrants: every PassRole resource is a role given, no function write on every function. */
function violations(statements: PolicyStatement[], givenRoles: string[]): string[] {
  const found: string[] = [];
  for (const s of statements) {
    const actions = list(s.Action);
    for (const r of list(s.Resource)) {
      if (actions.includes('iam:PassRole') && !givenRoles.includes(r)) found.push(`PassRole ${r}`);
      if (
        actions.some((a) => a === 'lambda:CreateFunction' || a === 'lambda:UpdateFunctionCode') &&
        (r === '*' || r.endsWith(':function:*'))
      )
        found.push(`function writes on ${r}`);
    }
    if (s.NotAction !== undefined || s.NotResource !== undefined) found.push('NotAction/NotResource');
  }
  return found;
}

describe('author: no proposal passes a wildcard role or writes every function', () => {
  const roleArb = fc.oneof(
    fc.constantFrom(
      role('GtExecution'),
      role('GtFunctions'),
      `arn:aws:iam::${ACCOUNT}:role/service-role/Exec`,
      // hostile: wildcards, another account, another partition, not a role
      `arn:aws:iam::${ACCOUNT}:role/*`,
      `arn:aws:iam::${ACCOUNT}:role/*/Exec`,
      `arn:aws:iam::${ACCOUNT}:role/a?/Exec`,
      'arn:aws:iam::999999999999:role/Exec',
      `arn:aws-cn:iam::${ACCOUNT}:role/Exec`,
      `arn:aws:iam::${ACCOUNT}:user/Exec`,
      '*',
    ),
    fc.stringMatching(/^[\w+=,.@-]{1,20}$/).map(role),
  );
  const prefixArb = fc.oneof(
    fc.constantFrom('gt-', 'a', '*', 'gt-*', '', 'gt-?', 'x'.repeat(64)),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/),
  );
  const jobArb = fc.record({
    name: fc.constantFrom('j1', 'j2', 'payroll-2024'),
    creator: fc.constantFrom(ANN, BOB, `arn:aws:iam::${ACCOUNT}:role/ann`),
    executionRoleArn: roleArb,
    functionArns: fc.array(
      fc.constantFrom(
        fn('gt-pre'),
        fn('gt-post'),
        fn('*'),
        fn('gt-pre', 'eu-west-1'),
        fn('other', 'us-east-1', '999999999999'),
        'arn:aws:lambda:us-east-1:432418664414:function:PRE-BoundingBox',
      ),
      { maxLength: 2 },
    ),
    functionRoles: fc.constant({}),
  });
  const flagsArb = fc.record(
    {
      executionRole: fc.array(roleArb, { minLength: 1, maxLength: 2 }),
      functionPrefix: prefixArb,
      functionRole: fc.array(roleArb, { minLength: 1, maxLength: 2 }),
      only: fc.constantFrom(
        'create-functions',
        'create-job',
        'console',
        'create-functions,create-job,console,recipe',
      ),
    },
    { requiredKeys: [] },
  );

  it('for random flag combinations and jobs, a proposal grants only exact given or inferred roles and named functions', async () => {
    let proposals = 0;
    let passRoles = 0;
    await fc.assert(
      fc.asyncProperty(flagsArb, fc.array(jobArb, { maxLength: 3 }), async (flags, jobs) => {
        // Functions read back with a role: sometimes a wildcard one
        const withRoles = jobs.map((j) => ({
          ...j,
          functionRoles: Object.fromEntries(
            j.functionArns.map((a, i) => [a, i % 2 ? role('*') : role('GtFn')]),
          ),
        }));
        const { status, report } = await run(flags, liveWith(withRoles));
        // Bad input is refused (2); otherwise the report holds no wide grant
        expect([0, 1, 2]).toContain(status);
        if (status === 2) return;
        const statements = (report?.proposal?.document.Statement ?? []) as PolicyStatement[];
        if (report?.proposal) proposals += 1;
        if (JSON.stringify(statements).includes('iam:PassRole')) passRoles += 1;
        const inferred = inferAuthorScope(withRoles, user(), 'us-east-1');
        const roles = [
          ...(flags.executionRole ?? inferred.executionRoleArns),
          ...(flags.functionRole ?? inferred.functionRoleArns),
        ];
        expect(violations(statements, roles)).toEqual([]);
        expect(wideGrants(report?.proposal?.document ?? { Version: '2012-10-17', Statement: [] })).toEqual(
          [],
        );
        // bob's jobs never shape ann's scope
        expect(JSON.stringify(report?.scope)).not.toMatch(/bob/);
      }),
      { numRuns: 150 },
    );
    // Not vacuous: many runs proposed, PassRole included
    expect(proposals).toBeGreaterThan(10);
    expect(passRoles).toBeGreaterThan(5);
  }, 120_000);

  it('refuses a wildcard, another account or another partition in --execution-role and --function-role (exit 2)', async () => {
    for (const bad of [
      `arn:aws:iam::${ACCOUNT}:role/*`,
      `arn:aws:iam::${ACCOUNT}:role/*/Exec`,
      'arn:aws:iam::999999999999:role/Exec',
    ]) {
      const live = liveWith([]);
      const { status, err } = await run(
        { executionRole: [bad], functionPrefix: 'gt-', functionRole: [role('F')] },
        live,
      );
      expect(status).toBe(2);
      expect(err).toMatch(
        /^gt-remediate: --execution-role: ".*" is not an exact role ARN of account 111122223333/,
      );
      const asFunctionRole = await run(
        { executionRole: [role('E')], functionPrefix: 'gt-', functionRole: [bad] },
        live,
      );
      expect(asFunctionRole.status).toBe(2);
    }
  });

  it('flags wide grants in a document (the guard every proposal and applied version passes)', () => {
    const doc = (...Statement: PolicyStatement[]) => ({ Version: '2012-10-17', Statement });
    expect(wideGrants(doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: role('*') }))).toHaveLength(1);
    expect(
      wideGrants(doc({ Effect: 'Allow', Action: 'iam:*', Resource: `arn:aws:iam::${ACCOUNT}:role/gt-*` })),
    ).toHaveLength(1);
    expect(wideGrants(doc({ Effect: 'Allow', Action: 'lambda:Create*', Resource: fn('*') }))).toHaveLength(1);
    expect(wideGrants(doc({ Effect: 'Allow', Action: '*', Resource: '*' }))).toHaveLength(2);
    expect(wideGrants(doc({ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }))).toHaveLength(1);
    expect(
      wideGrants(
        doc({
          Effect: 'Allow',
          Action: 'lambda:UpdateFunctionCode',
          Resource: 'arn:aws:lambda:*:*:function:gt-*',
        }),
      ),
    ).toHaveLength(1);
    // narrow: exact roles, a named prefix, a Deny
    expect(
      wideGrants(
        doc(
          {
            Effect: 'Allow',
            Action: 'iam:PassRole',
            Resource: [role('GtExecution'), `arn:aws:iam::${ACCOUNT}:role/service-role/X`],
          },
          {
            Effect: 'Allow',
            Action: ['lambda:CreateFunction', 'lambda:UpdateFunctionCode'],
            Resource: fn('gt-*'),
          },
          { Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' },
        ),
      ),
    ).toEqual([]);
  });
});

describe("author: the scope inferred from the person's own jobs", () => {
  const job = (name: string, creator: string, exec: string, functions: string[]): AuthorJob => ({
    name,
    creator,
    executionRoleArn: exec,
    functionArns: functions,
    functionRoles: Object.fromEntries(functions.map((f) => [f, role(`${name}-fn`)])),
  });

  it("uses ann's jobs only (never bob's), by exact role and function name, and proposes just that", async () => {
    // Given a job of ann's and one of bob's
    const live = liveWith([
      job('ann-job', ANN, role('AnnExec'), [
        fn('ann-pre'),
        fn('ann-post'),
        'arn:aws:lambda:us-east-1:432418664414:function:ACS-BoundingBox',
      ]),
      job('bob-job', BOB, role('BobExec'), [fn('bob-pre')]),
    ]);
    // When author runs with no scope flag
    const { status, report } = await run({}, live);
    // Then the scope is ann's jobs', exactly; the proposal names those roles and functions and nothing of bob's
    expect(status).toBe(1);
    expect(report?.scope).toMatchObject({
      executionRoleArns: [role('AnnExec')],
      functionNames: ['ann-post', 'ann-pre'],
      functionRoleArns: [role('ann-job-fn')],
    });
    expect(report?.notes).toEqual([
      `inferred from 1 labeling job(s) created by ${ANN} (CloudTrail): ann-job`,
    ]);
    expect(report?.outcome).toBe('proposed');
    const text = JSON.stringify(report?.proposal?.document);
    expect(text).not.toMatch(/bob|Bob|ACS-/);
    expect(report?.proposal?.document.Statement).toContainEqual(
      expect.objectContaining({
        Sid: 'PassExecutionRoleToSageMaker',
        Resource: role('AnnExec'),
      }),
    );
    expect(report?.proposal?.document.Statement).toContainEqual(
      expect.objectContaining({ Sid: 'LabelingFunctions', Resource: [fn('ann-post'), fn('ann-pre')] }),
    );
    expect(report?.proposal?.proof.proven).toBe(true);
  });

  it('infers nothing when the jobs cannot be read (CloudTrail denied), and --apply writes nothing', async () => {
    const denied = Object.assign(new Error('not authorized to perform cloudtrail:LookupEvents'), {
      name: 'AccessDeniedException',
    });
    const live = liveWith(denied);
    const { status, report } = await run({}, live);
    expect(status).toBe(1);
    expect(report?.outcome).toBe('incomplete');
    expect(report?.proposal).toBeUndefined();
    expect(report?.notes?.[0]).toMatch(
      /^the person's jobs could not be read \(AWS call failed: AccessDeniedException/,
    );
    const applied = await run({ apply: true, yes: true }, live);
    expect(applied.status).toBe(2);
    expect(applied.err).toMatch(
      /^gt-remediate: nothing to apply: give --function-prefix PREFIX and --function-role ARN and --execution-role ARN/,
    );
    expect(live.written).toBe(0);
  });

  it('a flag given wins over the jobs for its part, and the jobs fill the rest', async () => {
    const live = liveWith([job('ann-job', ANN, role('AnnExec'), [fn('ann-pre')])]);
    const { report } = await run({ functionPrefix: 'gt-' }, live);
    expect(report?.scope).toMatchObject({ functionPrefix: 'gt-', executionRoleArns: [role('AnnExec')] });
    expect(report?.scope.functionNames).toBeUndefined();
  });
});

describe('readAuthorJobs', () => {
  const trail = mockClient(CloudTrailClient);
  const sagemaker = mockClient(SageMakerClient);
  const lambda = mockClient(LambdaClient);
  afterEach(() => {
    trail.reset();
    sagemaker.reset();
    lambda.reset();
  });

  it("keeps the principal's successful CreateLabelingJob calls, and reads role and functions from SageMaker, not the event", async () => {
    const event = (identity: object, name: string, errorCode?: string) => ({
      CloudTrailEvent: JSON.stringify({
        userIdentity: identity,
        requestParameters: { labelingJobName: name, roleArn: role('ForgedInEvent') },
        ...(errorCode ? { errorCode } : {}),
      }),
    });
    const annRole = `arn:aws:iam::${ACCOUNT}:role/team/Ann`;
    trail.on(LookupEventsCommand).resolves({
      Events: [
        event({ type: 'IAMUser', arn: ANN }, 'as-user'),
        event(
          { type: 'AssumedRole', sessionContext: { sessionIssuer: { type: 'Role', arn: annRole } } },
          'as-role',
        ),
        event({ type: 'IAMUser', arn: BOB }, 'bobs'),
        event({ type: 'IAMUser', arn: ANN }, 'failed', 'ValidationException'),
      ],
    });
    sagemaker.on(DescribeLabelingJobCommand, { LabelingJobName: 'as-user' }).resolves({
      RoleArn: role('AnnExec'),
      HumanTaskConfig: {
        PreHumanTaskLambdaArn: fn('ann-pre'),
        AnnotationConsolidationConfig: {
          AnnotationConsolidationLambdaArn: fn('ACS-x', 'us-east-1', '432418664414'),
        },
      },
    } as never);
    lambda
      .on(GetFunctionConfigurationCommand, { FunctionName: fn('ann-pre') })
      .resolves({ Role: role('AnnFn') });

    const jobs = await readAuthorJobs(
      {
        cloudtrail: new CloudTrailClient({}),
        sagemaker: new SageMakerClient({}),
        lambda: new LambdaClient({}),
      },
      ANN,
      new Date('2026-12-01T00:00:00Z'),
    );

    expect(jobs).toEqual([
      {
        name: 'as-user',
        creator: ANN,
        executionRoleArn: role('AnnExec'),
        functionArns: [fn('ann-pre'), fn('ACS-x', 'us-east-1', '432418664414')],
        functionRoles: { [fn('ann-pre')]: role('AnnFn') },
      },
    ]);
    // Only the one job was described; another account's function was never read
    expect(sagemaker.commandCalls(DescribeLabelingJobCommand)).toHaveLength(1);
    expect(lambda.commandCalls(GetFunctionConfigurationCommand)).toHaveLength(1);
    const lookup = trail.commandCalls(LookupEventsCommand)[0]?.args[0].input;
    expect(lookup?.LookupAttributes).toEqual([
      { AttributeKey: 'EventName', AttributeValue: 'CreateLabelingJob' },
    ]);
    expect(lookup?.StartTime).toEqual(new Date('2026-09-02T00:00:00Z'));
  });
});

describe('authorPolicyName', () => {
  it('is GroundTruthLambdaAuthor-<name>, or a stable hash of the ARN when that is not a valid IAM policy name', () => {
    expect(authorPolicyName({ name: 'ann', arn: ANN })).toBe('GroundTruthLambdaAuthor-ann');
    const long = 'a'.repeat(110);
    const hashed = authorPolicyName({ name: long, arn: `arn:aws:iam::${ACCOUNT}:user/${long}` });
    expect(hashed).toMatch(/^GroundTruthLambdaAuthor-[0-9a-f]{16}$/);
    expect(authorPolicyName({ name: long, arn: `arn:aws:iam::${ACCOUNT}:user/${long}` })).toBe(hashed);
    expect(authorPolicyName({ name: 'ann/x', arn: `arn:aws:iam::${ACCOUNT}:user/ann/x` })).toMatch(
      /^GroundTruthLambdaAuthor-[0-9a-f]{16}$/,
    );
    expect(authorPolicyName({ name: 'a'.repeat(104), arn: 'x' })).toHaveLength(128);
  });
});
