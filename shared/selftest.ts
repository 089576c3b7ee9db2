/**
 * The function's half of `gt-remediate selftest`: a test event from the stack's self-test rule is
 * answered with reads only (the dry-run switch, the function's own role, the bundled evaluator) and a
 * result event carrying the test's nonce. It never writes IAM and never sends email.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { parseRoleArn } from './core';
import type { AwsClients } from './aws/clients';
import { describeError } from './aws/errors';
import { RESULT_EVENT } from './aws/events';
import { readDryRun } from './aws/ssm';
import type { Config } from './config';

/** The test event (put by the CLI) and the result event (put by the function). */
export const SELFTEST_EVENT = {
  source: 'gt-permissions-remediator.selftest',
  detailType: 'Remediator Self Test',
  resultSource: RESULT_EVENT.source,
  resultDetailType: 'Remediator Self Test Result',
} as const;

/** A self-test request as EventBridge delivers it. */
export interface SelftestEvent {
  source: typeof SELFTEST_EVENT.source;
  'detail-type': typeof SELFTEST_EVENT.detailType;
  detail: { nonce: string; stack?: string };
}

/** One thing the function tried to read. */
export interface SelftestCheck {
  name: 'dry-run-parameter' | 'own-role' | 'evaluator';
  ok: boolean;
  detail: string;
}

/** The result event's detail. */
export interface SelftestResult {
  nonce: string;
  functionName: string | null;
  roleArn: string | null;
  dryRun: boolean | null;
  checks: SelftestCheck[];
}

/** What the probe did: the result event it put, and whether every check passed. */
export interface SelftestReply {
  functionName: string;
  ok: boolean;
  result: SelftestResult;
}

/** Reads the probe needs, injected (moto-backed in tests). */
export interface SelftestDeps {
  clients: Pick<AwsClients, 'iam' | 'ssm' | 'events'>;
  config: Pick<Config, 'dryRunParameterName' | 'eventBusName' | 'core'>;
  /** The function's name (default: Lambda's AWS_LAMBDA_FUNCTION_NAME). */
  functionName?: string;
  /** Proves the bundled evaluator loads. */
  evaluatorWorks?: () => Promise<boolean>;
}

/** True for the self-test rule's events (with a nonce); everything else goes to the remediation flow. */
export function isSelftestEvent(event: unknown): event is SelftestEvent {
  const e = event as Partial<SelftestEvent> | null;
  return (
    e?.source === SELFTEST_EVENT.source &&
    e['detail-type'] === SELFTEST_EVENT.detailType &&
    typeof e.detail?.nonce === 'string' &&
    /^[\w-]{8,64}$/.test(e.detail.nonce)
  );
}

/** Runs the reads and puts the result event; throws only when the result cannot be put. */
export async function answerSelftest(event: SelftestEvent, deps: SelftestDeps): Promise<SelftestReply> {
  const checks: SelftestCheck[] = [];
  let dryRun: boolean | null = null;
  const parameter = deps.config.dryRunParameterName;
  if (parameter) {
    const setting = await readDryRun(deps.clients.ssm, parameter);
    dryRun = setting.dryRun;
    checks.push({
      name: 'dry-run-parameter',
      ok: setting.reason === undefined,
      detail: setting.reason ?? `${parameter}: dry-run is ${setting.dryRun ? 'on' : 'off'}`,
    });
  } else {
    checks.push({ name: 'dry-run-parameter', ok: false, detail: 'no dry-run parameter is configured' });
  }
  const roleArn = deps.config.core.selfRoleArn ?? null;
  checks.push(await readOwnRole(deps, roleArn));
  if (deps.evaluatorWorks) {
    const works = await deps.evaluatorWorks().catch(() => false);
    checks.push({
      name: 'evaluator',
      ok: works,
      detail: works ? 'the bundled IAM evaluator loads and evaluates' : 'the bundled IAM evaluator failed',
    });
  }
  const result: SelftestResult = {
    nonce: event.detail.nonce,
    functionName: deps.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? null,
    roleArn,
    dryRun,
    checks,
  };
  const put = await deps.clients.events.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: SELFTEST_EVENT.resultSource,
          DetailType: SELFTEST_EVENT.resultDetailType,
          Detail: JSON.stringify(result),
          EventBusName: deps.config.eventBusName,
        },
      ],
    }),
  );
  if ((put.FailedEntryCount ?? 0) > 0)
    throw new Error(`PutEvents rejected the self-test result: ${put.Entries?.[0]?.ErrorCode ?? 'unknown'}`);
  return { functionName: result.functionName ?? '(unknown)', ok: checks.every((c) => c.ok), result };
}

async function readOwnRole(deps: SelftestDeps, roleArn: string | null): Promise<SelftestCheck> {
  const role = roleArn ? parseRoleArn(roleArn) : undefined;
  if (!role) return { name: 'own-role', ok: false, detail: 'REMEDIATOR_ROLE_ARN is not set' };
  try {
    await deps.clients.iam.send(new GetRoleCommand({ RoleName: role.roleName }));
    return { name: 'own-role', ok: true, detail: `iam:GetRole ${role.roleName} succeeded` };
  } catch (error) {
    return {
      name: 'own-role',
      ok: false,
      detail: `iam:GetRole ${role.roleName} failed: ${describeError(error)}`,
    };
  }
}
