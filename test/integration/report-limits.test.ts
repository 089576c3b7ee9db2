/**
 * Reports against moto: the s3-read strategy does not block itself on a function role it already
 * granted (IAM read back), and the oversized-report attack (200 KB event fields) is delivered to
 * SNS and EventBridge within 256 KiB, read back through SQS, saying what was cut.
 */
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { RESULT_EVENT } from '../../shared/aws/events';
import { DELIVERY_LIMIT_BYTES, utf8Length, type Report } from '../../shared/core';
import { createQueue, readResultEvents, type ReceivedNotification } from '../support/queue-readers';
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

  /** Bytes SNS counts for a received notification: body, subject and attributes. */
  const snsBytes = (n: ReceivedNotification | undefined): number =>
    utf8Length(n?.message ?? '') +
    utf8Length(n?.subject ?? '') +
    Object.entries(n?.attributes ?? {}).reduce(
      (s, [k, v]) => s + utf8Length(k) + 'String'.length + utf8Length(v),
      0,
    );
  /** Bytes EventBridge counts for the result event entry (source, detail-type, time, detail). */
  const entryBytes = (detail: Report | undefined): number =>
    utf8Length(JSON.stringify(detail)) +
    utf8Length(RESULT_EVENT.source) +
    utf8Length(RESULT_EVENT.detailType) +
    14;

  it('a 200 KB roleArn, twice in the report (finding and note): both deliveries fit, saying what was cut', async () => {
    // Given an event whose roleArn is 200 KB (the parser rejects it, and quotes it in the finding and the note)
    const world = await newWorld();
    const marker = `${prefix}-role-${'r'.repeat(BIG)}`;
    const base = labelingJobEvent(world);
    const params = base.detail.requestParameters;
    const event: CreateLabelingJobEvent = {
      ...base,
      detail: { ...base.detail, requestParameters: params && { ...params, roleArn: marker } },
    };
    // And a rule that sends this report (it names no job) to a queue of its own
    const sqs = new SQSClient({ region: REGION });
    const events = new EventBridgeClient({ region: REGION });
    const queue = await createQueue(sqs, `${prefix}-invalid`);
    const rule = `${prefix}-invalid`;
    await events.send(
      new PutRuleCommand({
        Name: rule,
        EventPattern: JSON.stringify({
          source: [RESULT_EVENT.source],
          detail: { notes: [{ prefix: `roleArn is not an IAM role ARN: "${prefix}-role-` }] },
        }),
      }),
    );
    await events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'queue', Arn: queue.arn }] }));
    try {
      // When the handler receives it (the full report is over 400 KB)
      const report = reportOf(await handlerWith()(event));
      expect(utf8Length(JSON.stringify(report))).toBeGreaterThan(2 * BIG);
      expect(report.findings.map((f) => [f.code, f.reason])).toEqual([['EVENT_INVALID', 'event-malformed']]);

      // Then SNS accepted the notification within 256 KiB, saying what was cut
      const [mail, ...moreMail] = await sinks.readNotifications();
      expect(moreMail).toEqual([]);
      expect(snsBytes(mail)).toBeLessThanOrEqual(DELIVERY_LIMIT_BYTES);
      expect(
        mail?.message.includes(
          'Cut to fit the delivery limit: texts longer than 2048 characters cut: findings[0].detail, notes[0]',
        ),
      ).toBe(true);
      // And EventBridge carried the result event under 256 KiB, with the truncated marker
      const [result, ...moreResults] = await readResultEvents(sqs, queue.url);
      expect(moreResults).toEqual([]);
      expect(entryBytes(result?.detail)).toBeLessThan(DELIVERY_LIMIT_BYTES);
      expect(result?.detail.truncated).toEqual([
        'texts longer than 2048 characters cut: findings[0].detail, notes[0]',
      ]);
      expect(result?.detail.outcome).toBe('error');
    } finally {
      await events.send(new RemoveTargetsCommand({ Rule: rule, Ids: ['queue'] }));
      await events.send(new DeleteRuleCommand({ Name: rule }));
      sqs.destroy();
      events.destroy();
    }
  });

  it('200 KB of C1 control characters in the creator (600 KB once escaped for the email): the email fits', async () => {
    // Given a real job and an event whose creator ARN ends in 100,000 C1 characters (200 KB of UTF-8)
    const world = await newWorld();
    const base = labelingJobEvent(world);
    const event: CreateLabelingJobEvent = {
      ...base,
      detail: {
        ...base.detail,
        userIdentity: {
          type: 'AssumedRole',
          arn: `arn:aws:sts::${ACCOUNT}:assumed-role/r/${'\u0085'.repeat(BIG / 2)}`,
          accountId: ACCOUNT,
        },
      },
    };

    // When the handler receives it
    const report = reportOf(await handlerWith()(event));
    expect(report.outcome).toBe('proposed');

    // Then the email, where each of those characters is shown escaped (six characters), fits in 256 KiB
    const [mail] = await sinks.readNotifications();
    expect(snsBytes(mail)).toBeLessThanOrEqual(DELIVERY_LIMIT_BYTES);
    expect(
      mail?.message.includes(
        'Cut to fit the delivery limit: texts longer than 2048 characters cut: createdBy',
      ),
    ).toBe(true);
    expect(mail?.message.includes('npx gt-remediate fix --live --job')).toBe(true);
    // And the result event, which fits as it is, carries the whole report
    const [result] = await sinks.readResultEvents();
    expect(entryBytes(result?.detail)).toBeLessThan(DELIVERY_LIMIT_BYTES);
    expect(result?.detail).toEqual(report);
  });

  it('with two 200 KB fields (more than EventBridge itself delivers), still fits both deliveries', async () => {
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
    expect(snsBytes(mail)).toBeLessThanOrEqual(DELIVERY_LIMIT_BYTES);
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
    expect(entryBytes(detail)).toBeLessThan(DELIVERY_LIMIT_BYTES);
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
