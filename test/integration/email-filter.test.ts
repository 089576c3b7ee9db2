/**
 * The deployed email filter, evaluated by moto's SNS: the FilterPolicy synthesized for the report
 * subscription is put on an SQS subscription in moto, and the function's real notifications for each
 * outcome are published through the SNS adapter. What reaches the queue is what reaches the mailbox.
 */
import { CreateTopicCommand, DeleteTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { publishNotification } from '../../shared/aws/sns';
import { buildNotification, buildReport, type Outcome } from '../../shared/core';
import { buildStack } from '../cdk/stack-fixture';
import { REGION, runPrefix } from '../support/aws-world';

const OUTCOMES: Outcome[] = ['compliant', 'remediated', 'proposed', 'blocked', 'error'];
const prefix = runPrefix('ef');
const sns = new SNSClient({ region: REGION });
const sqs = new SQSClient({ region: REGION });
afterAll(() => {
  sns.destroy();
  sqs.destroy();
});

/** The FilterPolicy of the email subscription on the report topic, as synthesized with `context`. */
function deployedFilter(context: Record<string, string>): string | undefined {
  const { template } = buildStack({ context });
  const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
  const reportTopic = topics.find((id) => id.includes('ReportTopic'));
  const subscriptions = Object.values(
    template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } }),
  ) as { Properties: { TopicArn: { Ref: string }; FilterPolicy?: unknown } }[];
  const email = subscriptions.find((s) => s.Properties.TopicArn.Ref === reportTopic);
  if (!email) throw new Error('no email subscription on the report topic');
  return email.Properties.FilterPolicy === undefined
    ? undefined
    : JSON.stringify(email.Properties.FilterPolicy);
}

/** Publishes one notification per outcome to a moto topic filtered like the email; returns what arrived. */
async function delivered(name: string, filterPolicy: string | undefined): Promise<string[]> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${prefix}-${name}` }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-${name}` }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      ...(filterPolicy ? { Attributes: { FilterPolicy: filterPolicy } } : {}),
    }),
  );
  try {
    for (const outcome of OUTCOMES) {
      const base = buildReport(
        {
          jobName: `job-${outcome}`,
          accountId: '123456789012',
          region: REGION,
          executionRoleArn: 'arn:aws:iam::123456789012:role/Exec',
          outputS3Uri: 's3://bucket/out/',
        },
        [],
        [],
        { dryRun: outcome !== 'remediated' },
      );
      const notification = buildNotification({ ...base, outcome }, '/GtPermissionsRemediator/dry-run');
      await publishNotification(sns, TopicArn ?? '', notification);
    }
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    return (Messages ?? [])
      .map((m) => JSON.parse(m.Body ?? '{}') as { MessageAttributes: { outcome: { Value: string } } })
      .map((envelope) => envelope.MessageAttributes.outcome.Value);
  } finally {
    await sns.send(new DeleteTopicCommand({ TopicArn }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  }
}

describe('the deployed report email filter, in moto', () => {
  it('delivers remediated, proposed, blocked and error reports, not compliant ones, by default', async () => {
    const got = await delivered('default', deployedFilter({}));
    expect([...got].sort()).toEqual(['blocked', 'error', 'proposed', 'remediated']);
  });

  it('also delivers compliant reports with notifyCompliant=true', async () => {
    const got = await delivered('compliant', deployedFilter({ notifyCompliant: 'true' }));
    expect([...got].sort()).toEqual([...OUTCOMES].sort());
  });

  it('follows emailOutcomes as written', async () => {
    const got = await delivered(
      'chosen',
      deployedFilter({ emailOutcomes: 'blocked', notifyCompliant: 'true' }),
    );
    expect(got).toEqual(['blocked']);
  });
});
