/**
 * Attack (issue 20): "member-role writes to admin roles". The function role (single account, default
 * scope: every role of the account) and the organisation member role may write role policies; the
 * attacker's job names OrganizationAccountAccessRole, a StackSet execution role or a CDK bootstrap role
 * as its execution role. Both stacks are created in moto's CloudFormation, the roles read back from
 * moto IAM, and every role change on every protected role is put to the project's evaluator: each is
 * an explicit deny, while an ordinary role of the scope stays writable.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STACK_NAMES } from '../../cdk/app-stacks';
import { ROLE_CHANGE_ACTIONS } from '../../cdk/remediator-permissions';
import { MEMBER_SESSION_NAME, memberRoleArn } from '../../shared/aws/member-account';
import { ENV } from '../../shared/config';
import { BUILT_IN_PROTECTED_ROLES } from '../../shared/core/protected-roles';
import { ACCOUNT } from '../support/aws-world';
import { deployStack, targetOf, type DeployedStack } from '../support/cfn-deploy';
import { readDeployedFunction } from '../support/deployed-stack-world';
import { decide, readDeployedRole, type DeployedRole } from '../support/least-privilege';
import { resetMoto } from '../support/moto-reset';
import { synthesizeApp, type SynthesizedStack } from '../support/synth-app';

const REGION = 'us-east-1';
/** A member account of the organisation stacks. */
const MEMBER = '111111111111';
/** The account of the single-account stack. */
const SINGLE = '333333333333';
/** The role the organisation deployment adds with `-c protectedRoles=`. */
const ADDED = 'BreakGlassAdmin';

/** Concrete role names (`*` filled in) of every built-in entry, at the root path and under a path. */
function protectedRoleResources(account: string): string[] {
  const names = BUILT_IN_PROTECTED_ROLES.map((r) => r.name.replace('*', 'x0123456789abcdef'));
  return [
    ...names,
    ...names.map((name) => `admin/${name}`),
    // What the StackSets service and `cdk bootstrap` actually create
    'stacksets-exec-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    `cdk-hnb659fds-cfn-exec-role-${account}-${REGION}`,
    `cdk-hnb659fds-deploy-role-${account}-${REGION}`,
    `cdk-hnb659fds-file-publishing-role-${account}-${REGION}`,
  ];
}

/** The role-write actions the role's own policies allow (the writes an attacker could steer). */
function heldRoleWrites(role: DeployedRole): string[] {
  const actions = role.info.inlinePolicies
    .flatMap((p) => [p.document.Statement].flat())
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => [s.Action ?? []].flat());
  return [...new Set(actions.filter((a) => /^iam:(Put|Update|Delete|Attach|Detach|Tag|Untag)/.test(a)))];
}

