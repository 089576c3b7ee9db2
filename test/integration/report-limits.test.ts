/**
 * Reports against moto: the s3-read strategy does not block itself on a function role it already
 * granted (IAM read back), and the oversized-report attack (200 KB event fields) is delivered to
 * SNS and EventBridge within 256 KiB, read back through SQS, saying what was cut.
 */
import { RESULT_EVENT } from '../../shared/aws/events';
import { DELIVERY_LIMIT_BYTES, utf8Length } from '../../shared/core';
import { ACCOUNT, policy, REGION, setParameter, snapshotRole } from '../support/aws-world';
import { labelingJobEvent, type CreateLabelingJobEvent } from '../support/labeling-job-world';
import { registerLabelingJob } from '../support/labeling-jobs';
import { reportOf } from './handler-deps';
import { useHandlerWorld } from './handler-world';

const { prefix, parameter, seed, sinks, newWorld, handlerWith } = useHandlerWorld('rp');

const BIG = 200 * 1024;

describe('strategy s3-read, two jobs in a row on one function role', () => {
  beforeAll(() => setParameter(seed.ssm, parameter, 'false'));

  it('grants both jobs their folder: our own read statement is merged into, not judged foreign', async () => {
    // Given a first job remediated with s3-read
    const handler = handlerWith({ core: { strategy: 's3-read' } });
    const first = await newWorld();
    const one = reportOf(await handler(labelingJobEvent(first)));
    expect(one.outcome).toBe('remediated');

    // When a second job (its own output bucket) uses the same post-annotation role
    const second = await newWorld({ postRole: first.postRole });
    const two = reportOf(await handler(labelingJobEvent(second)));

    // Then it is remediated too, and IAM holds one statement with both job folders
    expect(two.findings.filter((f) => f.code === 'PLAN_UNPROVEN')).toEqual([]);
    expect(two.outcome).toBe('remediated');
    const folder = (w: typeof first): string =>
      `arn:aws:s3:::${w.outputS3Uri.slice('s3://'.length)}${w.jobName}/*`;
    const post = await snapshotRole(seed.iam, first.postRole.name);
    expect(post.inline.GroundTruthReadLabelingOutput).toEqual(
      policy({
        Sid: 'GroundTruthReadLabelingOutput',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [folder(first), folder(second)].sort(),
        Condition: { StringEquals: { 's3:ResourceAccount': ACCOUNT } },
      }),
    );
    expect(two.changes.find((c) => c.policyName === 'GroundTruthReadLabelingOutput')?.added).toEqual([
      folder(second),
    ]);
  });
});

describe('the oversized-report attack', () => {
  beforeAll(() => setParameter(seed.ssm, parameter, 'true'));

  it('delivers SNS and EventBridge messages within 256 KiB, with a marker saying what was cut', async () => {
    // Given a real job whose name is at SageMaker's maximum (63 characters)
    const world = await newWorld();
    const jobName = `${prefix}-${'x'.repeat(62 - prefix.length)}`;
    expect(jobName).toHaveLength(63);
    registerLabelingJob({ ...world, jobName });
    // And an event naming it with a 200 KB creator ARN and a 200 KB labelingJobArn (CloudTrail's shape allows both)
    const base = labelingJobEvent({ ...world, jobName });
    const event: CreateLabelingJobEvent = {
      ...base,
      detail: {
        ...base.detail,
        userIdentity: {
          type: 'AssumedRole',
          arn: `arn:aws:sts::${ACCOUNT}:assumed-role/MLPlatformEngineer/${'a'.repeat(BIG)}`,
          accountId: ACCOUNT,
        },
        responseElements: {
          labelingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/${jobName.toLowerCase()}${'z'.repeat(BIG)}`,
        },
      },
    };

    // When the handler receives it (the full report is over 400 KB)
    const report = reportOf(await handlerWith()(event));
    expect(utf8Length(JSON.stringify(report))).toBeGreaterThan(2 * BIG);
    expect(report.findings.map((f) => [f.code, f.reason])).toEqual([['EVENT_UNVERIFIED', 'job-mismatch']]);

    // Then SNS accepted one message of at most 256 KiB, saying what was cut
    const notifications = await sinks.readNotifications();
    expect(notifications).toHaveLength(1);
    const [mail] = notifications;
    const attributeBytes = Object.entries(mail?.attributes ?? {}).reduce(
      (n, [k, v]) => n + utf8Length(k) + 'String'.length + utf8Length(v),
      0,
    );
    const snsBytes = utf8Length(mail?.message ?? '') + utf8Length(mail?.subject ?? '') + attributeBytes;
    expect(snsBytes).toBeLessThanOrEqual(DELIVERY_LIMIT_BYTES);
    expect(mail?.message.includes(`Ground Truth labeling job ${jobName} `)).toBe(true);
    expect(mail?.message.includes('EVENT_UNVERIFIED')).toBe(true);
    expect(
      mail?.message.includes(
        'Cut to fit the delivery limit: texts longer than 2048 characters cut: createdBy, findings[0].detail',
      ),
    ).toBe(true);

    // And EventBridge carried the result event, its entry under 256 KiB, with the truncated marker
    const events = await sinks.readResultEvents();
    expect(events).toHaveLength(1);
    const detail = events[0]?.detail;
    const entryBytes =
      utf8Length(JSON.stringify(detail)) +
      utf8Length(RESULT_EVENT.source) +
      utf8Length(RESULT_EVENT.detailType) +
      14;
    expect(entryBytes).toBeLessThan(DELIVERY_LIMIT_BYTES);
    expect(detail?.job?.name).toBe(jobName);
    expect(detail?.outcome).toBe(report.outcome);
    expect(detail?.truncated).toEqual([
      'texts longer than 2048 characters cut: createdBy, findings[0].detail',
    ]);
    expect(detail?.createdBy?.startsWith(`arn:aws:sts::${ACCOUNT}:assumed-role/MLPlatformEngineer/aaa`)).toBe(
      true,
    );
  });
});
