/**
 * Which statements are ours to merge into: our s3-read statement (its `/*` job folders and its
 * s3:ResourceAccount condition included), and a Sid-less statement of exactly our invoke shape under
 * our policy name (the AWS page writes it that way). Everything else stays foreign and blocks.
 */
import {
  applyChanges,
  planJob,
  type CoreOptions,
  type LabelingJobRequest,
  type PolicyStatement,
  type RoleInfo,
} from '../../shared/core';
import { DEFAULT_CORE_OPTIONS } from '../../shared/core/types';
import { ACCOUNT, exampleRequest, policy, roleArn, serviceTrust } from '../fixtures/factory';
import { inventoryOf, roleInfo } from '../fixtures/role-info';

const NOW = new Date('2026-11-29T10:15:00Z');
const first: LabelingJobRequest = exampleRequest();
const PRE = first.preAnnotationLambdaArn as string;
const POST = first.postAnnotationLambdaArn as string;
const INVOKE = DEFAULT_CORE_OPTIONS.invokePolicyName;
const READ = DEFAULT_CORE_OPTIONS.readPolicyName;

const execution = (inlinePolicies: RoleInfo['inlinePolicies'] = []): RoleInfo =>
  roleInfo('ReceiptsLabelingExecution', {
    path: '/service-role/',
    inlinePolicies: [
      {
        name: 'ReadLabelingData',
        document: policy({
          Effect: 'Allow',
          // The execution role reads the data and writes the job's output (Ground Truth writes as it).
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: ['arn:aws:s3:::receipts-labeling-data/*', 'arn:aws:s3:::receipts-more-data/*'],
        }),
      },
      ...inlinePolicies,
    ],
  });
const lambdaRole = (): RoleInfo =>
  roleInfo('receipts-consolidate-role', { trustPolicy: serviceTrust('lambda.amazonaws.com') });
const functions = [
  { arn: PRE, roleArn: roleArn('receipts-consolidate-role') },
  { arn: POST, roleArn: roleArn('receipts-consolidate-role') },
];

function plan(
  request: LabelingJobRequest,
  inventory: ReturnType<typeof inventoryOf>,
  options: Partial<CoreOptions> = {},
) {
  return planJob(request, inventory, {
    core: { ...DEFAULT_CORE_OPTIONS, ...options },
    dryRun: true,
    now: NOW,
  });
}

const readStatement = (...folders: string[]): PolicyStatement => ({
  Sid: READ,
  Effect: 'Allow',
  Action: 's3:GetObject',
  Resource: folders,
  Condition: { StringEquals: { 's3:ResourceAccount': ACCOUNT } },
});

describe('our own s3-read statement', () => {
  it('is merged into by the next job on the same function role: both jobs get their grant', async () => {
    // Given a first job planned and applied with strategy s3-read
    const inventory = inventoryOf([execution(), lambdaRole()], functions);
    const one = await plan(first, inventory, { strategy: 's3-read' });
    expect(one.report.outcome).toBe('proposed');
    const afterFirst = applyChanges(inventory, one.changes);
    const held = afterFirst.roles.get('receipts-consolidate-role')?.inlinePolicies;
    expect(held).toEqual([
      {
        name: READ,
        document: policy(readStatement('arn:aws:s3:::receipts-labeling-data/output/receipts-7/*')),
      },
    ]);

    // When a second job, with another output bucket, runs with the same functions
    const second = { ...first, jobName: 'receipts-8', outputS3Uri: 's3://receipts-more-data/out/' };
    const two = await plan(second, afterFirst, { strategy: 's3-read' });

    // Then it is not blocked by our own statement: the statement grows by the second job's folder
    expect(two.report.findings.filter((f) => f.code === 'PLAN_UNPROVEN')).toEqual([]);
    expect(two.report.outcome).toBe('proposed');
    expect(two.changes).toEqual([
      expect.objectContaining({
        action: 'PutRolePolicy',
        roleName: 'receipts-consolidate-role',
        policyName: READ,
        document: policy(
          readStatement(
            'arn:aws:s3:::receipts-labeling-data/output/receipts-7/*',
            'arn:aws:s3:::receipts-more-data/out/receipts-8/*',
          ),
        ),
      }),
    ]);
    expect(two.report.changes[0]?.added).toEqual(['arn:aws:s3:::receipts-more-data/out/receipts-8/*']);
  });

  it.each([
    ['a whole bucket', 'arn:aws:s3:::other-data/*'],
    ['a wildcard inside the key', 'arn:aws:s3:::other-data/out*/receipts-7/*'],
    ['a wildcard bucket', 'arn:aws:s3:::other-*/output/receipts-7/*'],
    ['an object, not a folder', 'arn:aws:s3:::other-data/output/receipts-7/x'],
  ])('stays foreign when it holds %s', async (_what, resource) => {
    // Given our read statement holding a resource we never write (elsewhere: the job still needs its grant)
    const planted = { name: READ, document: policy(readStatement(resource)) };
    const lambda = { ...lambdaRole(), inlinePolicies: [planted] };
    const inventory = inventoryOf([execution(), lambda], functions);

    // When the job is planned with s3-read
    const result = await plan(first, inventory, { strategy: 's3-read' });

    // Then nothing is merged into it: blocked, naming the statement
    expect(result.changes.filter((c) => c.action === 'PutRolePolicy' && c.policyName === READ)).toEqual([]);
    expect(result.report.findings).toContainEqual(
      expect.objectContaining({ code: 'PLAN_UNPROVEN', reason: 'foreign-statement' }),
    );
  });

  it('without a Sid, otherwise of exactly its shape, is ours too: merged under our Sid', async () => {
    // Given our read statement written by hand without its Sid
    const sidless: PolicyStatement = {
      ...readStatement('arn:aws:s3:::receipts-labeling-data/output/receipts-6/*'),
    };
    delete sidless.Sid;
    const lambda = { ...lambdaRole(), inlinePolicies: [{ name: READ, document: policy(sidless) }] };
    const inventory = inventoryOf([execution(), lambda], functions);

    // When the job is planned with s3-read
    const result = await plan(first, inventory, { strategy: 's3-read' });

    // Then the statement grows by this job's folder, under our Sid, and only the new folder is reported as added
    const read = result.changes.find((c) => c.action === 'PutRolePolicy' && c.policyName === READ);
    expect(read?.document).toEqual(
      policy(
        readStatement(
          'arn:aws:s3:::receipts-labeling-data/output/receipts-6/*',
          'arn:aws:s3:::receipts-labeling-data/output/receipts-7/*',
        ),
      ),
    );
    expect(result.report.changes.find((c) => c.policyName === READ)?.added).toEqual([
      'arn:aws:s3:::receipts-labeling-data/output/receipts-7/*',
    ]);
    expect(result.report.outcome).toBe('proposed');
  });

  it('stays foreign with a condition for another account', async () => {
    const planted = {
      name: READ,
      document: policy({
        ...readStatement('arn:aws:s3:::receipts-labeling-data/output/receipts-6/*'),
        Condition: { StringEquals: { 's3:ResourceAccount': '999999999999' } },
      }),
    };
    const inventory = inventoryOf([execution(), { ...lambdaRole(), inlinePolicies: [planted] }], functions);

    const result = await plan(first, inventory, { strategy: 's3-read' });

    expect(result.report.outcome).toBe('blocked');
    expect(result.report.findings).toContainEqual(
      expect.objectContaining({ code: 'PLAN_UNPROVEN', reason: 'foreign-statement' }),
    );
  });
});

