/** CloudWatch alarms that tell a person when remediation fails: function errors and dead-lettered events. */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Props of {@link RemediationAlarms}. */
export interface RemediationAlarmsProps {
  function: lambda.IFunction;
  deadLetterQueue: sqs.IQueue;
  /** Topic the alarms notify (on ALARM only: recovery needs no mail). */
  topic: sns.ITopic;
}

/** One alarm per failure signal, each breaching on the first occurrence within five minutes. */
export class RemediationAlarms extends Construct {
  /** Any failed invocation, retries included. */
  readonly functionErrors: cloudwatch.Alarm;
  /** Any event that exhausted its retries or age and now waits in the dead-letter queue. */
  readonly deadLetterQueueDepth: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: RemediationAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    this.functionErrors = new cloudwatch.Alarm(this, 'FunctionErrors', {
      alarmDescription:
        'The Ground Truth permission remediator failed; the event is retried, then dead-lettered.',
      metric: props.function.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.deadLetterQueueDepth = new cloudwatch.Alarm(this, 'DeadLetterQueueDepth', {
      alarmDescription: 'Labeling-job events the remediator could not process wait in its dead-letter queue.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of this.all()) alarm.addAlarmAction(new SnsAction(props.topic));
  }

  /** Both alarms. */
  all(): cloudwatch.Alarm[] {
    return [this.functionErrors, this.deadLetterQueueDepth];
  }
}
