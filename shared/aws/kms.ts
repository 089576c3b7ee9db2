/** KMS adapter: the job's output key, resolved to its ARN, and its key policy (kms:GetKeyPolicy). */
import { DescribeKeyCommand, GetKeyPolicyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { SeenPolicy } from '../core';
import { seenPolicyFromError, seenPolicyFromText } from './resource-policy';

/** The key's ARN for a key id, key ARN, alias name or alias ARN; undefined when KMS does not know it or denies. */
export async function resolveKeyArn(client: KMSClient, keyId: string): Promise<string | undefined> {
  if (/^arn:[^:]+:kms:[^:]+:\d{12}:key\//.test(keyId)) return keyId;
  try {
    return (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Arn;
  } catch (error) {
    const name = (error as { name?: string } | null)?.name ?? '';
    if (name === 'NotFoundException' || /AccessDenied/i.test(name)) return undefined;
    throw error;
  }
}

/** The key's `default` key policy: the document, or unseen (no permission, or no such key). */
export async function readKeyPolicy(client: KMSClient, keyArn: string): Promise<SeenPolicy> {
  try {
    const out = await client.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }));
    return seenPolicyFromText(out.Policy);
  } catch (error) {
    // Every key has a key policy: "not found" is the key's, which we cannot judge.
    if ((error as { name?: string } | null)?.name === 'NotFoundException')
      return { kind: 'unseen', why: 'no such key' };
    return seenPolicyFromError(error);
  }
}
