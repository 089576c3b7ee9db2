/**
 * The operator's role scope as deployed in organisation mode (`-c managedRolePatterns=` and
 * `-c managedRoleTag=`): the function role may write only roles that match a pattern and carry the
 * tag, and the member role, which issue 11 gives "the same scoped writes and denies as the function
 * has today", must be held to the same scope in its account.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STACK_NAMES } from '../../cdk/app-stacks';
import { MEMBER_SESSION_NAME, memberRoleArn } from '../../shared/aws/member-account';
import { ENV } from '../../shared/config';
import { ACCOUNT } from '../support/aws-world';
import { deployStack, targetOf, type DeployedStack } from '../support/cfn-deploy';
import { readDeployedFunction } from '../support/deployed-stack-world';
import { decide, readDeployedRole, type DeployedRole } from '../support/least-privilege';
import { resetMoto } from '../support/moto-reset';
import { synthesizeApp } from '../support/synth-app';

const HOME_REGION = 'us-east-1';
const MEMBER = '111111111111';
const TAG = { key: 'gt-remediate', value: 'yes' };
/** Roles of any account under /service-role/ named gt-*. */
const PATTERN = 'arn:aws:iam::*:role/service-role/gt-*';

describe('organisation mode with managed-role patterns and tag, deployed into moto', () => {
  let workDir: string;
  let home: DeployedStack;
  let functionRole: DeployedRole;
  let memberRole: DeployedRole;

  beforeAll(async () => {
    await resetMoto();
    workDir = mkdtempSync(join(tmpdir(), 'gt-deployed-scope-'));
    const app = synthesizeApp(join(workDir, 'cdk.out'), {
      accounts: MEMBER,
      homeRegion: HOME_REGION,
      managedRolePatterns: PATTERN,
      managedRoleTag: `${TAG.key}=${TAG.value}`,
    });
    const remediator = app.stacks[STACK_NAMES.remediator];
    const member = app.stacks[STACK_NAMES.member];
    if (!remediator || !member) throw new Error('cdk synth wrote no home or member stack');
    home = await deployStack(remediator, await targetOf(ACCOUNT, HOME_REGION));
    const memberTarget = await targetOf(MEMBER, HOME_REGION);
    await deployStack(member, memberTarget, { RemediatorRoleArn: home.outputs.FunctionRoleArn ?? '' });
    const config = await readDeployedFunction(home);
    expect(config.environment[ENV.scopeTag]).toBe(`${TAG.key}=${TAG.value}`);
    functionRole = {
      info: await readDeployedRole(home.target, config.roleArn),
      sessionName: config.functionName,
    };
    memberRole = {
      info: await readDeployedRole(memberTarget, memberRoleArn('aws', MEMBER)),
      sessionName: MEMBER_SESSION_NAME,
    };
  }, 120_000);

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  /** iam:PutRolePolicy on role `path+name` of `account`, whose tags are exactly `tags`. */
  const verdictOn = async (role: DeployedRole, account: string, name: string, tags: Record<string, string>) =>
    (
      await decide(
        role,
        {
          action: 'iam:PutRolePolicy',
          resource: `arn:aws:iam::${account}:role/${name}`,
          resourceAccount: account,
          region: HOME_REGION,
        },
        { resourceTags: tags },
      )
    ).verdict;
  const tagged = { [TAG.key]: TAG.value };

  it.each([
    ['the function role', ACCOUNT],
    ['the member role', MEMBER],
  ])(
    'lets %s write only roles of its account that match the pattern and carry the tag',
    async (_, account) => {
      const role = account === ACCOUNT ? functionRole : memberRole;
      expect({
        inScope: await verdictOn(role, account, 'service-role/gt-execution', tagged),
        untagged: await verdictOn(role, account, 'service-role/gt-execution', {}),
        outsidePattern: await verdictOn(role, account, 'other-team-role', tagged),
      }).toEqual({ inScope: 'allowed', untagged: 'implicit-deny', outsidePattern: 'implicit-deny' });
    },
  );
});
