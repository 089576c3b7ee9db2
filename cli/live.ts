/** The CLI's live mode: the Lambda's own flow, with the operator's credentials, no SSM switch and no notifications. */
import {
  parseLabelingJobInput,
  type CoreOptions,
  type LabelingJobRequest,
  type Report,
} from '../shared/core';
import { createClients, type AwsClients } from '../shared/aws/clients';
import { describeLabelingJob } from '../shared/aws/sagemaker';
import { silentLogger } from '../shared/logger';
import { remediateRequest, RemediationError } from '../shared/remediate-job';
import { AwsFailureError } from './cli-errors';
import { InputError } from './input-files';

/** The job to check: a request read from an event file, or a job name to look up with DescribeLabelingJob. */
export type LiveSubject = { request: LabelingJobRequest } | { jobName: string };

/** Where and as whom: `--region` (default: the event's region, or the SDK's for `--job`) and `--profile`. */
export interface LiveTarget {
  region?: string;
  profile?: string;
}

/** Runs one job against the live account; `dryRun` true never writes. Rejects with AwsFailureError or InputError. */
export type LiveRunner = (
  subject: LiveSubject,
  core: CoreOptions,
  options: { dryRun: boolean } & LiveTarget,
) => Promise<Report>;

/** The default live runner: SDK clients in the chosen region, the same remediation flow as the Lambda. */
export const runLive: LiveRunner = async (subject, core, { dryRun, region, profile }) => {
  const eventRegion = 'request' in subject ? subject.request.region : undefined;
  const target = region ?? eventRegion;
  const clients = createClients({ ...(target ? { region: target } : {}), ...(profile ? { profile } : {}) });
  const deps = {
    clients,
    config: { core, eventBusName: 'default', notifyCompliant: false },
    logger: silentLogger(),
    dryRunOverride: dryRun,
    deliver: false,
  };
  try {
    const request = 'request' in subject ? subject.request : await requestForJob(clients, subject.jobName);
    return await remediateRequest(request, deps);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw AwsFailureError.from(error instanceof RemediationError ? (error.cause ?? error) : error);
  }
};

/** DescribeLabelingJob for `jobName`, as the request the core checks. */
async function requestForJob(clients: AwsClients, jobName: string): Promise<LabelingJobRequest> {
  const described = await describeLabelingJob(clients.sagemaker, jobName);
  if (!described) {
    const region = await clients.sagemaker.config.region();
    throw new InputError(`no labeling job named ${jobName} in ${region}`);
  }
  const parsed = parseLabelingJobInput(described);
  if (parsed.kind === 'request') return parsed.request;
  throw new InputError(
    `labeling job ${jobName}: ${parsed.kind === 'incomplete' ? `DescribeLabelingJob lacks ${parsed.missing.join(', ')}` : parsed.reason}`,
  );
}
