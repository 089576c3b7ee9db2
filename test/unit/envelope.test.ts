/**
 * The envelope proof on real policy texts (test/fixtures/real/managed-policies, sources in its
 * README): only an execution role whose every permission is inside AmazonSageMakerGroundTruthExecution,
 * the job's own buckets and key, or already the function role's own, may be made assumable.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { proveInsideEnvelope, resourceWithin } from '../../shared/core/envelope';
import { checkFunctionRoleTrust } from '../../shared/core/function-role-guard';
import type {
  AttachedPolicy,
  LabelingJobRequest,
  PolicyDocument,
  PolicyStatement,
  RoleInfo,
} from '../../shared/core';
import { ACCOUNT, serviceTrust } from '../fixtures/factory';
import { roleInfo } from '../fixtures/role-info';

const DIR = join(__dirname, '..', 'fixtures', 'real', 'managed-policies');

function managed(name: string): AttachedPolicy {
  const file = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as { Document: PolicyDocument };
  return { arn: `arn:aws:iam::aws:policy/${name}`, name, document: file.Document };
}

const REQUEST: LabelingJobRequest = {
  jobName: 'receipts-7',
  accountId: ACCOUNT,
  region: 'us-east-1',
  executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/LabelingExecution`,
  postAnnotationLambdaArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:consolidate`,
  outputS3Uri: 's3://acme-labels-out/output/',
  inputManifestS3Uri: 's3://acme-labels-in/manifests/receipts.manifest',
  outputKmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
};

const GROUND_TRUTH = managed('AmazonSageMakerGroundTruthExecution');

function executionRole(statements: PolicyStatement[], policies: AttachedPolicy[] = [GROUND_TRUTH]): RoleInfo {
  return roleInfo('LabelingExecution', {
    managedPolicies: policies,
    inlinePolicies:
      statements.length > 0
        ? [{ name: 'extra', document: { Version: '2012-10-17', Statement: statements } }]
        : [],
  });
}

const FUNCTION_ROLE = roleInfo('consolidate-role', {
  trustPolicy: serviceTrust('lambda.amazonaws.com'),
  managedPolicies: [],
});

const allow = (Action: string | string[], Resource: string | string[]): PolicyStatement => ({
  Effect: 'Allow',
  Action,
  Resource,
});

async function prove(role: RoleInfo, functionRole: RoleInfo = FUNCTION_ROLE) {
  return proveInsideEnvelope({ request: REQUEST, executionRole: role, functionRole });
}

describe('proveInsideEnvelope', () => {
  it('proves AmazonSageMakerGroundTruthExecution alone inside', async () => {
    await expect(prove(executionRole([]))).resolves.toEqual({ inside: true });
  });

  it('proves object reads and writes on the job own buckets and its KMS key inside', async () => {
    const role = executionRole([
      allow(
        ['s3:GetObject', 's3:PutObject'],
        ['arn:aws:s3:::acme-labels-out/*', 'arn:aws:s3:::acme-labels-in/*'],
      ),
      allow(['s3:ListBucket'], ['arn:aws:s3:::acme-labels-out', 'arn:aws:s3:::acme-labels-in']),
      allow(['kms:Decrypt', 'kms:GenerateDataKey'], REQUEST.outputKmsKeyId as string),
    ]);
    await expect(prove(role)).resolves.toEqual({ inside: true });
  });

  it('finds AmazonSageMakerFullAccess outside (NotResource sagemaker:*, secrets, PassRole...)', async () => {
    const result = await prove(executionRole([], [GROUND_TRUTH, managed('AmazonSageMakerFullAccess')]));
    expect(result.inside).toBe(false);
    if (result.inside) return;
    expect(result.outside.length).toBe(5);
    expect(result.outside.every((a) => /^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(a))).toBe(true);
  });

  it('finds a secrets reader outside and names the action', async () => {
    const result = await prove(executionRole([allow('secretsmanager:GetSecretValue', '*')]));
    expect(result).toEqual({ inside: false, outside: ['secretsmanager:GetSecretValue'] });
  });

  it('finds sts:AssumeRole on an admin role outside', async () => {
    const result = await prove(
      executionRole([allow('sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`)]),
    );
    expect(result).toEqual({ inside: false, outside: ['sts:AssumeRole'] });
  });

  it('finds iam:PassRole on role/service-role/* with lambda:CreateFunction outside', async () => {
    const result = await prove(
      executionRole([
        allow('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/service-role/*`),
        allow('lambda:CreateFunction', '*'),
      ]),
    );
    expect(result).toEqual({ inside: false, outside: ['iam:PassRole', 'lambda:CreateFunction'] });
  });

  it('finds *:* and * outside, five actions at most', async () => {
    for (const action of ['*', '*:*']) {
      const result = await prove(executionRole([allow(action, '*')]));
      expect(result.inside).toBe(false);
      // `*` expands to every known action (five named); `*:*` expands to none the data knows, so it is named itself.
      if (!result.inside) expect(result.outside).toEqual(action === '*' ? expect.any(Array) : ['*:*']);
      if (!result.inside && action === '*') expect(result.outside).toHaveLength(5);
    }
  });

  it('finds a NotAction statement outside, even one that leaves almost nothing', async () => {
    const result = await prove(
      executionRole([
        { Effect: 'Allow', NotAction: ['iam:*', 'sts:*'], Resource: 'arn:aws:s3:::acme-labels-out/*' },
      ]),
    );
    expect(result.inside).toBe(false);
  });

  it('finds a NotResource statement outside, even on an envelope action', async () => {
    const result = await prove(
      executionRole([
        { Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::corp-secrets/*' },
      ]),
    );
    expect(result).toEqual({ inside: false, outside: ['s3:GetObject'] });
  });

  it('finds S3 on another bucket outside', async () => {
    const result = await prove(executionRole([allow(['s3:GetObject'], 'arn:aws:s3:::corp-secrets/*')]));
    expect(result).toEqual({ inside: false, outside: ['s3:GetObject'] });
  });

  it('finds s3:* on the job own bucket outside (delete, ACLs and policies are not the job needs)', async () => {
    const result = await prove(executionRole([allow('s3:*', 'arn:aws:s3:::acme-labels-out/*')]));
    expect(result.inside).toBe(false);
  });

  it('finds a wildcard broader than the envelope outside (acme-* is more than acme-labels-out)', async () => {
    const result = await prove(executionRole([allow('s3:GetObject', 'arn:aws:s3:::acme-*/*')]));
    expect(result).toEqual({ inside: false, outside: ['s3:GetObject'] });
  });

  it('does not trust a condition it cannot compare: the envelope statement with a condition covers only the same condition', async () => {
    const result = await prove(
      executionRole([
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: '*',
          Condition: { StringEquals: { 's3:ExistingObjectTag/Team': 'ml' } },
        },
      ]),
    );
    expect(result).toEqual({ inside: false, outside: ['s3:GetObject'] });
  });

  it('counts what the function role may already do as no new power', async () => {
    const reader = allow('secretsmanager:GetSecretValue', '*');
    const functionRole: RoleInfo = {
      ...FUNCTION_ROLE,
      inlinePolicies: [{ name: 'own', document: { Version: '2012-10-17', Statement: [reader] } }],
    };
    await expect(prove(executionRole([reader]), functionRole)).resolves.toEqual({ inside: true });
    // A Deny on the function role makes its own grants unsure: not proven.
    const denied: RoleInfo = {
      ...functionRole,
      inlinePolicies: [
        ...functionRole.inlinePolicies,
        {
          name: 'deny',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Deny', Action: 'secretsmanager:*', Resource: '*' }],
          },
        },
      ],
    };
    expect((await prove(executionRole([reader]), denied)).inside).toBe(false);
  });

  it('counts an unreadable managed policy and an unknown action as outside', async () => {
    const unreadable = await prove(
      executionRole([], [GROUND_TRUTH, { arn: `arn:aws:iam::${ACCOUNT}:policy/Mystery`, name: 'Mystery' }]),
    );
    expect(unreadable).toEqual({ inside: false, outside: ['unreadable policy Mystery'] });
    const unknown = await prove(executionRole([allow('newservice:DoEverything', '*')]));
    expect(unknown).toEqual({ inside: false, outside: ['newservice:DoEverything'] });
    const unknownWildcard = await prove(executionRole([allow('newservice:*', '*')]));
    expect(unknownWildcard).toEqual({ inside: false, outside: ['newservice:*'] });
  });

  it('takes a bare key ID as the job account and region key', async () => {
    const request = { ...REQUEST, outputKmsKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' };
    const role = executionRole([allow('kms:Decrypt', REQUEST.outputKmsKeyId as string)]);
    await expect(
      proveInsideEnvelope({ request, executionRole: role, functionRole: FUNCTION_ROLE }),
    ).resolves.toEqual({ inside: true });
    const other = executionRole([allow('kms:Decrypt', `arn:aws:kms:us-east-1:${ACCOUNT}:key/*`)]);
    expect(
      (await proveInsideEnvelope({ request, executionRole: other, functionRole: FUNCTION_ROLE })).inside,
    ).toBe(false);
  });
});

