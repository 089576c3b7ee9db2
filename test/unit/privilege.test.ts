/**
 * ROLE_PRIVILEGED on the published texts of AWS managed policies (test/fixtures/real/managed-policies,
 * see its README): the escalation catalogue trips on what real administrators carry and not on what
 * real execution roles carry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planJob, type PolicyDocument, type RoleInfo } from '../../shared/core';
import { GROUND_TRUTH_EXECUTION_POLICY } from '../../shared/core/managed-policies';
import { escalationPermissions } from '../../shared/core/role-guards';
import { DEFAULT_CORE_OPTIONS } from '../../shared/core/types';
import { exampleRequest, policy, roleArn, serviceTrust } from '../fixtures/factory';
import { inventoryOf, roleInfo } from '../fixtures/role-info';

const NOW = new Date('2026-11-29T10:15:00Z');
const DIR = join(__dirname, '..', 'fixtures', 'real', 'managed-policies');

function managed(name: string): RoleInfo['managedPolicies'][number] {
  const file = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as { Document: PolicyDocument };
  return { arn: `arn:aws:iam::aws:policy/${name}`, name, document: file.Document };
}

function roleWith(...policies: string[]): RoleInfo {
  return roleInfo('ReceiptsLabelingExecution', {
    path: '/service-role/',
    managedPolicies: policies.map(managed),
  });
}

describe('escalationPermissions on published AWS managed policies', () => {
  it.each(['AdministratorAccess', 'IAMFullAccess', 'PowerUserAccess', 'AWSLambda_FullAccess'])(
    '%s is privileged',
    async (name) => {
      const found = await escalationPermissions(roleWith(name), '111122223333', 'us-east-1', NOW);
      expect(found.length).toBeGreaterThan(0);
    },
  );

  it.each([
    [
      'AdministratorAccess',
      ['iam:PutRolePolicy', 'iam:PassRole', 'sts:AssumeRole', 'lambda:UpdateFunctionCode'],
    ],
    ['IAMFullAccess', ['iam:CreatePolicyVersion', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy']],
    ['PowerUserAccess', ['sts:AssumeRole', 'lambda:UpdateFunctionCode', 'glue:UpdateDevEndpoint']],
  ])('%s trips on the escalation paths it opens', async (name, actions) => {
    const found = await escalationPermissions(roleWith(name), '111122223333', 'us-east-1', NOW);
    expect(found).toEqual(expect.arrayContaining(actions));
  });

  it('PowerUserAccess does not count its IAM reads as IAM writes', async () => {
    const found = await escalationPermissions(roleWith('PowerUserAccess'), '111122223333', 'us-east-1', NOW);
    expect(found.filter((a) => a.startsWith('iam:'))).toEqual([]);
  });

  it.each([
    ['AmazonSageMakerFullAccess'],
    ['AmazonSageMakerGroundTruthExecution'],
    ['AmazonS3FullAccess'],
    ['AmazonSageMakerFullAccess', 'AmazonSageMakerGroundTruthExecution', 'AmazonS3FullAccess'],
  ])('an execution role with %s (and the others listed) is not privileged', async (...names) => {
    expect(await escalationPermissions(roleWith(...names), '111122223333', 'us-east-1', NOW)).toEqual([]);
  });

  it('an inline iam:PutRolePolicy on * is privileged', async () => {
    const role = roleInfo('r', {
      inlinePolicies: [
        { name: 'p', document: policy({ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: '*' }) },
      ],
    });
    expect(await escalationPermissions(role, '111122223333', 'us-east-1', NOW)).toEqual([
      'iam:PutRolePolicy',
    ]);
  });

  it('iam:PassRole limited by iam:PassedToService is not an escalation path; unlimited it is', async () => {
    const pass = (condition?: Record<string, Record<string, string>>) =>
      roleInfo('r', {
        inlinePolicies: [
          {
            name: 'p',
            document: policy({
              Effect: 'Allow',
              Action: 'iam:PassRole',
              Resource: '*',
              ...(condition ? { Condition: condition } : {}),
            }),
          },
        ],
      });
    const limited = pass({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
    expect(await escalationPermissions(limited, '111122223333', 'us-east-1', NOW)).toEqual([]);
    expect(await escalationPermissions(pass(), '111122223333', 'us-east-1', NOW)).toEqual(['iam:PassRole']);
  });
});

describe('the shipped copy of AmazonSageMakerGroundTruthExecution', () => {
  it('is the published text', () => {
    expect(GROUND_TRUTH_EXECUTION_POLICY.document).toEqual(
      managed('AmazonSageMakerGroundTruthExecution').document,
    );
  });
});

describe('a real job whose execution role carries AdministratorAccess', () => {
  it('is ROLE_PRIVILEGED: no trust change, the change offered to a person', async () => {
    const request = exampleRequest();
    const exec = roleWith('AdministratorAccess');
    const fn = roleInfo('receipts-consolidate-role', { trustPolicy: serviceTrust('lambda.amazonaws.com') });
    const functions = [request.preAnnotationLambdaArn, request.postAnnotationLambdaArn].map((arn) => ({
      arn: arn as string,
      roleArn: roleArn('receipts-consolidate-role'),
    }));
    const result = await planJob(request, inventoryOf([exec, fn], functions), {
      core: { ...DEFAULT_CORE_OPTIONS, strategy: 'assume-role' },
      dryRun: false,
      now: NOW,
    });
    expect(result.changes).toEqual([]);
    expect(result.report.findings.map((f) => [f.code, f.fixable])).toEqual([
      ['OUTPUT_READ_DENIED', false],
      ['ROLE_PRIVILEGED', false],
    ]);
    expect(result.manualChanges.map((c) => c.action)).toEqual(['UpdateAssumeRolePolicy']);
  });
});
