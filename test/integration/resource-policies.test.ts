/**
 * Resource policies read live (issue 21 item 1) against moto: Lambda AddPermission/GetPolicy, S3
 * PutBucketPolicy/GetBucketPolicy, KMS CreateKey/GetKeyPolicy; AccessDenied (moto cannot) mocked.
 * Then the flow on what was read: the kms:Decrypt grant written and read back from IAM.
 */
import { KMSClient, CreateKeyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { AddPermissionCommand } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { IamReader, writeChange } from '../../shared/aws/iam';
import { inspectJob } from '../../shared/aws/inspect';
import { DEFAULT_CORE_OPTIONS, planJob, type LabelingJobRequest } from '../../shared/core';
import {
  ACCOUNT,
  REGION,
  createSeedClients,
  destroySeedClients,
  readInlinePolicy,
  runPrefix,
} from '../support/aws-world';
import { seedJobWorld, type JobWorld } from '../support/labeling-job-world';

const seed = createSeedClients();
const s3 = new S3Client({ region: REGION, forcePathStyle: true });
const kms = new KMSClient({ region: REGION });
const prefix = runPrefix('rp');
let world: JobWorld;
let bucket: string;
let keyArn: string;

beforeAll(async () => {
  world = await seedJobWorld(seed, { id: `${prefix}-1`, registerJob: false, postRoleReadsS3: true });
  bucket = world.outputS3Uri.slice('s3://'.length).split('/')[0] ?? '';
  // The documented grant: lambda add-permission --principal <execution role ARN>
  await seed.lambda.send(
    new AddPermissionCommand({
      FunctionName: world.preFunctionArn,
      StatementId: 'sagemaker-invoke',
      Action: 'lambda:InvokeFunction',
      Principal: world.executionRole.arn,
    }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: bucket,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    }),
  );
  keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
});

afterAll(() => {
  destroySeedClients(seed);
  s3.destroy();
  kms.destroy();
});

function request(overrides: Partial<LabelingJobRequest> = {}): LabelingJobRequest {
  return {
    jobName: world.jobName,
    accountId: ACCOUNT,
    region: REGION,
    executionRoleArn: world.executionRole.arn,
    preAnnotationLambdaArn: world.preFunctionArn,
    postAnnotationLambdaArn: world.postFunctionArn,
    outputS3Uri: world.outputS3Uri,
    outputKmsKeyId: keyArn,
    ...overrides,
  };
}

describe('inspectJob: resource policies', () => {
  it('reads the function policy, the bucket policy and the key policy', async () => {
    const inventory = await inspectJob(request(), {
      iam: new IamReader(seed.iam),
      lambda: seed.lambda,
      s3,
      kms,
    });
    const policies = inventory.resourcePolicies;
    expect(policies?.functions.get(world.preFunctionArn)).toMatchObject({
      kind: 'policy',
      document: { Statement: [expect.objectContaining({ Sid: 'sagemaker-invoke' })] },
    });
    // No add-permission on the other function: no policy
    expect(policies?.functions.get(world.postFunctionArn)).toEqual({ kind: 'none' });
    expect(policies?.buckets.get(bucket)).toMatchObject({
      kind: 'policy',
      document: { Statement: [expect.objectContaining({ Sid: 'DenyInsecureTransport' })] },
    });
    expect(policies?.keys.get(keyArn)).toMatchObject({ kind: 'policy' });
  });

  it('a key named by id is resolved with DescribeKey; a new key policy is read as it was put', async () => {
    const keyId = keyArn.split('/').pop() ?? '';
    const keyPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    };
    await kms.send(
      new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default', Policy: JSON.stringify(keyPolicy) }),
    );
    const inventory = await inspectJob(request({ outputKmsKeyId: keyId }), {
      iam: new IamReader(seed.iam),
      lambda: seed.lambda,
      s3,
      kms,
    });
    expect(inventory.resourcePolicies?.keyArns?.get(keyId)).toBe(keyArn);
    expect(inventory.resourcePolicies?.keys.get(keyArn)).toEqual({ kind: 'policy', document: keyPolicy });
  });

  it('AccessDenied on GetBucketPolicy is "not seen", and the report says so', async () => {
    const denied = mockClient(S3Client);
    denied
      .on(GetBucketPolicyCommand)
      .rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    // The same client lists the job's output folder (is it new?): an empty one.
    denied.on(ListObjectsV2Command).resolves({ KeyCount: 0, IsTruncated: false });
    try {
      const inventory = await inspectJob(request({ outputKmsKeyId: undefined }), {
        iam: new IamReader(seed.iam),
        lambda: seed.lambda,
        s3: new S3Client({ region: REGION }),
      });
      expect(inventory.resourcePolicies?.buckets.get(bucket)).toEqual({
        kind: 'unseen',
        why: 'AccessDenied',
      });
      const { report } = await planJob(request({ outputKmsKeyId: undefined }), inventory, {
        core: { ...DEFAULT_CORE_OPTIONS, strategy: 's3-read' },
        dryRun: true,
      });
      expect(report.notes).toContainEqual(
        expect.stringContaining(`bucket policy not seen: ${bucket}, AccessDenied`),
      );
    } finally {
      denied.restore();
    }
  });
});

describe('the flow on live resource policies', () => {
  it('counts the add-permission grant (no invoke grant planned) and writes kms:Decrypt for the output key, read back from IAM', async () => {
    // Given the world above (function policy grants the execution role; the key policy delegates to IAM)
    const inventory = await inspectJob(request(), {
      iam: new IamReader(seed.iam),
      lambda: seed.lambda,
      s3,
      kms,
    });
    const { report, changes } = await planJob(request(), inventory, {
      core: { ...DEFAULT_CORE_OPTIONS, strategy: 's3-read' },
      dryRun: false,
    });
    // Then only the consolidation function's invoke is missing, and the reader needs the key
    expect(report.findings.map((f) => [f.code, f.resource])).toEqual(
      expect.arrayContaining([
        ['INVOKE_DENIED', world.postFunctionArn],
        ['OUTPUT_READ_DENIED', keyArn],
      ]),
    );
    expect(report.findings.map((f) => f.resource)).not.toContain(world.preFunctionArn);
    // When the plan is written
    for (const change of changes) await writeChange(seed.iam, change);
    // Then IAM holds the invoke of the post function only, and kms:Decrypt on the key for the job's folder
    const invoke = await readInlinePolicy(
      seed.iam,
      world.executionRole.name,
      'GroundTruthLabelingLambdaInvoke',
    );
    expect(invoke.Statement).toEqual([expect.objectContaining({ Resource: [world.postFunctionArn] })]);
    const read = await readInlinePolicy(seed.iam, world.postRole.name, 'GroundTruthReadLabelingOutput');
    expect(read.Statement).toContainEqual({
      Sid: 'GroundTruthDecryptLabelingOutput',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: [keyArn],
      Condition: {
        StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` },
        StringLike: {
          'kms:EncryptionContext:aws:s3:arn': [`arn:aws:s3:::${bucket}/output/${world.jobName}/*`],
        },
      },
    });
  });
});