describe('protected roles, as deployed into moto: no write reaches an admin, bootstrap or own role', () => {
  let workDir: string;
  let single: DeployedRole;
  let home: DeployedRole;
  let member: DeployedRole;
  let homeStack: DeployedStack;

  beforeAll(async () => {
    await resetMoto();
    workDir = mkdtempSync(join(tmpdir(), 'gt-deployed-protected-'));
    // Only the policies are under test: the function's code is a stub instead of the esbuild bundle
    const stubDir = join(workDir, 'stub');
    mkdirSync(stubDir);
    writeFileSync(join(stubDir, 'index.js'), 'exports.handler = async () => undefined;\n');
    const withStub = (stack: SynthesizedStack | undefined): SynthesizedStack => {
      if (!stack) throw new Error('cdk synth wrote no such stack');
      return { ...stack, zipAssets: stack.zipAssets.map((a) => ({ ...a, sourceDir: stubDir })) };
    };
    // The single-account stack with the default scope (every role of the account)
    const singleApp = synthesizeApp(join(workDir, 'single'), {}, { bundle: false });
    const singleStack = await deployStack(
      withStub(singleApp.stacks[STACK_NAMES.remediator]),
      await targetOf(SINGLE, REGION),
    );
    const singleFunction = await readDeployedFunction(singleStack);
    single = {
      info: await readDeployedRole(singleStack.target, singleFunction.roleArn),
      sessionName: singleFunction.functionName,
    };
    // The organisation stacks, with one role added to the protected list
    const orgApp = synthesizeApp(
      join(workDir, 'org'),
      { accounts: MEMBER, homeRegion: REGION, protectedRoles: ADDED },
      { bundle: false },
    );
    homeStack = await deployStack(
      withStub(orgApp.stacks[STACK_NAMES.remediator]),
      await targetOf(ACCOUNT, REGION),
    );
    const memberTarget = await targetOf(MEMBER, REGION);
    await deployStack(withStub(orgApp.stacks[STACK_NAMES.member]), memberTarget, {
      RemediatorRoleArn: homeStack.outputs.FunctionRoleArn ?? '',
    });
    const homeFunction = await readDeployedFunction(homeStack);
    home = {
      info: await readDeployedRole(homeStack.target, homeFunction.roleArn),
      sessionName: homeFunction.functionName,
    };
    member = {
      info: await readDeployedRole(memberTarget, memberRoleArn('aws', MEMBER)),
      sessionName: MEMBER_SESSION_NAME,
    };
  }, 180_000);

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  /** The evaluator's verdict on `role` doing `action` on role `resource` of `account`. */
  const verdict = async (role: DeployedRole, account: string, action: string, resource: string) =>
    (
      await decide(role, {
        action,
        resource: `arn:aws:iam::${account}:role/${resource}`,
        resourceAccount: account,
        region: REGION,
      })
    ).verdict;

  /** Each role under test, and the account whose roles it writes (resolved after beforeAll). */
  const ROLES = ['the single-account function role', 'the organisation function role', 'the member role'];
  const roleUnderTest = (what: string): [DeployedRole, string] =>
    what === ROLES[0] ? [single, SINGLE] : what === ROLES[1] ? [home, ACCOUNT] : [member, MEMBER];

  it.each(ROLES)('%s may still write an ordinary role of its scope', async (what) => {
    // Given the role as deployed, and a role of its account that is in the default scope
    const [role, account] = roleUnderTest(what);
    // When it writes an ordinary execution role, at the root path and under a path
    const verdicts = [];
    for (const resource of ['labeling-execution', 'service-role/labeling-execution'])
      for (const action of ['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'])
        verdicts.push([what, action, resource, await verdict(role, account, action, resource)]);
    // Then IAM allows it: the Deny below is not a blanket one
    expect(verdicts.filter(([, , , v]) => v !== 'allowed')).toEqual([]);
  });

  it.each(ROLES)(
    '%s is explicitly denied every role change on every protected role',
    async (what) => {
      // Given the role as deployed, holding role writes on every role of its account
      const [role, account] = roleUnderTest(what);
      const held = heldRoleWrites(role);
      expect(held).toEqual(expect.arrayContaining(['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy']));
      // When it would write any protected role, at any path, with any role change IAM has
      const verdicts: string[][] = [];
      for (const resource of protectedRoleResources(account))
        for (const action of new Set([...held, ...ROLE_CHANGE_ACTIONS]))
          verdicts.push([what, action, resource, await verdict(role, account, action, resource)]);
      // Then each is denied by the role's own explicit Deny, whatever the scope allows
      expect(verdicts.filter(([, , , v]) => v !== 'explicit-deny')).toEqual([]);
      expect(verdicts.length).toBeGreaterThanOrEqual(
        ROLE_CHANGE_ACTIONS.length * 2 * BUILT_IN_PROTECTED_ROLES.length,
      );
    },
    60_000,
  );

  it('denies the role added with -c protectedRoles to the function and member roles, and to no other deployment', async () => {
    // Given the organisation deployment's addition, carried to the function's environment as well
    const config = await readDeployedFunction(homeStack);
    expect(config.environment[ENV.protectedRoles]).toBe(ADDED);
    // Then both of its roles deny writes to it, at any path
    for (const [role, account] of [
      [home, ACCOUNT],
      [member, MEMBER],
    ] as const) {
      expect(await verdict(role, account, 'iam:PutRolePolicy', ADDED)).toBe('explicit-deny');
      expect(await verdict(role, account, 'iam:UpdateAssumeRolePolicy', `ops/${ADDED}`)).toBe(
        'explicit-deny',
      );
    }
    // And the single-account deployment, which did not add it, still may write it
    expect(await verdict(single, SINGLE, 'iam:PutRolePolicy', ADDED)).toBe('allowed');
  });
});
