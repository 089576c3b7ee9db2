/** Whose an existing author policy is: `--apply` writes only a policy made for, and attached to, this one principal. */
import { createHash } from 'node:crypto';
import type { PolicyDocument } from '../types';
import { AUTHOR_POLICY_TAG } from './proposal';
import type { AuthorPrincipal } from './principal';

/** The person's author policy as IAM has it. */
export interface ExistingAuthorPolicy {
  arn: string;
  /** The default version's document. */
  document?: PolicyDocument;
  /** The value of the `gt-remediate:author` tag, if any. */
  ownerTag?: string;
  /** Every user, role and group it is attached to, as `user:NAME`, `role:NAME`, `group:NAME`. */
  attachedTo: string[];
}

// IAM tag values: up to 256 of letters, digits, spaces and _.:/=+-@ (a path or a comma is not).
const TAG_VALUE = /^[\w.:/=+@-]{1,256}$/;

/** The tag value that names `principal`: its ARN, or `sha256:<hex of the ARN>` when the ARN is not a valid tag value. */
export function authorOwnerTag(principal: Pick<AuthorPrincipal, 'arn'>): string {
  if (TAG_VALUE.test(principal.arn)) return principal.arn;
  return `sha256:${createHash('sha256').update(principal.arn).digest('hex')}`;
}

/** Why `--apply` must not write `existing` for `principal`; undefined when it is that principal's own. */
export function authorPolicyConflict(
  existing: ExistingAuthorPolicy | undefined,
  principal: Pick<AuthorPrincipal, 'arn' | 'kind' | 'name'>,
): string | undefined {
  if (!existing) return undefined;
  const own = `${principal.kind}:${principal.name}`;
  if (existing.ownerTag === undefined)
    return `${existing.arn} exists without the tag ${AUTHOR_POLICY_TAG}: it was not made by author --apply`;
  if (existing.ownerTag !== authorOwnerTag(principal))
    return `${existing.arn} is tagged for another principal (${AUTHOR_POLICY_TAG}=${existing.ownerTag})`;
  const others = existing.attachedTo.filter((entity) => entity !== own);
  if (others.length > 0) return `${existing.arn} is also attached to ${others.join(', ')}`;
  return undefined;
}
