/** S3: one listing of a job's output folder, to tell a new folder from one that already held data. */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { folderPrefix, parseS3Uri } from '../core/arn';
import type { OutputFolderFact } from '../core';
import { describeError } from './errors';

/** One page is enough at job creation (Ground Truth has written little yet) and bounds the work per event. */
export const OUTPUT_FOLDER_PAGE = 100;

/**
 * Lists one page of `<output>/<jobName>/` in the output bucket and returns the oldest object's date
 * (never a key). A bucket that does not exist holds nothing; a listing we are not allowed is "not
 * checked" (delivered as a finding, not retried); any other failure is rethrown.
 */
export async function readOutputFolder(
  client: S3Client,
  outputS3Uri: string,
  jobName: string,
  expectedOwner?: string,
): Promise<OutputFolderFact> {
  const location = parseS3Uri(outputS3Uri);
  if (!location) return { checked: false, why: `not an S3 URI: ${outputS3Uri}` };
  try {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: location.bucket,
        Prefix: `${folderPrefix(location)}${jobName}/`,
        MaxKeys: OUTPUT_FOLDER_PAGE,
        // Only a bucket of the job's account: listing someone else's is neither needed nor allowed.
        ...(expectedOwner ? { ExpectedBucketOwner: expectedOwner } : {}),
      }),
    );
    const dates = (page.Contents ?? [])
      .map((o) => o.LastModified)
      .filter((d): d is Date => d instanceof Date && !Number.isNaN(d.getTime()))
      .map((d) => d.getTime());
    const oldest = dates.length > 0 ? new Date(Math.min(...dates)).toISOString() : undefined;
    return {
      checked: true,
      complete: page.IsTruncated !== true,
      ...(oldest ? { oldestObject: oldest } : {}),
    };
  } catch (error) {
    const name = (error as { name?: string } | null)?.name;
    if (name === 'NoSuchBucket') return { checked: true, complete: true };
    if (name === 'AccessDenied' || name === 'AccessDeniedException' || name === 'Forbidden')
      return {
        checked: false,
        why: `ListObjectsV2 on ${location.bucket} was denied (${describeError(error)})`,
      };
    throw error;
  }
}
