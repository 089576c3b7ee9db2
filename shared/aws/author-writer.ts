/** Writes the author policy: creates it or adds a default version (rotating at IAM's five), then attaches it. */
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  ListPolicyVersionsCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { PolicyDocument } from '../core';
import { AUTHOR_POLICY_NAME, authorPolicyArn, type AuthorPrincipal } from '../core/author';
import { orUndefined } from './errors';

/** IAM keeps at most five versions of a managed policy. */
export const MAX_POLICY_VERSIONS = 5;

/** What the write did. */
export interface AuthorPolicyWrite {
  policyArn: string;
  created: boolean;
  /** The new default version. */
  versionId: string;
  /** The version deleted to make room, if any. */
  deletedVersionId?: string;
  attached: boolean;
}

/** Creates or updates `GroundTruthLambdaAuthor` with `document` and attaches it to the principal. */
export async function writeAuthorPolicy(
  client: IAMClient,
  principal: AuthorPrincipal,
  document: PolicyDocument,
): Promise<AuthorPolicyWrite> {
  const policyArn = authorPolicyArn(principal.partition, principal.accountId);
  const text = JSON.stringify(document);
  const existing = await orUndefined(() => client.send(new GetPolicyCommand({ PolicyArn: policyArn })));
  let created = false;
  let versionId: string;
  let deletedVersionId: string | undefined;
  if (!existing?.Policy) {
    const made = await client.send(
      new CreatePolicyCommand({
        PolicyName: AUTHOR_POLICY_NAME,
        PolicyDocument: text,
        Description:
          'Lets a person build SageMaker Ground Truth custom labeling workflows (gt-remediate author)',
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
  return { policyArn, created, versionId, ...(deletedVersionId ? { deletedVersionId } : {}), attached };
}

function versionNumber(id: string | undefined): number {
  return Number(/^v(\d+)$/.exec(id ?? '')?.[1] ?? Number.MAX_SAFE_INTEGER);
}
