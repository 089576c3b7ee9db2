/**
 * The Lambda handler against moto: AWS calls per event (cold, warm), warm handler time, and, with a
 * fixed delay per AWS call, time and critical path of a compliant and of a remediating event.
 * SageMaker (not in moto) is mocked; its fake waits the same delay and is timed like the others.
 */
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { DescribeLabelingJobCommand } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { makeHandler } from '../functions/remediate/handler';
import { createClients, type CallCounter } from '../shared/aws/clients';
import { DEFAULT_CORE_OPTIONS } from '../shared/core';
import { silentLogger } from '../shared/logger';
import { REGION, createSeedClients, destroySeedClients, setParameter } from '../test/support/aws-world';
import { describedJob } from '../test/support/labeling-jobs';
import { labelingJobEvent, seedJobWorld, type JobWorld } from '../test/support/labeling-job-world';
import { CallTimeline, instrumentClients } from './latency';
import { median, msSince, round, sortedCounts, totalCalls } from './stats';

const WARM_RUNS = 20;
const LATENCY_RUNS = 11;

/** What {@link benchHandler} reports. */
export interface HandlerFigures {
  apiCallsPerEvent: { cold: number; warm: number; remediating: number };
  apiCallsByCall: { cold: Record<string, number>; warm: Record<string, number> };
  handlerOutcome: string;
  handlerColdMs: number;
  handlerMsP50: number;
  handlerRuns: number;
  latencyMs: number;
  handlerMsAtLatency: { compliant: number; remediating: number; runs: number };
  criticalPathCalls: { compliant: number; remediating: number };
  criticalPath: { compliant: string[]; remediating: string[] };
}

/** One handler with its own clients, counter and timeline; SageMaker answers from `worlds`. */
function benchHandler(dryRunParameterName: string, topicArn: string, latencyMs: number, worlds: JobWorld[]) {
  const counter: CallCounter = new Map();
  const timeline = new CallTimeline(latencyMs);
  const clients = instrumentClients(createClients({ region: REGION, counter }), timeline);
  const byName = new Map(worlds.map((w) => [w.jobName, w]));
  mockClient(clients.sagemaker)
    .on(DescribeLabelingJobCommand)
    .callsFake((input: { LabelingJobName: string }) =>
      timeline.around('SageMaker.DescribeLabelingJob', () => {
        counter.set('SageMaker.DescribeLabelingJob', (counter.get('SageMaker.DescribeLabelingJob') ?? 0) + 1);
        const world = byName.get(input.LabelingJobName);
        return Promise.resolve(world ? describedJob(world) : {});
      }),
    );
  const handler = makeHandler({
    clients,
    config: {
      core: DEFAULT_CORE_OPTIONS,
      topicArn,
      dryRunParameterName,
      eventBusName: 'default',
      notifyCompliant: false,
    },
    logger: silentLogger(),
  });
  /** Handles the event of `world`: time, calls, critical path and outcome. */
  const invoke = async (world: JobWorld) => {
    counter.clear();
    timeline.clear();
    const start = process.hrtime.bigint();
    const result = await handler(labelingJobEvent(world));
    return {
      ms: msSince(start),
      calls: new Map(counter),
      path: timeline.criticalPath(),
      outcome: result.kind === 'report' ? result.report.outcome : `skipped: ${result.reason}`,
    };
  };
  return { invoke };
}

function expectOutcome(got: string, want: string, what: string): void {
  if (got !== want) throw new Error(`${what}: expected outcome ${want}, got ${got}`);
}

/** Seeds moto (already reset by the caller), then measures. */
export async function measureHandler(latencyMs: number): Promise<HandlerFigures> {
  const seed = createSeedClients();
  try {
    const snsClient = new SNSClient({ region: REGION });
    const { TopicArn } = await snsClient.send(new CreateTopicCommand({ Name: 'bench-topic' }));
    snsClient.destroy();
    if (!TopicArn) throw new Error('moto gave no topic ARN');
    await setParameter(seed.ssm, '/bench/dry-run', 'true');
    await setParameter(seed.ssm, '/bench/apply', 'false');

    // A typical job (proposed in dry-run), a compliant one, and one fresh job per remediating run.
    const typical = await seedJobWorld(seed, { id: 'bh-typical' });
    const compliant = await seedJobWorld(seed, {
      id: 'bh-compliant',
      coveredFunctionNames: true,
      postRoleReadsS3: true,
    });
    const fresh: JobWorld[] = [];
    for (let i = 0; i <= LATENCY_RUNS; i++) fresh.push(await seedJobWorld(seed, { id: `bh-fix-${i}` }));
    const worlds = [typical, compliant, ...fresh];

    // No added latency: calls per event (the first event of this process is cold) and warm time.
    const plain = benchHandler('/bench/dry-run', TopicArn, 0, worlds);
    const cold = await plain.invoke(typical);
    expectOutcome(cold.outcome, 'proposed', 'typical job');
    const warm = await plain.invoke(typical);
    const times: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) times.push((await plain.invoke(typical)).ms);

    // With latency: compliant (dry-run irrelevant) and remediating (dry-run off, write and read back).
    const delayed = benchHandler('/bench/dry-run', TopicArn, latencyMs, worlds);
    const applying = benchHandler('/bench/apply', TopicArn, latencyMs, worlds);
    await delayed.invoke(compliant);
    const compliantRuns = [];
    for (let i = 0; i < LATENCY_RUNS; i++) compliantRuns.push(await delayed.invoke(compliant));
    compliantRuns.forEach((r) => expectOutcome(r.outcome, 'compliant', 'compliant job'));
    await applying.invoke(fresh[0]);
    const fixRuns = [];
    for (const world of fresh.slice(1)) fixRuns.push(await applying.invoke(world));
    fixRuns.forEach((r) => expectOutcome(r.outcome, 'remediated', 'remediating job'));
    const longest = (runs: { path: string[] }[]): string[] =>
      runs.reduce<string[]>((top, r) => (r.path.length > top.length ? r.path : top), []);

    return {
      apiCallsPerEvent: {
        cold: totalCalls(cold.calls),
        warm: totalCalls(warm.calls),
        remediating: median(fixRuns.map((r) => totalCalls(r.calls))),
      },
      apiCallsByCall: { cold: sortedCounts(cold.calls), warm: sortedCounts(warm.calls) },
      handlerOutcome: cold.outcome,
      handlerColdMs: round(cold.ms),
      handlerMsP50: round(median(times)),
      handlerRuns: WARM_RUNS,
      latencyMs,
      handlerMsAtLatency: {
        compliant: round(median(compliantRuns.map((r) => r.ms))),
        remediating: round(median(fixRuns.map((r) => r.ms))),
        runs: LATENCY_RUNS,
      },
      criticalPathCalls: {
        compliant: longest(compliantRuns).length,
        remediating: longest(fixRuns).length,
      },
      criticalPath: { compliant: longest(compliantRuns), remediating: longest(fixRuns) },
    };
  } finally {
    destroySeedClients(seed);
  }
}
