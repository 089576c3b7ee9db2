/** The resource policies a job's requests meet: the function policies, the output bucket's, the output key's. */
import { partitionOfRegion } from './arn';
import { SnapshotError } from './snapshot';
import type {
  AccountInventory,
  LabelingJobRequest,
  PolicyDocument,
  ResourcePolicies,
  SeenPolicy,
} from './types';

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/**
 * The ARN of the job's output key: a key ARN as named, a key id in the job's account and region, or
 * an alias resolved by the inventory (live DescribeKey); undefined when unknown (an unresolved alias).
 */
export function outputKeyArn(request: LabelingJobRequest, inventory: AccountInventory): string | undefined {
  const keyId = request.outputKmsKeyId;
  if (!keyId) return undefined;
  if (KEY_ARN.test(keyId)) return keyId;
  const resolved = inventory.resourcePolicies?.keyArns?.get(keyId);
  if (resolved) return resolved;
  if (KEY_ID.test(keyId))
    return `arn:${partitionOfRegion(request.region)}:kms:${request.region}:${request.accountId}:key/${keyId}`;
  return undefined;
}

/** What we saw of one resource's policy; a resource absent from what was looked for was not seen. */
export function seenPolicy(
  inventory: AccountInventory,
  kind: keyof Omit<ResourcePolicies, 'keyArns'>,
  key: string,
): SeenPolicy | undefined {
  const policies = inventory.resourcePolicies;
  // An inventory built without resource policies (older callers): they were not looked for at all.
  if (!policies) return undefined;
  return policies[kind].get(key) ?? { kind: 'unseen', why: 'not in the snapshot' };
}

/** The document to evaluate with, or undefined (no policy, or not seen). */
export function policyDocument(seen: SeenPolicy | undefined): PolicyDocument | undefined {
  return seen?.kind === 'policy' ? seen.document : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseFile(name: string, json: unknown): Map<string, SeenPolicy> {
  const shape = `${name}: expected an object mapping each resource to the CLI's get-policy output ({"Policy": "<JSON text>"})`;
  if (!isRecord(json)) throw new SnapshotError(shape);
  const seen = new Map<string, SeenPolicy>();
  for (const [resource, output] of Object.entries(json)) {
    if (!isRecord(output) || (output.Policy !== undefined && typeof output.Policy !== 'string'))
      throw new SnapshotError(`${shape}; "${resource}" is not`);
    if (!output.Policy) {
      seen.set(resource, { kind: 'none' });
      continue;
    }
    try {
      seen.set(resource, { kind: 'policy', document: JSON.parse(output.Policy) as PolicyDocument });
    } catch {
      throw new SnapshotError(`${name}: "${resource}": Policy is not valid JSON`);
    }
  }
  return seen;
}

/**
 * The snapshot's `lambda-policies.json`, `bucket-policies.json` and `kms-key-policies.json` (each
 * undefined when the file is absent: every policy it would hold is then "not seen"). Throws SnapshotError.
 */
export function resourcePoliciesFromSnapshot(
  lambdaPolicies: unknown,
  bucketPolicies: unknown,
  keyPolicies: unknown,
): ResourcePolicies {
  const file = (name: string, json: unknown): Map<string, SeenPolicy> =>
    json === undefined ? new Map<string, SeenPolicy>() : parseFile(name, json);
  return {
    functions: file('lambda-policies.json', lambdaPolicies),
    buckets: file('bucket-policies.json', bucketPolicies),
    keys: file('kms-key-policies.json', keyPolicies),
  };
}
