/**
 * SageMaker's side of the integration tests. moto has no labeling-job API, so DescribeLabelingJob is
 * answered by aws-sdk-client-mock from a registry of the jobs a test "created": every seeded world is
 * a real job (InProgress, created just now) unless a test says otherwise, and a job nobody registered
 * does not exist — which is what a forged event names.
 */
import {
  DescribeLabelingJobCommand,
  ResourceNotFound,
  type DescribeLabelingJobCommandOutput,
  type SageMakerClient,
  type SageMakerClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-sagemaker';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { ACCOUNT, REGION } from './aws-world';
import type { JobWorld } from './labeling-job-world';

type Described = Omit<DescribeLabelingJobCommandOutput, '$metadata'>;

/** The mock installed on one SageMaker client. */
export type SageMakerStub = AwsStub<ServiceInputTypes, ServiceOutputTypes, SageMakerClientResolvedConfig>;

const registry = new Map<string, Described>();
const stubs = new WeakMap<SageMakerClient, SageMakerStub>();

/** SageMaker's DescribeLabelingJob answer for a job of `world`; `overrides` replaces top-level fields. */
export function describedJob(world: JobWorld, overrides: Partial<Described> = {}): Described {
  return {
    LabelingJobName: world.jobName,
    LabelingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/${world.jobName.toLowerCase()}`,
    LabelingJobStatus: 'InProgress',
    CreationTime: new Date(),
    LastModifiedTime: new Date(),
    RoleArn: world.executionRole.arn,
    OutputConfig: { S3OutputPath: world.outputS3Uri },
    HumanTaskConfig: {
      PreHumanTaskLambdaArn: world.preFunctionArn,
      AnnotationConsolidationConfig: { AnnotationConsolidationLambdaArn: world.postFunctionArn },
    } as never,
    ...overrides,
  } as Described;
}

/** Makes the world's job exist in SageMaker (as `describedJob` describes it, with `overrides`). */
export function registerLabelingJob(world: JobWorld, overrides: Partial<Described> = {}): void {
  registry.set(world.jobName, describedJob(world, overrides));
}

/** Removes a job: DescribeLabelingJob then answers ResourceNotFound. */
export function forgetLabelingJob(jobName: string): void {
  registry.delete(jobName);
}

/** Answers DescribeLabelingJob on this client from the registry (idempotent per client). */
export function stubLabelingJobs(client: SageMakerClient): SageMakerStub {
  const existing = stubs.get(client);
  if (existing) return existing;
  const stub = mockClient(client);
  answerFromRegistry(stub);
  stubs.set(client, stub);
  return stub;
}

/** (Re-)installs the registry answer, e.g. after a test's `stub.reset()`. */
export function answerFromRegistry(stub: SageMakerStub): void {
  stub.on(DescribeLabelingJobCommand).callsFake((input: { LabelingJobName?: string }) => {
    const job = registry.get(input.LabelingJobName ?? '');
    if (!job) {
      return Promise.reject(new ResourceNotFound({ message: `Requested resource not found`, $metadata: {} }));
    }
    return Promise.resolve(job);
  });
}
