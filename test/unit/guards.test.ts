/**
 * The guardrails of the pure core, tried as an attacker (or an unlucky account) would: hostile
 * statements under our names, protected roles, the narrowest S3 grant, context we cannot see, the
 * whole read chain. Each case asserts the plan (or its absence), not how it was reached.
 */
import {
  planJob,
  type Change,
  type CoreOptions,
  type LabelingJobRequest,
  type PolicyStatement,
  type RoleInfo,
} from '../../shared/core';
import { DEFAULT_CORE_OPTIONS } from '../../shared/core/types';
import { exampleRequest, functionArn, policy, roleArn, serviceTrust } from '../fixtures/factory';
import { fillerInlinePolicies } from '../fixtures/filler';
import { inventoryOf, roleInfo } from '../fixtures/role-info';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttachedPolicy, PolicyDocument } from '../../shared/core';

/** A published AWS managed policy (test/fixtures/real/managed-policies, sources in its README). */
function managedPolicy(name: string): AttachedPolicy {
  const file = JSON.parse(
    readFileSync(join(__dirname, '..', 'fixtures', 'real', 'managed-policies', `${name}.json`), 'utf8'),
  ) as { Document: PolicyDocument };
  return { arn: `arn:aws:iam::aws:policy/${name}`, name, document: file.Document };
}

const NOW = new Date('2026-11-29T10:15:00Z');
const request: LabelingJobRequest = exampleRequest();
const PRE = request.preAnnotationLambdaArn as string;
const POST = request.postAnnotationLambdaArn as string;

