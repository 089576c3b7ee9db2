/** Turns a CloudTrail CreateLabelingJob event (via EventBridge) or a DescribeLabelingJob response into a LabelingJobRequest. */
import * as z from './schema';
import { parseLambdaArn, parseRoleArn, parseS3Uri } from './arn';
import type { LabelingJobRequest } from './types';

/**
 * Where a request came from. A CloudTrail event only names a job (its other fields are claims to be
 * checked against SageMaker); a DescribeLabelingJob response is SageMaker's own answer.
 */
export type JobOrigin =
  | { source: 'cloudtrail'; eventTime?: string; createdBy?: string; labelingJobArn?: string }
  | { source: 'describe'; labelingJobArn: string; status?: string; creationTime?: string }
  | { source: 'create-request' };

/** The outcome of parsing: a request, a job we must look up (fields missing), or input we reject. */
export type ParseResult =
  | { kind: 'request'; request: LabelingJobRequest; origin: JobOrigin }
  | {
      kind: 'incomplete';
      jobName: string;
      accountId: string;
      region: string;
      missing: string[];
      origin: JobOrigin;
    }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; reason: string };

const cloudTrailEvent = z.object({
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  source: z.string(),
  account: z.optional(z.string()),
  region: z.optional(z.string()),
  detail: z.object({
    eventSource: z.string(),
    eventName: z.string(),
    awsRegion: z.optional(z.string()),
    recipientAccountId: z.optional(z.string()),
    errorCode: z.optional(z.string()),
    errorMessage: z.optional(z.string()),
    eventTime: z.optional(z.string()),
    userIdentity: z.nullish(z.object({ arn: z.optional(z.string()) })),
    requestParameters: z.nullish(
      z.object({
        labelingJobName: z.optional(z.string()),
        roleArn: z.optional(z.string()),
        humanTaskConfig: z.optional(
          z.object({
            preHumanTaskLambdaArn: z.optional(z.string()),
            annotationConsolidationConfig: z.optional(
              z.object({ annotationConsolidationLambdaArn: z.optional(z.string()) }),
            ),
          }),
        ),
        outputConfig: z.optional(
          z.object({ s3OutputPath: z.optional(z.string()), kmsKeyId: z.optional(z.string()) }),
        ),
        inputConfig: z.optional(
          z.object({
            dataSource: z.optional(
              z.object({ s3DataSource: z.optional(z.object({ manifestS3Uri: z.optional(z.string()) })) }),
            ),
          }),
        ),
      }),
    ),
    responseElements: z.nullish(z.object({ labelingJobArn: z.optional(z.string()) })),
  }),
});

/** The PascalCase job fields SageMaker's request (CreateLabelingJob) and answer (DescribeLabelingJob) share. */
const createLabelingJobRequest = z.object({
  LabelingJobName: z.string(),
  RoleArn: z.string(),
  HumanTaskConfig: z.optional(
    z.object({
      PreHumanTaskLambdaArn: z.optional(z.string()),
      AnnotationConsolidationConfig: z.optional(
        z.object({ AnnotationConsolidationLambdaArn: z.optional(z.string()) }),
      ),
    }),
  ),
  OutputConfig: z.object({ S3OutputPath: z.string(), KmsKeyId: z.optional(z.string()) }),
  InputConfig: z.optional(
    z.object({
      DataSource: z.optional(
        z.object({ S3DataSource: z.optional(z.object({ ManifestS3Uri: z.optional(z.string()) })) }),
      ),
    }),
  ),
});

const describeLabelingJob = z.extend(createLabelingJobRequest, {
  LabelingJobArn: z.string(),
  LabelingJobStatus: z.optional(z.string()),
  CreationTime: z.optional(z.union([z.string(), z.date(), z.number()])),
});

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Options for inputs that do not say where the job runs (a CreateLabelingJob request). */
export interface ParseOptions {
  region?: string;
}

