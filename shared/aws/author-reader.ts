/** IAM adapter for `author`: reads a user (with its groups) or a role into the core's principal model. */
import {
  GetGroupPolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  paginateListAttachedGroupPolicies,
  paginateListAttachedUserPolicies,
  paginateListGroupPolicies,
  paginateListGroupsForUser,
  paginateListUserPolicies,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { decodePolicyDocument } from '../core';
import { parsePrincipalArn, type AuthorPrincipal, type PrincipalPolicy } from '../core/author';
import { orUndefined } from './errors';
import { IamReader } from './iam';

/** The principal `arn` names, with every identity policy; undefined when it does not exist. Throws on other AWS errors. */
export async function readAuthorPrincipal(
  client: IAMClient,
  arn: string,
  reader: IamReader = new IamReader(client),
): Promise<AuthorPrincipal | undefined> {
  const parsed = parsePrincipalArn(arn);
  if (!parsed) return undefined;
  const base = { partition: parsed.partition, accountId: parsed.accountId };
  if (parsed.kind === 'role') {
    const role = await reader.readRole(parsed.name);
    if (!role || role.arn !== arn) return undefined;
    return {
      ...base,
      kind: 'role',
      arn: role.arn,
      name: role.name,
      policies: [
        ...role.inlinePolicies.map((p) => ({ source: `inline:${p.name}`, document: p.document })),
        ...role.managedPolicies.map(toPolicy),
      ],
      groups: [],
      attachedPolicyArns: role.managedPolicies.map((p) => p.arn),
      ...(role.boundary ? { boundary: role.boundary } : {}),
      tags: role.tags,
    };
  }
  const user = (await orUndefined(() => client.send(new GetUserCommand({ UserName: parsed.name }))))?.User;
  if (!user?.Arn || !user.UserName || user.Arn !== arn) return undefined;
  const userName = user.UserName;
  const groups: string[] = [];
  for await (const page of paginateListGroupsForUser({ client }, { UserName: userName }))
    groups.push(...(page.Groups ?? []).flatMap((g) => (g.GroupName ? [g.GroupName] : [])));
  const [ownInline, ownAttached, groupPolicies, boundary] = await Promise.all([
    userInline(client, userName),
    attachedArns(paginateListAttachedUserPolicies({ client }, { UserName: userName })),
    Promise.all(groups.map((g) => groupPoliciesOf(client, reader, g))),
    user.PermissionsBoundary?.PermissionsBoundaryArn
      ? reader.readManagedPolicy(user.PermissionsBoundary.PermissionsBoundaryArn)
      : Promise.resolve(undefined),
  ]);
  const managed = await Promise.all(ownAttached.map((a) => reader.readManagedPolicy(a)));
  return {
    ...base,
    kind: 'user',
    arn: user.Arn,
    name: userName,
    policies: [...ownInline, ...managed.map(toPolicy), ...groupPolicies.flat()],
    groups,
    attachedPolicyArns: ownAttached,
    ...(boundary ? { boundary } : {}),
    tags: Object.fromEntries((user.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}

function toPolicy(p: { arn: string; document?: PrincipalPolicy['document'] }): PrincipalPolicy {
  return p.document ? { source: p.arn, document: p.document } : { source: p.arn };
}

async function userInline(client: IAMClient, userName: string): Promise<PrincipalPolicy[]> {
  const names: string[] = [];
  for await (const page of paginateListUserPolicies({ client }, { UserName: userName }))
    names.push(...(page.PolicyNames ?? []));
  const docs = await Promise.all(
    names.map(async (name) => {
      const got = await orUndefined(() =>
        client.send(new GetUserPolicyCommand({ UserName: userName, PolicyName: name })),
      );
      return got?.PolicyDocument
        ? { source: `inline:${name}`, document: decodePolicyDocument(got.PolicyDocument) }
        : { source: `inline:${name}` };
    }),
  );
  return docs;
}

async function groupPoliciesOf(
  client: IAMClient,
  reader: IamReader,
  group: string,
): Promise<PrincipalPolicy[]> {
  const names: string[] = [];
  for await (const page of paginateListGroupPolicies({ client }, { GroupName: group }))
    names.push(...(page.PolicyNames ?? []));
  const inline = await Promise.all(
    names.map(async (name) => {
      const source = `group:${group}/inline:${name}`;
      const got = await orUndefined(() =>
        client.send(new GetGroupPolicyCommand({ GroupName: group, PolicyName: name })),
      );
      return got?.PolicyDocument
        ? { source, document: decodePolicyDocument(got.PolicyDocument) }
        : { source };
    }),
  );
  const attached = await attachedArns(paginateListAttachedGroupPolicies({ client }, { GroupName: group }));
  const managed = await Promise.all(attached.map((a) => reader.readManagedPolicy(a)));
  return [...inline, ...managed.map(toPolicy)];
}

async function attachedArns(
  pages: AsyncIterable<{ AttachedPolicies?: { PolicyArn?: string }[] }>,
): Promise<string[]> {
  const arns: string[] = [];
  for await (const page of pages)
    arns.push(...(page.AttachedPolicies ?? []).flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])));
  return arns;
}