describe('resourceWithin', () => {
  it.each([
    ['arn:aws:s3:::acme-labels-out/*', 'arn:aws:s3:::acme-labels-out/*', true],
    ['arn:aws:s3:::acme-labels-out/a/b', 'arn:aws:s3:::acme-labels-out/*', true],
    ['arn:aws:s3:::acme-*/*', 'arn:aws:s3:::acme-labels-out/*', false],
    ['arn:aws:s3:::acme-labels-out/*', 'arn:aws:s3:::acme-labels-out/?', false],
    ['arn:aws:s3:::my-GroundTruth-data/*', 'arn:aws:s3:::*GroundTruth*', true],
    ['*', 'arn:aws:s3:::*', false],
    ['arn:aws:s3:::${aws:username}/*', 'arn:aws:s3:::*', false],
    ['anything', '*', true],
  ])('%s within %s: %s', (inner, outer, expected) => {
    expect(resourceWithin(inner, outer)).toBe(expected);
  });
});

describe('checkFunctionRoleTrust', () => {
  const withTrust = (Principal: unknown, extra: Partial<PolicyStatement> = {}): RoleInfo =>
    roleInfo('consolidate-role', {
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          { Effect: 'Allow', Principal, Action: 'sts:AssumeRole', ...extra },
        ],
      },
    });

  it('accepts a role only Lambda may assume, and ignores Deny statements', () => {
    expect(checkFunctionRoleTrust({ role: FUNCTION_ROLE })).toEqual({ shared: false });
    const denied = withTrust({ AWS: '*' }, { Effect: 'Deny' });
    expect(checkFunctionRoleTrust({ role: denied })).toEqual({ shared: false });
  });

  it.each([
    [{ AWS: 'arn:aws:iam::444455556666:root' }, 'another account'],
    [{ AWS: '444455556666' }, 'another account'],
    [{ AWS: `arn:aws:iam::${ACCOUNT}:root` }, 'this account (root)'],
    [{ AWS: `arn:aws:iam::${ACCOUNT}:user/mallory` }, 'a user in this account'],
    [{ AWS: 'arn:aws:iam::444455556666:role/outsider' }, 'a role in another account'],
    [{ Service: 'ec2.amazonaws.com' }, 'another service'],
    [{ Federated: 'cognito-identity.amazonaws.com' }, 'a federated identity'],
    ['*', 'anyone (*)'],
    [{ AWS: '*' }, 'anyone (*)'],
  ])('names %j as %s, never its conditions', (principal, kind) => {
    const role = withTrust(principal, {
      Condition: { StringEquals: { 'sts:ExternalId': 'secret-value-42' } },
    });
    const result = checkFunctionRoleTrust({ role });
    expect(result).toEqual({ shared: true, kinds: [kind] });
    expect(JSON.stringify(result)).not.toContain('secret-value-42');
  });
});