/**
 * Parses any supported input; never throws: the CloudTrail event as EventBridge delivers it, a raw
 * CloudTrail record, a trail log file (`Records`), `aws cloudtrail lookup-events` output (`Events`
 * with the record as a JSON string in `CloudTrailEvent`), a DescribeLabelingJob response, or the
 * CreateLabelingJob request as given to `aws sagemaker create-labeling-job --cli-input-json`.
 */
export function parseLabelingJobInput(input: unknown, options: ParseOptions = {}): ParseResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { kind: 'invalid', reason: 'input is not a JSON object' };
  }
  const record = input as Record<string, unknown>;
  if (Array.isArray(record.Records)) return parseOneRecord(record.Records, 'trail log file (Records)');
  if (Array.isArray(record.Events)) {
    const records: unknown[] = [];
    for (const e of record.Events as unknown[]) {
      const text = (e as { CloudTrailEvent?: unknown } | null)?.CloudTrailEvent;
      if (typeof text !== 'string') continue;
      try {
        records.push(JSON.parse(text));
      } catch {
        return { kind: 'invalid', reason: 'lookup-events output: a CloudTrailEvent is not valid JSON' };
      }
    }
    return parseOneRecord(records, 'lookup-events output (Events)');
  }
  if ('LabelingJobArn' in input) return parseDescribeResponse(input);
  if ('LabelingJobName' in input) return parseCreateRequest(record, options);
  if ('detail' in input || 'detail-type' in input) return parseCloudTrailEvent(input);
  if ('eventSource' in input && 'eventName' in input) return parseCloudTrailEvent(asEventBridgeEvent(record));
  return {
    kind: 'invalid',
    reason:
      'input is not a CloudTrail event or record, a DescribeLabelingJob response or a CreateLabelingJob request: ' +
      'pass one of those (or use --live --job NAME)',
  };
}

