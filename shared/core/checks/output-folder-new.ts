/**
 * Check: the job's output folder is new. A read grant on `<output>/<jobName>/*` is safe only when
 * the folder held nothing before the job: the job's creator picks both the output path and the name,
 * so a job named like an existing folder would otherwise get read access to data that is not its own.
 */
import { finding } from '../findings';
import type { Finding, LabelingJobRequest, OutputFolderFact } from '../types';

/** What the check concluded: the folder is new, it is not (blocked), or it could not be listed. */
export type OutputFolderVerdict =
  { kind: 'new' } | { kind: 'not-new'; finding: Finding } | { kind: 'not-checked'; finding: Finding };

/** Inputs of {@link checkOutputFolderNew}. */
export interface OutputFolderInput {
  request: LabelingJobRequest;
  /** The read grant's resource ARN (`…/<jobName>/*`): what the finding names. */
  grantArn: string;
  folder: OutputFolderFact | undefined;
  /** The job's creation; before the job exists (a CreateLabelingJob request) every object is older. */
  now: Date;
}

/**
 * Decides from one listing whether the folder is new: no object older than the job's CreationTime.
 * S3 dates have whole seconds, so the creation time is taken down to its second: an object the job
 * writes in its first second still counts as the job's own. The finding names the oldest object's
 * date, never its key (the key may itself be a secret).
 */
export function checkOutputFolderNew(input: OutputFolderInput): OutputFolderVerdict {
  const { request, grantArn, folder } = input;
  const notNew = (reason: 'folder-not-new' | 'folder-not-checked', detail: string): Finding =>
    finding('OUTPUT_FOLDER_NOT_NEW', request.executionRoleArn, grantArn, reason, false, detail);
  if (!folder || !folder.checked) {
    return {
      kind: 'not-checked',
      finding: notNew('folder-not-checked', folder?.why ?? 'the folder was not listed (offline)'),
    };
  }
  const created = request.creationTime ? Date.parse(request.creationTime) : input.now.getTime();
  const cutoff = Math.floor(created / 1000) * 1000;
  const oldest = folder.oldestObject ? Date.parse(folder.oldestObject) : undefined;
  if (oldest !== undefined && (Number.isNaN(oldest) || oldest < cutoff)) {
    return {
      kind: 'not-new',
      finding: notNew(
        'folder-not-new',
        `the oldest object there dates from ${folder.oldestObject}, before the job (created ${new Date(created).toISOString()})`,
      ),
    };
  }
  if (!folder.complete) {
    // One page only: older objects may sit on later pages. Not shown new, so not granted.
    return {
      kind: 'not-checked',
      finding: notNew('folder-not-checked', 'the folder holds more objects than one listing page shows'),
    };
  }
  return { kind: 'new' };
}
