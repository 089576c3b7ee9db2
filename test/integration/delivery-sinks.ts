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
import { SQSClient } from '@aws-sdk/client-sqs';
import { RESULT_EVENT } from '../../shared/aws/events';
import { REGION } from '../support/aws-world';
import {
  createQueue,
  readNotifications,
  readResultEvents,
  type ReceivedNotification,
  type ReceivedResultEvent,
} from '../support/queue-readers';

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

export type { ReceivedNotification, ReceivedResultEvent } from '../support/queue-readers';

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
    readNotifications: () => readNotifications(sqs, notifications.url),
    readResultEvents: () => readResultEvents(sqs, results.url),
    close: async () => {
      await events.send(new RemoveTargetsCommand({ Rule: ruleName, Ids: ['queue'] })).catch(() => undefined);
      await events.send(new DeleteRuleCommand({ Name: ruleName })).catch(() => undefined);
      sns.destroy();
      sqs.destroy();
      events.destroy();
    },
  };
}
