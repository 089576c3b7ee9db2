/** SDK clients, created lazily (cold start pays only for what an invocation uses), with an optional call counter. */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';

/** The clients the remediator uses; each is built on first use. */
export interface AwsClients {
  readonly iam: IAMClient;
  readonly lambda: LambdaClient;
  readonly sagemaker: SageMakerClient;
  readonly ssm: SSMClient;
  readonly sns: SNSClient;
  readonly events: EventBridgeClient;
}

/** Counts AWS calls by `Service.Command`; the benchmark and tests read it. */
export type CallCounter = Map<string, number>;

interface Sendable {
  middlewareStack: { add: (mw: never, opts: { step: 'initialize'; name: string }) => void };
}

function withCounter<T extends Sendable>(client: T, service: string, counter: CallCounter | undefined): T {
  if (!counter) return client;
  const middleware =
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
    (args: unknown): Promise<unknown> => {
      const key = `${service}.${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;
      counter.set(key, (counter.get(key) ?? 0) + 1);
      return next(args);
    };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'gtCallCounter' });
  return client;
}

/** Options for the clients: region, SDK retry mode, and a call counter. */
export interface ClientOptions {
  region?: string;
  counter?: CallCounter;
  retryMode?: 'standard' | 'adaptive';
  maxAttempts?: number;
}

/** Lazily constructed clients; endpoints come from the SDK's own AWS_ENDPOINT_URL handling. */
export function createClients(options: ClientOptions = {}): AwsClients {
  const config = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.retryMode ? { retryMode: options.retryMode } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
  };
  const lazy = <T>(make: () => T): (() => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy loading keeps the cold start short */
  const iam = lazy(() =>
    withCounter(
      new (require('@aws-sdk/client-iam') as typeof import('@aws-sdk/client-iam')).IAMClient(config),
      'IAM',
      options.counter,
    ),
  );
  const lambda = lazy(() =>
    withCounter(
      new (require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda')).LambdaClient(config),
      'Lambda',
      options.counter,
    ),
  );
  const sagemaker = lazy(() =>
    withCounter(
      new (
        require('@aws-sdk/client-sagemaker') as typeof import('@aws-sdk/client-sagemaker')
      ).SageMakerClient(config),
      'SageMaker',
      options.counter,
    ),
  );
  const ssm = lazy(() =>
    withCounter(
      new (require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm')).SSMClient(config),
      'SSM',
      options.counter,
    ),
  );
  const sns = lazy(() =>
    withCounter(
      new (require('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns')).SNSClient(config),
      'SNS',
      options.counter,
    ),
  );
  const events = lazy(() =>
    withCounter(
      new (
        require('@aws-sdk/client-eventbridge') as typeof import('@aws-sdk/client-eventbridge')
      ).EventBridgeClient(config),
      'EventBridge',
      options.counter,
    ),
  );
  /* eslint-enable @typescript-eslint/no-require-imports */
  return {
    get iam() {
      return iam();
    },
    get lambda() {
      return lambda();
    },
    get sagemaker() {
      return sagemaker();
    },
    get ssm() {
      return ssm();
    },
    get sns() {
      return sns();
    },
    get events() {
      return events();
    },
  };
}
