/** IAM adapter: reads a role with all its policies (documents decoded once), and writes our two kinds of change. */
import {
  DeleteRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import {
  decodePolicyDocument,
  type AttachedPolicy,
  type Change,
  type PolicyDocument,
  type RoleInfo,
} from '../core';
import { orUndefined } from './errors';

/**
 * Policy versions never change once created, so their documents are cached by ARN + version for as
 * long as the process lives (across warm Lambda invocations).
 */
const versionCache = new Map<string, PolicyDocument>();

/** Reads roles and policies; memoises per instance (one event, or one scan) and caches immutable versions globally. */
export class IamReader {
  private readonly roles = new Map<string, Promise<RoleInfo | undefined>>();
  private readonly policies = new Map<string, Promise<AttachedPolicy>>();

  constructor(
    private readonly client: IAMClient,
    private readonly cache: Map<string, PolicyDocument> = versionCache,
  ) {}

  /** The role with its trust policy, inline and attached policies, boundary and tags; undefined when it does not exist. */
  readRole(roleName: string): Promise<RoleInfo | undefined> {
    let pending = this.roles.get(roleName);
    if (!pending) {
      pending = this.fetchRole(roleName);
      this.roles.set(roleName, pending);
      pending.catch(() => this.roles.delete(roleName));
    }
    return pending;
  }

  private async fetchRole(roleName: string): Promise<RoleInfo | undefined> {
    // The policy lists need only the name: read them alongside GetRole (one round trip, not two, before the documents).
    const inlineRead = this.readInlinePolicies(roleName);
    const attachedRead = this.readAttachedPolicies(roleName);
    // Awaited below; until then a failure must not count as unhandled.
    inlineRead.catch(() => undefined);
    attachedRead.catch(() => undefined);
    const got = await orUndefined(() => this.client.send(new GetRoleCommand({ RoleName: roleName })));
    const role = got?.Role;
    if (!role?.Arn || !role.RoleName) {
      // No such role: its lists fail the same way, and say nothing more.
      await Promise.allSettled([inlineRead, attachedRead]);
      return undefined;
    }
    const [inlinePolicies, managedPolicies, boundary] = await Promise.all([
      inlineRead,
      attachedRead,
      role.PermissionsBoundary?.PermissionsBoundaryArn
        ? this.readManagedPolicy(role.PermissionsBoundary.PermissionsBoundaryArn)
        : Promise.resolve(undefined),
    ]);
    return {
      arn: role.Arn,
      name: role.RoleName,
      path: role.Path ?? '/',
      trustPolicy: decodePolicyDocument(role.AssumeRolePolicyDocument ?? '{"Statement":[]}'),
      inlinePolicies,
      managedPolicies,
      ...(boundary ? { boundary } : {}),
      tags: Object.fromEntries((role.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    };
  }

  private async readInlinePolicies(roleName: string): Promise<RoleInfo['inlinePolicies']> {
    const names: string[] = [];
    for await (const page of paginateListRolePolicies({ client: this.client }, { RoleName: roleName })) {
      names.push(...(page.PolicyNames ?? []));
    }
    const docs = await Promise.all(
      names.map(async (name) => {
        const got = await orUndefined(() =>
          this.client.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })),
        );
        return got?.PolicyDocument ? { name, document: decodePolicyDocument(got.PolicyDocument) } : undefined;
      }),
    );
    return docs.filter((d): d is NonNullable<typeof d> => d !== undefined);
  }

  private async readAttachedPolicies(roleName: string): Promise<AttachedPolicy[]> {
    const arns: string[] = [];
    for await (const page of paginateListAttachedRolePolicies(
      { client: this.client },
      { RoleName: roleName },
    )) {
      arns.push(...(page.AttachedPolicies ?? []).flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])));
    }
    return Promise.all(arns.map((arn) => this.readManagedPolicy(arn)));
  }

  /** A managed policy's default version; `document` is undefined when the policy cannot be found. */
  readManagedPolicy(arn: string): Promise<AttachedPolicy> {
    let pending = this.policies.get(arn);
    if (!pending) {
      pending = this.fetchManagedPolicy(arn);
      this.policies.set(arn, pending);
      pending.catch(() => this.policies.delete(arn));
    }
    return pending;
  }

  private async fetchManagedPolicy(arn: string): Promise<AttachedPolicy> {
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    const policy = (await orUndefined(() => this.client.send(new GetPolicyCommand({ PolicyArn: arn }))))
      ?.Policy;
    const version = policy?.DefaultVersionId;
    if (!version) return { arn, name };
    const key = `${arn}#${version}`;
    const cached = this.cache.get(key);
    if (cached) return { arn, name, document: cached };
    const got = await orUndefined(() =>
      this.client.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: version })),
    );
    if (!got?.PolicyVersion?.Document) return { arn, name };
    const document = decodePolicyDocument(got.PolicyVersion.Document);
    this.cache.set(key, document);
    return { arn, name, document };
  }
}

/** Writes one planned change to IAM. */
export async function writeChange(client: IAMClient, change: Change): Promise<void> {
  const document = JSON.stringify(change.document);
  if (change.action === 'DeleteRolePolicy') {
    await client.send(
      new DeleteRolePolicyCommand({ RoleName: change.roleName, PolicyName: change.policyName }),
    );
  } else if (change.action === 'PutRolePolicy') {
    await client.send(
      new PutRolePolicyCommand({
        RoleName: change.roleName,
        PolicyName: change.policyName,
        PolicyDocument: document,
      }),
    );
  } else {
    await client.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: change.roleName, PolicyDocument: document }),
    );
  }
}

/** The document a change would replace, as IAM holds it right now (undefined: the inline policy does not exist). */
export async function readCurrentDocument(
  client: IAMClient,
  change: Change,
): Promise<PolicyDocument | undefined> {
  if (change.action !== 'UpdateAssumeRolePolicy') {
    const got = await orUndefined(() =>
      client.send(new GetRolePolicyCommand({ RoleName: change.roleName, PolicyName: change.policyName })),
    );
    return got?.PolicyDocument ? decodePolicyDocument(got.PolicyDocument) : undefined;
  }
  const got = await orUndefined(() => client.send(new GetRoleCommand({ RoleName: change.roleName })));
  const raw = got?.Role?.AssumeRolePolicyDocument;
  return raw ? decodePolicyDocument(raw) : undefined;
}
