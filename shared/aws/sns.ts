/** SNS adapter: publishes one notification with filterable message attributes. */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notification } from '../core';

/** Publishes the notification to the topic. */
export async function publishNotification(
  client: SNSClient,
  topicArn: string,
  n: Notification,
): Promise<void> {
  await client.send(
    new PublishCommand({
      TopicArn: topicArn,
      Subject: n.subject,
      Message: n.body,
      MessageAttributes: {
        outcome: { DataType: 'String', StringValue: n.attributes.outcome },
        dryRun: { DataType: 'String', StringValue: n.attributes.dryRun },
        severity: { DataType: 'String', StringValue: n.attributes.severity },
      },
    }),
  );
}
