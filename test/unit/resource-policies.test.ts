/**
 * Resource policies in the verdict (issue 21 items 1 and 2): the function policy of the invoke, the
 * output bucket's policy of the read, the output key's policy of kms:Decrypt; not seen → said so.
 * Fixtures: test/fixtures/real/resource-policies (see test/fixtures/real/README.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  planJob,
  resourcePoliciesFromSnapshot,
  type AccountInventory,
  type LabelingJobRequest,
  type PolicyDocument,
  type PolicyStatement,
  type RoleInfo,
  type SeenPolicy,
} from '../../shared/core';
import { DEFAULT_CORE_OPTIONS, type CoreOptions } from '../../shared/core/types';
import { ACCOUNT, exampleRequest, policy, serviceTrust } from '../fixtures/factory';
import { inventoryOf, roleInfo } from '../fixtures/role-info';

const NOW = new Date('2026-11-29T10:15:00Z');
const DIR = join(__dirname, '..', 'fixtures', 'real', 'resource-policies');
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const BUCKET = 'receipts-labeling-data';

function fixture(name: string): { Policy: string } {
  return JSON.parse(readFileSync(join(DIR, name), 'utf8')) as { Policy: string };
}
function seen(name: string, replace: Record<string, string> = {}): SeenPolicy {
  let text = fixture(name).Policy;
  for (const [from, to] of Object.entries(replace)) text = text.split(from).join(to);
  return { kind: 'policy', document: JSON.parse(text) as PolicyDocument };
}

const request: LabelingJobRequest = exampleRequest();
const groundTruth = (): RoleInfo['managedPolicies'][number] => {
  const file = JSON.parse(
    readFileSync(
      join(
        __dirname,
        '..',
        'fixtures',
        'real',
        'managed-policies',
        'AmazonSageMakerGroundTruthExecution.json',
      ),
      'utf8',
    ),
  ) as { Document: PolicyDocument };
  return {
    arn: 'arn:aws:iam::aws:policy/AmazonSageMakerGroundTruthExecution',
    name: 'AmazonSageMakerGroundTruthExecution',
    document: file.Document,
  };
};
const allow = (action: string, resource: string): PolicyStatement => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
});
const execution = roleInfo('ReceiptsLabelingExecution', {
  path: '/service-role/',
  managedPolicies: [groundTruth()],
  inlinePolicies: [
    {
      name: 'invoke-post',
      document: policy(allow('lambda:InvokeFunction', request.postAnnotationLambdaArn as string)),
    },
  ],
});
const consolidate = roleInfo('receipts-consolidate-role', {
  trustPolicy: serviceTrust('lambda.amazonaws.com'),
  inlinePolicies: [{ name: 'read', document: policy(allow('s3:GetObject', `arn:aws:s3:::${BUCKET}/*`)) }],
});

function inventory(policies: {
  functions?: Record<string, SeenPolicy>;
  buckets?: Record<string, SeenPolicy>;
  keys?: Record<string, SeenPolicy>;
}): AccountInventory {
  const base = inventoryOf(
    [execution, consolidate],
    [
      { arn: request.preAnnotationLambdaArn as string, roleArn: consolidate.arn },
      { arn: request.postAnnotationLambdaArn as string, roleArn: consolidate.arn },
    ],
  );
  const none: SeenPolicy = { kind: 'none' };
  return {
    ...base,
    resourcePolicies: {
      functions: new Map(
        Object.entries(
          policies.functions ?? {
            [request.preAnnotationLambdaArn as string]: none,
            [request.postAnnotationLambdaArn as string]: none,
          },
        ),
      ),
      buckets: new Map(Object.entries(policies.buckets ?? { [BUCKET]: none })),
      keys: new Map(Object.entries(policies.keys ?? {})),
    },
  };
}

const s3Read: CoreOptions = { ...DEFAULT_CORE_OPTIONS, strategy: 's3-read' };

describe('function policies', () => {
  it('counts a function policy that grants the execution role (lambda add-permission --principal <role-arn>): compliant, no grant', async () => {
    // Given the documented add-permission grant on the pre-annotation function
    const inv = inventory({
      functions: {
        [request.preAnnotationLambdaArn as string]: seen('lambda-add-permission-role.json'),
        [request.postAnnotationLambdaArn as string]: { kind: 'none' },
      },
    });
    // When / Then
    const { report, changes } = await planJob(request, inv, { core: s3Read, dryRun: true, now: NOW });
    expect(report.findings).toEqual([]);
    expect(changes).toEqual([]);
    expect(report.outcome).toBe('compliant');
    expect(report.notes).toBeUndefined();
  });

  it('without that policy the invoke is denied and a grant proposed', async () => {
    const { report } = await planJob(request, inventory({}), { core: s3Read, dryRun: true, now: NOW });
    expect(report.findings.map((f) => [f.code, f.resource])).toEqual([
      ['INVOKE_DENIED', request.preAnnotationLambdaArn],
    ]);
  });
});

describe('the output bucket policy', () => {
  it('an identity-perimeter Deny (data-perimeter example) that certainly applies blocks the read: explicit-deny', async () => {
    const inv = inventory({
      functions: {
        [request.preAnnotationLambdaArn as string]: seen('lambda-add-permission-role.json'),
        [request.postAnnotationLambdaArn as string]: { kind: 'none' },
      },
      buckets: { [BUCKET]: seen('bucket-identity-perimeter.json') },
    });
    const core = { ...s3Read, knownContext: { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' } };
    const { report, changes } = await planJob(request, inv, { core, dryRun: true, now: NOW });
    expect(report.outcome).toBe('blocked');
    expect(report.findings).toEqual([
      expect.objectContaining({ code: 'OUTPUT_READ_DENIED', reason: 'explicit-deny', fixable: false }),
    ]);
    expect(changes).toEqual([]);
  });

  it('a bucket policy not seen turns a green into "compliant (bucket policy not seen …)"', async () => {
    const inv = inventory({
      functions: {
        [request.preAnnotationLambdaArn as string]: seen('lambda-add-permission-role.json'),
        [request.postAnnotationLambdaArn as string]: { kind: 'none' },
      },
      buckets: { [BUCKET]: { kind: 'unseen', why: 'AccessDenied' } },
    });
    const { report } = await planJob(request, inv, { core: s3Read, dryRun: true, now: NOW });
    expect(report.outcome).toBe('compliant');
    expect(report.notes).toEqual([`compliant (bucket policy not seen: ${BUCKET}, AccessDenied)`]);
  });

  it('a snapshot without bucket-policies.json says the bucket policy was not seen', async () => {
    const inv: AccountInventory = {
      ...inventory({}),
      resourcePolicies: resourcePoliciesFromSnapshot(
        {
          [request.preAnnotationLambdaArn as string]: fixture('lambda-add-permission-role.json'),
          [request.postAnnotationLambdaArn as string]: {},
        },
        undefined,
        undefined,
      ),
    };
    const { report } = await planJob(request, inv, { core: s3Read, dryRun: true, now: NOW });
    expect(report.notes).toEqual([`compliant (bucket policy not seen: ${BUCKET}, not in the snapshot)`]);
  });
});

describe('KMS on the output', () => {
  const kmsRequest: LabelingJobRequest = { ...request, outputKmsKeyId: KEY_ARN };
  const granted = {
    [request.preAnnotationLambdaArn as string]: seen('lambda-add-permission-role.json'),
    [request.postAnnotationLambdaArn as string]: { kind: 'none' } as SeenPolicy,
  };
  const folder = `arn:aws:s3:::${BUCKET}/output/receipts-7/*`;
  const readPolicy = (changes: readonly { roleName: string; policyName?: string }[], roleName: string) =>
    changes.find((c) => c.roleName === roleName && c.policyName === 'GroundTruthReadLabelingOutput') as
      { document: PolicyDocument } | undefined;
  const sids = (doc: PolicyDocument | undefined): unknown[] =>
    ((doc?.Statement ?? []) as PolicyStatement[]).map((s) => s.Sid).sort();

  it('default key policy (delegates to IAM): kms:Decrypt planned in the read policy, through S3, for the job folder', async () => {
    const inv = inventory({ functions: granted, keys: { [KEY_ARN]: seen('kms-default-key-policy.json') } });
    const { report, changes } = await planJob(kmsRequest, inv, { core: s3Read, dryRun: true, now: NOW });
    expect(report.findings).toEqual([
      expect.objectContaining({ code: 'OUTPUT_READ_DENIED', resource: KEY_ARN, fixable: true }),
    ]);
    expect(report.outcome).toBe('proposed');
    expect(changes).toHaveLength(1);
    const change = changes[0];
    expect(change).toMatchObject({ roleName: consolidate.name, policyName: 'GroundTruthReadLabelingOutput' });
    expect(change?.document.Statement).toEqual([
      {
        Sid: 'GroundTruthDecryptLabelingOutput',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: [KEY_ARN],
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [folder] },
        },
      },
    ]);
  });

  it('a read grant the folder guard stops takes its kms:Decrypt with it (no key grant on its own)', async () => {
    const core: CoreOptions = { ...s3Read };
    const unreadRole = roleInfo('receipts-consolidate-role', {
      trustPolicy: serviceTrust('lambda.amazonaws.com'),
    });
    const base = inventory({ functions: granted, keys: { [KEY_ARN]: seen('kms-default-key-policy.json') } });
    const inv = { ...base, roles: new Map([...base.roles, [unreadRole.name, unreadRole]]) };
    // Not a dry run, and offline: the output folder cannot be checked, so the read grant is never written
    const { report, changes } = await planJob(kmsRequest, inv, { core, dryRun: false, now: NOW });
    expect(report.findings).toContainEqual(expect.objectContaining({ code: 'OUTPUT_FOLDER_NOT_NEW' }));
    expect(changes).toEqual([]);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ code: 'OUTPUT_READ_DENIED', resource: KEY_ARN, fixable: false }),
    );
  });

  it('a key policy that names the reader: compliant', async () => {
    const keyPolicy = seen('kms-key-users-no-root.json', { 'role/KEY_USER': `role/${consolidate.name}` });
    const inv = inventory({ functions: granted, keys: { [KEY_ARN]: keyPolicy } });
    const { report, changes } = await planJob(kmsRequest, inv, { core: s3Read, dryRun: true, now: NOW });
    expect(report.findings).toEqual([]);
    expect(changes).toEqual([]);
    expect(report.outcome).toBe('compliant');
  });

  it('a key policy that does not delegate to IAM: blocked, with the key-policy statement to add', async () => {
    const inv = inventory({ functions: granted, keys: { [KEY_ARN]: seen('kms-key-users-no-root.json') } });
    const { report, changes } = await planJob(kmsRequest, inv, { core: s3Read, dryRun: true, now: NOW });
    expect(report.outcome).toBe('blocked');
    expect(changes).toEqual([]);
    const [f] = report.findings;
    expect(f).toMatchObject({ code: 'OUTPUT_READ_DENIED', resource: KEY_ARN, fixable: false });
    const statement = JSON.parse(
      (f?.detail ?? '').replace(/^.*add to the key policy: /, ''),
    ) as PolicyStatement;
    expect(statement).toEqual({
      Sid: 'GroundTruthDecryptLabelingOutput',
      Effect: 'Allow',
      Principal: { AWS: consolidate.arn },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': folder },
      },
    });
  });

  it('a function role that reads the output itself is the reader that needs the key (auto, the default)', async () => {
    const inv = inventory({ functions: granted, keys: { [KEY_ARN]: seen('kms-default-key-policy.json') } });
    const { report, changes } = await planJob(kmsRequest, inv, {
      core: DEFAULT_CORE_OPTIONS,
      dryRun: true,
      now: NOW,
    });
    // Under auto the key is part of the read: the read finding, its detail naming kms:Decrypt
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        code: 'OUTPUT_READ_DENIED',
        principal: consolidate.arn,
        resource: folder,
        detail: 'kms:Decrypt',
        fixable: true,
      }),
    );
    expect(sids(readPolicy(changes, consolidate.name)?.document)).toEqual([
      'GroundTruthDecryptLabelingOutput',
    ]);
  });

  // The function's role cannot read the output: a read must be granted, and its reader needs the key.
  const unread = roleInfo('receipts-consolidate-role', { trustPolicy: serviceTrust('lambda.amazonaws.com') });
  // An execution role that writes and reads its output (no tag condition), so either path can read;
  // both functions' policies let it invoke them (an invoke grant would leave the envelope).
  const writer = roleInfo(execution.name, {
    path: '/service-role/',
    inlinePolicies: [
      {
        name: 'output',
        document: policy(
          allow('s3:PutObject', `arn:aws:s3:::${BUCKET}/*`),
          allow('s3:GetObject', `arn:aws:s3:::${BUCKET}/*`),
        ),
      },
    ],
  });
  const unreadInventory = (keyPolicy: SeenPolicy): AccountInventory => {
    const functions = {
      [request.preAnnotationLambdaArn as string]: seen('lambda-add-permission-role.json'),
      [request.postAnnotationLambdaArn as string]: seen('lambda-add-permission-role.json', {
        'function:receipts-pre-annotation': 'function:receipts-consolidate',
      }),
    };
    const inv = inventory({ functions, keys: { [KEY_ARN]: keyPolicy } });
    return {
      ...inv,
      roles: new Map([...inv.roles, [unread.name, unread], [writer.name, writer]]),
    };
  };
  it('assume-role: the execution role is the reader that needs the key', async () => {
    const inv = unreadInventory(seen('kms-default-key-policy.json'));
    const core: CoreOptions = { ...DEFAULT_CORE_OPTIONS, strategy: 'assume-role' };
    const { report, changes } = await planJob(kmsRequest, inv, { core, dryRun: true, now: NOW });
    expect(report.findings).toContainEqual(
      expect.objectContaining({ code: 'OUTPUT_READ_DENIED', principal: writer.arn, resource: KEY_ARN }),
    );
    expect(report.findings).not.toContainEqual(
      expect.objectContaining({ principal: unread.arn, resource: KEY_ARN }),
    );
    expect(sids(readPolicy(changes, writer.name)?.document)).toContain('GroundTruthDecryptLabelingOutput');
    expect(readPolicy(changes, unread.name)).toBeUndefined();
  });

  it("auto: each reading path carries its own reader's kms:Decrypt, in the read finding", async () => {
    const inv = unreadInventory(seen('kms-default-key-policy.json'));
    const { report, changes } = await planJob(kmsRequest, inv, {
      core: DEFAULT_CORE_OPTIONS,
      dryRun: true,
      now: NOW,
    });
    // No finding of its own on the key: the grant goes with the path that reads
    expect(report.findings.filter((f) => f.resource === KEY_ARN)).toEqual([]);
    const read = report.findings.find((f) => f.code === 'OUTPUT_READ_DENIED');
    expect(read).toMatchObject({ principal: unread.arn, resource: folder, fixable: true });
    // The direct path: the function's role reads, and may decrypt, the job's folder
    expect(sids(readPolicy(changes, unread.name)?.document)).toEqual([
      'GroundTruthDecryptLabelingOutput',
      'GroundTruthReadLabelingOutput',
    ]);
    // And whatever the assume path kept, its execution role's read comes with the key too
    expect(sids(readPolicy(changes, writer.name)?.document)).toEqual(['GroundTruthDecryptLabelingOutput']);
    expect(changes).toContainEqual(
      expect.objectContaining({ action: 'UpdateAssumeRolePolicy', roleName: writer.name }),
    );
  });

  it('auto: a key policy that admits only the execution role drops the direct path, never grants it', async () => {
    const executionPath = execution.arn.split(':role/')[1];
    const inv = unreadInventory(
      seen('kms-key-users-no-root.json', { 'role/KEY_USER': `role/${executionPath}` }),
    );
    const { report, changes } = await planJob(kmsRequest, inv, {
      core: DEFAULT_CORE_OPTIONS,
      dryRun: true,
      now: NOW,
    });
    // The function's role could be granted S3 but never the key: nothing is written to it
    expect(changes.filter((c) => c.roleName === unread.name && c.action === 'PutRolePolicy')).toEqual([]);
    expect(JSON.stringify(changes)).not.toContain('GroundTruthDecryptLabelingOutput');
    const read = report.findings.find((f) => f.code === 'OUTPUT_READ_DENIED');
    expect(read).toMatchObject({ resource: folder, fixable: true });
    // The assume path is planned alone: the execution role is trusted, and the key already admits it
    expect(report.outcome).toBe('proposed');
    expect(changes).toEqual([
      expect.objectContaining({ action: 'UpdateAssumeRolePolicy', roleName: writer.name }),
    ]);
  });
});
