/** The accounts a fleet scan can reach: the caller's own (STS) and the organisation's active ones (Organizations). */
import { OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';

/** The caller's account and partition. */
export interface CallerIdentity {
  accountId: string;
  partition: string;
}

/** GetCallerIdentity: whose credentials these are. */
export async function callerIdentity(sts: STSClient): Promise<CallerIdentity> {
  const got = await sts.send(new GetCallerIdentityCommand({}));
  const partition = /^arn:(aws[a-z-]*):/.exec(got.Arn ?? '')?.[1];
  if (!got.Account || !partition) throw new Error('GetCallerIdentity returned no account or ARN');
  return { accountId: got.Account, partition };
}

/** Every ACTIVE account of the organisation, in ListAccounts order (all pages). */
export async function listActiveAccountIds(client: OrganizationsClient): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateListAccounts({ client }, {})) {
    for (const account of page.Accounts ?? []) {
      // SUSPENDED and PENDING_CLOSURE accounts cannot run jobs (or be assumed into).
      if (account.Id && (account.State ?? account.Status) === 'ACTIVE') ids.push(account.Id);
    }
  }
  return ids;
}

export { OrganizationsClient };
