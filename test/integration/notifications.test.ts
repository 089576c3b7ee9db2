/**
 * What the remediator publishes, read back from moto: one SNS message per job that is not compliant
 * (compliant ones only with notifyCompliant), subject ≤ 100 characters, attributes outcome / dryRun /
 * severity; one EventBridge result event per report; and for outcome `error`, notify then throw.
 */
import { GetFunctionConfigurationCommand, LambdaServiceException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createClients } from '../../shared/aws/clients';
import { RESULT_EVENT } from '../../shared/aws/events';
import { REGION, setParameter, snapshotRole } from '../support/aws-world';
import { reportOf, thrownBy } from './handler-deps';
import { useHandlerWorld } from './handler-world';
import { labelingJobEvent, type CreateLabelingJobEvent, type JobWorld } from '../support/labeling-job-world';
import { registerLabelingJob } from '../support/labeling-jobs';

const handlerWorld = useHandlerWorld('nt', { dryRunBeforeEach: 'true' });
const { prefix, parameter, seed, sinks, handlerWith } = handlerWorld;

function newWorld(options: { compliant?: boolean } = {}): Promise<JobWorld> {
  return handlerWorld.newWorld(
    options.compliant ? { coveredFunctionNames: true, postRoleReadsS3: true } : {},
  );
}

/** The event with another job name (the job name is all the notification's subject varies with). */
function renamed(event: CreateLabelingJobEvent, jobName: string): CreateLabelingJobEvent {
  const params = event.detail.requestParameters;
  return {
    ...event,
    detail: {
      ...event.detail,
      requestParameters: params ? { ...params, labelingJobName: jobName } : null,
      responseElements: {
        labelingJobArn: `arn:aws:sagemaker:${event.region}:${event.account}:labeling-job/${jobName.toLowerCase()}`,
      },
    },
  };
}

describe('SNS notification', () => {
  it('is published once per job that is not compliant, and not for a compliant job', async () => {
    // Given two jobs with missing permissions and one that has them all
    const [first, second, fine] = await Promise.all([newWorld(), newWorld(), newWorld({ compliant: true })]);
    const handler = handlerWith();

    // When the three events are handled
    for (const world of [first, second, fine]) await handler(labelingJobEvent(world));

    // Then exactly the two non-compliant jobs were notified, each once, with its attributes
    const notifications = await sinks.readNotifications();
    expect(notifications.map((n) => [n.subject, n.attributes])).toEqual([
      [
        `[dry run] Ground Truth job ${first?.jobName}: 2 permission changes proposed`,
        { outcome: 'proposed', dryRun: 'true', severity: 'high' },
      ],
      [
        `[dry run] Ground Truth job ${second?.jobName}: 2 permission changes proposed`,
        { outcome: 'proposed', dryRun: 'true', severity: 'high' },
      ],
    ]);
    // And the body is the human report with our statements and the command that applies them after re-verifying
    expect(notifications[0]?.message).toContain(
      `Ground Truth labeling job ${first?.jobName} (account 123456789012, ${REGION})`,
    );
    expect(notifications[0]?.message).toContain(
      `npx gt-remediate fix --live --job ${first?.jobName} --region ${REGION}`,
    );
    // And no whole document to paste: the trust policy's other statements (break-glass, its condition) stay out
    expect(notifications[0]?.message).not.toContain('aws iam update-assume-role-policy');
    expect(notifications[0]?.message).not.toContain('BreakGlassAdmin');
    expect(notifications[0]?.message).not.toContain('MultiFactorAuthPresent');
    // And every job, compliant or not, has its result event
    expect((await sinks.readResultEvents()).map((e) => [e.detail.job?.name, e.detail.outcome])).toEqual([
      [first?.jobName, 'proposed'],
      [second?.jobName, 'proposed'],
      [fine?.jobName, 'compliant'],
    ]);
  });

  it('is published for a compliant job when notifyCompliant is set', async () => {
    const world = await newWorld({ compliant: true });

    await handlerWith({ notifyCompliant: true })(labelingJobEvent(world));

    const notifications = await sinks.readNotifications();
    expect(notifications.map((n) => [n.subject, n.attributes])).toEqual([
      [
        `Ground Truth job ${world.jobName}: permissions OK`,
        { outcome: 'compliant', dryRun: 'true', severity: 'low' },
      ],
    ]);
    expect(notifications[0]?.message).toContain(
      'COMPLIANT: the job has every permission it needs; nothing to change.',
    );
  });

  it('keeps the subject within 100 characters for the longest job name SageMaker allows', async () => {
    // Given a 63-character job name (SageMaker's maximum)
    const world = await newWorld();
    const longName = `${prefix}-${'x'.repeat(62 - prefix.length)}`;
    expect(longName).toHaveLength(63);
    registerLabelingJob({ ...world, jobName: longName });

    await handlerWith()(renamed(labelingJobEvent(world), longName));

    // Then SNS accepted the message and its subject is shortened, not the outcome it states
    const [notification] = await sinks.readNotifications();
    expect(notification?.subject.length).toBeLessThanOrEqual(100);
    expect(notification?.subject).toMatch(
      /^\[dry run\] Ground Truth job nt.+…: 2 permission changes proposed$/,
    );
    expect(notification?.message).toContain(`Ground Truth labeling job ${longName} `);
  });
});

