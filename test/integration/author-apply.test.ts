/** `gt-remediate author --live [--apply --yes]` against moto: the policy created, attached, rotated at five, read back. */
import {
  AddUserToGroupCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateUserCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyVersionsCommand,
  PutGroupPolicyCommand,
} from '@aws-sdk/client-iam';
import { main, type Io } from '../../cli/main';
import { decodePolicyDocument, type PolicyDocument } from '../../shared/core';
import type { AuthorReport } from '../../shared/core/author';
import { ACCOUNT, REGION, createRole, policy, runPrefix, serviceTrustStatement } from '../support/aws-world';

const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/GroundTruthLambdaAuthor`;
const prefix = runPrefix('au');
let iam: IAMClient;

beforeAll(() => {
  iam = new IAMClient({ region: REGION });
});
afterAll(async () => {
  await removeAuthorPolicy();
  iam.destroy();
});
beforeEach(removeAuthorPolicy);

/** The author policy is one per account: each test starts without it. */
async function removeAuthorPolicy(): Promise<void> {
  const got = await iam.send(new GetPolicyCommand({ PolicyArn: POLICY_ARN })).catch(() => undefined);
  if (!got) return;
  const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: POLICY_ARN }));
  for (const u of entities.PolicyUsers ?? [])
    await iam.send(new DetachUserPolicyCommand({ UserName: u.UserName, PolicyArn: POLICY_ARN }));
  for (const r of entities.PolicyRoles ?? [])
    await iam.send(new DetachRolePolicyCommand({ RoleName: r.RoleName, PolicyArn: POLICY_ARN }));
  for (const g of entities.PolicyGroups ?? [])
    await iam.send(new DetachGroupPolicyCommand({ GroupName: g.GroupName, PolicyArn: POLICY_ARN }));
  for (const v of (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: POLICY_ARN }))).Versions ?? [])
    if (!v.IsDefaultVersion)
      await iam.send(new DeletePolicyVersionCommand({ PolicyArn: POLICY_ARN, VersionId: v.VersionId }));
  await iam.send(new DeletePolicyCommand({ PolicyArn: POLICY_ARN }));
}

async function run(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t) };
  const status = await main(['node', 'gt-remediate', 'author', '--region', REGION, ...args], io);
  return { status, out, err };
}

async function defaultDocument(): Promise<{ versionId: string; document: PolicyDocument }> {
  const versionId =
    (await iam.send(new GetPolicyCommand({ PolicyArn: POLICY_ARN }))).Policy?.DefaultVersionId ?? '';
  const got = await iam.send(new GetPolicyVersionCommand({ PolicyArn: POLICY_ARN, VersionId: versionId }));
  return { versionId, document: decodePolicyDocument(got.PolicyVersion?.Document) };
}

describe('gt-remediate author --live', () => {
  it('creates the policy, attaches it to the user, and the user is then compliant', async () => {
    // Given a user whose group lets it list functions, and an execution role
    const userName = `${prefix}-ann`;
    const group = `${prefix}-ds`;
    const userArn = (await iam.send(new CreateUserCommand({ UserName: userName }))).User?.Arn ?? '';
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: userName }));
    await iam.send(
      new PutGroupPolicyCommand({
        GroupName: group,
        PolicyName: 'list',
        PolicyDocument: JSON.stringify(
          policy({ Effect: 'Allow', Action: 'lambda:ListFunctions', Resource: '*' }),
        ),
      }),
    );
    const executionRole = await createRole(iam, {
      name: `${prefix}-exec`,
      trust: policy(serviceTrustStatement('sagemaker.amazonaws.com')),
    });
    const args = [
      '--principal',
      userArn,
      '--execution-role',
      executionRole,
      '--function-prefix',
      'gt-',
      '--live',
    ];

    // When the author check runs read-only
    const checked = await run(...args, '--json');
    // Then it proposes and writes nothing
    expect(checked.err).toBe('');
    expect(checked.status).toBe(1);
    const proposal = (JSON.parse(checked.out) as AuthorReport).proposal;
    expect(JSON.stringify(proposal?.document)).not.toContain('lambda:ListFunctions');
    expect(await iam.send(new GetPolicyCommand({ PolicyArn: POLICY_ARN })).catch(() => 'absent')).toBe(
      'absent',
    );

    // When it applies
    const applied = await run(...args, '--apply', '--yes', '--json');
    // Then the policy exists with exactly the proposal as v1, attached to the user, and the recheck is clean
    expect(applied.err).toBe('');
    expect(applied.status).toBe(0);
    const report = JSON.parse(applied.out) as AuthorReport & { applied: { created: boolean } };
    expect(report.outcome).toBe('remediated');
    expect(report.applied.created).toBe(true);
    expect(await defaultDocument()).toEqual({ versionId: 'v1', document: proposal?.document });
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([POLICY_ARN]);
    expect((await run(...args)).status).toBe(0);
  });

  it('adds a default version to an existing policy, keeps its statements, and deletes the oldest at five', async () => {
    // Given the policy already at five versions (v5 default, holding a statement someone relies on)
    const kept = {
      Sid: 'Kept',
      Effect: 'Allow' as const,
      Action: 'lambda:GetFunction',
      Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:gt-*`,
    };
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'GroundTruthLambdaAuthor',
        PolicyDocument: JSON.stringify(policy(kept)),
      }),
    );
    for (let i = 2; i <= 5; i++)
      await iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: POLICY_ARN,
          PolicyDocument: JSON.stringify(policy(kept)),
          SetAsDefault: true,
        }),
      );
    // And a role with nothing
    const roleArn = await createRole(iam, {
      name: `${prefix}-scientist`,
      trust: policy(serviceTrustStatement('ec2.amazonaws.com')),
    });

    // When author applies for the role
    const { status, err } = await run(
      '--principal',
      roleArn,
      '--function-prefix',
      'gt-',
      '--only',
      'create-functions',
      '--live',
      '--apply',
      '--yes',
    );

    // Then v1 is gone, v6 is the default, it keeps the old statement and adds the new ones, and the role has it
    expect(err).toBe('');
    expect(status).toBe(0);
    const versions =
      (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: POLICY_ARN }))).Versions ?? [];
    expect(versions.map((v) => v.VersionId).sort()).toEqual(['v2', 'v3', 'v4', 'v5', 'v6']);
    const { versionId, document } = await defaultDocument();
    expect(versionId).toBe('v6');
    const statements = document.Statement as { Sid?: string }[];
    expect(statements[0]).toEqual(kept);
    expect(statements.map((s) => s.Sid)).toEqual([
      'Kept',
      'LabelingFunctions',
      'ListAndSearchInRegion',
      'PassFunctionRoleToLambda',
    ]);
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: `${prefix}-scientist` }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([POLICY_ARN]);
  });

  it('says on one line that the principal does not exist, and exits 2', async () => {
    const { status, out, err } = await run(
      '--principal',
      `arn:aws:iam::${ACCOUNT}:user/${prefix}-nobody`,
      '--live',
    );
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(`gt-remediate: principal not found: arn:aws:iam::${ACCOUNT}:user/${prefix}-nobody\n`);
  });
});