const readsData = {
  name: 'ReadLabelingData',
  document: policy({
    Effect: 'Allow',
    // The execution role reads the data and writes the job's output (Ground Truth writes as it).
    Action: ['s3:GetObject', 's3:PutObject'],
    Resource: 'arn:aws:s3:::receipts-labeling-data/*',
  }),
};
/** Ground Truth writes the output as the execution role: without this the direct read is never planned. */
const writesOutput = {
  name: 'WriteLabelingOutput',
  document: policy({ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::*' }),
};
const execution = (overrides: Partial<RoleInfo> = {}): RoleInfo =>
  roleInfo('ReceiptsLabelingExecution', {
    path: '/service-role/',
    inlinePolicies: [readsData],
    ...overrides,
  });
const lambdaRole = (overrides: Partial<RoleInfo> = {}): RoleInfo =>
  roleInfo('receipts-consolidate-role', { trustPolicy: serviceTrust('lambda.amazonaws.com'), ...overrides });
const functions = (tags?: Record<string, string>) => [
  { arn: PRE, roleArn: roleArn('receipts-consolidate-role'), ...(tags ? { tags } : {}) },
  { arn: POST, roleArn: roleArn('receipts-consolidate-role'), ...(tags ? { tags } : {}) },
];

async function plan(roles: RoleInfo[], options: Partial<CoreOptions> = {}, fns = functions()) {
  return planJob(request, inventoryOf(roles, fns), {
    core: { ...DEFAULT_CORE_OPTIONS, strategy: 'assume-role', ...options },
    dryRun: true,
    now: NOW,
  });
}

const codes = (r: Awaited<ReturnType<typeof plan>>) =>
  r.report.findings.map((f) => [f.code, f.reason, f.fixable] as const);

describe('merging into what is already there', () => {
  it.each([
    ['Action "*"', { Sid: 'GroundTruthLabelingLambdaInvoke', Effect: 'Allow', Action: '*', Resource: [PRE] }],
    [
      'NotAction',
      { Sid: 'GroundTruthLabelingLambdaInvoke', Effect: 'Allow', NotAction: 'iam:*', Resource: [PRE] },
    ],
    [
      'a wildcard resource',
      {
        Sid: 'GroundTruthLabelingLambdaInvoke',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: 'arn:aws:lambda:*:*:function:other-*',
      },
    ],
    ['another statement', { Sid: 'Other', Effect: 'Allow', Action: 'lambda:GetFunction', Resource: PRE }],
  ] as [string, PolicyStatement][])(
    'refuses to extend our invoke policy holding %s, naming the statement',
    async (_what, statement) => {
      // Given a statement planted under our policy name
      const planted = { name: 'GroundTruthLabelingLambdaInvoke', document: policy(statement) };

      // When the job is planned
      const result = await plan([execution({ inlinePolicies: [readsData, planted] }), lambdaRole()]);

      // Then nothing is written to that policy: blocked, with the statement named
      expect(result.changes.filter((c) => c.action === 'PutRolePolicy')).toEqual([]);
      const conflict = result.report.findings.find((f) => f.reason === 'foreign-statement');
      expect(conflict?.code).toBe('PLAN_UNPROVEN');
      expect(conflict?.detail).toContain(`statement #1 "${statement.Sid}"`);
      // Named, never copied: the statement's resources and values stay out of the report
      expect(conflict?.detail).not.toContain(JSON.stringify(statement).slice(0, 40));
      expect(result.report.outcome).toBe('blocked');
    },
  );

  it('refuses to extend our trust statement when it carries a condition or a wildcard principal', async () => {
    for (const planted of [
      {
        Sid: 'GroundTruthPostAnnotationLambdaAssume',
        Effect: 'Allow' as const,
        Principal: { AWS: 'arn:aws:iam::444455556666:role/*' },
        Action: 'sts:AssumeRole',
      },
      {
        Sid: 'GroundTruthPostAnnotationLambdaAssume',
        Effect: 'Allow' as const,
        Principal: { AWS: [roleArn('x')] },
        Action: 'sts:AssumeRole',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      },
    ]) {
      const trust = policy(...[serviceTrust('sagemaker.amazonaws.com').Statement].flat(), planted);
      const result = await plan([execution({ trustPolicy: trust }), lambdaRole()]);
      expect(result.changes.filter((c) => c.action === 'UpdateAssumeRolePolicy')).toEqual([]);
      expect(codes(result)).toContainEqual(['PLAN_UNPROVEN', 'foreign-statement', false]);
    }
  });
});

describe('the narrowest S3 grant (strategy s3-read)', () => {
  it.each([
    ['s3://receipts-labeling-data/output/', 'arn:aws:s3:::receipts-labeling-data/output/receipts-7/*'],
    ['s3://receipts-labeling-data', 'arn:aws:s3:::receipts-labeling-data/receipts-7/*'],
    ['s3://Legacy_Bucket/out', 'arn:aws:s3:::Legacy_Bucket/out/receipts-7/*'],
  ])('for output %s is the job folder only, in the job account', async (output, grant) => {
    const result = await planJob(
      { ...request, outputS3Uri: output },
      inventoryOf([execution({ inlinePolicies: [readsData, writesOutput] }), lambdaRole()], functions()),
      { core: { ...DEFAULT_CORE_OPTIONS, strategy: 's3-read' }, dryRun: true, now: NOW },
    );
    const read = result.changes.find(
      (c) => c.action === 'PutRolePolicy' && c.policyName === 'GroundTruthReadLabelingOutput',
    );
    expect(read?.document).toEqual(
      policy({
        Sid: 'GroundTruthReadLabelingOutput',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [grant],
        Condition: { StringEquals: { 's3:ResourceAccount': request.accountId } },
      }),
    );
  });
});

describe('roles the remediator never changes', () => {
  it.each([
    ['/aws-reserved/sso.amazonaws.com/', 'identity-center-role'],
    ['/aws-service-role/sagemaker.amazonaws.com/', 'service-linked-role'],
  ])(
    'an execution role under %s is ROLE_OUT_OF_SCOPE (%s), with the change offered to a person',
    async (path, reason) => {
      const role = roleInfo('ReceiptsLabelingExecution', { path, inlinePolicies: [readsData] });
      const result = await planJob(
        { ...request, executionRoleArn: role.arn },
        inventoryOf([role, lambdaRole()], functions()),
        { core: { ...DEFAULT_CORE_OPTIONS, strategy: 'assume-role' }, dryRun: true, now: NOW },
      );
      expect(result.changes).toEqual([]);
      expect(codes(result)).toContainEqual(['ROLE_OUT_OF_SCOPE', reason, false]);
      expect(result.manualChanges.map((c: Change) => c.roleName)).toContain('ReceiptsLabelingExecution');
    },
  );

  it.each(['OrganizationAccountAccessRole', 'cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1'])(
    'a protected execution role (%s) is refused and no change to it is offered to a person either',
    async (name) => {
      // Given a job whose creator named an admin role (which trusts SageMaker) as its execution role
      const role = roleInfo(name, { inlinePolicies: [readsData] });
      // When the job is planned
      const result = await planJob(
        { ...request, executionRoleArn: role.arn },
        inventoryOf([role, lambdaRole()], functions()),
        { core: { ...DEFAULT_CORE_OPTIONS, strategy: 'assume-role' }, dryRun: true, now: NOW },
      );
      // Then nothing is written, and no copy-paste change would make the admin role assumable
      expect(result.changes).toEqual([]);
      expect(codes(result)).toContainEqual(['ROLE_OUT_OF_SCOPE', 'protected-role', false]);
      expect(result.manualChanges.filter((c: Change) => c.roleName === name)).toEqual([]);
      expect(JSON.stringify(result.report.manualChanges ?? [])).not.toContain(name);
    },
  );
});

describe('context the core cannot see', () => {
  const byTag = {
    name: 'InvokeTeamFunctions',
    document: policy({
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/team': 'labeling' } },
    }),
  };

  it('an invoke allowed by a function tag the snapshot lacks is depends-on-unknown-context: no grant', async () => {
    const result = await plan([execution({ inlinePolicies: [readsData, byTag] }), lambdaRole()]);

    const invoke = result.report.findings.filter((f) => f.code === 'INVOKE_DENIED');
    expect(invoke.map((f) => [f.reason, f.fixable, f.detail])).toEqual([
      ['depends-on-unknown-context', false, 'aws:ResourceTag/team'],
      ['depends-on-unknown-context', false, 'aws:ResourceTag/team'],
    ]);
    expect(result.changes.filter((c) => c.action === 'PutRolePolicy')).toEqual([]);
  });

  it('the same invoke is decided once the tags are known', async () => {
    const tagged = await plan(
      [execution({ inlinePolicies: [readsData, byTag] }), lambdaRole()],
      {},
      functions({ team: 'labeling' }),
    );
    expect(tagged.report.findings.filter((f) => f.code === 'INVOKE_DENIED')).toEqual([]);

    const other = await plan(
      [execution({ inlinePolicies: [readsData, byTag] }), lambdaRole()],
      {},
      functions({ team: 'web' }),
    );
    expect(other.report.findings.filter((f) => f.code === 'INVOKE_DENIED').map((f) => f.reason)).toEqual([
      'implicit-deny',
      'implicit-deny',
    ]);
  });

  it('a trust policy that denies outside the organisation is not "explicit deny" while the org is unknown', async () => {
    const trust = policy(...[serviceTrust('sagemaker.amazonaws.com').Statement].flat(), {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sts:AssumeRole',
      // The usual guard: services (SageMaker, Lambda) are exempt, every other principal must be in the org
      Condition: {
        StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' },
        BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
      },
    });
    const invokeOk = {
      name: 'Invoke',
      document: policy({ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [PRE, POST] }),
    };
    const unknown = await plan([
      execution({ trustPolicy: trust, inlinePolicies: [readsData, invokeOk] }),
      lambdaRole(),
    ]);
    expect(codes(unknown)).toEqual([['OUTPUT_READ_DENIED', 'depends-on-unknown-context', false]]);
    expect(unknown.changes).toEqual([]);

    // Given the organisation (live mode, or --context aws:PrincipalOrgID=...), the verdict is definite and fixable
    const known = await plan(
      [execution({ trustPolicy: trust, inlinePolicies: [readsData, invokeOk] }), lambdaRole()],
      { knownContext: { 'aws:PrincipalOrgID': 'o-abc123' } },
    );
    expect(codes(known)).toEqual([['OUTPUT_READ_DENIED', 'implicit-deny', true]]);
    expect(known.changes.map((c) => c.action)).toEqual(['UpdateAssumeRolePolicy']);
  });
});

describe('the whole read chain (strategy assume-role)', () => {
  it('an execution role that may never read the output gets no trust change: assuming it cannot help', async () => {
    const deny = {
      name: 'NoLabelingData',
      document: policy({
        Effect: 'Deny',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::receipts-labeling-data/*',
      }),
    };
    const result = await plan([execution({ inlinePolicies: [readsData, deny] }), lambdaRole()]);
    expect(codes(result)).toContainEqual(['OUTPUT_READ_DENIED', 'execution-role-cannot-read', false]);
    expect(result.changes.filter((c) => c.action === 'UpdateAssumeRolePolicy')).toEqual([]);
  });

  it('an execution role that cannot read the output (no grant) gets the scoped read with the trust change', async () => {
    const result = await plan([execution({ inlinePolicies: [writesOutput] }), lambdaRole()]);
    expect(
      result.changes.map((c) => [c.action, c.roleName, c.action === 'PutRolePolicy' ? c.policyName : '']),
    ).toEqual([
      ['PutRolePolicy', 'ReceiptsLabelingExecution', 'GroundTruthLabelingLambdaInvoke'],
      ['PutRolePolicy', 'ReceiptsLabelingExecution', 'GroundTruthReadLabelingOutput'],
      ['UpdateAssumeRolePolicy', 'ReceiptsLabelingExecution', ''],
    ]);
  });
});

describe('functions of another region or account are never granted', () => {
  it('names them and grants nothing for them', async () => {
    const foreign = functionArn('their-fn', 'us-east-1', '444455556666');
    const result = await planJob(
      { ...request, preAnnotationLambdaArn: foreign },
      inventoryOf([execution(), lambdaRole()], functions()),
      { core: { ...DEFAULT_CORE_OPTIONS, strategy: 'assume-role' }, dryRun: true, now: NOW },
    );
    expect(codes(result)).toContainEqual(['CROSS_ACCOUNT_FUNCTION', 'other-account', false]);
    expect(JSON.stringify(result.changes)).not.toContain('444455556666');
  });
});

describe('changes a person could apply by hand', () => {
  it('a patch over the inline-policy quota is POLICY_SIZE_LIMIT, with the exact change in manualChanges', async () => {
    // Given an execution role whose inline policies are a few characters short of 10,240
    const filler = Object.entries(fillerInlinePolicies(10_100)).map(([name, document]) => ({
      name,
      document,
    }));
    const result = await plan([execution({ inlinePolicies: [readsData, ...filler] }), lambdaRole()]);

    expect(codes(result)).toContainEqual(['POLICY_SIZE_LIMIT', 'inline-policies-too-large', false]);
    expect(result.changes.filter((c) => c.roleName === 'ReceiptsLabelingExecution')).toEqual([]);
    expect(result.report.manualChanges?.map((c) => [c.action, c.roleName, c.policyName])).toContainEqual([
      'PutRolePolicy',
      'ReceiptsLabelingExecution',
      'GroundTruthLabelingLambdaInvoke',
    ]);
  });
});

describe('strategy auto: the direct read always, the trust statement only inside the envelope', () => {
  const groundTruth = managedPolicy('AmazonSageMakerGroundTruthExecution');
  const auto: Partial<CoreOptions> = { strategy: 'auto' };
  // The example's functions are not named like the managed policy's: their invoke grant is planned
  // too, and left out here (invoke.json covers it).
  const summary = (r: Awaited<ReturnType<typeof plan>>) =>
    r.changes
      .filter((c) => c.action !== 'PutRolePolicy' || c.policyName !== 'GroundTruthLabelingLambdaInvoke')
      .map((c) => `${c.action} ${c.roleName}${c.action === 'PutRolePolicy' ? ` ${c.policyName}` : ''}`)
      .sort();
  const codes = (r: Awaited<ReturnType<typeof plan>>) =>
    r.report.findings
      .filter((f) => f.code !== 'INVOKE_DENIED')
      .map((f) => [f.code, f.reason, f.fixable] as const);

  it('an execution role with only AmazonSageMakerGroundTruthExecution and its own bucket gets both paths', async () => {
    const result = await plan([execution({ managedPolicies: [groundTruth] }), lambdaRole()], auto);
    expect(codes(result)).toEqual([['OUTPUT_READ_DENIED', 'implicit-deny', true]]);
    expect(summary(result)).toEqual([
      'PutRolePolicy receipts-consolidate-role GroundTruthReadLabelingOutput',
      'UpdateAssumeRolePolicy ReceiptsLabelingExecution',
    ]);
  });

  it('AmazonSageMakerFullAccess (the published text): the direct read, EXECUTION_ROLE_EXCEEDS_ENVELOPE, the trust change for a person only', async () => {
    const fullAccess = managedPolicy('AmazonSageMakerFullAccess');
    const result = await plan(
      [execution({ managedPolicies: [groundTruth, fullAccess] }), lambdaRole()],
      auto,
    );
    expect(codes(result)).toEqual([
      ['OUTPUT_READ_DENIED', 'implicit-deny', true],
      ['EXECUTION_ROLE_EXCEEDS_ENVELOPE', 'outside-envelope', false],
    ]);
    const envelope = result.report.findings.find((f) => f.code === 'EXECUTION_ROLE_EXCEEDS_ENVELOPE');
    expect(envelope?.severity).toBe('low');
    expect(envelope?.detail?.split(', ')).toHaveLength(5);
    // No trust change, no assume grant: the direct read alone
    expect(summary(result)).toEqual([
      'PutRolePolicy receipts-consolidate-role GroundTruthReadLabelingOutput',
    ]);
    expect(result.manualChanges.map((c) => `${c.action} ${c.roleName}`)).toEqual([
      'UpdateAssumeRolePolicy ReceiptsLabelingExecution',
    ]);
    expect(result.report.outcome).toBe('blocked');
  });

  it('a trust policy naming the account root: no assume grant either for a role outside the envelope', async () => {
    const rootTrust = policy(
      { Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' },
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${request.accountId}:root` },
        Action: 'sts:AssumeRole',
      },
    );
    const secrets = {
      name: 'Secrets',
      document: policy({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }),
    };
    const result = await plan(
      [execution({ trustPolicy: rootTrust, inlinePolicies: [readsData, secrets] }), lambdaRole()],
      auto,
    );
    expect(summary(result)).toEqual([
      'PutRolePolicy receipts-consolidate-role GroundTruthReadLabelingOutput',
    ]);
    expect(result.manualChanges.map((c) => c.action === 'PutRolePolicy' && c.policyName)).toEqual([
      'GroundTruthAssumeExecutionRole',
    ]);
  });

  it.each([
    ['direct', ['PutRolePolicy receipts-consolidate-role GroundTruthReadLabelingOutput']],
    ['assume-role', ['UpdateAssumeRolePolicy ReceiptsLabelingExecution']],
    [
      'something-else',
      [
        'PutRolePolicy receipts-consolidate-role GroundTruthReadLabelingOutput',
        'UpdateAssumeRolePolicy ReceiptsLabelingExecution',
      ],
    ],
  ])(
    'the function tag gt-remediator:reads=%s plans that path only (an unknown value: both)',
    async (value, expected) => {
      const result = await plan(
        [execution({ managedPolicies: [groundTruth] }), lambdaRole()],
        auto,
        functions({ 'gt-remediator:reads': value }),
      );
      expect(summary(result)).toEqual(expected);
    },
  );

  it('an execution role that can escalate stays ROLE_PRIVILEGED under auto too (defence in depth)', async () => {
    const admin = managedPolicy('AdministratorAccess');
    const result = await plan([execution({ managedPolicies: [admin] }), lambdaRole()], auto);
    expect(codes(result).map(([code]) => code)).toEqual([
      'OUTPUT_READ_DENIED',
      'ROLE_PRIVILEGED',
      'EXECUTION_ROLE_EXCEEDS_ENVELOPE',
    ]);
    expect(summary(result)).toEqual([
      'PutRolePolicy receipts-consolidate-role GroundTruthReadLabelingOutput',
    ]);
  });

  it.each<[string, CoreOptions['strategy']]>([
    ['auto', 'auto'],
    ['assume-role', 'assume-role'],
    ['s3-read', 's3-read'],
  ])(
    'a function role also trusted by another account is FUNCTION_ROLE_SHARED under %s: neither read nor trust',
    async (_n, strategy) => {
      const outsider = lambdaRole({
        trustPolicy: policy(
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole' },
        ),
      });
      const result = await plan([execution({ managedPolicies: [groundTruth] }), outsider], { strategy });
      expect(codes(result)).toEqual([
        ['OUTPUT_READ_DENIED', 'implicit-deny', false],
        ['FUNCTION_ROLE_SHARED', 'shared-function-role', false],
      ]);
      expect(result.report.findings.find((f) => f.code === 'FUNCTION_ROLE_SHARED')?.detail).toBe(
        'another account',
      );
      expect(summary(result)).toEqual([]);
    },
  );
});
