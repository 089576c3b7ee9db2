/**
 * The guards on the direct read grant (`s3:GetObject` on `<output>/<jobName>/*`): the folder must be
 * new and the execution role must be able to write there. Each check is its own rule; this wires
 * their findings as guards that block exactly that grant, whichever role it is planned on.
 */
import type { Assessment, Guard, Need } from '../evaluate';
import type { AccountInventory, LabelingJobRequest, RoleInfo } from '../types';
import { checkExecutionRoleCanWrite } from './execution-role-can-write';
import { checkOutputFolderNew } from './output-folder-new';

/** Inputs of {@link directReadGuards}. */
export interface DirectReadInput {
  request: LabelingJobRequest;
  inventory: AccountInventory;
  executionRole: RoleInfo | undefined;
  /** The assessments so far: the guards run only when one of them plans the read grant. */
  assessments: readonly Assessment[];
  location: { grantArn: string; probeObjectArn: string };
  knownContext?: Record<string, string>;
  /** True when nothing planned now is written (dry-run, offline): an unchecked folder is then only noted. */
  dryRun?: boolean;
  now: Date;
}

/** The guards on the read grant, and notes for the report (an unchecked folder in dry-run). */
export async function directReadGuards(
  input: DirectReadInput,
): Promise<{ guards: Guard[]; notes: string[] }> {
  const { grantArn, probeObjectArn } = input.location;
  const isS3Read = (need: Need): boolean => need.kind === 's3-read' && need.resourceArn === grantArn;
  if (!input.assessments.some((a) => a.needs.some(isS3Read))) return { guards: [], notes: [] };
  // Decrypting the folder's objects is reading them: a stopped read takes its kms:Decrypt with it.
  const isReadGrant = (need: Need): boolean =>
    isS3Read(need) || (need.kind === 'kms-decrypt' && need.objectArn === grantArn);
  const guards: Guard[] = [];
  const notes: string[] = [];
  const folder = checkOutputFolderNew({
    request: input.request,
    grantArn,
    folder: input.inventory.outputFolder,
    now: input.now,
  });
  if (folder.kind === 'not-new') guards.push({ finding: folder.finding, blocks: isReadGrant });
  if (folder.kind === 'not-checked') {
    // Never written unchecked; in dry-run the grant stays proposed, with this said next to it.
    if (input.dryRun) {
      notes.push(
        `folder-not-checked: whether ${grantArn.replace(/\*$/, '')} is new (holds nothing older than the job) ` +
          `could not be checked here (${folder.finding.detail ?? 'not listed'}); the read grant is proposed only: ` +
          'check the folder before applying it',
      );
    } else guards.push({ finding: folder.finding, blocks: isReadGrant });
  }
  const write = await checkExecutionRoleCanWrite({
    request: input.request,
    executionRole: input.executionRole,
    grantArn,
    probeObjectArn,
    ...(input.knownContext ? { knownContext: input.knownContext } : {}),
    now: input.now,
  });
  if (write) guards.push({ finding: write, blocks: isReadGrant });
  return { guards, notes };
}
