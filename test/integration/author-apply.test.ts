/**
 * `gt-remediate author --live [--apply --yes]` against moto: each person's own policy created,
 * attached to that person only, rotated at five, read back; another person's never touched; the
 * printed outcome is what IAM holds.
 */
import {
  AddUserToGroupCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateUserCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyVersionsCommand,
  PutGroupPolicyCommand,
  PutUserPolicyCommand,
  AttachUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { main, type Io } from '../../cli/main';
import { decodePolicyDocument, type PolicyDocument } from '../../shared/core';
import type { AuthorReport } from '../../shared/core/author';
import { ACCOUNT, REGION, createRole, policy, runPrefix, serviceTrustStatement } from '../support/aws-world';

const prefix = runPrefix('au');
let iam: IAMClient;

beforeAll(() => {
  iam = new IAMClient({ region: REGION });
});
afterAll(() => iam.destroy());

const policyArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:policy/GroundTruthLambdaAuthor-${name}`;

async function run(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t) };
  const status = await main(['node', 'gt-remediate', 'author', '--region', REGION, ...args], io);
  return { status, out, err };
}

async function defaultDocument(arn: string): Promise<{ versionId: string; document: PolicyDocument }> {
  const versionId = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId ?? '';
  const got = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }));
  return { versionId, document: decodePolicyDocument(got.PolicyVersion?.Document) };
}

async function attachedTo(arn: string): Promise<string[]> {
  const got = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
  return [
    ...(got.PolicyUsers ?? []).map((u) => `user:${u.UserName}`),
    ...(got.PolicyRoles ?? []).map((r) => `role:${r.RoleName}`),
    ...(got.PolicyGroups ?? []).map((g) => `group:${g.GroupName}`),
  ].sort();
}

async function userPolicies(userName: string): Promise<string[]> {
  const got = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: userName }));
  return (got.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? '').sort();
}

/** A user with nothing, and the exact scope of that person's work: execution role, prefix, function role. */
async function person(name: string): Promise<{ userName: string; arn: string; scope: string[] }> {
  const userName = `${prefix}-${name}`;
  const arn = (await iam.send(new CreateUserCommand({ UserName: userName }))).User?.Arn ?? '';
  const executionRole = await createRole(iam, {
    name: `${prefix}-${name}-exec`,
    trust: policy(serviceTrustStatement('sagemaker.amazonaws.com')),
  });
  const functionRole = await createRole(iam, {
    name: `${prefix}-${name}-fn`,
    trust: policy(serviceTrustStatement('lambda.amazonaws.com')),
  });
  const scope = [
    '--execution-role',
    executionRole,
    '--function-prefix',
    `${name}-`,
    '--function-role',
    functionRole,
  ];
  return { userName, arn, scope };
}

describe('gt-remediate author --live', () => {
  it("creates the person's own policy, attaches it to that user only, and the user is then compliant", async () => {
    // Given a user whose group lets it list functions, and the exact scope of its work
    const ann = await person('ann');
    const group = `${prefix}-ds`;
    await iam.send(new CreateGroupCommand({ GroupName: group }));
    await iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: ann.userName }));
    await iam.send(
      new PutGroupPolicyCommand({
        GroupName: group,
        PolicyName: 'list',
        PolicyDocument: JSON.stringify(
          policy({ Effect: 'Allow', Action: 'lambda:ListFunctions', Resource: '*' }),
        ),
      }),
    );
    const args = ['--principal', ann.arn, ...ann.scope, '--live'];

    // When the author check runs read-only
    const checked = await run(...args, '--json');
    // Then it proposes the person's own policy and writes nothing
    expect(checked.err).toBe('');
    expect(checked.status).toBe(1);
    const proposal = (JSON.parse(checked.out) as AuthorReport).proposal;
    expect(proposal?.policyArn).toBe(policyArn(ann.userName));
    expect(JSON.stringify(proposal?.document)).not.toContain('lambda:ListFunctions');
    expect(
      await iam.send(new GetPolicyCommand({ PolicyArn: policyArn(ann.userName) })).catch(() => 'absent'),
    ).toBe('absent');

    // When it applies
    const applied = await run(...args, '--apply', '--yes', '--json');
    // Then the policy exists with exactly the proposal as v1, tagged and attached to ann alone, and the recheck is clean
    expect(applied.err).toBe('');
    expect(applied.status).toBe(0);
    const report = JSON.parse(applied.out) as AuthorReport;
    expect(report.outcome).toBe('remediated');
    expect(report.applied).toMatchObject({ created: true, versionId: 'v1', attached: true });
    expect(await defaultDocument(policyArn(ann.userName))).toEqual({
      versionId: 'v1',
      document: proposal?.document,
    });
    expect(report.applied?.document).toEqual(proposal?.document);
    expect(await attachedTo(policyArn(ann.userName))).toEqual([`user:${ann.userName}`]);
    const tags = (await iam.send(new GetPolicyCommand({ PolicyArn: policyArn(ann.userName) }))).Policy;
    expect(tags?.PolicyName).toBe(`GroundTruthLambdaAuthor-${ann.userName}`);
    expect((await run(...args)).status).toBe(0);
  });

  it("applying for bob never changes alice's policy, and bob cannot pass alice's role or write her functions", async () => {
    // Given alice and bob, each with a scope of their own, and alice's policy applied
    const alice = await person('alice');
    const bob = await person('bob');
    expect((await run('--principal', alice.arn, ...alice.scope, '--live', '--apply', '--yes')).status).toBe(
      0,
    );
    const aliceBefore = await defaultDocument(policyArn(alice.userName));

    // When author applies for bob
    const forBob = await run('--principal', bob.arn, ...bob.scope, '--live', '--apply', '--yes');

    // Then alice's policy is exactly as it was, still attached to alice alone
    expect(forBob.err).toBe('');
    expect(forBob.status).toBe(0);
    expect(await defaultDocument(policyArn(alice.userName))).toEqual(aliceBefore);
    expect(
      (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn(alice.userName) }))).Versions,
    ).toHaveLength(1);
    expect(await attachedTo(policyArn(alice.userName))).toEqual([`user:${alice.userName}`]);
    // And bob has his own policy only, which names none of alice's roles or functions
    expect(await userPolicies(bob.userName)).toEqual([policyArn(bob.userName)]);
    expect(await attachedTo(policyArn(bob.userName))).toEqual([`user:${bob.userName}`]);
    const bobDocument = JSON.stringify((await defaultDocument(policyArn(bob.userName))).document);
    expect(bobDocument).not.toContain('alice');
    // And, evaluated from IAM as it now is, bob may neither pass alice's roles nor create or update her functions
    const bobOnAlice = await run('--principal', bob.arn, ...alice.scope, '--live', '--json');
    const report = JSON.parse(bobOnAlice.out) as AuthorReport;
    expect(bobOnAlice.status).toBe(1);
    const denied = report.capabilities.flatMap((c) => c.denied.map((d) => `${d.action} ${d.resource}`));
    expect(denied).toEqual(
      expect.arrayContaining([
        `iam:PassRole ${alice.scope[1]}`,
        `iam:PassRole ${alice.scope[5]}`,
        `lambda:CreateFunction arn:aws:lambda:${REGION}:${ACCOUNT}:function:alice-*`,
        `lambda:UpdateFunctionCode arn:aws:lambda:${REGION}:${ACCOUNT}:function:alice-*`,
      ]),
    );
  });

  it('applies what it can with one capability explicitly denied, and says so: PARTIAL, Applied, exit 1', async () => {
    // Given dave, whose own inline policy denies the Serverless Application Repository
    const dave = await person('dave');
    await iam.send(
      new PutUserPolicyCommand({
        UserName: dave.userName,
        PolicyName: 'no-sar',
        PolicyDocument: JSON.stringify(policy({ Effect: 'Deny', Action: 'serverlessrepo:*', Resource: '*' })),
      }),
    );

    // When author applies for dave
    const { status, out, err } = await run(
      '--principal',
      dave.arn,
      ...dave.scope,
      '--live',
      '--apply',
      '--yes',
    );

    // Then the policy IAM holds is the one printed as applied, attached to dave
    expect(err).toBe('');
    const held = await defaultDocument(policyArn(dave.userName));
    expect(held.versionId).toBe('v1');
    expect(await attachedTo(policyArn(dave.userName))).toEqual([`user:${dave.userName}`]);
    expect(out).toContain(
      `Applied: customer managed policy GroundTruthLambdaAuthor-${dave.userName} (${policyArn(dave.userName)}), version v1 (created), attached to the user only`,
    );
    expect(out).toContain(
      JSON.stringify(held.document, null, 2)
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
    // And the outcome says it was applied, and the recipe (denied) remains apart
    expect(out).toMatch(/^Outcome: PARTIAL: the policy below was written/m);
    expect(out).not.toContain('BLOCKED');
    expect(out).not.toContain('Proposed');
    expect(out).toMatch(/Still not allowed, nothing applied for these \(2 findings\):/);
    expect(out).toMatch(/AUTHOR_CANNOT_DEPLOY_RECIPE[\s\S]*explicit-deny/);
    expect(out).toMatch(/^ {2}NO {3}recipe/m);
    expect(out).toMatch(/^ {2}yes {2}create-job/m);
    expect(status).toBe(1);
  });

  it("adds a default version to the person's policy, keeps its statements, and deletes the oldest at five", async () => {
    // Given a role with nothing, and its own policy already at five versions (tagged for it, attached)
    const roleName = `${prefix}-scientist`;
    const roleArn = await createRole(iam, {
      name: roleName,
      trust: policy(serviceTrustStatement('ec2.amazonaws.com')),
    });
    const kept = {
      Sid: 'Kept',
      Effect: 'Allow' as const,
      Action: 'lambda:GetFunction',
      Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:gt-*`,
    };
    const arn = policyArn(roleName);
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: `GroundTruthLambdaAuthor-${roleName}`,
        PolicyDocument: JSON.stringify(policy(kept)),
        Tags: [{ Key: 'gt-remediate:author', Value: roleArn }],
      }),
    );
    for (let i = 2; i <= 5; i++)
      await iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: arn,
          PolicyDocument: JSON.stringify(policy(kept)),
          SetAsDefault: true,
        }),
      );
    const functionRole = await createRole(iam, {
      name: `${prefix}-scientist-fn`,
      trust: policy(serviceTrustStatement('lambda.amazonaws.com')),
    });

    // When author applies for the role
    const { status, err } = await run(
      '--principal',
      roleArn,
      '--function-prefix',
      'gt-',
      '--function-role',
      functionRole,
      '--only',
      'create-functions',
      '--live',
      '--apply',
      '--yes',
    );

    // Then v1 is gone, v6 is the default, it keeps the old statement and adds the new ones, and the role has it
    expect(err).toBe('');
    expect(status).toBe(0);
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions ?? [];
    expect(versions.map((v) => v.VersionId).sort()).toEqual(['v2', 'v3', 'v4', 'v5', 'v6']);
    const { versionId, document } = await defaultDocument(arn);
    expect(versionId).toBe('v6');
    const statements = document.Statement as { Sid?: string }[];
    expect(statements[0]).toEqual(kept);
    expect(statements.map((s) => s.Sid)).toEqual([
      'Kept',
      'LabelingFunctions',
      'ListAndSearchInRegion',
      'PassFunctionRoleToLambda',
    ]);
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual([arn]);
  });

  it.each([
    ['tagged for another principal', 'tagged', /is tagged for another principal/],
    ['not made by author --apply (no tag)', 'untagged', /exists without the tag gt-remediate:author/],
    ['attached to someone else', 'shared', /is also attached to user:/],
  ])('refuses a policy of that name %s: exit 2, one line, nothing changed', async (_, kind, message) => {
    // Given erin, and a policy of her policy's name that is not hers alone
    const erin = await person(`erin-${kind}`);
    const other = `${prefix}-other-${kind}`;
    await iam.send(new CreateUserCommand({ UserName: other }));
    const arn = policyArn(erin.userName);
    const squat = policy({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' });
    await iam.send(
      new CreatePolicyCommand({
        PolicyName: `GroundTruthLambdaAuthor-${erin.userName}`,
        PolicyDocument: JSON.stringify(squat),
        ...(kind === 'untagged'
          ? {}
          : {
              Tags: [
                {
                  Key: 'gt-remediate:author',
                  Value: kind === 'tagged' ? `arn:aws:iam::${ACCOUNT}:user/${other}` : erin.arn,
                },
              ],
            }),
      }),
    );
    if (kind === 'shared') await iam.send(new AttachUserPolicyCommand({ UserName: other, PolicyArn: arn }));

    // When author applies for erin
    const { status, out, err } = await run(
      '--principal',
      erin.arn,
      ...erin.scope,
      '--live',
      '--apply',
      '--yes',
    );

    // Then it refuses on one line, and IAM is as it was: v1 only, erin has nothing attached
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
    expect(err).toMatch(/; nothing changed\n$/);
    expect(err.split('\n')).toHaveLength(2);
    expect(await defaultDocument(arn)).toEqual({ versionId: 'v1', document: squat });
    expect(await userPolicies(erin.userName)).toEqual([]);
  });

  it('with no flags and no job of the person, proposes nothing, names the flags, and --apply writes nothing (exit 2)', async () => {
    // Given frank, who has created no labeling job
    const frank = await person('frank');

    // When author runs with no scope flag (the README's old live example)
    const checked = await run('--principal', frank.arn, '--live', '--json');
    const report = JSON.parse(checked.out) as AuthorReport;
    // Then the scope is incomplete, nothing is proposed, and the report names the flags
    expect(checked.status).toBe(1);
    expect(report.outcome).toBe('incomplete');
    expect(report.proposal).toBeUndefined();
    expect(report.needs).toEqual(['--function-prefix PREFIX', '--function-role ARN', '--execution-role ARN']);

    // When it is asked to apply
    const applied = await run('--principal', frank.arn, '--live', '--apply', '--yes');
    // Then it refuses on one line and writes nothing
    expect(applied.status).toBe(2);
    expect(applied.out).toBe('');
    expect(applied.err).toMatch(
      /^gt-remediate: nothing to apply: give --function-prefix PREFIX and --function-role ARN and --execution-role ARN \(not inferred: .*\)\n$/,
    );
    expect(
      await iam.send(new GetPolicyCommand({ PolicyArn: policyArn(frank.userName) })).catch(() => 'absent'),
    ).toBe('absent');
    expect(await userPolicies(frank.userName)).toEqual([]);
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
