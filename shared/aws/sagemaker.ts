/** SageMaker adapter: DescribeLabelingJob, for events that lack what the core needs. */
import type { LabelingJobStatus, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { orUndefined } from './errors';

let loadedSdk: typeof import('@aws-sdk/client-sagemaker') | undefined;

/**
 * The SageMaker SDK is the largest client and most events never need it (CloudTrail carries the
 * request): load it on first use, not at cold start.
 */
export function sageMakerSdk(): typeof import('@aws-sdk/client-sagemaker') {
  // Once: `require` resolves the path at every call, and a scan calls this once per job.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loadedSdk ??= require('@aws-sdk/client-sagemaker') as typeof import('@aws-sdk/client-sagemaker');
  return loadedSdk;
}

/** The DescribeLabelingJob response as plain JSON (PascalCase), or undefined when the job does not exist. */
export async function describeLabelingJob(
  client: SageMakerClient,
  jobName: string,
): Promise<Record<string, unknown> | undefined> {
  const got = await orUndefined(() =>
    client.send(new (sageMakerSdk().DescribeLabelingJobCommand)({ LabelingJobName: jobName })),
  );
  if (!got) return undefined;
  const job: Record<string, unknown> = { ...got };
  delete job.$metadata;
  return job;
}

/** Names of labeling jobs created after `createdAfter` (all when undefined), with one of `statuses` (all when empty). */
export async function listLabelingJobNames(
  client: SageMakerClient,
  createdAfter: Date | undefined,
  statuses: readonly string[],
): Promise<string[]> {
  const names: string[] = [];
  const single = statuses.length === 1 ? (statuses[0] as LabelingJobStatus) : undefined;
  const input = {
    MaxResults: 100,
    ...(createdAfter ? { CreationTimeAfter: createdAfter } : {}),
    ...(single ? { StatusEquals: single } : {}),
  };
  for await (const page of sageMakerSdk().paginateListLabelingJobs({ client }, input)) {
    for (const job of page.LabelingJobSummaryList ?? []) {
      if (!job.LabelingJobName) continue;
      if (statuses.length > 1 && !statuses.includes(job.LabelingJobStatus ?? '')) continue;
      names.push(job.LabelingJobName);
    }
  }
  return names;
}
