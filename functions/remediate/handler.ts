/** Lambda entry point: wires clients and config, calls the core flow; also `selfTest`, the bundled evaluator's probe. */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { createClients } from '../../shared/aws/clients';
import { memberAccessFromConfig } from '../../shared/aws/member-account';
import { configFromEnv } from '../../shared/config';
import { lambdaFlow, type LambdaDeps } from '../../shared/flow-context';
import { createLogger, type Logger } from '../../shared/logger';
import { remediateEvent, RemediationError, type RemediationResult } from '../../shared/remediate-job';
import { answerSelftest, isSelftestEvent } from '../../shared/selftest';

/** The event as EventBridge delivers it; only `id` is read here, the core validates the rest. */
export interface IncomingEvent {
  id?: string;
  detail?: { requestParameters?: { labelingJobName?: string } | null };
}

/** Builds a handler around injected dependencies (tests pass moto-backed or mocked clients). */
export function makeHandler(deps: LambdaDeps) {
  const flow = lambdaFlow(deps);
  return async (event: IncomingEvent): Promise<RemediationResult> => {
    // `gt-remediate selftest`: reads only and a result event; no IAM write, no email.
    if (isSelftestEvent(event)) {
      const { functionName, ok } = await answerSelftest(event, { ...deps, evaluatorWorks: selfTest });
      return { kind: 'skipped', reason: `self-test answered by ${functionName}: ${ok ? 'pass' : 'fail'}` };
    }
    const logger: Logger = deps.logger.child({
      eventId: event?.id,
      jobName: event?.detail?.requestParameters?.labelingJobName,
    });
    try {
      const result = await remediateEvent(event, { ...flow, logger });
      if (result.kind === 'skipped') logger.info({ reason: result.reason }, 'event skipped');
      return result;
    } catch (error) {
      // Outcome `error`: the report was delivered; rethrow so Lambda's async retry and the DLQ take over.
      logger.error(
        { err: error instanceof RemediationError ? error.message : String(error) },
        'remediation failed',
      );
      throw error;
    }
  };
}

/** Production dependencies, validated at cold start (a missing variable fails with its name). */
export function defaultDeps(env: Record<string, string | undefined> = process.env): LambdaDeps {
  const clients = createClients();
  const config = configFromEnv(env);
  // Jobs of other accounts (member roles) and regions; reports stay home (shared/aws/member-account.ts).
  const access = memberAccessFromConfig(clients, config, env.AWS_REGION);
  return { clients, config, logger: createLogger(), ...(access ? { clientsFor: access.clientsFor } : {}) };
}

let coldStartHandler: ((event: IncomingEvent) => Promise<RemediationResult>) | undefined;

/** The Lambda handler. Config errors surface on the first invocation with the variable's name. */
export const handler = async (event: IncomingEvent): Promise<RemediationResult> => {
  coldStartHandler ??= makeHandler(defaultDeps());
  return coldStartHandler(event);
};

/** Proves the bundled evaluator and its data files load: evaluates one tiny allow policy. */
export async function selfTest(): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal: 'arn:aws:iam::111122223333:role/self-test',
        action: 'lambda:InvokeFunction',
        resource: {
          resource: 'arn:aws:lambda:us-east-1:111122223333:function:self-test',
          accountId: '111122223333',
        },
        contextVariables: {},
      },
      identityPolicies: [
        {
          name: 'self-test',
          policy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'lambda:InvokeFunction',
                Resource: 'arn:aws:lambda:*:*:function:self-test',
              },
            ],
          },
        },
      ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  return result.resultType !== 'error' && result.overallResult === 'Allowed';
}
