/**
 * Where the remediator's reports land in moto, and how tests read them back: an SNS topic with an
 * SQS subscription (the body is SNS's JSON envelope), and an EventBridge rule on the default bus
 * that sends result events of this file's jobs (job name prefix) to a second SQS queue.
 */
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { RESULT_EVENT } from '../../shared/aws/events';
import type { Report } from '../../shared/core';
import { REGION } from '../support/aws-world';

/** The topic and queues of one test file. */
export interface Sinks {
  topicArn: string;
  /** All notifications published to the topic since the last read (moto returns them in publish order). */
  readNotifications: () => Promise<ReceivedNotification[]>;
  /** All result events of this file's jobs since the last read. */
  readResultEvents: () => Promise<ReceivedResultEvent[]>;
  /** Removes the rule (the default bus outlives the file) and closes the clients. */
  close: () => Promise<void>;
}

/** An SNS message as its SQS subscriber receives it. */
export interface ReceivedNotification {
  subject: string;
  message: string;
  attributes: Record<string, string>;
}

/** An EventBridge event as its SQS target receives it. */
export interface ReceivedResultEvent {
  source: string;
  detailType: string;
  detail: Report;
}

/** Creates the topic, both queues, the subscription and the rule; job names of this file start with `jobPrefix`. */
export async function createSinks(id: string, jobPrefix: string): Promise<Sinks> {
  const sns = new SNSClient({ region: REGION });
  const sqs = new SQSClient({ region: REGION });
  const events = new EventBridgeClient({ region: REGION });
  const [notifications, results] = await Promise.all([
    createQueue(sqs, `${id}-notifications`),
    createQueue(sqs, `${id}-results`),
  ]);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${id}-reports` }));
  if (!TopicArn) throw new Error('moto returned no topic ARN');
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: notifications.arn }));
  const ruleName = `${id}-results`;
  await events.send(
    new PutRuleCommand({
      Name: ruleName,
      EventPattern: JSON.stringify({
        source: [RESULT_EVENT.source],
        detail: { job: { name: [{ prefix: jobPrefix }] } },
      }),
    }),
  );
  await events.send(new PutTargetsCommand({ Rule: ruleName, Targets: [{ Id: 'queue', Arn: results.arn }] }));

  return {
    topicArn: TopicArn,
    readNotifications: async () =>
      (await drain(sqs, notifications.url)).map((body) => {
        const envelope = JSON.parse(body) as {
          Subject?: string;
          Message: string;
          MessageAttributes?: Record<string, { Value: string }>;
        };
        return {
          subject: envelope.Subject ?? '',
          message: envelope.Message,
          attributes: Object.fromEntries(
            Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value]),
          ),
        };
      }),
    readResultEvents: async () =>
      (await drain(sqs, results.url)).map((body) => {
        const event = JSON.parse(body) as { source: string; 'detail-type': string; detail: Report };
        return { source: event.source, detailType: event['detail-type'], detail: event.detail };
      }),
    close: async () => {
      await events.send(new RemoveTargetsCommand({ Rule: ruleName, Ids: ['queue'] })).catch(() => undefined);
      await events.send(new DeleteRuleCommand({ Name: ruleName })).catch(() => undefined);
      sns.destroy();
      sqs.destroy();
      events.destroy();
    },
  };
}

async function createQueue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`moto returned no URL for queue ${name}`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`moto returned no ARN for queue ${name}`);
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

/** Receives and deletes every message in the queue (moto delivers SNS and EventBridge synchronously). */
async function drain(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!Messages || Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => m.Body ?? ''));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }
}
