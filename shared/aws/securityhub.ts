/** Security Hub adapter: imports ASFF findings into the account's default product. */
import { BatchImportFindingsCommand, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { AsffFinding } from '../core/report-asff';

/** BatchImportFindings takes at most 100 findings a call. */
const BATCH = 100;

/** Imports every finding; throws naming the first failure when Security Hub refuses any. */
export async function importFindings(
  client: SecurityHubClient,
  findings: readonly AsffFinding[],
): Promise<void> {
  for (let i = 0; i < findings.length; i += BATCH) {
    const answer = await client.send(
      new BatchImportFindingsCommand({ Findings: findings.slice(i, i + BATCH) }),
    );
    const failed = answer.FailedFindings ?? [];
    if ((answer.FailedCount ?? 0) > 0 || failed.length > 0) {
      const first = failed[0];
      throw new Error(
        `Security Hub refused ${answer.FailedCount ?? failed.length} finding(s): ${first?.Id ?? '?'}: ${first?.ErrorCode ?? ''} ${first?.ErrorMessage ?? ''}`.trim(),
      );
    }
  }
}
