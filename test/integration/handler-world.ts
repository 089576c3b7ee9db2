/**
 * The setup every handler test file shares: a run prefix, the dry-run parameter's name, seed clients
 * and the SNS / EventBridge sinks on moto (made in beforeAll, closed in afterAll), a counter for job
 * worlds named after the prefix, and handlers wired to this file's topic and parameter.
 */
import { makeHandler } from '../../functions/remediate/handler';
import { createClients, type AwsClients } from '../../shared/aws/clients';
import {
  createSeedClients,
  destroySeedClients,
  REGION,
  runPrefix,
  setParameter,
  type SeedClients,
} from '../support/aws-world';
import { createSinks, type Sinks } from './delivery-sinks';
import { testDeps, type TestDepsOptions } from './handler-deps';
import { seedJobWorld, type JobWorld, type WorldOptions } from '../support/labeling-job-world';

export type Handler = ReturnType<typeof makeHandler>;

export interface HandlerWorldOptions {
  /** Set the dry-run parameter to this value once, in beforeAll; otherwise the file sets it. */
  dryRun?: string;
  /** Set the dry-run parameter to this value before every test (ahead of draining the sinks). */
  dryRunBeforeEach?: string;
  /** Drain both sinks before every test (default true). */
  drainSinks?: boolean;
}

export interface HandlerWorld {
  /** This file's run prefix: every seeded name, queue, topic and rule starts with it. */
  prefix: string;
  /** The dry-run parameter's name, `/<prefix>/dry-run`. */
  parameter: string;
  /** The seed clients; usable from beforeAll (after this helper's) until afterAll. */
  seed: SeedClients;
  /** The topic and queues; usable from beforeAll (after this helper's) until afterAll. */
  sinks: Sinks;
  /** Seeds the next job world, `<prefix>-<n>`. */
  newWorld: (options?: Omit<WorldOptions, 'id'>) => Promise<JobWorld>;
  /** A handler publishing to this file's topic and reading this file's dry-run parameter. */
  handlerWith: (options?: TestDepsOptions) => Handler;
  /** Fresh clients (for a test to mock one of them) and a handler that uses them. */
  setup: () => { clients: AwsClients; handler: Handler };
}

/** Registers the file's beforeAll / beforeEach / afterAll hooks; call it once, at the top level. */
export function useHandlerWorld(tag: string, options: HandlerWorldOptions = {}): HandlerWorld {
  const prefix = runPrefix(tag);
  const parameter = `/${prefix}/dry-run`;
  let seedClients: SeedClients | undefined;
  let fileSinks: Sinks | undefined;
  let worlds = 0;

  const currentSeed = (): SeedClients => seedClients ?? notYet('seed clients');
  const currentSinks = (): Sinks => fileSinks ?? notYet('sinks');
  // Stable objects the test file can hold from the start; each use reaches the current clients.
  const seed: SeedClients = {
    get iam() {
      return currentSeed().iam;
    },
    get lambda() {
      return currentSeed().lambda;
    },
    get ssm() {
      return currentSeed().ssm;
    },
  };
  const sinks: Sinks = {
    get topicArn() {
      return currentSinks().topicArn;
    },
    readNotifications: () => currentSinks().readNotifications(),
    readResultEvents: () => currentSinks().readResultEvents(),
    close: () => currentSinks().close(),
  };

  beforeAll(async () => {
    seedClients = createSeedClients();
    fileSinks = await createSinks(prefix, prefix);
    if (options.dryRun !== undefined) await setParameter(seedClients.ssm, parameter, options.dryRun);
  });
  // Each test reads only what it caused: drop whatever an earlier (possibly failed) test left behind.
  if (options.dryRunBeforeEach !== undefined || options.drainSinks !== false) {
    beforeEach(async () => {
      if (options.dryRunBeforeEach !== undefined)
        await setParameter(currentSeed().ssm, parameter, options.dryRunBeforeEach);
      if (options.drainSinks !== false) {
        await sinks.readNotifications();
        await sinks.readResultEvents();
      }
    });
  }
  afterAll(async () => {
    await fileSinks?.close();
    if (seedClients) destroySeedClients(seedClients);
  });

  function newWorld(worldOptions: Omit<WorldOptions, 'id'> = {}): Promise<JobWorld> {
    worlds += 1;
    return seedJobWorld(seed, { id: `${prefix}-${worlds}`, ...worldOptions });
  }

  function handlerWith(depsOptions: TestDepsOptions = {}): Handler {
    return makeHandler(
      testDeps({ topicArn: sinks.topicArn, dryRunParameterName: parameter, ...depsOptions }),
    );
  }

  function setup(): { clients: AwsClients; handler: Handler } {
    const clients = createClients({ region: REGION });
    return { clients, handler: handlerWith({ clients }) };
  }

  return { prefix, parameter, seed, sinks, newWorld, handlerWith, setup };
}

function notYet(what: string): never {
  throw new Error(`the ${what} exist only between useHandlerWorld's beforeAll and afterAll`);
}
