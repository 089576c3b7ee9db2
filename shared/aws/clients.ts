/** SDK clients, each built on first use, with an optional call counter. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { sageMakerSdk } from './sagemaker';

/** The clients the remediator uses; each is built on first use. */
export interface AwsClients {
  readonly iam: IAMClient;
  readonly lambda: LambdaClient;
  readonly sagemaker: SageMakerClient;
  /** Lists a job's output folder (is it new?) and reads its bucket's policy; never reads an object. */
  readonly s3: S3Client;
  readonly ssm: SSMClient;
  readonly sns: SNSClient;
  readonly events: EventBridgeClient;
  /** The output key's policy. */
  readonly kms: KMSClient;
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
  /** Named profile of the shared config and credentials files (the CLI's `--profile`). */
  profile?: string;
  counter?: CallCounter;
  retryMode?: 'standard' | 'adaptive';
  maxAttempts?: number;
}

/** Lazily constructed clients; endpoints come from the SDK's own AWS_ENDPOINT_URL handling. */
export function createClients(options: ClientOptions = {}): AwsClients {
  const config = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.retryMode ? { retryMode: options.retryMode } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
  };
  const built = new Map<string, Sendable>();
  const client = <T extends Sendable>(service: string, make: () => T): T => {
    let value = built.get(service) as T | undefined;
    if (!value) {
      value = withCounter(make(), service, options.counter);
      built.set(service, value);
    }
    return value;
  };
  return {
    get iam() {
      return client('IAM', () => new IAMClient(config));
    },
    get lambda() {
      return client('Lambda', () => new LambdaClient(config));
    },
    // The SageMaker SDK module itself is loaded on first use (see sageMakerSdk).
    get sagemaker() {
      return client('SageMaker', () => new (sageMakerSdk().SageMakerClient)(config));
    },
    get s3() {
      return client('S3', () => new S3Client(s3Config(config)));
    },
    get ssm() {
      return client('SSM', () => new SSMClient(config));
    },
    get sns() {
      return client('SNS', () => new SNSClient(config));
    },
    get events() {
      return client('EventBridge', () => new EventBridgeClient(config));
    },
    get kms() {
      return client('KMS', () => new KMSClient(config));
    },
  };
}

/**
 * S3 settings: follow a bucket's region (the output bucket need not be in the client's region), and
 * path-style addressing when an emulator endpoint is set (AWS_ENDPOINT_URL; buckets as host names
 * do not resolve on a loopback address).
 */
export function s3Config<T extends object>(
  config: T,
): T & { followRegionRedirects: boolean; forcePathStyle?: boolean } {
  const emulated = Boolean(process.env.AWS_ENDPOINT_URL ?? process.env.AWS_ENDPOINT_URL_S3);
  return { ...config, followRegionRedirects: true, ...(emulated ? { forcePathStyle: true } : {}) };
}
