/** Lambda adapter: a function's execution role and its tags. */
import { GetFunctionConfigurationCommand, ListTagsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionInfo } from '../core';
import { orUndefined } from './errors';

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
