/**
 * A typical custom labeling job seeded in moto: an execution role and two functions, each running
 * as its own role, every role with two managed policies and one inline policy; plus a factory for
 * the CloudTrail CreateLabelingJob event that names it (shape of examples/events/create-labeling-job.json).
 */
import type { PolicyDocument, PolicyStatement } from '../../shared/core';
import {
  ACCOUNT,
  BASIC_EXECUTION_POLICY_ARN,
  createFunction,
  createManagedPolicy,
  createRole,
  GROUND_TRUTH_POLICY_ARN,
  policy,
  REGION,
  S3_READ_ONLY_POLICY_ARN,
  serviceTrustStatement,
  type SeedClients,
} from './aws-world';
import { registerLabelingJob } from './labeling-jobs';

/** A pre-existing trust statement that must survive every trust update verbatim (Sid, Condition and all). */
export const BREAK_GLASS_STATEMENT: PolicyStatement = {
  Sid: 'BreakGlassAdmin',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: 'sts:AssumeRole',
  Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
};

/** What was seeded, by name and ARN. */
export interface JobWorld {
  jobName: string;
  outputS3Uri: string;
  executionRole: { name: string; arn: string; trust: PolicyDocument };
  preRole: { name: string; arn: string };
  postRole: { name: string; arn: string };
  preFunctionArn: string;
  postFunctionArn: string;
}

/** Choices for one world; names are derived from `id` (≤ 20 characters keeps every name legal). */
export interface WorldOptions {
  id: string;
  /** Function names containing `SageMaker`, which the AWS managed policy already lets the role invoke. */
  coveredFunctionNames?: boolean;
  /** Attach AmazonS3ReadOnlyAccess to the post-annotation role, so it reads the output without help. */
  postRoleReadsS3?: boolean;
  /** A permissions boundary on the execution role (a managed policy ARN). */
  executionBoundaryArn?: string;
  /** Reuse this execution role instead of creating one (many jobs, one role). */
  executionRole?: JobWorld['executionRole'];
  /** Reuse this post-annotation role instead of creating one. */
  postRole?: JobWorld['postRole'];
  /** Make the job exist in SageMaker (default true); false seeds roles and functions of a job nobody created. */
  registerJob?: boolean;
}

/** Creates the roles, policies and functions of one job; every name starts with `options.id`. */
export async function seedJobWorld(clients: SeedClients, options: WorldOptions): Promise<JobWorld> {
  const { id } = options;
  const bucket = `${id.toLowerCase()}-labeling-data`;
  const executionRole =
    options.executionRole ?? (await seedExecutionRole(clients, id, bucket, options.executionBoundaryArn));
  const preRole = await seedFunctionRole(clients, `${id}-pre-role`, id, false);
  const postRole =
    options.postRole ??
    (await seedFunctionRole(clients, `${id}-post-role`, id, options.postRoleReadsS3 ?? false));
  const infix = options.coveredFunctionNames ? 'SageMaker-' : '';
  const [preFunctionArn, postFunctionArn] = await Promise.all([
    createFunction(clients.lambda, `${id}-${infix}pre-annotation`, preRole.arn),
    createFunction(clients.lambda, `${id}-${infix}consolidate`, postRole.arn),
  ]);
  const world: JobWorld = {
    jobName: `${id}-job`,
    outputS3Uri: `s3://${bucket}/output/`,
    executionRole,
    preRole,
    postRole,
    preFunctionArn,
    postFunctionArn,
  };
  // A seeded world is a real job: SageMaker (the registry behind the mocked client) describes it.
  if (options.registerJob !== false) registerLabelingJob(world);
  return world;
}

/** The execution role: SageMaker trust plus a break-glass statement, GT + customer managed policies, one inline policy. */
export async function seedExecutionRole(
  clients: SeedClients,
  id: string,
  bucket = `${id.toLowerCase()}-labeling-data`,
  boundaryArn?: string,
): Promise<JobWorld['executionRole']> {
  const name = `${id}-execution`;
  const trust = policy(serviceTrustStatement('sagemaker.amazonaws.com'), BREAK_GLASS_STATEMENT);
  const dataPolicy = await createManagedPolicy(
    clients.iam,
    `${id}-data-access`,
    policy({
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: `arn:aws:s3:::${bucket}/*`,
    }),
  );
  const arn = await createRole(clients.iam, {
    name,
    path: '/service-role/',
    trust,
    managed: [GROUND_TRUTH_POLICY_ARN, dataPolicy],
    inline: {
      ListLabelingBucket: policy({
        Sid: 'List',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: `arn:aws:s3:::${bucket}`,
      }),
    },
    ...(boundaryArn ? { boundaryArn } : {}),
  });
  return { name, arn, trust };
}

