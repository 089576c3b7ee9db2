/** `scan` of 10,000 jobs (or `jobs`) over 20 roles (19 execution roles, 1 role of 4 functions) against moto; SageMaker mocked. */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createClients, type CallCounter } from '../shared/aws/clients';
import { DEFAULT_CORE_OPTIONS, memoizingEvaluator } from '../shared/core';
import { silentLogger } from '../shared/logger';
import { scanJobs } from '../shared/scan';
import { cliFlow } from '../shared/flow-context';
import { accountPorts } from '../shared/flow-ports';
import {
  ACCOUNT,
  BASIC_EXECUTION_POLICY_ARN,
  GROUND_TRUTH_POLICY_ARN,
  REGION,
  createFunction,
  createManagedPolicy,
  createRole,
  createSeedClients,
  destroySeedClients,
  policy,
  serviceTrustStatement,
} from '../test/support/aws-world';
import { describedJob } from '../test/support/labeling-jobs';
import { msSince, round, sortedCounts, totalCalls } from './stats';

const EXEC_ROLES = 19;
const FUNCTIONS = ['bs-pre-a', 'bs-pre-b', 'bs-post-a', 'bs-post-b'];
const BUCKET = 'bench-scan-data';

/**
 * SageMaker is not in moto: answers its calls at the SDK's first middleware step, by command name.
 * A plain function, not aws-sdk-client-mock: the mock's argument matching (deep equality per call)
 * cost more per job than the scan's own work, and it is not the product's cost.
 */
function answerSageMaker(client: SageMakerClient, answer: (command: string, input: never) => unknown): void {
  client.middlewareStack.add(
    (_next, context) => (args) =>
      Promise.resolve({
        output: { $metadata: {}, ...(answer(context.commandName ?? '', args.input as never) as object) },
        response: {},
      }),
    { step: 'initialize', name: 'benchSageMaker', priority: 'high' },
  );
}

/** scanJobs, scanMs, scanApiCalls (IAM + Lambda), scanRoles. */
export async function measureScan(jobs = 10_000) {
  const seed = createSeedClients();
  const execRoles = Array.from({ length: EXEC_ROLES }, (_, k) => `bs-exec-${k}`);
  let fnRoleArn = '';
  const execArns: string[] = [];
  const fnArns = new Map<string, string>();
  try {
    const allow = (action: string | string[], resource: string) =>
      policy({ Effect: 'Allow', Action: action, Resource: resource });
    const data = await createManagedPolicy(
      seed.iam,
      'BenchScanData',
      allow(['s3:GetObject', 's3:PutObject'], `arn:aws:s3:::${BUCKET}/*`),
    );
    const tracing = await createManagedPolicy(
      seed.iam,
      'BenchScanTracing',
      allow('xray:PutTraceSegments', '*'),
    );
    for (const name of execRoles) {
      execArns.push(
        await createRole(seed.iam, {
          name,
          trust: policy(serviceTrustStatement('sagemaker.amazonaws.com')),
          managed: [GROUND_TRUTH_POLICY_ARN, data],
          inline: { Logs: allow('logs:PutLogEvents', '*') },
        }),
      );
    }
    fnRoleArn = await createRole(seed.iam, {
      name: 'bs-fn-role',
      trust: policy(serviceTrustStatement('lambda.amazonaws.com')),
      managed: [BASIC_EXECUTION_POLICY_ARN, tracing],
      inline: { Logs: allow('logs:PutLogEvents', '*') },
    });
    for (const name of FUNCTIONS) fnArns.set(name, await createFunction(seed.lambda, name, fnRoleArn));
  } finally {
    destroySeedClients(seed);
  }

  const names = Array.from({ length: jobs }, (_, i) => `bs-job-${String(i).padStart(5, '0')}`);
  const counter: CallCounter = new Map();
  const clients = createClients({ region: REGION, counter, retryMode: 'adaptive', maxAttempts: 8 });
  const listJobs = (input: { NextToken?: string; MaxResults?: number }) => {
    const from = Number(input.NextToken ?? '0');
    const to = Math.min(from + (input.MaxResults ?? 100), jobs);
    return {
      LabelingJobSummaryList: names
        .slice(from, to)
        .map((LabelingJobName) => ({ LabelingJobName, LabelingJobStatus: 'InProgress' })),
      ...(to < jobs ? { NextToken: String(to) } : {}),
    };
  };
  const describeJob = (input: { LabelingJobName: string }) => {
    const i = Number(input.LabelingJobName.slice(-5));
    const variant = i % 2 === 0 ? 'a' : 'b';
    const world = {
      jobName: input.LabelingJobName,
      outputS3Uri: `s3://${BUCKET}/output/`,
      executionRole: { name: '', arn: execArns[i % EXEC_ROLES] ?? '', trust: policy() },
      preRole: { name: '', arn: fnRoleArn },
      postRole: { name: '', arn: fnRoleArn },
      preFunctionArn: fnArns.get(`bs-pre-${variant}`) ?? '',
      postFunctionArn: fnArns.get(`bs-post-${variant}`) ?? '',
    };
    return describedJob(world);
  };
  answerSageMaker(clients.sagemaker, (command, input) => {
    if (command === 'ListLabelingJobsCommand') return listJobs(input);
    if (command === 'DescribeLabelingJobCommand') return describeJob(input);
    throw new Error(`the bench's SageMaker does not answer ${command}`);
  });
  // One evaluator for the scan, as the CLI builds it.
  const evaluator = memoizingEvaluator();
  const start = process.hrtime.bigint();
  const ports = accountPorts(clients);
  const entries = await scanJobs(
    ports,
    cliFlow(ports, { core: DEFAULT_CORE_OPTIONS, dryRun: true, logger: silentLogger(), evaluator }),
  );
  const scanMs = msSince(start);
  const outcomes: Record<string, number> = {};
  for (const e of entries) {
    const key = 'report' in e ? e.report.outcome : 'problem';
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  return {
    scanJobs: entries.length,
    scanRoles: EXEC_ROLES + 1,
    scanFunctions: FUNCTIONS.length,
    scanApiCalls: totalCalls(counter),
    scanApiCallsByCall: sortedCounts(counter),
    scanMs: round(scanMs),
    // Flat in the number of jobs: once per distinct question and per distinct plan.
    scanEvaluatorRuns: evaluator.counts.misses,
    scanProofsMade: evaluator.sharing.proofs?.counts.misses ?? 0,
    scanOutcomes: outcomes,
    account: ACCOUNT,
  };
}
