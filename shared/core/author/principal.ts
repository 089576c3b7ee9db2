/** The person's IAM identity that `author` evaluates: a user (with its groups' policies) or a role. */
import type { AttachedPolicy, PolicyDocument } from '../types';

/** What kind of IAM identity the principal is. */
export type PrincipalKind = 'user' | 'role';

/** An identity policy of the principal; `document` is undefined when it could not be read. */
export interface PrincipalPolicy {
  /** Where it comes from: `inline:<name>`, `group:<group>/inline:<name>`, or the managed policy's ARN. */
  source: string;
  document?: PolicyDocument;
}

/** A user or role with every identity policy that applies to it, its boundary and its tags. */
export interface AuthorPrincipal {
  kind: PrincipalKind;
  arn: string;
  name: string;
  partition: string;
  accountId: string;
  /** Own inline and attached policies, and (users) the inline and attached policies of each group. */
  policies: PrincipalPolicy[];
  /** Names of the groups a user is in (empty for roles). */
  groups: string[];
  /** Managed policy ARNs attached directly to the principal (to see whether ours is attached already). */
  attachedPolicyArns: string[];
  boundary?: AttachedPolicy;
  tags: Record<string, string>;
}

/** The parts of a user or role ARN. */
export interface PrincipalArn {
  kind: PrincipalKind;
  partition: string;
  accountId: string;
  path: string;
  name: string;
}

const PRINCIPAL_ARN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*):iam::(\d{12}):(user|role)(\/(?:[\u0021-\u007E]*\/)?)([\w+=,.@-]{1,64})$/;

/** Parses an IAM user or role ARN, or returns undefined when it is neither. */
export function parsePrincipalArn(arn: string): PrincipalArn | undefined {
  const m = PRINCIPAL_ARN.exec(arn.trim());
  if (!m) return undefined;
  const [, partition, accountId, kind, path, name] = m as unknown as [
    string,
    string,
    string,
    PrincipalKind,
    string,
    string,
  ];
  return { kind, partition, accountId, path, name };
}

/** Policies the principal holds whose documents are unknown: the verdict may then be wrong. */
export function unreadablePolicies(principal: AuthorPrincipal): string[] {
  const unknown = principal.policies.filter((p) => !p.document).map((p) => p.source);
  if (principal.boundary && !principal.boundary.document) unknown.push(principal.boundary.arn);
  return unknown;
}
