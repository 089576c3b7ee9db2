/**
 * The direct read grant against moto (S3 and IAM): written only for a new output folder the execution
 * role can write, and removed when SageMaker says the job ended. Attacks first: a job named like an
 * existing folder, a forged "ended" event for a running job.
 */
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { s3Config } from '../../shared/aws/clients';
import { documentSha256, JOB_STATE_CHANGE, type PolicyDocument } from '../../shared/core';
import { ACCOUNT, policy, REGION, setParameter, snapshotRole } from '../support/aws-world';
import { labelingJobEvent, type JobWorld } from '../support/labeling-job-world';
import { registerLabelingJob } from '../support/labeling-jobs';
import { reportOf } from './handler-deps';
import { useHandlerWorld } from './handler-world';

const { prefix, parameter, seed, sinks, newWorld, handlerWith } = useHandlerWorld('jl', {
  dryRunBeforeEach: 'false',
});
const S3_READ = { core: { strategy: 's3-read' as const } };
const READ_POLICY = 'GroundTruthReadLabelingOutput';

let s3: S3Client;
beforeAll(() => {
  s3 = new S3Client(s3Config({ region: REGION }));
});
afterAll(() => s3.destroy());

const bucketOf = (world: JobWorld): string => world.outputS3Uri.slice('s3://'.length).split('/')[0] ?? '';
const folderOf = (world: JobWorld): string => `${world.outputS3Uri.slice('s3://'.length)}${world.jobName}/`;
const grantOf = (world: JobWorld): string => `arn:aws:s3:::${folderOf(world)}*`;

/** Our read policy exactly as the remediator writes it, for these job folders. */
function readPolicy(worlds: JobWorld[]): PolicyDocument {
  return policy({
    Sid: READ_POLICY,
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: worlds.map(grantOf).sort(),
    Condition: { StringEquals: { 's3:ResourceAccount': ACCOUNT } },
  });
}

async function putObject(bucket: string, key: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'salary,name\n' }));
}

let events = 0;
/** SageMaker's state-change event for the world's job, as EventBridge delivers it. */
function endedEvent(world: JobWorld, status: string): Record<string, unknown> {
  events += 1;
  return {
    version: '0',
    id: `10000000-0000-4000-8000-${String(events).padStart(12, '0')}`,
    'detail-type': JOB_STATE_CHANGE,
    source: 'aws.sagemaker',
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: REGION,
    resources: [`arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/${world.jobName.toLowerCase()}`],
    detail: { LabelingJobStatus: status },
  };
}

describe('the direct read grant only for a new folder (strategy s3-read)', () => {
  it('attack: a job named like an existing folder gets no read grant, and the report never names the data', async () => {
    // Given an output path whose folder <output>/<jobName>/ already holds someone's data
    const world = await newWorld();
    await putObject(bucketOf(world), `${folderOf(world).split('/').slice(1).join('/')}salaries-alice.csv`);
    // And SageMaker created the job after that object was written
    registerLabelingJob(world, { CreationTime: new Date(Date.now() + 5_000) });

    // When the remediator handles the job's creation
    const report = reportOf(await handlerWith(S3_READ)(labelingJobEvent(world)));

    // Then the read grant is blocked with OUTPUT_FOLDER_NOT_NEW, naming the oldest object's date only
    expect(report.outcome).toBe('blocked');
    const notNew = report.findings.filter((f) => f.code === 'OUTPUT_FOLDER_NOT_NEW');
    expect(notNew).toEqual([
      expect.objectContaining({ reason: 'folder-not-new', resource: grantOf(world), fixable: false }),
    ]);
    expect(notNew[0]?.detail).toMatch(/oldest object there dates from \d{4}-\d\d-\d\dT/);
    expect(JSON.stringify(report)).not.toContain('salaries-alice');
    // And IAM, read back, holds no read policy on the function's role
    const post = await snapshotRole(seed.iam, world.postRole.name);
    expect(Object.keys(post.inline)).toEqual(['ReadFunctionSettings']);
    // And the invoke grant the job needs is still made
    const execution = await snapshotRole(seed.iam, world.executionRole.name);
    expect(Object.keys(execution.inline).sort()).toEqual([
      'GroundTruthLabelingLambdaInvoke',
      'ListLabelingBucket',
    ]);
    expect((await sinks.readNotifications()).map((n) => n.attributes.outcome)).toEqual(['blocked']);
  });

  it('grants the read on a new folder, even when the bucket holds older data elsewhere', async () => {
    // Given a bucket with old objects beside (not under) the job's folder
    const world = await newWorld();
    await putObject(bucketOf(world), 'output/other-job/old.json');
    await putObject(bucketOf(world), `output/${world.jobName}-2/old.json`);
    registerLabelingJob(world, { CreationTime: new Date(Date.now() + 5_000) });

    const report = reportOf(await handlerWith(S3_READ)(labelingJobEvent(world)));

    expect(report.outcome).toBe('remediated');
    expect(report.findings.filter((f) => f.code === 'OUTPUT_FOLDER_NOT_NEW')).toEqual([]);
    const post = await snapshotRole(seed.iam, world.postRole.name);
    expect(post.inline[READ_POLICY]).toEqual(readPolicy([world]));
  });

  it('gives EXECUTION_ROLE_CANNOT_WRITE_OUTPUT and no read grant when the execution role may not write the output', async () => {
    // Given a job whose output bucket the execution role has no s3:PutObject on
    const seeded = await newWorld();
    const world: JobWorld = { ...seeded, outputS3Uri: `s3://${prefix}-elsewhere/out/` };
    registerLabelingJob(world);

    const report = reportOf(await handlerWith(S3_READ)(labelingJobEvent(world)));

    expect(report.outcome).toBe('blocked');
    expect(report.findings.filter((f) => f.code === 'EXECUTION_ROLE_CANNOT_WRITE_OUTPUT')).toEqual([
      expect.objectContaining({
        principal: world.executionRole.arn,
        resource: grantOf(world),
        reason: 'cannot-write-output',
        fixable: false,
      }),
    ]);
    expect(Object.keys((await snapshotRole(seed.iam, world.postRole.name)).inline)).toEqual([
      'ReadFunctionSettings',
    ]);
  });
});

