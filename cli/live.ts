/** The CLI's live mode: the Lambda's own flow, with the default credentials, no SSM switch and no notifications. */
import type { CoreOptions, LabelingJobRequest, Report } from '../shared/core';
import { createClients } from '../shared/aws/clients';
import { silentLogger } from '../shared/logger';
import { remediateRequest, RemediationError } from '../shared/remediate-job';

/** Runs one job against the live account; `dryRun` true never writes. Injectable for tests. */
export type LiveRunner = (
  request: LabelingJobRequest,
  core: CoreOptions,
  options: { dryRun: boolean },
) => Promise<Report>;

/** The default live runner: SDK clients in the job's region, the same remediation flow as the Lambda. */
export const runLive: LiveRunner = async (request, core, { dryRun }) => {
  const deps = {
    clients: createClients({ region: request.region }),
    config: { core, eventBusName: 'default', notifyCompliant: false },
    logger: silentLogger(),
    dryRunOverride: dryRun,
    deliver: false,
  };
  try {
    return await remediateRequest(request, deps);
  } catch (error) {
    if (error instanceof RemediationError) return error.report;
    throw error;
  }
};
