/**
 * Reads and writes the person's own author policy: creates it (tagged with the principal) or adds a
 * default version (rotating at IAM's five), then attaches it to that principal only. It refuses to
 * touch a policy made for, or attached to, anyone else.
 */
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListPolicyVersionsCommand,
  paginateListEntitiesForPolicy,
  paginateListPolicyTags,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { decodePolicyDocument, type PolicyDocument } from '../core';
import {
  AUTHOR_POLICY_TAG,
  authorOwnerTag,
  authorPolicyArn,
  authorPolicyConflict,
  authorPolicyName,
  type AuthorPrincipal,
  type ExistingAuthorPolicy,
} from '../core/author';
import { orUndefined } from './errors';

/** IAM keeps at most five versions of a managed policy. */
export const MAX_POLICY_VERSIONS = 5;

/** What the write did. */
export interface AuthorPolicyWrite {
  policyName: string;
  policyArn: string;
  created: boolean;
  /** The new default version. */
  versionId: string;
  /** The version deleted to make room, if any. */
  deletedVersionId?: string;
  attached: boolean;
}

/** The author policy belongs to another principal (tag or attachments): nothing was written. */
export class AuthorPolicyConflictError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthorPolicyConflictError';
  }
}

/** The principal's author policy as IAM has it (default document, owner tag, attachments), or undefined. */
export async function readAuthorPolicy(
  client: IAMClient,
  principal: AuthorPrincipal,
): Promise<ExistingAuthorPolicy | undefined> {
  const arn = authorPolicyArn(principal);
  const policy = (await orUndefined(() => client.send(new GetPolicyCommand({ PolicyArn: arn }))))?.Policy;
  if (!policy) return undefined;
  const version = policy.DefaultVersionId
    ? await orUndefined(() =>
        client.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.DefaultVersionId })),
      )
    : undefined;
  let ownerTag: string | undefined;
  for await (const page of paginateListPolicyTags({ client }, { PolicyArn: arn }))
    for (const tag of page.Tags ?? []) if (tag.Key === AUTHOR_POLICY_TAG) ownerTag = tag.Value;
  const attachedTo: string[] = [];
  for await (const page of paginateListEntitiesForPolicy({ client }, { PolicyArn: arn })) {
    for (const u of page.PolicyUsers ?? []) attachedTo.push(`user:${u.UserName ?? ''}`);
    for (const r of page.PolicyRoles ?? []) attachedTo.push(`role:${r.RoleName ?? ''}`);
    for (const g of page.PolicyGroups ?? []) attachedTo.push(`group:${g.GroupName ?? ''}`);
  }
  const document = version?.PolicyVersion?.Document
    ? decodePolicyDocument(version.PolicyVersion.Document)
    : undefined;
  return {
    arn,
    ...(document ? { document } : {}),
    ...(ownerTag !== undefined ? { ownerTag } : {}),
    attachedTo,
  };
}

/**
 * Creates or updates the principal's `GroundTruthLambdaAuthor-<name>` with `document` and attaches it
 * to the principal. Re-reads the policy first and throws {@link AuthorPolicyConflictError}, writing
 * nothing, when it is another principal's.
 */
export async function writeAuthorPolicy(
  client: IAMClient,
  principal: AuthorPrincipal,
  document: PolicyDocument,
): Promise<AuthorPolicyWrite> {
  const policyName = authorPolicyName(principal);
  const policyArn = authorPolicyArn(principal);
  const text = JSON.stringify(document);
  const existing = await readAuthorPolicy(client, principal);
  const conflict = authorPolicyConflict(existing, principal);
  if (conflict) throw new AuthorPolicyConflictError(`${conflict}; nothing changed`);
  let created = false;
  let versionId: string;
  let deletedVersionId: string | undefined;
  if (!existing) {
    const made = await client.send(
      new CreatePolicyCommand({
        PolicyName: policyName,
        PolicyDocument: text,
        Description: `Lets ${principal.kind} ${principal.name} build SageMaker Ground Truth custom labeling workflows (gt-remediate author)`,
        Tags: [{ Key: AUTHOR_POLICY_TAG, Value: authorOwnerTag(principal) }],
      }),
    );
    created = true;
    versionId = made.Policy?.DefaultVersionId ?? 'v1';
  } else {
    const versions =
      (await client.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn }))).Versions ?? [];
    if (versions.length >= MAX_POLICY_VERSIONS) {
      const oldest = versions
        .filter((v) => !v.IsDefaultVersion && v.VersionId)
        // Oldest first; versions made in the same second are ordered by their number (v2 before v10).
        .sort(
          (a, b) =>
            (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0) ||
            versionNumber(a.VersionId) - versionNumber(b.VersionId),
        )[0];
      if (oldest?.VersionId) {
        await client.send(
          new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: oldest.VersionId }),
        );
        deletedVersionId = oldest.VersionId;
      }
    }
    const made = await client.send(
      new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: text, SetAsDefault: true }),
    );
    versionId = made.PolicyVersion?.VersionId ?? '';
  }
  const attached = !principal.attachedPolicyArns.includes(policyArn);
  if (attached) {
    if (principal.kind === 'user')
      await client.send(new AttachUserPolicyCommand({ UserName: principal.name, PolicyArn: policyArn }));
    else await client.send(new AttachRolePolicyCommand({ RoleName: principal.name, PolicyArn: policyArn }));
  }
  return {
    policyName,
    policyArn,
    created,
    versionId,
    ...(deletedVersionId ? { deletedVersionId } : {}),
    attached,
  };
}

function versionNumber(id: string | undefined): number {
  return Number(/^v(\d+)$/.exec(id ?? '')?.[1] ?? Number.MAX_SAFE_INTEGER);
}
