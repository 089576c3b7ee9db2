/**
 * SDK middleware that adds a fixed delay to every AWS call (a stand-in for a real network round trip)
 * and records when each call started and ended, to find the longest chain of calls that wait on each
 * other: a call that starts after another ended depends on it.
 */
import type { AwsClients } from '../shared/aws/clients';

/** One AWS call: `Service.Command` and its start and end, in ms on the process clock. */
export interface CallSpan {
  call: string;
  start: number;
  end: number;
}

/** Records spans; `clear()` between events. */
export class CallTimeline {
  readonly spans: CallSpan[] = [];

  constructor(readonly latencyMs: number) {}

  /** Waits the configured latency around `send`, recording the call's span. */
  async around<T>(call: string, send: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      if (this.latencyMs > 0) await new Promise((done) => setTimeout(done, this.latencyMs));
      return await send();
    } finally {
      this.spans.push({ call, start, end: performance.now() });
    }
  }

  /** Forgets the recorded spans. */
  clear(): void {
    this.spans.length = 0;
  }

  /** The longest chain of calls each starting after the previous one ended, as `Service.Command` names. */
  criticalPath(): string[] {
    const spans = [...this.spans].sort((a, b) => a.start - b.start);
    const best: { length: number; previous: number }[] = [];
    spans.forEach((span, i) => {
      let entry = { length: 1, previous: -1 };
      for (let j = 0; j < i; j++) {
        if (spans[j].end <= span.start && best[j].length + 1 > entry.length) {
          entry = { length: best[j].length + 1, previous: j };
        }
      }
      best.push(entry);
    });
    let at = best.reduce((top, e, i) => (e.length > (best[top]?.length ?? 0) ? i : top), -1);
    const chain: string[] = [];
    while (at >= 0) {
      chain.unshift(spans[at].call);
      at = best[at].previous;
    }
    return chain;
  }
}

interface Stack {
  middlewareStack: { add: (mw: never, opts: { step: 'initialize'; name: string; priority: 'high' }) => void };
}

const SERVICES = ['iam', 'lambda', 'ssm', 'sns', 'events'] as const;
const NAMES: Record<(typeof SERVICES)[number], string> = {
  iam: 'IAM',
  lambda: 'Lambda',
  ssm: 'SSM',
  sns: 'SNS',
  events: 'EventBridge',
};

/** Adds the delaying, recording middleware to each client (SageMaker is mocked; its fake calls `around`). */
export function instrumentClients(clients: AwsClients, timeline: CallTimeline): AwsClients {
  for (const service of SERVICES) {
    const client = clients[service] as unknown as Stack;
    const middleware =
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      (args: unknown): Promise<unknown> =>
        timeline.around(`${NAMES[service]}.${(context.commandName ?? '?').replace(/Command$/, '')}`, () =>
          next(args),
        );
    client.middlewareStack.add(middleware as never, {
      step: 'initialize',
      name: 'gtBenchLatency',
      priority: 'high',
    });
  }
  return clients;
}
