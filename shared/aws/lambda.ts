/** Lambda adapter: a function's execution role. */
import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionInfo } from '../core';
import { orUndefined } from './errors';

/** The function's unqualified ARN and role; undefined when it does not exist. */
export async function readFunction(
  client: LambdaClient,
  unqualifiedArn: string,
): Promise<FunctionInfo | undefined> {
  const config = await orUndefined(() =>
    client.send(new GetFunctionConfigurationCommand({ FunctionName: unqualifiedArn })),
  );
  if (!config?.Role) return undefined;
  return { arn: unqualifiedArn, roleArn: config.Role };
}
