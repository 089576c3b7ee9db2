/**
 * The labeling jobs a person created, for `author` to infer the scope from: CloudTrail's
 * CreateLabelingJob events say who (SageMaker keeps no creator), DescribeLabelingJob says which role
 * and functions (the event is only a pointer), Lambda says each function's role.
 */
import { CloudTrailClient, paginateLookupEvents } from '@aws-sdk/client-cloudtrail';
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { parseLambdaArn } from '../core';
import { creatorOf, parsePrincipalArn, type AuthorJob } from '../core/author';
import { orUndefined } from './errors';
import { describeLabelingJob } from './sagemaker';

/** How far back CloudTrail's event history goes, and how many of the person's jobs are read at most. */
export const AUTHOR_JOBS_LOOKBACK_DAYS = 90;
export const AUTHOR_JOBS_MAX = 50;

/** The clients the job reader needs. */
export interface AuthorJobClients {
  cloudtrail: CloudTrailClient;
  sagemaker: SageMakerClient;
  lambda: LambdaClient;
}

/** The jobs `principalArn` created in the clients' region within the lookback, newest first; throws on AWS errors. */
export async function readAuthorJobs(
  clients: AuthorJobClients,
  principalArn: string,
  now: Date = new Date(),
): Promise<AuthorJob[]> {
  const account = parsePrincipalArn(principalArn)?.accountId;
  const names: string[] = [];
  const pages = paginateLookupEvents(
    { client: clients.cloudtrail },
    {
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateLabelingJob' }],
      StartTime: new Date(now.getTime() - AUTHOR_JOBS_LOOKBACK_DAYS * 86_400_000),
      EndTime: now,
    },
  );
  scan: for await (const page of pages)
    for (const event of page.Events ?? []) {
      const record = parseRecord(event.CloudTrailEvent);
      if (!record || record.errorCode || creatorOf(record.userIdentity) !== principalArn) continue;
      const name = record.requestParameters?.labelingJobName;
      if (typeof name === 'string' && !names.includes(name)) names.push(name);
      if (names.length >= AUTHOR_JOBS_MAX) break scan;
    }
  const jobs: AuthorJob[] = [];
  for (const name of names) {
    const job = (await describeLabelingJob(clients.sagemaker, name)) as DescribedJob | undefined;
    if (!job) continue;
    const functionArns = [
      job.HumanTaskConfig?.PreHumanTaskLambdaArn,
      job.HumanTaskConfig?.AnnotationConsolidationConfig?.AnnotationConsolidationLambdaArn,
    ].filter((a): a is string => typeof a === 'string');
    const functionRoles: Record<string, string | undefined> = {};
    // Only the account's own functions: AWS-owned built-ins and other accounts' are not read (nor granted).
    for (const arn of functionArns)
      if (parseLambdaArn(arn)?.accountId === account)
        functionRoles[arn] = await functionRole(clients.lambda, arn);
    jobs.push({
      name,
      creator: principalArn,
      ...(typeof job.RoleArn === 'string' ? { executionRoleArn: job.RoleArn } : {}),
      functionArns,
      functionRoles,
    });
  }
  return jobs;
}

interface DescribedJob {
  RoleArn?: unknown;
  HumanTaskConfig?: {
    PreHumanTaskLambdaArn?: unknown;
    AnnotationConsolidationConfig?: { AnnotationConsolidationLambdaArn?: unknown };
  };
}

interface TrailRecord {
  errorCode?: string;
  userIdentity?: unknown;
  requestParameters?: { labelingJobName?: unknown };
}

function parseRecord(text: string | undefined): TrailRecord | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

async function functionRole(client: LambdaClient, arn: string): Promise<string | undefined> {
  const unqualified = parseLambdaArn(arn)?.unqualified;
  if (!unqualified) return undefined;
  const config = await orUndefined(() =>
    client.send(new GetFunctionConfigurationCommand({ FunctionName: unqualified })),
  );
  return config?.Role;
}
