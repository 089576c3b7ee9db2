/**
 * `gt-remediate selftest --live` against moto. The CLI half runs for real (temporary queue and rule,
 * the test event, the wait, the clean-up). moto cannot run the Lambda, so a stand-in rule catches the
 * test event and the test invokes the real handler with it, as the stack's selftest rule would.
 */
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { main, type Io } from '../../cli/main';
import { SELFTEST_EVENT } from '../../shared/selftest';
import {
  createRole,
  REGION,
  serviceTrustStatement,
  policy,
  setParameter,
  snapshotRole,
} from '../support/aws-world';
import { makeHandler } from '../../functions/remediate/handler';
import { testDeps } from './handler-deps';
import { useHandlerWorld } from './handler-world';

const { prefix, parameter, seed, sinks, handlerWith } = useHandlerWorld('st', { dryRun: 'true' });
const stack = `St${prefix}`;
const functionName = `${stack}-RemediateFunction-AbC123`;
const roleName = `${stack}-RemediateRole-XyZ789`;
const events = new EventBridgeClient({ region: REGION });
const sqs = new SQSClient({ region: REGION });
let standInUrl = '';
let roleArn = '';

beforeAll(async () => {
  roleArn = await createRole(seed.iam, {
    name: roleName,
    trust: policy(serviceTrustStatement('lambda.amazonaws.com')),
  });
  // The stand-in for the stack's selftest rule: test events of this stack go to a queue the test reads.
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-standin` }));
  standInUrl = QueueUrl ?? '';
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: standInUrl, AttributeNames: ['QueueArn'] }),
  );
  await events.send(
    new PutRuleCommand({
      Name: `${prefix}-standin`,
      EventPattern: JSON.stringify({
        source: [SELFTEST_EVENT.source],
        'detail-type': [SELFTEST_EVENT.detailType],
        detail: { stack: [stack] },
      }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: `${prefix}-standin`,
      Targets: [{ Id: 'standin', Arn: Attributes?.QueueArn ?? '' }],
    }),
  );
});

afterAll(async () => {
  await events.send(new RemoveTargetsCommand({ Rule: `${prefix}-standin`, Ids: ['standin'] }));
  await events.send(new DeleteRuleCommand({ Name: `${prefix}-standin` }));
  events.destroy();
  sqs.destroy();
});

async function run(args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t) };
  const status = await main(['node', 'gt-remediate', 'selftest', '--live', '--stack', stack, ...args], io);
  return { status, out, err };
}

/** Plays the deployed function: waits for the test event and hands it to the real handler. */
async function answerAsTheFunction(
  core: { selfRoleArn?: string } = { selfRoleArn: roleArn },
  resultBus?: string,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: standInUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
    );
    const body = Messages?.[0]?.Body;
    if (!body) continue;
    const previous = process.env.AWS_LAMBDA_FUNCTION_NAME;
    process.env.AWS_LAMBDA_FUNCTION_NAME = functionName;
    try {
      const deps = testDeps({ topicArn: sinks.topicArn, dryRunParameterName: parameter, core });
      const handler = resultBus
        ? makeHandler({ ...deps, config: { ...deps.config, eventBusName: resultBus } })
        : handlerWith({ core });
      const result = await handler(JSON.parse(body) as never);
      expect(result.kind).toBe('skipped');
    } finally {
      if (previous === undefined) delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      else process.env.AWS_LAMBDA_FUNCTION_NAME = previous;
    }
    return;
  }
  throw new Error('the test event never reached the stand-in rule');
}

/** Temporary rules and queues the CLI left behind. */
async function leftovers(): Promise<string[]> {
  const rules = await events.send(new ListRulesCommand({ NamePrefix: 'gt-remediate-selftest-' }));
  const queues = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'gt-remediate-selftest-' }));
  return [...(rules.Rules ?? []).map((r) => r.Name ?? ''), ...(queues.QueueUrls ?? [])];
}

describe('gt-remediate selftest --live', () => {
  it('passes when the function answers, and leaves nothing behind, no IAM change and no email', async () => {
    // Given a deployment whose function can read its parameter and its role
    const before = await snapshotRole(seed.iam, roleName);

    // When the CLI runs the self-test and the function answers the test event
    const [result] = await Promise.all([run(['--timeout', '20']), answerAsTheFunction()]);

    // Then it passes, names what it read, and cleaned up its rule, target and queue
    expect(result.err).toBe('');
    expect(result.status).toBe(0);
    expect(result.out).toMatch(new RegExp(`^Self test of ${stack} in ${REGION}: PASS`));
    expect(result.out).toContain(`answered by   ${functionName} on bus default`);
    expect(result.out).toContain(`${parameter}: dry-run is on`);
    expect(result.out).toContain(`iam:GetRole ${roleName} succeeded`);
    expect(result.out).toContain('the bundled IAM evaluator loads and evaluates');
    expect(result.out).toMatch(/cleaned up {4}target of rule gt-remediate-selftest-\w+, rule .*, queue /);
    expect(await leftovers()).toEqual([]);
    // And the function changed nothing and mailed nobody
    expect(await snapshotRole(seed.iam, roleName)).toEqual(before);
    expect(await sinks.readNotifications()).toEqual([]);
  });

  it("listens on the stack's own result bus when it has one", async () => {
    // Given a stack whose function puts its results on <stack>-results
    const bus = `${stack}-results`;
    await events.send(new CreateEventBusCommand({ Name: bus }));
    try {
      // When the self-test runs
      const [result] = await Promise.all([run(['--timeout', '20']), answerAsTheFunction(undefined, bus)]);

      // Then the answer arrived there, and the temporary rule on that bus is gone
      expect(result.status).toBe(0);
      expect(result.out).toContain(`on bus ${bus}`);
      const rules = await events.send(
        new ListRulesCommand({ EventBusName: bus, NamePrefix: 'gt-remediate-selftest-' }),
      );
      expect(rules.Rules ?? []).toEqual([]);
    } finally {
      await events.send(new DeleteEventBusCommand({ Name: bus }));
    }
  });

  it('fails (exit 1) when the function cannot read what it needs', async () => {
    // Given a deployment whose dry-run parameter has gone and whose role ARN is wrong
    await setParameter(seed.ssm, parameter, undefined);
    try {
      const [result] = await Promise.all([
        run(['--timeout', '20']),
        answerAsTheFunction({ selfRoleArn: `arn:aws:iam::123456789012:role/${stack}-Missing` }),
      ]);

      // Then the summary says FAIL and which reads failed
      expect(result.status).toBe(1);
      expect(result.out).toMatch(/: FAIL /);
      expect(result.out).toMatch(/dry-run flag {2}FAIL {2}SSM parameter .* does not exist/);
      expect(result.out).toMatch(/own role {6}FAIL {2}iam:GetRole .*-Missing failed/);
      expect(await leftovers()).toEqual([]);
    } finally {
      await setParameter(seed.ssm, parameter, 'true');
    }
  });

  it('fails (exit 1) after the timeout when nothing answers, and still cleans up', async () => {
    const result = await run(['--timeout', '2']);
    expect(result.status).toBe(1);
    expect(result.out).toMatch(/: FAIL /);
    expect(result.out).toMatch(/no result within 2 s/);
    expect(await leftovers()).toEqual([]);
    // The unanswered test event is still in the stand-in queue: drop it for the next test
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: standInUrl, MaxNumberOfMessages: 10 }));
  });

  it('exits 130 on Ctrl-C while waiting, after deleting what it created', async () => {
    // Given a self-test waiting for an answer that never comes
    const running = run(['--timeout', '30']);
    for (let i = 0; i < 100 && (await leftovers()).length < 2; i++)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));

    // When the person presses Ctrl-C
    process.emit('SIGINT');
    const result = await running;

    // Then it exits 130 with one line and nothing is left behind
    expect(result.status).toBe(130);
    expect(result.err).toBe('gt-remediate: interrupted; nothing changed\n');
    expect(await leftovers()).toEqual([]);
  });

  it('rejects a bad --timeout with exit 2 and one line', async () => {
    const result = await run(['--timeout', 'soon']);
    expect(result.status).toBe(2);
    expect(result.err).toBe('gt-remediate: --timeout takes seconds between 1 and 900, got "soon"\n');
  });
});
