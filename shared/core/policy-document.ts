/** Reading, normalising and measuring IAM policy documents. */
import type { PolicyDocument, PolicyStatement } from './types';

/** A document that is neither a JSON object nor URL-encoded JSON of one. */
export class PolicyDocumentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyDocumentError';
  }
}

/**
 * Accepts a policy document as IAM's raw API returns it (URL-encoded JSON), as the AWS CLI prints
 * it (a JSON object), or as plain JSON text, and returns the parsed document.
 */
export function decodePolicyDocument(raw: unknown): PolicyDocument {
  let value: unknown = raw;
  if (typeof value === 'string') {
    const text = value.trimStart().startsWith('{') ? value : safeDecode(value);
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new PolicyDocumentError('policy document is not valid JSON', { cause });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PolicyDocumentError('policy document is not a JSON object');
  }
  const doc = value as Record<string, unknown>;
  const statement = doc.Statement;
  if (statement === undefined) return { ...doc, Statement: [] };
  if (typeof statement !== 'object' || statement === null) {
    throw new PolicyDocumentError('policy document Statement is not an object or array');
  }
  return doc as unknown as PolicyDocument;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch (cause) {
    throw new PolicyDocumentError('policy document is not valid URL-encoded text', { cause });
  }
}

/** The statements of a document as an array (IAM allows a single object). */
export function statementsOf(doc: PolicyDocument): PolicyStatement[] {
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

/** A value that may be one string or a list, as a list. */
export function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** The size IAM counts against its quotas: the JSON text without white space. */
export function policySize(doc: PolicyDocument): number {
  return JSON.stringify(doc).replace(/\s/g, '').length;
}
