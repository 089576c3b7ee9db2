/**
 * SQS queues as the tests' window on what the remediator delivered: a queue subscribed to an SNS
 * topic (the body is SNS's JSON envelope) or targeted by an EventBridge rule (the body is the event).
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Report } from '../../shared/core';

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

/** Creates the queue; its URL and ARN. */
export async function createQueue(sqs: SQSClient, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`moto returned no URL for queue ${name}`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`moto returned no ARN for queue ${name}`);
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

/** Every SNS notification in the queue since the last read (moto delivers synchronously). */
export async function readNotifications(sqs: SQSClient, queueUrl: string): Promise<ReceivedNotification[]> {
  return (await drain(sqs, queueUrl)).map((body) => {
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
  });
}

/** Every result event in the queue since the last read. */
export async function readResultEvents(sqs: SQSClient, queueUrl: string): Promise<ReceivedResultEvent[]> {
  return (await drain(sqs, queueUrl)).map((body) => {
    const event = JSON.parse(body) as { source: string; 'detail-type': string; detail: Report };
    return { source: event.source, detailType: event['detail-type'], detail: event.detail };
  });
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
