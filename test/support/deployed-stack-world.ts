/**
 * The deployed remediator as the tests meet it: the function's configuration read back from moto,
 * its bundle started with exactly that configuration behind the recording proxy, and queues on the
 * deployed report topic and result bus to read what it delivered.
 */
import { PutRuleCommand, PutTargetsCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { RESULT_EVENT } from '../../shared/aws/events';
import type { Report } from '../../shared/core';
import { clientConfig, type DeployedStack, type DeployTarget } from './cfn-deploy';
import { startDeployedFunction, type FunctionProcess, type Invocation } from './deployed-function';
import {
  createQueue,
  readNotifications,
  readResultEvents,
  type ReceivedNotification,
  type ReceivedResultEvent,
} from './queue-readers';
import type { RecordingProxy } from './recording-proxy';

/** The function as moto's Lambda describes it after CreateStack. */
export interface DeployedFunctionConfig {
  functionName: string;
  functionArn: string;
  roleArn: string;
  handler: string;
  runtime: string;
  architectures: string[];
  environment: Record<string, string>;
  /** The log group Lambda writes the function's logs to (LoggingConfig), when moto reports one. */
  logGroup?: string;
}

/** GetFunctionConfiguration of the stack's function (output FunctionName). */
export async function readDeployedFunction(deployed: DeployedStack): Promise<DeployedFunctionConfig> {
  const name = deployed.outputs.FunctionName;
  if (!name) throw new Error(`stack ${deployed.stackName} has no FunctionName output`);
  const lambda = new LambdaClient(clientConfig(deployed.target));
  try {
    const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    return {
      functionName: c.FunctionName ?? '',
      functionArn: c.FunctionArn ?? '',
      roleArn: c.Role ?? '',
      handler: c.Handler ?? '',
      runtime: c.Runtime ?? '',
      architectures: c.Architectures ?? [],
      environment: c.Environment?.Variables ?? {},
      ...(c.LoggingConfig?.LogGroup ? { logGroup: c.LoggingConfig.LogGroup } : {}),
    };
  } finally {
    lambda.destroy();
  }
}

/** The report the function returned; throws naming what it threw or returned instead. */
export function reportOf(result: Invocation): Report {
  if (!result.ok) throw new Error(`the function threw ${result.error.name}: ${result.error.message}`);
  const value = result.value as { kind: string; report?: Report };
  if (value.kind !== 'report' || !value.report) throw new Error(`no report: ${JSON.stringify(value)}`);
  return value.report;
}

/** Fake session credentials "Lambda hands the function"; the proxy maps the key to the function role. */
export const FUNCTION_ACCESS_KEY = 'ASIAFUNCTIONROLEKEY1';

/** Starts the bundle in `codeDir` with the deployed configuration, its calls going through `proxy`. */
export function launchDeployedFunction(
  config: DeployedFunctionConfig,
  codeDir: string,
  proxy: RecordingProxy,
  region: string,
): FunctionProcess {
  proxy.registerPrincipal(FUNCTION_ACCESS_KEY, config.roleArn);
  return startDeployedFunction({
    codeDir,
    handler: config.handler,
    functionName: config.functionName,
    environment: config.environment,
    endpoint: proxy.endpoint,
    region,
    credentials: {
      accessKeyId: FUNCTION_ACCESS_KEY,
      secretAccessKey: 'function-role-secret',
      sessionToken: 'function-role-session',
    },
  });
}

/** Queues subscribed to the deployed report topic and result bus. */
export interface DeployedSinks {
  readNotifications: () => Promise<ReceivedNotification[]>;
  readResultEvents: () => Promise<ReceivedResultEvent[]>;
  close: () => void;
}

/** Subscribes a queue to `topicArn` and routes the result events on `busName` to another. */
export async function subscribeSinks(
  target: DeployTarget,
  topicArn: string,
  busName: string,
): Promise<DeployedSinks> {
  const config = clientConfig(target);
  const sqs = new SQSClient(config);
  const sns = new SNSClient(config);
  const events = new EventBridgeClient(config);
  const notifications = await createQueue(sqs, 'deployed-test-notifications');
  const results = await createQueue(sqs, 'deployed-test-results');
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: notifications.arn }));
  await events.send(
    new PutRuleCommand({
      Name: 'deployed-test-results',
      EventBusName: busName,
      EventPattern: JSON.stringify({ source: [RESULT_EVENT.source] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: 'deployed-test-results',
      EventBusName: busName,
      Targets: [{ Id: 'queue', Arn: results.arn }],
    }),
  );
  return {
    readNotifications: () => readNotifications(sqs, notifications.url),
    readResultEvents: () => readResultEvents(sqs, results.url),
    close: () => {
      sqs.destroy();
      sns.destroy();
      events.destroy();
    },
  };
}