describe('a Sid-less statement under our invoke policy name', () => {
  it.each([
    ['a list of function ARNs (the AWS page)', [PRE]],
    ['one function ARN as a string', PRE],
  ])(
    'of exactly our shape, with %s, is ours: merged and rewritten under our Sid',
    async (_what, resource) => {
      // Given the invoke policy written by hand from the AWS documentation, without a Sid
      const handWritten = {
        name: INVOKE,
        document: policy({ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: resource }),
      };
      const inventory = inventoryOf([execution([handWritten]), lambdaRole()], functions);

      // When the job is planned (reading directly: the trust path is not what this case is about)
      const result = await plan(first, inventory, { strategy: 's3-read' });

      // Then the statement grows by the missing function and carries our Sid; nothing is blocked
      expect(result.report.findings.filter((f) => f.code === 'PLAN_UNPROVEN')).toEqual([]);
      const invoke = result.changes.find((c) => c.action === 'PutRolePolicy' && c.policyName === INVOKE);
      expect(invoke?.document).toEqual(
        policy({
          Sid: INVOKE,
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: [POST, PRE].sort(),
        }),
      );
      expect(result.report.changes.find((c) => c.policyName === INVOKE)?.added).toEqual([POST]);
      expect(result.report.outcome).toBe('proposed');
    },
  );

  it.each([
    [
      'a wildcard ARN',
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [`${PRE.slice(0, -3)}*`] },
    ],
    [
      'an extra action',
      { Effect: 'Allow', Action: ['lambda:InvokeFunction', 'lambda:GetFunction'], Resource: [PRE] },
    ],
    [
      'a condition',
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [PRE],
        Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ml' } },
      },
    ],
    ['NotResource', { Effect: 'Allow', Action: 'lambda:InvokeFunction', NotResource: [PRE] }],
    ['a Deny', { Effect: 'Deny', Action: 'lambda:InvokeFunction', Resource: [PRE] }],
    ['another Sid', { Sid: 'Invoke', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [PRE] }],
  ] as [string, PolicyStatement][])(
    'with %s stays foreign: nothing merged, blocked',
    async (_what, statement) => {
      const planted = { name: INVOKE, document: policy(statement) };
      const inventory = inventoryOf([execution([planted]), lambdaRole()], functions);

      const result = await plan(first, inventory);

      expect(result.changes.filter((c) => c.action === 'PutRolePolicy' && c.policyName === INVOKE)).toEqual(
        [],
      );
      expect(result.report.findings).toContainEqual(
        expect.objectContaining({ code: 'PLAN_UNPROVEN', reason: 'foreign-statement', fixable: false }),
      );
      expect(result.report.outcome).toBe('blocked');
    },
  );

  it('is not ours in the trust policy: a Sid-less trust statement is left alone and ours is added', async () => {
    // Given a hand-written Sid-less statement trusting another role
    const other = roleArn('someone-else');
    const trust = policy(...[serviceTrust('sagemaker.amazonaws.com').Statement].flat(), {
      Effect: 'Allow',
      Principal: { AWS: [other] },
      Action: 'sts:AssumeRole',
    });
    const exec = { ...execution(), trustPolicy: trust };
    const result = await plan(first, inventoryOf([exec, lambdaRole()], functions), {
      strategy: 'assume-role',
    });

    // Then the trust change keeps it verbatim and adds our own statement beside it
    const change = result.changes.find((c) => c.action === 'UpdateAssumeRolePolicy');
    const statements = [change?.document.Statement].flat();
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Principal: { AWS: [other] },
      Action: 'sts:AssumeRole',
    });
    expect(statements).toContainEqual(
      expect.objectContaining({ Sid: DEFAULT_CORE_OPTIONS.trustStatementSid }),
    );
  });
});
