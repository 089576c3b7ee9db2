/** KMS on the output: the reader of the job's output also needs kms:Decrypt on the job's output key. */
import { arns, matchesWildcard, partitionOf } from './arn';
import type { Assessment } from './evaluate';
import { finding } from './findings';
import { statementsOf } from './policy-document';
import { outputKeyArn, policyDocument, seenPolicy } from './resource-policies';
import { evaluateAccess, type AccessQuestion } from './simulate';
import type {
  AccountInventory,
  LabelingJobRequest,
  PolicyDocument,
  PolicyStatement,
  RoleInfo,
} from './types';

/** The Sid of our kms:Decrypt statement, in the read policy beside the s3:GetObject grant. */
export const DECRYPT_SID = 'GroundTruthDecryptLabelingOutput';

/** A line for the report's notes: which resource policy the verdict could not see, and why. */
export function unseenNote(what: string, resource: string, why: string): string {
  return `${what} not seen: ${resource}, ${why}`;
}

/** What KMS sees when S3 decrypts the job's output for a reader. */
export interface DecryptRequest {
  reader: RoleInfo;
  sessionName: string;
  /** The object the read check probes (its ARN is S3's encryption context). */
  probeObjectArn: string;
  /** The job's folder (`arn:…:s3:::bucket/prefix/job/*`), which our condition is scoped to. */
  grantArn: string;
  knownContext?: Record<string, string>;
  now: Date;
}

/** The conditions of our kms:Decrypt statement: through S3 in the job's region, for the job's folder only. */
export function decryptCondition(region: string, folderArn: string): Record<string, Record<string, string>> {
  return {
    StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
    StringLike: { 'kms:EncryptionContext:aws:s3:arn': folderArn },
  };
}

/**
 * The role as the evaluator sees it: our own kms:Decrypt statement with its encryption-context
 * condition decided here for the probed object. iam-simulate 0.1.173 drops request values of
 * `kms:EncryptionContext:<key>` (the condition then fails "because missing"), so the statement we
 * write could never be proven; we compare the folder patterns ourselves instead.
 */
function withContextDecided(role: RoleInfo, objectArn: string): RoleInfo {
  const decide = (s: PolicyStatement): PolicyStatement[] => {
    const like = s.Condition?.StringLike;
    if (s.Sid !== DECRYPT_SID || !like || !(CONTEXT_KEY in like)) return [s];
    const folders = ([] as unknown[]).concat(like[CONTEXT_KEY]);
    if (!folders.some((f) => typeof f === 'string' && matchesWildcard(f, objectArn))) return [];
    const otherLike = Object.fromEntries(Object.entries(like).filter(([k]) => k !== CONTEXT_KEY));
    const condition = Object.fromEntries(
      Object.entries(s.Condition ?? {}).filter(([k]) => k !== 'StringLike'),
    );
    if (Object.keys(otherLike).length > 0) condition.StringLike = otherLike;
    return [{ ...s, Condition: condition }];
  };
  const touches = role.inlinePolicies.some((p) =>
    statementsOf(p.document).some((s) => s.Sid === DECRYPT_SID),
  );
  if (!touches) return role;
  return {
    ...role,
    inlinePolicies: role.inlinePolicies.map((p) => ({
      ...p,
      document: { ...p.document, Statement: statementsOf(p.document).flatMap(decide) },
    })),
  };
}

const CONTEXT_KEY = 'kms:EncryptionContext:aws:s3:arn';

/** The key policy every key created without one gets: IAM policies of the key's account decide. */
function defaultKeyPolicy(partition: string, accountId: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: arns.accountRoot(partition, accountId) },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  };
}

/**
 * Whether the reader may kms:Decrypt the job's output key through S3. A key policy that does not
 * delegate to IAM cannot be fixed by an IAM grant: blocked, with the key-policy statement a person adds.
 */
export async function assessDecrypt(
  request: LabelingJobRequest,
  inventory: AccountInventory,
  d: DecryptRequest,
): Promise<{ assessments: Assessment[]; unseen: string[] }> {
  const none = { assessments: [], unseen: [] };
  if (!request.outputKmsKeyId) return none;
  const keyArn = outputKeyArn(request, inventory);
  if (!keyArn)
    return {
      assessments: [],
      unseen: [unseenNote('key policy', request.outputKmsKeyId, 'key not resolved')],
    };
  const keyAccount = keyArn.split(':')[4] ?? request.accountId;
  const seen = seenPolicy(inventory, 'keys', keyArn);
  const unseen = seen?.kind === 'unseen' ? [unseenNote('key policy', keyArn, seen.why)] : [];
  // Not seen: judged as if it were the default key policy (delegates to IAM), and said so in the notes.
  const keyPolicy = policyDocument(seen) ?? defaultKeyPolicy(partitionOf(keyArn), keyAccount);
  const viaService = `s3.${request.region}.amazonaws.com`;
  const question: AccessQuestion = {
    role: d.reader,
    accountId: request.accountId,
    region: request.region,
    sessionName: d.sessionName,
    action: 'kms:Decrypt',
    resourceArn: keyArn,
    resourceAccount: keyAccount,
    resourcePolicy: keyPolicy,
    knownContext: {
      'kms:ViaService': viaService,
      'kms:EncryptionContext:aws:s3:arn': d.probeObjectArn,
      'kms:CallerAccount': request.accountId,
      ...(d.knownContext ?? {}),
    },
    now: d.now,
  };
  const decision = await evaluateAccess({
    ...question,
    role: withContextDecided(d.reader, d.probeObjectArn),
  });
  if (decision.verdict === 'allowed') return { assessments: [], unseen };
  const denied = (
    reason: Parameters<typeof finding>[3],
    fixable: boolean,
    detail: string,
  ): Assessment['finding'] => finding('OUTPUT_READ_DENIED', d.reader.arn, keyArn, reason, fixable, detail);
  if (decision.verdict !== 'implicit-deny') {
    const detail = `kms:Decrypt${decision.detail ? `: ${decision.detail}` : ''}`;
    return { assessments: [{ finding: denied(decision.verdict, false, detail), needs: [] }], unseen };
  }
  // Would an IAM grant be enough? Only when the key policy delegates to IAM (the account root).
  const grant: PolicyStatement = {
    Sid: DECRYPT_SID,
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: keyArn,
    Condition: decryptCondition(request.region, d.grantArn),
  };
  const whatIf: RoleInfo = {
    ...d.reader,
    inlinePolicies: [
      ...d.reader.inlinePolicies,
      { name: 'what-if', document: { Version: '2012-10-17', Statement: [grant] } },
    ],
  };
  const granted = await evaluateAccess({ ...question, role: withContextDecided(whatIf, d.probeObjectArn) });
  if (granted.verdict === 'allowed') {
    const need = {
      kind: 'kms-decrypt' as const,
      roleName: d.reader.name,
      keyArn,
      objectArn: d.grantArn,
      viaService,
    };
    return {
      assessments: [{ finding: denied('implicit-deny', true, 'kms:Decrypt'), needs: [need] }],
      unseen,
    };
  }
  const keyStatement: PolicyStatement = {
    Sid: DECRYPT_SID,
    Effect: 'Allow',
    Principal: { AWS: d.reader.arn },
    Action: 'kms:Decrypt',
    Resource: '*',
    Condition: decryptCondition(request.region, d.grantArn),
  };
  const detail = `kms:Decrypt: the key policy does not delegate to IAM; add to the key policy: ${JSON.stringify(keyStatement)}`;
  return { assessments: [{ finding: denied('implicit-deny', false, detail), needs: [] }], unseen };
}
