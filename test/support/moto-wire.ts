/**
 * Raw calls to moto for services the project has no SDK client for (S3 for the bootstrap assets, KMS
 * key policies). moto does not verify signatures: a SigV4-shaped Authorization header tells it the
 * service, the region and the access key (hence the account).
 */
import type { DeployTarget } from './cfn-deploy';

function endpointOf(): string {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error('AWS_ENDPOINT_URL is not set: is the moto globalSetup running?');
  return endpoint;
}

/** The Authorization header (and session token) moto reads the caller from. */
function signedAs(target: DeployTarget, service: string): Record<string, string> {
  const accessKeyId = target.credentials?.accessKeyId ?? process.env.AWS_ACCESS_KEY_ID ?? 'testing';
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/${target.region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    ...(target.credentials?.sessionToken ? { 'x-amz-security-token': target.credentials.sessionToken } : {}),
  };
}

/** One path-style S3 PUT (CreateBucket or PutObject); throws unless the status is one of `okStatuses`. */
export async function s3Put(
  target: DeployTarget,
  path: string,
  body: string | Uint8Array | undefined,
  okStatuses: number[],
): Promise<void> {
  const response = await fetch(`${endpointOf()}${path}`, {
    method: 'PUT',
    headers: { ...signedAs(target, 's3'), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    ...(body !== undefined ? { body } : {}),
  });
  if (!okStatuses.includes(response.status))
    throw new Error(`S3 PUT ${path}: HTTP ${response.status} ${await response.text()}`);
}

/** One awsJson1_1 call, e.g. `TrentService.GetKeyPolicy` of KMS; returns the parsed answer. */
export async function motoJsonCall(
  target: DeployTarget,
  service: string,
  amzTarget: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${endpointOf()}/`, {
    method: 'POST',
    headers: {
      ...signedAs(target, service),
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': amzTarget,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${amzTarget}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}
