/**
 * One factory per context that runs the flow: the Lambda (its own account, and member accounts through
 * their role) and the CLI (`check`/`fix --live`, `scan`; the benchmark uses both). Each builds the
 * flow's four interfaces (shared/flow-ports.ts) from what that context really has.
 */
import type { AwsClients } from './aws/clients';
import type { Config } from './config';
import { memoizingEvaluator, type CoreOptions, type Evaluator } from './core';
import { accountPorts, fixedDryRun, parameterDryRun, publishingSink, type AccountPorts } from './flow-ports';
import type { Logger } from './logger';
import type { ApplyQueue, RemediationDeps } from './remediate-job';

/** What the Lambda has at cold start (and what tests and the benchmark give its handler). */
export interface LambdaDeps {
  /** The home account's clients, in the home region. */
  clients: AwsClients;
  config: Config;
  logger: Logger;
  /**
   * Clients for a job's account and region (organisation mode: through the member role); without it
   * only the home account is served, in any region. Resolves undefined for an account not served.
   */
  clientsFor?: (accountId: string, region: string) => Promise<AwsClients | undefined>;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  verifyTimeoutMs?: number;
  applyQueue?: ApplyQueue;
  /** The evaluator (default: one memoizing evaluator for the container's life, built here). */
  evaluator?: Evaluator;
  /** The evaluation budget of one event (default DEFAULT_BUDGET_MS). */
  budgetMs?: number;
}

/** The timing and serialisation settings every context may pass through unchanged. */
function passThrough(
  deps: Pick<LambdaDeps, 'now' | 'sleep' | 'verifyTimeoutMs' | 'applyQueue' | 'budgetMs'>,
) {
  return {
    ...(deps.budgetMs !== undefined ? { budgetMs: deps.budgetMs } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.verifyTimeoutMs !== undefined ? { verifyTimeoutMs: deps.verifyTimeoutMs } : {}),
    ...(deps.applyQueue ? { applyQueue: deps.applyQueue } : {}),
  };
}

/**
 * The Lambda's flow: jobs read and fixed in their own account (home clients, or the member role's),
 * the SSM switch and the report topic and result bus of the home account and region. In organisation
 * mode the organisation is known context (trust policies often test aws:PrincipalOrgID).
 */
export function lambdaFlow(deps: LambdaDeps): RemediationDeps {
  const { clients, config, logger } = deps;
  const orgId = config.organizationId;
  const core: CoreOptions = orgId
    ? { ...config.core, knownContext: { 'aws:PrincipalOrgID': orgId, ...config.core.knownContext } }
    : config.core;
  const home = accountPorts(clients);
  const ports = new WeakMap<AwsClients, AccountPorts>();
  const portsOf = (c: AwsClients): AccountPorts => {
    if (c === clients) return home;
    let got = ports.get(c);
    if (!got) ports.set(c, (got = accountPorts(c)));
    return got;
  };
  const clientsFor = deps.clientsFor;
  return {
    core,
    logger,
    // Built once per container: warm invocations share answers, through this instance only.
    evaluator: deps.evaluator ?? memoizingEvaluator(),
    accountFor: clientsFor
      ? async (accountId, region) => {
          const c = await clientsFor(accountId, region);
          return c ? portsOf(c) : undefined;
        }
      : () => Promise.resolve(home),
    dryRun: parameterDryRun(clients, config.dryRunParameterName),
    reports: publishingSink(
      clients,
      {
        eventBusName: config.eventBusName,
        notifyCompliant: config.notifyCompliant,
        ...(config.topicArn ? { topicArn: config.topicArn } : {}),
        ...(config.dryRunParameterName ? { dryRunParameterName: config.dryRunParameterName } : {}),
      },
      (problem) => logger.error({ err: problem }, 'report delivery failed'),
    ),
    ...passThrough(deps),
  };
}

/** What the CLI decides: the core's settings and whether it may write. */
export interface CliFlowOptions {
  core: CoreOptions;
  /** `check` and `fix --dry-run`: true; `fix`: false. */
  dryRun: boolean;
  logger: Logger;
  now?: () => Date;
  /** The run's evaluator (default: a memoizing evaluator built here, for this run). */
  evaluator?: Evaluator;
}

/**
 * The CLI's flow: the operator's credentials for the account it names (or the member role's), a fixed
 * dry-run choice, and no report sink (the CLI prints the report; it never publishes).
 */
export function cliFlow(account: AccountPorts, options: CliFlowOptions): RemediationDeps {
  return {
    core: options.core,
    logger: options.logger,
    evaluator: options.evaluator ?? memoizingEvaluator(),
    accountFor: () => Promise.resolve(account),
    dryRun: fixedDryRun(options.dryRun),
    ...(options.now ? { now: options.now } : {}),
  };
}
