/** The handler's dependencies for integration tests: real SDK clients on moto, a silent logger, no real sleeping. */
import { createClients, type AwsClients, type CallCounter } from '../../shared/aws/clients';
import type { Config } from '../../shared/config';
import { DEFAULT_CORE_OPTIONS, type CoreOptions, type Report } from '../../shared/core';
import { silentLogger } from '../../shared/logger';
import type { LambdaDeps } from '../../shared/flow-context';
import { RemediationError, type ApplyQueue, type RemediationResult } from '../../shared/remediate-job';
import { REGION } from '../support/aws-world';
import { stubLabelingJobs } from '../support/labeling-jobs';

/** What a test may choose; everything else has the production default. */
export interface TestDepsOptions {
  topicArn?: string;
  dryRunParameterName?: string;
  notifyCompliant?: boolean;
  core?: Partial<CoreOptions>;
  counter?: CallCounter;
  /** Use these clients (e.g. with one of them mocked) instead of fresh ones. */
  clients?: AwsClients;
  /** Its own read-modify-write queue: a second handler with one acts as another process. */
  applyQueue?: ApplyQueue;
}

/** Dependencies for makeHandler: the read-back after a write may wait at most 1 s, and waits cost nothing. */
export function testDeps(options: TestDepsOptions = {}): LambdaDeps {
  const config: Config = {
    // The tests written before `auto` describe the assume-role plan; auto's own tests name it.
    core: { ...DEFAULT_CORE_OPTIONS, strategy: 'assume-role', ...options.core },
    ...(options.topicArn ? { topicArn: options.topicArn } : {}),
    ...(options.dryRunParameterName ? { dryRunParameterName: options.dryRunParameterName } : {}),
    eventBusName: 'default',
    notifyCompliant: options.notifyCompliant ?? false,
  };
  const clients =
    options.clients ??
    createClients({ region: REGION, ...(options.counter ? { counter: options.counter } : {}) });
  // moto has no labeling jobs: SageMaker answers from the registry of seeded jobs.
  stubLabelingJobs(clients.sagemaker);
  return {
    clients,
    config,
    logger: silentLogger(),
    sleep: () => Promise.resolve(),
    verifyTimeoutMs: 1_000,
    ...(options.applyQueue ? { applyQueue: options.applyQueue } : {}),
  };
}

/** The report of a handler result; fails the test when the event was skipped. */
export function reportOf(result: RemediationResult): Report {
  if (result.kind !== 'report') throw new Error(`expected a report, the event was skipped: ${result.reason}`);
  return result.report;
}

/** What `run` (a handler call) rejected with; fails the test unless it is a RemediationError. */
export async function thrownBy(run: Promise<unknown>): Promise<RemediationError> {
  const error = await run.then(
    () => new Error('expected the handler to throw'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RemediationError);
  return error as RemediationError;
}
