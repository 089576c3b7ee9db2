/**
 * Inputs that do not belong together: an event of one account or region checked against a snapshot
 * of another. Every role and function would then look missing (ROLE_NOT_FOUND, FUNCTION_NOT_FOUND);
 * the honest answer is that the inputs do not match.
 */
import { parseLambdaArn, parseRoleArn } from './arn';
import { snapshotRegionMismatch } from './snapshot';
import type { AccountInventory } from './types';

/** Where the job runs, as the event says. */
export interface JobPlace {
  accountId: string;
  region: string;
}

/** The start of every mismatch line, so a person (and a script) recognises it. */
export const MISMATCH = 'inputs do not match';

/**
 * The accounts a snapshot is of: its roles' (iam.json is one account's), else its functions'
 * (lambda.json). Empty when it holds neither.
 */
export function snapshotAccounts(inventory: AccountInventory): string[] {
  const fromRoles = [...inventory.roles.values()].map((r) => parseRoleArn(r.arn)?.accountId);
  const fromFunctions = [...inventory.functions.values()].map((f) => parseLambdaArn(f.arn)?.accountId);
  const known = (ids: (string | undefined)[]) => [...new Set(ids.filter((id): id is string => !!id))].sort();
  const roles = known(fromRoles);
  return roles.length > 0 ? roles : known(fromFunctions);
}

/** One line naming both values when the job's account or region is not the snapshot's; undefined when they match. */
export function snapshotMismatch(inventory: AccountInventory, job: JobPlace): string | undefined {
  const accounts = snapshotAccounts(inventory);
  if (accounts.length > 0 && !accounts.includes(job.accountId)) {
    return `${MISMATCH}: the job is in account ${job.accountId}, the snapshot is of account ${accounts.join(', ')} (export iam.json and lambda.json with credentials of ${job.accountId})`;
  }
  const region = snapshotRegionMismatch(inventory, job.region);
  return region ? `${MISMATCH}: ${region}` : undefined;
}