/** A raw CloudTrail record, wrapped as EventBridge would deliver it. */
function asEventBridgeEvent(record: Record<string, unknown>): Record<string, unknown> {
  return { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.sagemaker', detail: record };
}

/** The one CreateLabelingJob record among many; none or several is an error that says what to do. */
function parseOneRecord(records: unknown[], what: string): ParseResult {
  const matching = records.filter(
    (r): r is Record<string, unknown> =>
      typeof r === 'object' &&
      r !== null &&
      (r as Record<string, unknown>).eventSource === 'sagemaker.amazonaws.com' &&
      (r as Record<string, unknown>).eventName === 'CreateLabelingJob',
  );
  if (matching.length === 0) return { kind: 'invalid', reason: `${what} holds no CreateLabelingJob record` };
  if (matching.length > 1) {
    const names = matching.map(
      (r) => (r.requestParameters as { labelingJobName?: string } | null)?.labelingJobName ?? '(unnamed)',
    );
    return {
      kind: 'invalid',
      reason: `${what} holds ${matching.length} CreateLabelingJob records (${names.join(', ')}): save the one to check in a file of its own`,
    };
  }
  return parseCloudTrailEvent(asEventBridgeEvent(matching[0]));
}

/** A job before it exists: account from the role ARN, region from a function ARN or the caller. */
function parseCreateRequest(input: Record<string, unknown>, options: ParseOptions): ParseResult {
  const parsed = createLabelingJobRequest.safeParse(input);
  if (!parsed.success)
    return { kind: 'invalid', reason: `not a CreateLabelingJob request: ${describeIssues(parsed.error)}` };
  const job = parsed.data;
  const role = parseRoleArn(job.RoleArn);
  if (!role) return { kind: 'invalid', reason: `RoleArn is not an IAM role ARN: "${job.RoleArn}"` };
  const pre = job.HumanTaskConfig?.PreHumanTaskLambdaArn;
  const post = job.HumanTaskConfig?.AnnotationConsolidationConfig?.AnnotationConsolidationLambdaArn;
  const region =
    options.region ?? [pre, post].map((a) => (a ? parseLambdaArn(a)?.region : undefined)).find(Boolean);
  if (!region || !REGION.test(region)) {
    return {
      kind: 'invalid',
      reason: 'the CreateLabelingJob request does not say its region (no function ARN): add --region',
    };
  }
  return validate(
    { source: 'create-request' },
    {
      jobName: job.LabelingJobName,
      accountId: role.accountId,
      region,
      executionRoleArn: job.RoleArn,
      preAnnotationLambdaArn: pre,
      postAnnotationLambdaArn: post,
      outputS3Uri: job.OutputConfig.S3OutputPath,
      inputManifestS3Uri: job.InputConfig?.DataSource?.S3DataSource?.ManifestS3Uri,
      outputKmsKeyId: job.OutputConfig.KmsKeyId,
    },
  );
}

function parseCloudTrailEvent(input: object): ParseResult {
  const parsed = cloudTrailEvent.safeParse(input);
  if (!parsed.success)
    return { kind: 'invalid', reason: `not a CloudTrail API-call event: ${describeIssues(parsed.error)}` };
  const { detail } = parsed.data;
  if (detail.eventSource !== 'sagemaker.amazonaws.com' || detail.eventName !== 'CreateLabelingJob') {
    return {
      kind: 'invalid',
      reason: `event is ${detail.eventSource} ${detail.eventName}, not sagemaker.amazonaws.com CreateLabelingJob`,
    };
  }
  if (detail.errorCode) {
    return {
      kind: 'ignored',
      reason: `the CreateLabelingJob call failed (${detail.errorCode}${detail.errorMessage ? `: ${detail.errorMessage}` : ''}); no job was created`,
    };
  }
  const accountId = parsed.data.account ?? detail.recipientAccountId;
  const region = parsed.data.region ?? detail.awsRegion;
  if (!accountId || !ACCOUNT.test(accountId))
    return { kind: 'invalid', reason: 'event has no 12-digit account' };
  if (!region || !REGION.test(region)) return { kind: 'invalid', reason: 'event has no valid region' };
  const params = detail.requestParameters ?? {};
  const jobName = params.labelingJobName ?? jobNameFromArn(detail.responseElements?.labelingJobArn);
  if (!jobName)
    return { kind: 'invalid', reason: 'event names no labeling job (requestParameters.labelingJobName)' };
  const labelingJobArn = detail.responseElements?.labelingJobArn;
  const origin: JobOrigin = {
    source: 'cloudtrail',
    ...(detail.eventTime ? { eventTime: detail.eventTime } : {}),
    ...(detail.userIdentity?.arn ? { createdBy: detail.userIdentity.arn } : {}),
    ...(labelingJobArn ? { labelingJobArn } : {}),
  };
  const missing = [
    params.roleArn ? undefined : 'roleArn',
    params.outputConfig?.s3OutputPath ? undefined : 'outputConfig.s3OutputPath',
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) return { kind: 'incomplete', jobName, accountId, region, missing, origin };
  return validate(origin, {
    jobName,
    accountId,
    region,
    executionRoleArn: params.roleArn as string,
    preAnnotationLambdaArn: params.humanTaskConfig?.preHumanTaskLambdaArn,
    postAnnotationLambdaArn:
      params.humanTaskConfig?.annotationConsolidationConfig?.annotationConsolidationLambdaArn,
    outputS3Uri: params.outputConfig?.s3OutputPath as string,
    inputManifestS3Uri: params.inputConfig?.dataSource?.s3DataSource?.manifestS3Uri,
    outputKmsKeyId: params.outputConfig?.kmsKeyId,
  });
}

function parseDescribeResponse(input: object): ParseResult {
  const parsed = describeLabelingJob.safeParse(input);
  if (!parsed.success)
    return { kind: 'invalid', reason: `not a DescribeLabelingJob response: ${describeIssues(parsed.error)}` };
  const job = parsed.data;
  const arn = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):(\d{12}):labeling-job\/(.+)$/.exec(job.LabelingJobArn);
  if (!arn) return { kind: 'invalid', reason: `LabelingJobArn is malformed: "${job.LabelingJobArn}"` };
  const created = job.CreationTime === undefined ? undefined : new Date(job.CreationTime);
  const origin: JobOrigin = {
    source: 'describe',
    labelingJobArn: job.LabelingJobArn,
    ...(job.LabelingJobStatus ? { status: job.LabelingJobStatus } : {}),
    ...(created && !Number.isNaN(created.getTime()) ? { creationTime: created.toISOString() } : {}),
  };
  return validate(origin, {
    jobName: job.LabelingJobName,
    accountId: arn[2],
    region: arn[1],
    executionRoleArn: job.RoleArn,
    preAnnotationLambdaArn: job.HumanTaskConfig?.PreHumanTaskLambdaArn,
    postAnnotationLambdaArn:
      job.HumanTaskConfig?.AnnotationConsolidationConfig?.AnnotationConsolidationLambdaArn,
    outputS3Uri: job.OutputConfig.S3OutputPath,
    inputManifestS3Uri: job.InputConfig?.DataSource?.S3DataSource?.ManifestS3Uri,
    outputKmsKeyId: job.OutputConfig.KmsKeyId,
    ...(origin.creationTime ? { creationTime: origin.creationTime } : {}),
  });
}

