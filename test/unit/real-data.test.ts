/**
 * Verdicts on real inputs nobody here wrote: the published AWS managed policy texts
 * (test/fixtures/real/managed-policies, see its README) on the roles and functions that the public
 * Ground Truth starter stack creates (aws-samples/aws-sagemaker-ground-truth-recipe, tests/template.yaml
 * at 37853aa: functions GtRecipePreHumanTaskFunction and GtRecipeAnnotationConsolidationFunction,
 * each with SAM's implicit role that trusts lambda.amazonaws.com and carries
 * AWSLambdaBasicExecutionRole; its consolidation code assumes the job's roleArn to read the data).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planJob, type LabelingJobRequest, type PolicyDocument, type RoleInfo } from '../../shared/core';
import { loadSnapshot } from '../../cli/input-files';
import { escalationPermissions } from '../../shared/core/role-guards';
import { DEFAULT_CORE_OPTIONS } from '../../shared/core/types';
import { ACCOUNT, functionArn, roleArn, serviceTrust } from '../fixtures/factory';
import { inventoryOf, roleInfo } from '../fixtures/role-info';

const NOW = new Date('2026-11-29T10:15:00Z');
const DIR = join(__dirname, '..', 'fixtures', 'real', 'managed-policies');

function managed(name: string): RoleInfo['managedPolicies'][number] {
  const file = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as { Document: PolicyDocument };
  return { arn: `arn:aws:iam::aws:policy/${name}`, name, document: file.Document };
}

// How the Serverless Application Repository names the starter stack's resources.
const STACK = 'serverlessrepo-aws-sagema'; // names are cut to IAM's 64 characters
const PRE = functionArn(`${STACK}-GtRecipePreHumanTaskFunc-1A2B3C4D5E6F`);
const POST = functionArn(`${STACK}-GtRecipeAnnotationConsolida-6F5E4D3C2B1A`);
const preRole = roleInfo(`${STACK}-GtRecipePreHumanTaskFuncRole-1AAAA`, {
  trustPolicy: serviceTrust('lambda.amazonaws.com'),
  managedPolicies: [],
});
const postRole = roleInfo(`${STACK}-GtRecipeAnnotationConsRole-1BBBB`, {
  trustPolicy: serviceTrust('lambda.amazonaws.com'),
  managedPolicies: [],
});
// The execution role the SageMaker console creates: AmazonSageMakerFullAccess, plus Ground Truth's.
const execution = (...policies: string[]): RoleInfo =>
  roleInfo('AmazonSageMaker-ExecutionRole-20261129T101500', {
    path: '/service-role/',
    managedPolicies: policies.map(managed),
  });

function job(output: string): LabelingJobRequest {
  return {
    jobName: 'receipts-7',
    accountId: ACCOUNT,
    region: 'us-east-1',
    executionRoleArn: roleArn('AmazonSageMaker-ExecutionRole-20261129T101500', '/service-role/'),
    preAnnotationLambdaArn: PRE,
    postAnnotationLambdaArn: POST,
    outputS3Uri: output,
  };
}

async function verdict(exec: RoleInfo, output: string) {
  const { report, changes } = await planJob(
    job(output),
    inventoryOf(
      [exec, preRole, postRole],
      [
        { arn: PRE, roleArn: preRole.arn },
        { arn: POST, roleArn: postRole.arn },
      ],
    ),
    { core: { ...DEFAULT_CORE_OPTIONS, strategy: 'assume-role' }, dryRun: true, now: NOW },
  );
  return {
    outcome: report.outcome,
    findings: report.findings.map((f) => `${f.code} ${f.reason}${f.detail ? ` (${f.detail})` : ''}`),
    changes: changes.map((c) => `${c.action} ${c.roleName}`),
  };
}

// One table: each row is a real combination and the verdict the core must give.
describe('the Ground Truth starter stack with published managed policies', () => {
  it.each([
    {
      what: 'Ground Truth execution policy, default SageMaker bucket: the function roles need only the trust statement',
      policies: ['AmazonSageMakerGroundTruthExecution'],
      output: `s3://sagemaker-us-east-1-${ACCOUNT}/ground-truth/`,
      expected: {
        outcome: 'proposed',
        findings: ['OUTPUT_READ_DENIED implicit-deny'],
        changes: ['UpdateAssumeRolePolicy AmazonSageMaker-ExecutionRole-20261129T101500'],
      },
    },
    {
      what: 'AmazonSageMakerFullAccess alone does not cover GtRecipe functions (its invoke list lacks GtRecipe)',
      policies: ['AmazonSageMakerFullAccess'],
      output: `s3://sagemaker-us-east-1-${ACCOUNT}/ground-truth/`,
      expected: {
        outcome: 'proposed',
        findings: [
          'INVOKE_DENIED implicit-deny',
          'INVOKE_DENIED implicit-deny',
          'OUTPUT_READ_DENIED implicit-deny',
        ],
        changes: [
          'PutRolePolicy AmazonSageMaker-ExecutionRole-20261129T101500',
          'UpdateAssumeRolePolicy AmazonSageMaker-ExecutionRole-20261129T101500',
        ],
      },
    },
    {
      what: 'a bucket without SageMaker in its name: the execution role reads only tagged objects, so we do not know',
      policies: ['AmazonSageMakerGroundTruthExecution', 'AmazonSageMakerFullAccess'],
      output: 's3://receipts-labeling-data/output/',
      expected: {
        outcome: 'blocked',
        findings: [
          'OUTPUT_READ_DENIED execution-role-cannot-read (depends-on-unknown-context: s3:ExistingObjectTag/SageMaker, s3:ExistingObjectTag/servicecatalog:provisioning)',
        ],
        changes: [],
      },
    },
    {
      what: 'the same bucket with AmazonS3FullAccess on the execution role: trust statement only',
      policies: ['AmazonSageMakerGroundTruthExecution', 'AmazonS3FullAccess'],
      output: 's3://receipts-labeling-data/output/',
      expected: {
        outcome: 'proposed',
        findings: ['OUTPUT_READ_DENIED implicit-deny'],
        changes: ['UpdateAssumeRolePolicy AmazonSageMaker-ExecutionRole-20261129T101500'],
      },
    },
    {
      what: 'an execution role with PowerUserAccess is never made assumable',
      policies: ['AmazonSageMakerGroundTruthExecution', 'PowerUserAccess'],
      output: `s3://sagemaker-us-east-1-${ACCOUNT}/ground-truth/`,
      expected: {
        outcome: 'blocked',
        findings: [
          'OUTPUT_READ_DENIED implicit-deny',
          'ROLE_PRIVILEGED can-escalate (sts:AssumeRole, lambda:UpdateFunctionCode, glue:UpdateDevEndpoint)',
        ],
        changes: [],
      },
    },
  ])('$what', async ({ policies, output, expected }) => {
    expect(await verdict(execution(...policies), output)).toEqual(expected);
  });
});

describe("a published account snapshot (cloudsplaining's example GAAD, cut down)", () => {
  // salesforce/cloudsplaining examples/files/example.json at 0aa3dd6: roles MyRole (trusts Lambda,
  // inline iam:PassRole on *) and MyOtherRole (trusts EC2, customer policy with lambda:* and s3:*).
  const snapshot = join(__dirname, '..', 'fixtures', 'real', 'cloudsplaining');
  const inventory = loadSnapshot(snapshot);
  const account = '012345678901';
  const request = (role: string): LabelingJobRequest => ({
    jobName: 'receipts-7',
    accountId: account,
    region: 'us-east-1',
    executionRoleArn: `arn:aws:iam::${account}:role/${role}`,
    preAnnotationLambdaArn: `arn:aws:lambda:us-east-1:${account}:function:labeling-pre`,
    postAnnotationLambdaArn: `arn:aws:lambda:us-east-1:${account}:function:labeling-post`,
    outputS3Uri: 's3://mybucket/output/',
  });

  it.each(['MyOtherRole', 'MyRole'])(
    'a job naming %s (not a SageMaker execution role) is ROLE_NOT_SAGEMAKER_EXECUTION and gets no change',
    async (role) => {
      const { report, changes } = await planJob(request(role), inventory, {
        core: { ...DEFAULT_CORE_OPTIONS, strategy: 'assume-role' },
        dryRun: true,
        now: NOW,
      });
      expect(report.outcome).toBe('blocked');
      expect(report.findings.map((f) => f.code)).toContain('ROLE_NOT_SAGEMAKER_EXECUTION');
      expect(changes).toEqual([]);
    },
  );

  it('the function role with an unconditioned iam:PassRole is privileged by the catalogue', async () => {
    const role = inventory.roles.get('MyRole') as RoleInfo;
    expect(await escalationPermissions(role, account, 'us-east-1', NOW)).toEqual(['iam:PassRole']);
  });
});
