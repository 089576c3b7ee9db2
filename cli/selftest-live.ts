/**
 * The AWS side of `gt-remediate selftest`: a temporary queue and rule on the result bus matching a
 * fresh nonce, the test event, a wait for the answer, and the clean-up (always: pass, fail, error, Ctrl-C).
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteRuleCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { SELFTEST_EVENT, type SelftestResult } from '../shared/selftest';
import { AwsFailureError, InterruptedError } from './cli-errors';
import type { SelftestRun, SelftestRunner } from './selftest-command';

/** The bus the stack's selftest rule listens on. */
const BUS = 'default';

/** The default runner: real SDK clients (endpoints from AWS_ENDPOINT_URL, as everywhere). */
export const runSelftestLive: SelftestRunner = async (options) => {
  const config = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  };
  const events = new EventBridgeClient(config);
  const sqs = new SQSClient(config);
  const nonce = randomUUID();
  const name = `gt-remediate-selftest-${nonce.slice(0, 8)}`;
  const undo: { what: string; run: () => Promise<unknown> }[] = [];
  const run: SelftestRun = { region: options.region ?? '', nonce, elapsedMs: 0, cleanedUp: [], leftOver: [] };
  const abort = new AbortController();
  const interrupt = (): void => abort.abort();
  process.once('SIGINT', interrupt);
  const started = Date.now();
  try {
    run.region = await events.config.region();
    const resultBus = options.resultBus ?? (await resultBusOf(events, options.stack));
    run.resultBus = resultBus;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    if (!QueueUrl) throw new Error('CreateQueue returned no queue URL');
    undo.push({ what: `queue ${name}`, run: () => sqs.send(new DeleteQueueCommand({ QueueUrl })) });
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queueArn = Attributes?.QueueArn;
    if (!queueArn) throw new Error('GetQueueAttributes returned no queue ARN');
    const { RuleArn } = await events.send(
      new PutRuleCommand({
        Name: name,
        EventBusName: resultBus,
        Description: 'temporary: gt-remediate selftest (deleted when the test ends)',
        EventPattern: JSON.stringify({
          source: [SELFTEST_EVENT.resultSource],
          'detail-type': [SELFTEST_EVENT.resultDetailType],
          detail: { nonce: [nonce] },
        }),
      }),
    );
    undo.push({
      what: `rule ${name}`,
      run: () => events.send(new DeleteRuleCommand({ Name: name, EventBusName: resultBus })),
    });
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl,
        Attributes: { Policy: queuePolicy(queueArn, RuleArn ?? '') },
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: name,
        EventBusName: resultBus,
        Targets: [{ Id: 'selftest-queue', Arn: queueArn }],
      }),
    );
    undo.push({
      what: `target of rule ${name}`,
      run: () =>
        events.send(
          new RemoveTargetsCommand({ Rule: name, EventBusName: resultBus, Ids: ['selftest-queue'] }),
        ),
    });
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: SELFTEST_EVENT.source,
            DetailType: SELFTEST_EVENT.detailType,
            Detail: JSON.stringify({ nonce, stack: options.stack }),
            EventBusName: BUS,
          },
        ],
      }),
    );
    if ((put.FailedEntryCount ?? 0) > 0)
      throw new Error(`PutEvents rejected the test event: ${put.Entries?.[0]?.ErrorCode ?? 'unknown'}`);
    const result = await waitForResult(sqs, QueueUrl, nonce, started + options.timeoutMs, abort.signal);
    if (result) run.result = result;
    return run;
  } catch (error) {
    if (abort.signal.aborted) throw new InterruptedError();
    throw AwsFailureError.from(error);
  } finally {
    process.removeListener('SIGINT', interrupt);
    run.elapsedMs = Date.now() - started;
    // Last created, first deleted: the target, then the rule, then the queue.
    for (const step of undo.reverse()) {
      try {
        await step.run();
        run.cleanedUp.push(step.what);
      } catch {
        run.leftOver.push(step.what);
      }
    }
    events.destroy();
    sqs.destroy();
  }
};

/**
 * The bus the function puts its results on: the stack's own result bus `<stack>-results` when it
 * exists, else the default bus.
 */
async function resultBusOf(events: EventBridgeClient, stack: string): Promise<string> {
  const name = `${stack}-results`;
  try {
    await events.send(new DescribeEventBusCommand({ Name: name }));
    return name;
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') return BUS;
    throw error;
  }
}

/** Long-polls the queue until the result with `nonce` arrives, the deadline passes, or Ctrl-C. */
async function waitForResult(
  sqs: SQSClient,
  queueUrl: string,
  nonce: string,
  deadline: number,
  signal: AbortSignal,
): Promise<SelftestResult | undefined> {
  while (!signal.aborted) {
    const left = Math.ceil((deadline - Date.now()) / 1000);
    if (left <= 0) return undefined;
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: Math.min(left, 20),
      }),
      { abortSignal: signal },
    );
    for (const message of Messages ?? []) {
      const detail = (JSON.parse(message.Body ?? '{}') as { detail?: SelftestResult }).detail;
      if (detail?.nonce === nonce) return detail;
    }
  }
  throw new InterruptedError();
}

/** Lets EventBridge deliver this one rule's events to the queue. */
function queuePolicy(queueArn: string, ruleArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'SelftestRuleDelivers',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      },
    ],
  });
}