interface Candidate extends Omit<
  LabelingJobRequest,
  | 'preAnnotationLambdaArn'
  | 'postAnnotationLambdaArn'
  | 'inputManifestS3Uri'
  | 'outputKmsKeyId'
  | 'creationTime'
> {
  preAnnotationLambdaArn: string | undefined;
  postAnnotationLambdaArn: string | undefined;
  inputManifestS3Uri: string | undefined;
  outputKmsKeyId: string | undefined;
  creationTime?: string;
}

function validate(origin: JobOrigin, c: Candidate): ParseResult {
  if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(c.jobName)) {
    return { kind: 'invalid', reason: `labeling job name is malformed: "${c.jobName}"` };
  }
  const role = parseRoleArn(c.executionRoleArn);
  if (!role) return { kind: 'invalid', reason: `roleArn is not an IAM role ARN: "${c.executionRoleArn}"` };
  for (const [field, arn] of [
    ['preHumanTaskLambdaArn', c.preAnnotationLambdaArn],
    ['annotationConsolidationLambdaArn', c.postAnnotationLambdaArn],
  ] as const) {
    if (arn !== undefined && !parseLambdaArn(arn)) {
      return { kind: 'invalid', reason: `${field} is not a Lambda function ARN: "${arn}"` };
    }
  }
  if (!parseS3Uri(c.outputS3Uri)) {
    return { kind: 'invalid', reason: `outputConfig.s3OutputPath is not an s3:// URI: "${c.outputS3Uri}"` };
  }
  const request: LabelingJobRequest = {
    jobName: c.jobName,
    accountId: c.accountId,
    region: c.region,
    executionRoleArn: c.executionRoleArn,
    outputS3Uri: c.outputS3Uri,
    ...(c.preAnnotationLambdaArn ? { preAnnotationLambdaArn: c.preAnnotationLambdaArn } : {}),
    ...(c.postAnnotationLambdaArn ? { postAnnotationLambdaArn: c.postAnnotationLambdaArn } : {}),
    ...(c.inputManifestS3Uri && parseS3Uri(c.inputManifestS3Uri)
      ? { inputManifestS3Uri: c.inputManifestS3Uri }
      : {}),
    ...(c.outputKmsKeyId ? { outputKmsKeyId: c.outputKmsKeyId } : {}),
    ...(c.creationTime ? { creationTime: c.creationTime } : {}),
  };
  return { kind: 'request', request, origin };
}

function jobNameFromArn(arn: string | undefined): string | undefined {
  return arn ? /labeling-job\/(.+)$/.exec(arn)?.[1] : undefined;
}

function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
