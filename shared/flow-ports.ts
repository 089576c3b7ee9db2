/**
 * What the live flow talks to, as four explicit interfaces — an account reader, an IAM writer, a
 * dry-run source and a report sink — and the adapters that build them from SDK clients. Each context
 * (the Lambda in its own account, the Lambda in a member account, the CLI, the benchmark) makes its
 * flow dependencies with one factory (shared/flow-context.ts), so no context carries settings it
 * does not use.
 */
import type { AccountInventory, FunctionInfo, LabelingJobRequest, Report } from './core';
import { buildNotification } from './core';
import type { IamDocuments } from './apply-changes';
import type { AwsClients } from './aws/clients';
import { describeError } from './aws/errors';
import { putResultEvent } from './aws/events';
import { IamReader, readCurrentDocument, writeChange } from './aws/iam';
import { inspectJob } from './aws/inspect';
import { describeLabelingJob, listLabelingJobNames } from './aws/sagemaker';
import { publishNotification } from './aws/sns';
import { readDryRun, type DryRunSetting } from './aws/ssm';

/** Reads one account in one region: the labeling jobs and what checking one needs. */
export interface AccountReader {
  /** DescribeLabelingJob, without `$metadata`; undefined when there is no such job. */
  describeLabelingJob(jobName: string): Promise<Record<string, unknown> | undefined>;
  /** Names of jobs created after `createdAfter` (all when undefined) with one of `statuses` (all when empty). */
  listLabelingJobNames(createdAfter: Date | undefined, statuses: readonly string[]): Promise<string[]>;
  /**
   * The job's roles, their policies and its functions. `reads` memoises across calls that share it
   * (a scan); without it every call reads afresh (the roles are what the flow changes and verifies).
   */
  inspect(request: LabelingJobRequest, reads?: SharedReads): Promise<AccountInventory>;
}

/** Memoised reads shared by many jobs of one account and region (a scan). */
export interface SharedReads {
  readonly iam: IamReader;
  readonly functions: Map<string, Promise<FunctionInfo | undefined>>;
}

/** Writes one account's IAM documents, each after reading what IAM holds now. */
export type IamWriter = IamDocuments;

/** Whether the flow may write: the SSM switch, or a fixed choice (the CLI's `--dry-run`/`fix`). */
export interface DryRunSource {
  read(): Promise<DryRunSetting>;
}

/** Where a finished report goes (SNS and the result bus for the Lambda); contexts without one deliver nothing. */
export interface ReportSink {
  deliver(report: Report): Promise<void>;
}

/** The reader and writer of the account and region a job runs in. */
export interface AccountPorts {
  readonly reader: AccountReader;
  readonly writer: IamWriter;
  /** Memoised reads for a scan of this account and region. */
  sharedReads(): SharedReads;
}

/** The reader and writer over one account's SDK clients (IAM, Lambda, SageMaker of that account and region). */
export function accountPorts(
  clients: Pick<AwsClients, 'iam' | 'lambda' | 'sagemaker' | 's3'> & Partial<Pick<AwsClients, 'kms'>>,
): AccountPorts {
  return {
    reader: {
      describeLabelingJob: (jobName) => describeLabelingJob(clients.sagemaker, jobName),
      listLabelingJobNames: (createdAfter, statuses) =>
        listLabelingJobNames(clients.sagemaker, createdAfter, statuses),
      inspect: (request, reads) =>
        inspectJob(request, {
          iam: reads?.iam ?? new IamReader(clients.iam),
          lambda: clients.lambda,
          s3: clients.s3,
          ...(clients.kms ? { kms: clients.kms } : {}),
          ...(reads ? { functionMemo: reads.functions } : {}),
        }),
    },
    writer: {
      read: (change) => readCurrentDocument(clients.iam, change),
      write: (change) => writeChange(clients.iam, change),
    },
    sharedReads: () => ({ iam: new IamReader(clients.iam), functions: new Map() }),
  };
}

/** The SSM switch, read on every call; no parameter configured means dry-run, with a note saying so. */
export function parameterDryRun(
  clients: Pick<AwsClients, 'ssm'>,
  parameterName: string | undefined,
): DryRunSource {
  return {
    read: () =>
      parameterName
        ? readDryRun(clients.ssm, parameterName)
        : Promise.resolve({ dryRun: true, reason: 'no dry-run parameter is configured: dry-run is on' }),
  };
}

/** A fixed choice (the CLI: `check` and `fix --dry-run` never write, `fix` does). */
export function fixedDryRun(dryRun: boolean): DryRunSource {
  return { read: () => Promise.resolve({ dryRun }) };
}

/** Where the Lambda delivers: the result event always, the SNS notification unless compliant and not asked for. */
export interface PublishingSettings {
  eventBusName: string;
  topicArn?: string;
  notifyCompliant: boolean;
  /** Named in the notification, so the reader knows which switch to turn. */
  dryRunParameterName?: string;
}

/**
 * Publishes to the home account's topic and result bus. A failed publish rejects, except for an `error`
 * report (the Lambda's retry re-sends it); both are attempted either way.
 */
export function publishingSink(
  clients: Pick<AwsClients, 'sns' | 'events'>,
  settings: PublishingSettings,
  onFailure: (problem: string) => void,
): ReportSink {
  return {
    deliver: async (report) => {
      const tasks: Promise<void>[] = [putResultEvent(clients.events, settings.eventBusName, report)];
      if (settings.topicArn && (report.outcome !== 'compliant' || settings.notifyCompliant)) {
        tasks.push(
          publishNotification(
            clients.sns,
            settings.topicArn,
            buildNotification(report, settings.dryRunParameterName),
          ),
        );
      }
      const results = await Promise.allSettled(tasks);
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failures.length === 0) return;
      // The IAM state is already final here; a lost notification is logged, and for `error` the retry re-sends it.
      for (const f of failures) onFailure(describeError(f.reason));
      if (report.outcome === 'error') return;
      throw new Error(`report delivery failed: ${failures.map((f) => describeError(f.reason)).join('; ')}`);
    },
  };
}
