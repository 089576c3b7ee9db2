/** Lambda adapter: a function's execution role, its tags and its resource policy. */
import {
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  ListTagsCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { FunctionInfo, SeenPolicy } from '../core';
import { orUndefined } from './errors';
import { seenPolicyFromError, seenPolicyFromText } from './resource-policy';

/**
 * The function's unqualified ARN, role and tags; undefined when it does not exist. Tags decide
 * policies with `aws:ResourceTag` conditions: when they cannot be read (no lambda:ListTags), they stay
 * unknown and such a decision says "depends on unknown context" instead of guessing.
 */
export async function readFunction(
  client: LambdaClient,
  unqualifiedArn: string,
): Promise<FunctionInfo | undefined> {
  const [config, tags] = await Promise.all([
    orUndefined(() => client.send(new GetFunctionConfigurationCommand({ FunctionName: unqualifiedArn }))),
    readTags(client, unqualifiedArn),
  ]);
  if (!config?.Role) return undefined;
  return { arn: unqualifiedArn, roleArn: config.Role, ...(tags ? { tags } : {}) };
}

async function readTags(client: LambdaClient, arn: string): Promise<Record<string, string> | undefined> {
  try {
    return (await orUndefined(() => client.send(new ListTagsCommand({ Resource: arn }))))?.Tags ?? undefined;
  } catch (error) {
    if ((error as { name?: string }).name === 'AccessDeniedException') return undefined;
    throw error;
  }
}

/** The function's resource policy (lambda:GetPolicy on the ARN as the job names it, qualifier included). */
export async function readFunctionPolicy(client: LambdaClient, functionArn: string): Promise<SeenPolicy> {
  try {
    return seenPolicyFromText(
      (await client.send(new GetPolicyCommand({ FunctionName: functionArn }))).Policy,
    );
  } catch (error) {
    return seenPolicyFromError(error);
  }
}
