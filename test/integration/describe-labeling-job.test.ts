/**
 * The DescribeLabelingJob path, for events that lack the role or the output location. moto has no
 * labeling-job API, so SageMaker is mocked with aws-sdk-client-mock; IAM, Lambda, SSM, SNS and
 * EventBridge stay on moto.
 */
import {
  DescribeLabelingJobCommand,
  ResourceNotFound,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT, REGION, snapshotRole } from '../support/aws-world';
import { reportOf, thrownBy } from './handler-deps';
import { useHandlerWorld } from './handler-world';
import { expectedInvokePolicy, labelingJobEvent } from '../support/labeling-job-world';

const { seed, sinks, newWorld, setup } = useHandlerWorld('dj', { dryRun: 'false' });

describe('DescribeLabelingJob path (the event lacks the role or output location)', () => {
  it('describes the job and remediates what DescribeLabelingJob names', async () => {
    // Given an event whose request parameters CloudTrail left out, and the job as SageMaker describes it
    const world = await newWorld();
    const event = labelingJobEvent(world);
    event.detail.requestParameters = null;
    const { clients, handler } = setup();
    const sagemaker = mockClient(clients.sagemaker);
    sagemaker.on(DescribeLabelingJobCommand, { LabelingJobName: world.jobName }).resolves({
      LabelingJobName: world.jobName,
      LabelingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/${world.jobName}`,
      RoleArn: world.executionRole.arn,
      OutputConfig: { S3OutputPath: world.outputS3Uri },
      HumanTaskConfig: {
        PreHumanTaskLambdaArn: world.preFunctionArn,
        AnnotationConsolidationConfig: { AnnotationConsolidationLambdaArn: world.postFunctionArn },
      } as never,
    });

    // When the handler runs
    const report = reportOf(await handler(event));

    // Then it asked SageMaker once, by the job name from the response element, and fixed the described job
    expect(sagemaker).toHaveReceivedCommandTimes(DescribeLabelingJobCommand, 1);
    expect(sagemaker).toHaveReceivedCommandWith(DescribeLabelingJobCommand, {
      LabelingJobName: world.jobName,
    });
    expect(report.outcome).toBe('remediated');
    expect(report.job).toMatchObject({
      executionRoleArn: world.executionRole.arn,
      postAnnotationLambdaArn: world.postFunctionArn,
    });
    const execution = await snapshotRole(seed.iam, world.executionRole.name);
    expect(execution.inline.GroundTruthLabelingLambdaInvoke).toEqual(
      expectedInvokePolicy([world.preFunctionArn, world.postFunctionArn]),
    );
  });

  it('reports outcome error without retrying when DescribeLabelingJob finds no such job', async () => {
    const world = await newWorld();
    const event = labelingJobEvent(world);
    event.detail.requestParameters = { labelingJobName: world.jobName };
    const { clients, handler } = setup();
    const sagemaker = mockClient(clients.sagemaker);
    sagemaker
      .on(DescribeLabelingJobCommand)
      .rejects(new ResourceNotFound({ $metadata: {}, message: 'Could not find labeling job' }));

    const report = reportOf(await handler(event));

    expect(report).toMatchObject({ outcome: 'error', findings: [{ code: 'EVENT_INVALID' }] });
    const notifications = await sinks.readNotifications();
    expect(notifications.map((n) => n.attributes.outcome)).toEqual(['error']);
    expect(notifications[0]?.message).toContain(
      `event lacks roleArn, outputConfig.s3OutputPath and DescribeLabelingJob found no job ${world.jobName}`,
    );
  });

  it('notifies outcome error and throws (for a retry) when DescribeLabelingJob is throttled', async () => {
    const world = await newWorld();
    const event = labelingJobEvent(world);
    event.detail.requestParameters = null;
    const { clients, handler } = setup();
    mockClient(clients.sagemaker)
      .on(DescribeLabelingJobCommand)
      .rejects(
        new SageMakerServiceException({
          name: 'ThrottlingException',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          message: 'Rate exceeded',
        }),
      );

    const error = await thrownBy(handler(event));

    expect(error.report).toMatchObject({
      outcome: 'error',
      job: { name: world.jobName, account: ACCOUNT, region: REGION },
    });
    const why = `DescribeLabelingJob ${world.jobName} failed: ThrottlingException: Rate exceeded`;
    expect(error.report.notes).toEqual([why]);
    const notifications = await sinks.readNotifications();
    expect(notifications.map((n) => n.attributes.outcome)).toEqual(['error']);
    expect(notifications[0]?.message).toContain(`Note: ${why}`);
    expect((await sinks.readResultEvents()).map((e) => e.detail)).toEqual([error.report]);
  });
});