describe('the grant ends with the job', () => {
  it('removes exactly the ended job’s folder, keeps everything else, is idempotent, and ignores a forged event', async () => {
    // Given two jobs whose post-annotation functions share one role, each granted its folder
    const first = await newWorld();
    const second = await newWorld({ postRole: first.postRole });
    expect(reportOf(await handlerWith(S3_READ)(labelingJobEvent(first))).outcome).toBe('remediated');
    // (the second grant as the remediator merges it: until our own read statement is recognised as ours
    // — issue 20, item 9 — a second s3-read job on the role is PLAN_UNPROVEN, so it is written here)
    await seed.iam.send(
      new PutRolePolicyCommand({
        RoleName: first.postRole.name,
        PolicyName: READ_POLICY,
        PolicyDocument: JSON.stringify(readPolicy([first, second])),
      }),
    );
    const granted = await snapshotRole(seed.iam, first.postRole.name);
    expect(granted.inline[READ_POLICY]).toEqual(readPolicy([first, second]));
    const executionBefore = await snapshotRole(seed.iam, first.executionRole.name);
    await sinks.readResultEvents();

    // When an "ended" event arrives for the second job while SageMaker says it is still running (forged)
    const forged = reportOf(await handlerWith(S3_READ)(endedEvent(second, 'Completed')));
    // Then nothing is removed
    expect(forged.findings).toEqual([
      expect.objectContaining({ code: 'EVENT_UNVERIFIED', reason: 'job-not-ended' }),
    ]);
    expect(forged.changes).toEqual([]);
    expect(await snapshotRole(seed.iam, first.postRole.name)).toEqual(granted);

    // When the first job really completed and its event arrives
    registerLabelingJob(first, { LabelingJobStatus: 'Completed' });
    const ended = reportOf(await handlerWith(S3_READ)(endedEvent(first, 'Completed')));

    // Then only its folder is gone from our statement; the other job's ARN and every other policy stay
    expect(ended.outcome).toBe('remediated');
    const after = await snapshotRole(seed.iam, first.postRole.name);
    expect(after.inline[READ_POLICY]).toEqual(readPolicy([second]));
    expect(after.inline.ReadFunctionSettings).toEqual(granted.inline.ReadFunctionSettings);
    expect(after.trust).toEqual(granted.trust);
    expect(await snapshotRole(seed.iam, first.executionRole.name)).toEqual(executionBefore);
    // And the report says what was removed
    expect(ended.changes).toEqual([
      {
        action: 'PutRolePolicy',
        roleName: first.postRole.name,
        policyName: READ_POLICY,
        statements: readPolicy([second]).Statement,
        added: [],
        removed: [grantOf(first)],
        beforeSha256: documentSha256(granted.inline[READ_POLICY]),
        afterSha256: documentSha256(after.inline[READ_POLICY]),
      },
    ]);
    expect((await sinks.readResultEvents()).map((e) => e.detail)).toEqual([forged, ended]);

    // When the same event comes again, nothing changes
    const again = reportOf(await handlerWith(S3_READ)(endedEvent(first, 'Completed')));
    expect(again.outcome).toBe('compliant');
    expect(again.changes).toEqual([]);
    expect(await snapshotRole(seed.iam, first.postRole.name)).toEqual(after);

    // When the second job stops, its ARN was the last: the policy is deleted, the other policy stays
    registerLabelingJob(second, { LabelingJobStatus: 'Stopped' });
    const last = reportOf(await handlerWith(S3_READ)(endedEvent(second, 'Stopped')));
    expect(last.outcome).toBe('remediated');
    expect(last.changes.map((c) => [c.action, c.removed])).toEqual([['DeleteRolePolicy', [grantOf(second)]]]);
    expect(await snapshotRole(seed.iam, first.postRole.name)).toEqual({
      trust: granted.trust,
      inline: { ReadFunctionSettings: granted.inline.ReadFunctionSettings },
    });
  });

  it('in dry-run proposes the removal and writes nothing', async () => {
    const world = await newWorld();
    expect(reportOf(await handlerWith(S3_READ)(labelingJobEvent(world))).outcome).toBe('remediated');
    const granted = await snapshotRole(seed.iam, world.postRole.name);
    await setParameter(seed.ssm, parameter, 'true');
    registerLabelingJob(world, { LabelingJobStatus: 'Failed' });

    const report = reportOf(await handlerWith(S3_READ)(endedEvent(world, 'Failed')));

    expect(report.outcome).toBe('proposed');
    expect(report.dryRun).toBe(true);
    expect(report.changes.map((c) => [c.action, c.removed])).toEqual([
      ['DeleteRolePolicy', [grantOf(world)]],
    ]);
    expect(await snapshotRole(seed.iam, world.postRole.name)).toEqual(granted);
  });
});
