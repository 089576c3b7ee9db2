/** How the resource-policy adapters (Lambda, S3, KMS) read an answer: none, a document, or not seen. */
import type { PolicyDocument, SeenPolicy } from '../core';
import { isNotFound } from './errors';

/** A policy's JSON text as the service returns it; empty means none. */
export function seenPolicyFromText(text: string | undefined): SeenPolicy {
  if (!text) return { kind: 'none' };
  try {
    return { kind: 'policy', document: JSON.parse(text) as PolicyDocument };
  } catch {
    return { kind: 'unseen', why: 'the policy is not valid JSON' };
  }
}

/** Not found (of the policy) → none; access denied → not seen; anything else is rethrown. */
export function seenPolicyFromError(error: unknown, noPolicyNames: readonly string[] = []): SeenPolicy {
  const name = (error as { name?: string } | null)?.name ?? '';
  if (noPolicyNames.includes(name) || isNotFound(error)) return { kind: 'none' };
  if (/AccessDenied/i.test(name)) return { kind: 'unseen', why: 'AccessDenied' };
  throw error;
}
