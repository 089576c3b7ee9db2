import * as fs from 'fs';
import * as path from 'path';
import { evaluatorDataFiles, iamDataDir } from '../../cdk/remediate-bundling';
import { evaluateAccess, type AccessQuestion } from '../../shared/core/simulate';
import type { PolicyDocument, RoleInfo } from '../../shared/core/types';
import { plainEvaluator } from '../../shared/core/evaluator/evaluator';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

/** Policies that mention many services, actions and condition keys the evaluator has no data for. */
const busyPolicy: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['ec2:*', 'dynamodb:GetItem', 'lambda:*', 'sagemaker:*'],
      Resource: '*',
      Condition: {
        StringEquals: {
          'ec2:ResourceTag/team': 'ml',
          'aws:PrincipalTag/team': 'ml',
          'kms:ViaService': 's3.amazonaws.com',
        },
      },
    },
    { Effect: 'Deny', NotAction: ['sagemaker:*', 'lambda:*', 's3:*', 'sts:*'], Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['lambda:InvokeFunction', 's3:GetObject', 'sts:AssumeRole'],
      Resource: '*',
      Condition: {
        StringLike: { 's3:prefix': 'out/*', 'glue:CatalogId': '*' },
        Bool: { 'aws:SecureTransport': 'true' },
      },
    },
  ],
};

const role: RoleInfo = {
  arn: `arn:aws:iam::${ACCOUNT}:role/service-role/labeling`,
  name: 'labeling',
  path: '/service-role/',
  trustPolicy: { Version: '2012-10-17', Statement: [] },
  inlinePolicies: [{ name: 'busy', document: busyPolicy }],
  managedPolicies: [{ arn: 'arn:aws:iam::aws:policy/Busy', name: 'Busy', document: busyPolicy }],
  boundary: { arn: `arn:aws:iam::${ACCOUNT}:policy/boundary`, name: 'boundary', document: busyPolicy },
  tags: { team: 'ml' },
};

const trustPolicy: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: role.arn },
      Action: 'sts:AssumeRole',
      Condition: {
        StringEquals: {
          'sts:ExternalId': 'x',
          'iam:ResourceTag/team': 'ml',
          'aws:PrincipalAccount': ACCOUNT,
        },
      },
    },
  ],
};

/** The three requests the core evaluates (shared/core/evaluate.ts, prove.ts), in their real shape. */
const questions: AccessQuestion[] = [
  {
    action: 'lambda:InvokeFunction',
    resourceArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:labeling-pre`,
  },
  { action: 's3:GetObject', resourceArn: 'arn:aws:s3:::bucket/out/job/annotations/request.json' },
  {
    action: 'sts:AssumeRole',
    resourceArn: `arn:aws:iam::${ACCOUNT}:role/execution`,
    resourcePolicy: trustPolicy,
  },
].map((q) => ({
  role,
  accountId: ACCOUNT,
  region: REGION,
  sessionName: 'labeling-post',
  resourceAccount: ACCOUNT,
  now: new Date('2026-01-01T00:00:00Z'),
  ...q,
}));

/** The files the asset ships, relative to iam-data's data/ folder. */
function shippedFiles(): Set<string> {
  const dataDir = iamDataDir();
  return new Set(
    evaluatorDataFiles().flatMap((pattern) =>
      pattern === '*.json' ? fs.readdirSync(dataDir).filter((name) => name.endsWith('.json')) : [pattern],
    ),
  );
}

describe('evaluator data shipped with the function', () => {
  it('covers every data file the evaluator reads for the requests the core makes', async () => {
    // Given a spy on the file reads of iam-data (it reads through fs/promises, the object fs.promises is)
    const dataDir = iamDataDir();
    const readFile = jest.spyOn(fs.promises, 'readFile');
    try {
      // When the core's evaluator answers each kind of request, with policies naming many other services
      for (const question of questions) {
        const decision = await evaluateAccess(plainEvaluator(), question);
        expect(decision.verdict).not.toBe('unevaluable');
      }
      // Then every data file it read is one the asset ships
      const read = readFile.mock.calls
        .map(([file]) => (typeof file === 'string' ? file : ''))
        .filter((file) => file.startsWith(dataDir))
        .map((file) => path.relative(dataDir, file).split(path.sep).join('/'));
      expect(read.length).toBeGreaterThan(0);
      const shipped = shippedFiles();
      expect(read.filter((file) => !shipped.has(file))).toEqual([]);
    } finally {
      readFile.mockRestore();
    }
  });
});
