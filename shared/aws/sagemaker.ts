/** SageMaker adapter: DescribeLabelingJob, for events that lack what the core needs. */
import { DescribeLabelingJobCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { orUndefined } from './errors';

/** The DescribeLabelingJob response as plain JSON (PascalCase), or undefined when the job does not exist. */
export async function describeLabelingJob(client: SageMakerClient, jobName: string): Promise<Record<string, unknown> | undefined> {
  const got = await orUndefined(() => client.send(new DescribeLabelingJobCommand({ LabelingJobName: jobName })));
  if (!got) return undefined;
  const { $metadata: _metadata, ...job } = got;
  return job as Record<string, unknown>;
}
