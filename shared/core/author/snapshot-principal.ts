/**
 * A user (with its groups) or a role from the snapshot's iam.json, the output of
 * `aws iam get-account-authorization-details` (UserDetailList, GroupDetailList, RoleDetailList, Policies).
 */
import * as z from '../schema';
import { knownManagedPolicy } from '../managed-policies';
import { decodePolicyDocument, PolicyDocumentError } from '../policy-document';
import { documentField, gaadPolicyList } from '../snapshot';
import type { AttachedPolicy, PolicyDocument } from '../types';
import { parsePrincipalArn, type AuthorPrincipal, type PrincipalPolicy } from './principal';

/** The snapshot's iam.json does not have the shape the AWS CLI prints. */
export class PrincipalSnapshotError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PrincipalSnapshotError';
  }
}

const inline = z._default(z.array(z.object({ PolicyName: z.string(), PolicyDocument: documentField })), []);
const attached = z._default(z.array(z.object({ PolicyName: z.string(), PolicyArn: z.string() })), []);
const tags = z._default(z.array(z.object({ Key: z.string(), Value: z.string() })), []);
const boundary = z.optional(z.object({ PermissionsBoundaryArn: z.string() }));

const gaad = z.object({
  UserDetailList: z._default(
    z.array(
      z.object({
        UserName: z.string(),
        Arn: z.string(),
        UserPolicyList: inline,
        GroupList: z._default(z.array(z.string()), []),
        AttachedManagedPolicies: attached,
        PermissionsBoundary: boundary,
        Tags: tags,
      }),
    ),
    [],
  ),
  GroupDetailList: z._default(
    z.array(z.object({ GroupName: z.string(), GroupPolicyList: inline, AttachedManagedPolicies: attached })),
    [],
  ),
  RoleDetailList: z._default(
    z.array(
      z.object({
        RoleName: z.string(),
        Arn: z.string(),
        RolePolicyList: inline,
        AttachedManagedPolicies: attached,
        PermissionsBoundary: boundary,
        Tags: tags,
      }),
    ),
    [],
  ),
  Policies: gaadPolicyList,
});

/** The principal named by `arn` in the parsed iam.json; undefined when the snapshot has no such user or role. */
export function principalFromSnapshot(iamJson: unknown, arn: string): AuthorPrincipal | undefined {
  const parsedArn = parsePrincipalArn(arn);
  if (!parsedArn) throw new PrincipalSnapshotError(`"${arn}" is not an IAM user or role ARN`);
  const parsed = gaad.safeParse(iamJson);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PrincipalSnapshotError(`iam.json: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const data = parsed.data;
  const managed = (policyArn: string, name: string): AttachedPolicy => {
    const policy = data.Policies.find((p) => p.Arn === policyArn);
    const version =
      policy?.PolicyVersionList.find((v) => v.VersionId === policy.DefaultVersionId) ??
      policy?.PolicyVersionList.find((v) => v.IsDefaultVersion);
    if (version?.Document !== undefined)
      return { arn: policyArn, name, document: decode(version.Document, policyArn) };
    return knownManagedPolicy(policyArn) ?? { arn: policyArn, name };
  };
  const toPolicies = (
    prefix: string,
    inlines: { PolicyName: string; PolicyDocument: unknown }[],
    attachedList: { PolicyName: string; PolicyArn: string }[],
  ): PrincipalPolicy[] => [
    ...inlines.map((p) => ({
      source: `${prefix}inline:${p.PolicyName}`,
      document: decode(p.PolicyDocument, `${prefix}${p.PolicyName}`),
    })),
    ...attachedList.map((p) => withDocument(p.PolicyArn, managed(p.PolicyArn, p.PolicyName).document)),
  ];
  const boundaryOf = (b: { PermissionsBoundaryArn: string } | undefined) =>
    b
      ? {
          boundary: managed(
            b.PermissionsBoundaryArn,
            b.PermissionsBoundaryArn.slice(b.PermissionsBoundaryArn.lastIndexOf('/') + 1),
          ),
        }
      : {};
  const base = { partition: parsedArn.partition, accountId: parsedArn.accountId, arn };
  if (parsedArn.kind === 'role') {
    const role = data.RoleDetailList.find((r) => r.Arn === arn);
    if (!role) return undefined;
    return {
      ...base,
      kind: 'role',
      name: role.RoleName,
      policies: toPolicies('', role.RolePolicyList, role.AttachedManagedPolicies),
      groups: [],
      attachedPolicyArns: role.AttachedManagedPolicies.map((p) => p.PolicyArn),
      ...boundaryOf(role.PermissionsBoundary),
      tags: Object.fromEntries(role.Tags.map((t) => [t.Key, t.Value])),
    };
  }
  const user = data.UserDetailList.find((u) => u.Arn === arn);
  if (!user) return undefined;
  const groupPolicies = user.GroupList.flatMap((name) => {
    const group = data.GroupDetailList.find((g) => g.GroupName === name);
    return group ? toPolicies(`group:${name}/`, group.GroupPolicyList, group.AttachedManagedPolicies) : [];
  });
  return {
    ...base,
    kind: 'user',
    name: user.UserName,
    policies: [...toPolicies('', user.UserPolicyList, user.AttachedManagedPolicies), ...groupPolicies],
    groups: user.GroupList,
    attachedPolicyArns: user.AttachedManagedPolicies.map((p) => p.PolicyArn),
    ...boundaryOf(user.PermissionsBoundary),
    tags: Object.fromEntries(user.Tags.map((t) => [t.Key, t.Value])),
  };
}

function withDocument(source: string, document: PolicyDocument | undefined): PrincipalPolicy {
  return document ? { source, document } : { source };
}

function decode(raw: unknown, what: string): PolicyDocument {
  try {
    return decodePolicyDocument(raw);
  } catch (error) {
    if (error instanceof PolicyDocumentError)
      throw new PrincipalSnapshotError(`iam.json: ${what}: ${error.message}`, { cause: error });
    throw error;
  }
}
