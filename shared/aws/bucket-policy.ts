/** S3 adapter for the output bucket's policy (s3:GetBucketPolicy). */
import { GetBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SeenPolicy } from '../core';
import { seenPolicyFromError, seenPolicyFromText } from './resource-policy';

/** The bucket's policy: none, the document, or unseen (no permission to read it). */
export async function readBucketPolicy(client: S3Client, bucket: string): Promise<SeenPolicy> {
  try {
    const out = await client.send(new GetBucketPolicyCommand({ Bucket: bucket }));
    return seenPolicyFromText(out.Policy);
  } catch (error) {
    return seenPolicyFromError(error, ['NoSuchBucketPolicy', 'NoSuchBucket']);
  }
}