describe('EventBridge result event', () => {
  it('carries the whole report with source gt-permissions-remediator and detail-type "Labeling Job Permissions Checked"', async () => {
    const world = await newWorld();

    const report = reportOf(await handlerWith()(labelingJobEvent(world)));

    expect(await sinks.readResultEvents()).toEqual([
      { source: RESULT_EVENT.source, detailType: RESULT_EVENT.detailType, detail: report },
    ]);
    expect(RESULT_EVENT).toEqual({
      source: 'gt-permissions-remediator',
      detailType: 'Labeling Job Permissions Checked',
    });
  });
});

describe('outcome error', () => {
  it('notifies, publishes the result event, writes nothing, then the handler throws', async () => {
    // Given Lambda fails while the job's functions are read (the flow cannot judge the job)
    await setParameter(seed.ssm, parameter, 'false');
    const world = await newWorld();
    const before = await snapshotRole(seed.iam, world.executionRole.name);
    const clients = createClients({ region: REGION });
    const lambda = mockClient(clients.lambda);
    lambda.on(GetFunctionConfigurationCommand).rejects(
      new LambdaServiceException({
        name: 'ServiceException',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
        message: 'internal failure',
      }),
    );

    // When the event is handled, the handler rejects with the RemediationError carrying the error report
    const { report } = await thrownBy(handlerWith({ clients })(labelingJobEvent(world)));
    expect(report).toMatchObject({ outcome: 'error', dryRun: false, changes: [], findings: [] });
    expect(report.notes).toEqual(['ServiceException: internal failure']);

    // Then the notification and the result event were published first
    const notifications = await sinks.readNotifications();
    expect(notifications.map((n) => [n.subject, n.attributes])).toEqual([
      [
        `Ground Truth job ${world.jobName}: permission check failed`,
        { outcome: 'error', dryRun: 'false', severity: 'high' },
      ],
    ]);
    expect(notifications[0]?.message).toContain('Note: ServiceException: internal failure');
    expect((await sinks.readResultEvents()).map((e) => e.detail)).toEqual([report]);
    // And IAM was not touched
    expect(await snapshotRole(seed.iam, world.executionRole.name)).toEqual(before);
  });

  it('for an event that is not a CreateLabelingJob call: notifies outcome error and does not throw (a retry cannot help)', async () => {
    const world = await newWorld();
    const event = labelingJobEvent(world);
    event.detail.eventName = 'CreateTrainingJob';

    const report = reportOf(await handlerWith()(event));

    expect(report).toMatchObject({ outcome: 'error', findings: [{ code: 'EVENT_INVALID', fixable: false }] });
    const notifications = await sinks.readNotifications();
    expect(notifications.map((n) => n.attributes.outcome)).toEqual(['error']);
    expect(notifications[0]?.message).toContain(
      'sagemaker.amazonaws.com CreateTrainingJob, not sagemaker.amazonaws.com CreateLabelingJob',
    );
  });
});
