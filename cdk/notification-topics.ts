/** Encrypted SNS topics for reports and for alarms, with the operator's optional email subscriptions. */
import { CfnCondition, CfnParameter, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Outcome } from '../shared/core/types';

/** Props of {@link NotificationTopics}. */
export interface NotificationTopicsProps {
  /** Default of the NotificationEmail parameter (from context); empty means no subscription. */
  email: string;
  /** Outcomes (message attribute `outcome`) the email receives from the report topic; undefined: all. */
  emailOutcomes?: Outcome[];
}

/**
 * Two KMS-encrypted, TLS-only topics sharing one key: `reportTopic` (the function's reports, email
 * filtered on the `outcome` attribute) and `alarmTopic` (CloudWatch alarms, email unfiltered). They are
 * separate because alarm notifications carry no message attributes, and an SNS filter policy never
 * matches a message without attributes (not even with `exists: false`), so alarms sent to the
 * filtered report subscription would never reach the mailbox.
 */
export class NotificationTopics extends Construct {
  /** Topic the function publishes its reports to. */
  readonly reportTopic: sns.Topic;
  /** Topic the CloudWatch alarms notify. */
  readonly alarmTopic: sns.Topic;
  /** Customer managed key of both topics (the AWS managed aws/sns key cannot admit CloudWatch alarms). */
  readonly key: kms.Key;
  /** The CloudFormation parameter holding the subscribed address. */
  readonly emailParameter: CfnParameter;

  constructor(scope: Construct, id: string, props: NotificationTopicsProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the Ground Truth permission remediator SNS topics',
      enableKeyRotation: true,
      // It protects only messages in flight: deleting the stack schedules its deletion, no orphan key is billed.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // Alarm actions publish as cloudwatch.amazonaws.com, which needs the data key of the encrypted topic.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseKey',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.reportTopic = new sns.Topic(this, 'ReportTopic', {
      displayName: 'Ground Truth permission remediator',
      masterKey: this.key,
      enforceSSL: true,
    });
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Ground Truth permission remediator alarms',
      masterKey: this.key,
      enforceSSL: true,
    });

    this.emailParameter = new CfnParameter(stack, 'NotificationEmail', {
      type: 'String',
      default: props.email,
      allowedPattern: '^$|^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
      constraintDescription: 'must be an email address, or empty for no email subscription',
      description:
        'Email address for remediation reports and alarms (confirm both subscription mails); empty for none',
    });
    const hasEmail = new CfnCondition(this, 'HasNotificationEmail', {
      expression: Fn.conditionNot(Fn.conditionEquals(this.emailParameter.valueAsString, '')),
    });
    const filterPolicy = props.emailOutcomes
      ? { outcome: sns.SubscriptionFilter.stringFilter({ allowlist: props.emailOutcomes }) }
      : undefined;
    this.subscribeEmail('ReportEmail', this.reportTopic, hasEmail, filterPolicy);
    this.subscribeEmail('AlarmEmail', this.alarmTopic, hasEmail, undefined);
  }

  private subscribeEmail(
    id: string,
    topic: sns.Topic,
    condition: CfnCondition,
    filterPolicy: Record<string, sns.SubscriptionFilter> | undefined,
  ): void {
    const subscription = new sns.Subscription(this, id, {
      topic,
      protocol: sns.SubscriptionProtocol.EMAIL,
      endpoint: this.emailParameter.valueAsString,
      ...(filterPolicy ? { filterPolicy } : {}),
    });
    (subscription.node.defaultChild as sns.CfnSubscription).cfnOptions.condition = condition;
  }

  /** Lets these alarms publish to the alarm topic (topic policy for CloudWatch, scoped to the alarms' ARNs). */
  allowAlarms(alarms: IAlarm[]): void {
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowRemediatorAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': alarms.map((alarm) => alarm.alarmArn) },
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        },
      }),
    );
  }
}
