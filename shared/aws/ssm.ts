/** SSM adapter: the dry-run switch. Anything but a readable `true`/`false` means dry-run, and we say why. */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { describeError, isNotFound } from './errors';

/**
 * The parameter's AllowedPattern in the stack: `true` or `false` in any case, as readDryRun accepts
 * (CloudFormation patterns have no case-insensitive flag, hence the character classes).
 */
export const DRY_RUN_VALUE_PATTERN = '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$';

/** The dry-run decision and, when it was forced, the reason. */
export interface DryRunSetting {
  dryRun: boolean;
  reason?: string;
}

/** Reads the parameter on every invocation; missing, unreadable or any other value → dry-run (the safe way to fail). */
export async function readDryRun(client: SSMClient, parameterName: string): Promise<DryRunSetting> {
  try {
    const got = await client.send(new GetParameterCommand({ Name: parameterName }));
    const value = got.Parameter?.Value?.trim().toLowerCase();
    if (value === 'true') return { dryRun: true };
    if (value === 'false') return { dryRun: false };
    return {
      dryRun: true,
      reason: `SSM parameter ${parameterName} is "${got.Parameter?.Value ?? ''}", not true or false: dry-run is on`,
    };
  } catch (error) {
    const why = isNotFound(error) ? 'does not exist' : `could not be read (${describeError(error)})`;
    return { dryRun: true, reason: `SSM parameter ${parameterName} ${why}: dry-run is on` };
  }
}