async function seedFunctionRole(
  clients: SeedClients,
  name: string,
  id: string,
  readsS3: boolean,
): Promise<JobWorld['postRole']> {
  const tracing = await createManagedPolicy(
    clients.iam,
    `${name}-tracing`,
    policy({ Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' }),
  );
  const arn = await createRole(clients.iam, {
    name,
    trust: policy(serviceTrustStatement('lambda.amazonaws.com')),
    managed: [BASIC_EXECUTION_POLICY_ARN, readsS3 ? S3_READ_ONLY_POLICY_ARN : tracing],
    inline: {
      ReadFunctionSettings: policy({
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        Resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${id}/*`,
      }),
    },
  });
  return { name, arn };
}

/** The CloudTrail CreateLabelingJob event as EventBridge delivers it. */
export interface CreateLabelingJobEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    eventSource: string;
    eventName: string;
    awsRegion: string;
    recipientAccountId: string;
    errorCode?: string;
    requestParameters: {
      labelingJobName: string;
      roleArn?: string;
      outputConfig?: { s3OutputPath: string };
      humanTaskConfig?: {
        preHumanTaskLambdaArn?: string;
        annotationConsolidationConfig?: { annotationConsolidationLambdaArn: string };
      };
    } | null;
    responseElements: { labelingJobArn: string } | null;
    [key: string]: unknown;
  };
}

let eventCount = 0;

/** The event for a job of `world`; `overrides` replaces top-level fields (pass a whole `detail` to change it). */
export function labelingJobEvent(
  world: JobWorld,
  overrides: Partial<CreateLabelingJobEvent> = {},
): CreateLabelingJobEvent {
  eventCount += 1;
  return {
    version: '0',
    id: `00000000-0000-4000-8000-${String(eventCount).padStart(12, '0')}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.sagemaker',
    account: ACCOUNT,
    time: '2026-11-29T10:15:00Z',
    region: REGION,
    resources: [],
    detail: {
      eventVersion: '1.08',
      eventTime: '2026-11-29T10:15:00Z',
      eventSource: 'sagemaker.amazonaws.com',
      eventName: 'CreateLabelingJob',
      awsRegion: REGION,
      recipientAccountId: ACCOUNT,
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/MLPlatformEngineer/alice`,
        accountId: ACCOUNT,
      },
      requestParameters: {
        labelingJobName: world.jobName,
        roleArn: world.executionRole.arn,
        outputConfig: { s3OutputPath: world.outputS3Uri },
        humanTaskConfig: {
          preHumanTaskLambdaArn: world.preFunctionArn,
          annotationConsolidationConfig: { annotationConsolidationLambdaArn: world.postFunctionArn },
        },
      },
      responseElements: {
        labelingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/${world.jobName.toLowerCase()}`,
      },
      eventType: 'AwsApiCall',
      managementEvent: true,
    },
    ...overrides,
  };
}

/** The exact invoke policy the remediator writes for these function ARNs. */
export function expectedInvokePolicy(functionArns: string[]): PolicyDocument {
  return policy({
    Sid: 'GroundTruthLabelingLambdaInvoke',
    Effect: 'Allow',
    Action: 'lambda:InvokeFunction',
    Resource: [...functionArns].sort(),
  });
}

/** The exact assume policy the remediator writes on the post-annotation function's role. */
export function expectedAssumePolicy(executionRoleArn: string): PolicyDocument {
  return policy({
    Sid: 'GroundTruthAssumeExecutionRole',
    Effect: 'Allow',
    Action: 'sts:AssumeRole',
    Resource: [executionRoleArn],
  });
}

/** The trust statement the remediator adds for the post-annotation function's role(s). */
export function expectedTrustStatement(principalRoleArns: string[]): PolicyStatement {
  return {
    Sid: 'GroundTruthPostAnnotationLambdaAssume',
    Effect: 'Allow',
    Principal: { AWS: [...principalRoleArns].sort() },
    Action: 'sts:AssumeRole',
  };
}
