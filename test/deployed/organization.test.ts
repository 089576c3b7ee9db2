/**
 * The organisation shape as deployed: the home stack in the home account, the member role stack in
 * each member account and the forwarder stack in every other account and region, all created in
 * moto's CloudFormation. One function process then handles the jobs of three accounts in two regions
 * as the home bus delivers them, fixes them through the member roles, rejects an account outside the
 * organisation, and every call it made is proven allowed by the deployed function and member roles.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { STACK_NAMES } from '../../cdk/app-stacks';
import { FUNCTION_ROLE_NAME, MEMBER_SESSION_NAME, memberRoleArn } from '../../shared/aws/member-account';
import { ENV } from '../../shared/config';
import type { PolicyDocument, Report } from '../../shared/core';
import { statementsOf } from '../../shared/core/policy-document';
import {
  ACCOUNT,
  destroySeedClients,
  policy,
  setParameter,
  snapshotRole,
  type SeedClients,
} from '../support/aws-world';
import {
  clientConfig,
  deployStack,
  targetOf,
  type DeployedStack,
  type DeployTarget,
} from '../support/cfn-deploy';
import type { FunctionProcess } from '../support/deployed-function';
import {
  launchDeployedFunction,
  readDeployedFunction,
  reportOf,
  subscribeSinks,
  type DeployedFunctionConfig,
  type DeployedSinks,
} from '../support/deployed-stack-world';
import type { AuthorizedRequest } from '../support/iam-actions';
import {
  decide,
  forbiddenRequests,
  judgeCalls,
  readDeployedRole,
  roleArnResolver,
  type DeployedRole,
} from '../support/least-privilege';
import {
  expectedInvokePolicy,
  expectedTrustStatement,
  seedJobWorld,
  type JobWorld,
} from '../support/labeling-job-world';
import { describedJob } from '../support/labeling-jobs';
import { resetMoto } from '../support/moto-reset';
import { forwardedEvent, labelingJobArnIn, seedClientsOf } from '../support/organization-world';
import { startRecordingProxy, type RecordedCall, type RecordingProxy } from '../support/recording-proxy';
import {
  resolveTemplateValue,
  synthesizeApp,
  type CfnTemplate,
  type SynthesizedStack,
} from '../support/synth-app';

const HOME_REGION = 'us-east-1';
const OTHER_REGION = 'eu-west-1';
const REGIONS = [HOME_REGION, OTHER_REGION];
const ORG = 'o-a1b2c3d4e5';
/** Served because it is listed (`-c accounts=`). */
const LISTED = '111111111111';
/** Served because it belongs to the organisation: its member role exists and can be assumed. */
const IN_ORG = '222222222222';
/** Outside the list and the organisation: no member role. */
const STRANGER = '999999999999';
const ACCOUNTS = [ACCOUNT, LISTED, IN_ORG];

const memberRoleArnIn = (account: string): string => memberRoleArn('aws', account);

describe('the organisation stacks, deployed into moto', () => {
  let workDir: string;
  const targets = new Map<string, DeployTarget>();
  let home: DeployedStack;
  const members = new Map<string, DeployedStack>();
  const forwarders: DeployedStack[] = [];
  let config: DeployedFunctionConfig;
  let homeTemplate: CfnTemplate;
  let forwarderStack: SynthesizedStack;
  let proxy: RecordingProxy;
  let fn: FunctionProcess;
  let sinks: DeployedSinks;
  /** One job per account and region, created before the events. */
  const jobs: { account: string; region: string; world: JobWorld; seed: SeedClients }[] = [];

  const target = (account: string, region: string): DeployTarget => {
    const got = targets.get(`${account}/${region}`);
    if (!got) throw new Error(`no target ${account}/${region}`);
    return got;
  };

  beforeAll(async () => {
    await resetMoto();
    workDir = mkdtempSync(join(tmpdir(), 'gt-deployed-org-'));
    const app = synthesizeApp(join(workDir, 'cdk.out'), {
      organization: ORG,
      accounts: LISTED,
      homeRegion: HOME_REGION,
    });
    const stackOf = (name: string) => {
      const stack = app.stacks[name];
      if (!stack) throw new Error(`cdk synth wrote no ${name} stack`);
      return stack;
    };
    const remediator = stackOf(STACK_NAMES.remediator);
    const memberStack = stackOf(STACK_NAMES.member);
    const forwarder = stackOf(STACK_NAMES.forwarder);
    homeTemplate = remediator.template;
    forwarderStack = forwarder;
    for (const account of [...ACCOUNTS, STRANGER])
      for (const region of REGIONS) targets.set(`${account}/${region}`, await targetOf(account, region));

    // The home stack first: its outputs are the other templates' parameters (as for the StackSets).
    home = await deployStack(remediator, target(ACCOUNT, HOME_REGION));
    for (const account of [LISTED, IN_ORG])
      members.set(
        account,
        await deployStack(memberStack, target(account, HOME_REGION), {
          RemediatorRoleArn: home.outputs.FunctionRoleArn ?? '',
        }),
      );
    // Every account and region where jobs run, except the home region of the home account (its own rule).
    for (const account of ACCOUNTS)
      for (const region of REGIONS)
        if (!(account === ACCOUNT && region === HOME_REGION))
          forwarders.push(
            await deployStack(forwarder, target(account, region), {
              HomeBusArn: home.outputs.HomeBusArn ?? '',
            }),
          );

    config = await readDeployedFunction(home);
    const asset = remediator.zipAssets[0];
    if (!asset) throw new Error('the home stack has no function asset');
    proxy = await startRecordingProxy();
    fn = launchDeployedFunction(config, asset.sourceDir, proxy, HOME_REGION);
    sinks = await subscribeSinks(
      target(ACCOUNT, HOME_REGION),
      home.outputs.TopicArn ?? '',
      home.outputs.ResultBusName ?? '',
    );
  }, 180_000);

  afterAll(async () => {
    await fn?.stop();
    await proxy?.close();
    sinks?.close();
    for (const { seed } of jobs) destroySeedClients(seed);
    rmSync(workDir, { recursive: true, force: true });
  });

  describe('CreateStack in every account and region', () => {
    it('creates the home stack with the fixed function role name, the home bus and its rule; moto skips the bus policy', async () => {
      expect(home.outputs.FunctionRoleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/${FUNCTION_ROLE_NAME}`);
      expect(home.outputs.HomeBusArn).toBe(
        `arn:aws:events:${HOME_REGION}:${ACCOUNT}:event-bus/${STACK_NAMES.remediator}-home`,
      );
      // moto has no AWS::Events::EventBusPolicy model: the bus accepts any PutEvents in moto.
      expect(Object.values(home.skipped)).toContain('AWS::Events::EventBusPolicy');
      expect(Object.values(home.resources).filter((r) => r.type === 'AWS::Events::EventBus')).toHaveLength(2);
      expect(config.environment).toMatchObject({
        [ENV.allowedAccounts]: LISTED,
        [ENV.organizationId]: ORG,
        [ENV.selfRoleArn]: home.outputs.FunctionRoleArn,
      });
      const events = new EventBridgeClient(clientConfig(target(ACCOUNT, HOME_REGION)));
      const homeBusRule = Object.entries(home.resources).find(
        ([id, r]) => id.startsWith('HomeBusRule') && r.type === 'AWS::Events::Rule',
      );
      const ruleName = homeBusRule?.[1].physicalId ?? '';
      const busName = `${STACK_NAMES.remediator}-home`;
      const rule = await events.send(new DescribeRuleCommand({ Name: ruleName, EventBusName: busName }));
      const { Targets } = await events.send(
        new ListTargetsByRuleCommand({ Rule: ruleName, EventBusName: busName }),
      );
      events.destroy();
      expect(rule.EventBusName).toBe(busName);
      expect(Targets?.map((t) => t.Arn)).toEqual([config.functionArn]);
    });

    it('creates the member role in each member account, trusted by the function role from the organisation only', async () => {
      for (const account of [LISTED, IN_ORG]) {
        const role = await readDeployedRole(target(account, HOME_REGION), memberRoleArnIn(account));
        expect(role.arn).toBe(memberRoleArnIn(account));
        expect(role.trustPolicy.Statement).toEqual([
          {
            Effect: 'Allow',
            Principal: { AWS: home.outputs.FunctionRoleArn },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
          },
        ]);
        expect(role.inlinePolicies).toHaveLength(1);
        expect(Object.values(members.get(account)?.skipped ?? {})).toEqual([]);
      }
    });

    it('creates the forwarding rule in every other account and region, targeting the home bus with its own role', async () => {
      expect(forwarders.map((f) => `${f.target.accountId}/${f.target.region}`).sort()).toEqual(
        [
          `${ACCOUNT}/${OTHER_REGION}`,
          ...[LISTED, IN_ORG].flatMap((a) => REGIONS.map((r) => `${a}/${r}`)),
        ].sort(),
      );
      for (const forwarder of forwarders) {
        expect(forwarder.skipped).toEqual({});
        const events = new EventBridgeClient(clientConfig(forwarder.target));
        const ruleName = Object.values(forwarder.resources).find(
          (r) => r.type === 'AWS::Events::Rule',
        )?.physicalId;
        const roleName = Object.values(forwarder.resources).find(
          (r) => r.type === 'AWS::IAM::Role',
        )?.physicalId;
        const rule = await events.send(new DescribeRuleCommand({ Name: ruleName }));
        const { Targets } = await events.send(new ListTargetsByRuleCommand({ Rule: ruleName }));
        events.destroy();
        expect(rule.EventBusName).toBe('default');
        expect(JSON.parse(rule.EventPattern ?? '{}')).toMatchObject({
          source: ['aws.sagemaker'],
          detail: { eventName: ['CreateLabelingJob'], errorCode: [{ exists: false }] },
        });
        expect(Targets).toEqual([
          expect.objectContaining({
            Arn: home.outputs.HomeBusArn,
            RoleArn: `arn:aws:iam::${forwarder.target.accountId}:role/${roleName}`,
          }),
        ]);
      }
    });
  });

  describe('least privilege of the forwarders', () => {
    /**
     * moto skips AWS::Events::EventBusPolicy, so the home bus policy is taken from the synthesized
     * template (its intrinsics resolved with the deployed values) and evaluated with each forwarder
     * role as moto created it.
     */
    let busPolicy: PolicyDocument;
    const homeBusRequest = (): AuthorizedRequest => ({
      action: 'events:PutEvents',
      resource: home.outputs.HomeBusArn ?? '',
      resourceAccount: ACCOUNT,
      region: HOME_REGION,
    });
    const forwardRoleOf = async (forwarder: DeployedStack): Promise<DeployedRole> => {
      const name = Object.values(forwarder.resources).find((r) => r.type === 'AWS::IAM::Role')?.physicalId;
      const arn = `arn:aws:iam::${forwarder.target.accountId}:role/${name}`;
      return { info: await readDeployedRole(forwarder.target, arn), sessionName: 'events' };
    };

    beforeAll(() => {
      const homeBusId =
        Object.keys(homeTemplate.Resources).find(
          (id) => id.startsWith('HomeBus') && homeTemplate.Resources[id]?.Type === 'AWS::Events::EventBus',
        ) ?? '';
      const values = {
        refs: { 'AWS::Partition': 'aws', 'AWS::AccountId': ACCOUNT, 'AWS::Region': HOME_REGION },
        getAtts: { [`${homeBusId}.Arn`]: home.outputs.HomeBusArn ?? '' },
      };
      const statements = Object.values(homeTemplate.Resources)
        .filter((r) => r.Type === 'AWS::Events::EventBusPolicy')
        .map((r) => resolveTemplateValue(r.Properties?.Statement, values));
      expect(statements).toHaveLength(2);
      busPolicy = { Version: '2012-10-17', Statement: statements as PolicyDocument['Statement'] };
    });

    it('lets every forwarder role put events on the home bus, and on no other bus', async () => {
      for (const forwarder of forwarders) {
        const role = await forwardRoleOf(forwarder);
        const onHomeBus = await decide(role, homeBusRequest(), {
          knownContext: { 'aws:PrincipalOrgID': ORG },
          resourcePolicy: busPolicy,
        });
        expect([forwarder.target.accountId, forwarder.target.region, onHomeBus.verdict]).toEqual([
          forwarder.target.accountId,
          forwarder.target.region,
          'allowed',
        ]);
        const onDefaultBus = await decide(role, {
          ...homeBusRequest(),
          resource: `arn:aws:events:${forwarder.target.region}:${forwarder.target.accountId}:event-bus/default`,
          resourceAccount: forwarder.target.accountId,
        });
        expect(onDefaultBus.verdict).toBe('implicit-deny');
      }
    });

    it('keeps a forwarder deployed outside the list and the organisation off the home bus', async () => {
      const outsider = await deployStack(forwarderStack, target(STRANGER, HOME_REGION), {
        HomeBusArn: home.outputs.HomeBusArn ?? '',
      });
      const role = await forwardRoleOf(outsider);
      const verdict = await decide(role, homeBusRequest(), {
        knownContext: { 'aws:PrincipalOrgID': 'o-zz9yy8xx7w' },
        resourcePolicy: busPolicy,
      });
      expect(verdict.verdict).toBe('implicit-deny');
      // The organisation condition is what keeps it out: the same role, were its account in the organisation, gets in.
      const inOrg = await decide(role, homeBusRequest(), {
        knownContext: { 'aws:PrincipalOrgID': ORG },
        resourcePolicy: busPolicy,
      });
      expect(inOrg.verdict).toBe('allowed');
    });
  });

  describe('one function for three accounts in two regions', () => {
    const reports: Report[] = [];
    let callsBeforeStranger = 0;

    beforeAll(async () => {
      // Given the operator turned dry-run off (home account and region: the only dry-run switch)
      const homeSeed = seedClientsOf(target(ACCOUNT, HOME_REGION));
      await setParameter(homeSeed.ssm, config.environment[ENV.dryRunParameterName] ?? '', 'false');
      destroySeedClients(homeSeed);
      // And one job in each account and region, missing both invoke grants and the output read path
      for (const account of ACCOUNTS)
        for (const region of REGIONS) {
          const seed = seedClientsOf(target(account, region));
          const id = `o${account.slice(-2)}${region.slice(0, 2)}`;
          const world = await seedJobWorld(seed, { id, registerJob: false });
          proxy.putLabelingJob(
            account,
            region,
            describedJob(world, { LabelingJobArn: labelingJobArnIn(world, account, region) }),
          );
          jobs.push({ account, region, world, seed });
        }
      // When each event reaches the one function, as the home bus delivers it
      for (const job of jobs)
        reports.push(reportOf(await fn.invoke(forwardedEvent(job.world, job.account, job.region))));
      callsBeforeStranger = proxy.calls.length;
    }, 120_000);

    it('remediates every job, in its own account and region', () => {
      expect(reports.map((r) => [r.job?.account, r.job?.region, r.outcome, r.dryRun])).toEqual(
        jobs.map((j) => [j.account, j.region, 'remediated', false]),
      );
    });

    it('leaves each fix in IAM of the job account, read back with that account credentials', async () => {
      for (const { world, seed } of jobs) {
        const execution = await snapshotRole(seed.iam, world.executionRole.name);
        expect(execution.inline.GroundTruthLabelingLambdaInvoke).toEqual(
          expectedInvokePolicy([world.preFunctionArn, world.postFunctionArn]),
        );
        expect(execution.trust).toEqual(
          policy(...statementsOf(world.executionRole.trust), expectedTrustStatement([world.postRole.arn])),
        );
      }
    });

    it('writes in member accounts through the member role, at home with the function role, and assumes each member role once', () => {
      const writes = proxy.calls.filter(
        (c) => c.operation === 'PutRolePolicy' || c.operation === 'UpdateAssumeRolePolicy',
      );
      // strategy auto, a role inside the envelope: invoke and trust on the execution role, the direct read on the post role
      expect(writes).toHaveLength(jobs.length * 3);
      for (const { account, world } of jobs) {
        const principal = account === ACCOUNT ? config.roleArn : memberRoleArnIn(account);
        expect(
          writes.filter((c) => c.params.RoleName === world.executionRole.name).map((c) => c.principal),
        ).toEqual([principal, principal]);
        expect(
          writes.filter((c) => c.params.RoleName === world.postRole.name).map((c) => c.principal),
        ).toEqual([principal]);
      }
      // Member sessions are cached per account: one AssumeRole each, across both regions
      const assumed = proxy.calls.filter((c) => c.operation === 'AssumeRole');
      expect(assumed.map((c) => [c.principal, c.params.RoleArn]).sort()).toEqual(
        [LISTED, IN_ORG].map((a) => [config.roleArn, memberRoleArnIn(a)]).sort(),
      );
      // The jobs' functions are read in the job's region
      for (const { account, region, world } of jobs) {
        const reads = proxy.calls.filter(
          (c) => c.operation === 'GetFunctionConfiguration' && c.params.FunctionName === world.preFunctionArn,
        );
        expect(reads.map((c) => [c.region, c.principal])).toEqual([
          [region, account === ACCOUNT ? config.roleArn : memberRoleArnIn(account)],
        ]);
      }
    });

    it('delivers every report home: one topic, one result bus, in the home region', async () => {
      const delivered = proxy.calls.filter((c) => c.operation === 'Publish' || c.operation === 'PutEvents');
      expect(new Set(delivered.map((c) => `${c.region} ${c.principal}`))).toEqual(
        new Set([`${HOME_REGION} ${config.roleArn}`]),
      );
      expect((await sinks.readNotifications()).map((n) => n.attributes.outcome)).toEqual(
        jobs.map(() => 'remediated'),
      );
      expect(
        (await sinks.readResultEvents()).map((e) => [e.detail.job?.account, e.detail.job?.region]),
      ).toEqual(jobs.map((j) => [j.account, j.region]));
    });

    it('rejects an event from an account outside the list and the organisation, writing nothing anywhere', async () => {
      // Given a job in an account that has no member role
      const seed = seedClientsOf(target(STRANGER, HOME_REGION));
      const world = await seedJobWorld(seed, { id: 'ostranger', registerJob: false });
      proxy.putLabelingJob(
        STRANGER,
        HOME_REGION,
        describedJob(world, { LabelingJobArn: labelingJobArnIn(world, STRANGER, HOME_REGION) }),
      );
      const before = await snapshotRole(seed.iam, world.executionRole.name);

      // When its event reaches the function
      const report = reportOf(await fn.invoke(forwardedEvent(world, STRANGER, HOME_REGION)));

      // Then the report says the event is unverified and nothing was written in any account
      expect(report.findings.map((f) => f.code)).toEqual(['EVENT_UNVERIFIED']);
      expect(report.changes).toEqual([]);
      const calls = proxy.calls.slice(callsBeforeStranger);
      expect(calls.filter((c) => c.service === 'iam' && !/^(Get|List)/.test(c.operation))).toEqual([]);
      expect(calls.filter((c) => c.service === 'sagemaker' || c.service === 'lambda')).toEqual([]);
      // And what refused it: moto's STS issued a session anyway, whose GetRole of the member role found none
      expect(
        calls
          .filter((c) => c.service === 'sts' || c.service === 'iam')
          .map((c) => [c.operation, c.status, c.principal]),
      ).toEqual([
        ['AssumeRole', 200, config.roleArn],
        ['GetRole', 404, memberRoleArnIn(STRANGER)],
      ]);
      expect(await snapshotRole(seed.iam, world.executionRole.name)).toEqual(before);
      expect((await sinks.readResultEvents()).map((e) => e.detail.findings.map((f) => f.code))).toEqual([
        ['EVENT_UNVERIFIED'],
      ]);
      await sinks.readNotifications();
      destroySeedClients(seed);
    });

    describe('least privilege of the function role and the member roles', () => {
      const roles = new Map<string, DeployedRole>();

      beforeAll(async () => {
        roles.set(config.roleArn, {
          info: await readDeployedRole(target(ACCOUNT, HOME_REGION), config.roleArn),
          sessionName: config.functionName,
        });
        for (const account of [LISTED, IN_ORG])
          roles.set(memberRoleArnIn(account), {
            info: await readDeployedRole(target(account, HOME_REGION), memberRoleArnIn(account)),
            sessionName: MEMBER_SESSION_NAME,
          });
      });

      /** What AWS knows about these accounts: the organisation of the function's and members' accounts. */
      const orgContext = (request: AuthorizedRequest): Record<string, string> => ({
        'aws:PrincipalOrgID': ORG,
        'aws:ResourceOrgID': request.resourceAccount === STRANGER ? 'o-zz9yy8xx7w' : ORG,
      });
      /** Assuming a member role crosses accounts: its deployed trust policy must let the function role in too. */
      const trustOf = (request: AuthorizedRequest) =>
        request.action === 'sts:AssumeRole' ? roles.get(request.resource)?.info.trustPolicy : undefined;

      it('allows every call made for the served accounts, by the role that made it', async () => {
        // The stranger's event is judged below: AWS would refuse its AssumeRole, and the session moto
        // issued anyway belongs to a member role that does not exist.
        const served = proxy.calls.slice(0, callsBeforeStranger);
        expect(new Set(served.map((c) => c.principal))).toEqual(new Set(roles.keys()));
        const judged = await judgeCalls(served, roles, await roleArnResolver([...targets.values()]), {
          knownContext: orgContext,
          resourcePolicy: trustOf,
        });
        expect(judged.filter((j) => j.verdict !== 'allowed')).toEqual([]);
        expect(new Set(judged.map((j) => j.action))).toEqual(
          new Set([
            'iam:GetRole',
            'iam:ListRolePolicies',
            'iam:GetRolePolicy',
            'iam:ListAttachedRolePolicies',
            'iam:GetPolicy',
            'iam:GetPolicyVersion',
            'iam:PutRolePolicy',
            'iam:UpdateAssumeRolePolicy',
            'lambda:GetFunctionConfiguration',
            'lambda:ListTags',
            'sagemaker:DescribeLabelingJob',
            's3:ListBucket',
            'sts:AssumeRole',
            'ssm:GetParameter',
            'sns:Publish',
            'events:PutEvents',
          ]),
        );
      });

      it('would not even let the function assume a member role outside the organisation', async () => {
        // moto's STS issued the credentials anyway (it checks no policy); AWS refuses them here.
        const strangerAssume = proxy.calls
          .slice(callsBeforeStranger)
          .filter((c: RecordedCall) => c.operation === 'AssumeRole');
        expect(strangerAssume.map((c) => c.params.RoleArn)).toEqual([memberRoleArnIn(STRANGER)]);
        const judged = await judgeCalls(strangerAssume, roles, await roleArnResolver([]), {
          knownContext: orgContext,
        });
        expect(judged.map((j) => j.verdict)).toEqual(['implicit-deny']);
      });

      it('denies the forbidden writes to the function role and to each member role', async () => {
        const cases: { role: DeployedRole; inScope: string; outOfScope: string }[] = [
          {
            role: roles.get(config.roleArn) as DeployedRole,
            inScope: jobs[0]?.world.executionRole.arn ?? '',
            outOfScope: `arn:aws:iam::${STRANGER}:role/someone-elses-role`,
          },
          ...[LISTED, IN_ORG].map((account) => ({
            role: roles.get(memberRoleArnIn(account)) as DeployedRole,
            inScope: jobs.find((j) => j.account === account)?.world.executionRole.arn ?? '',
            // The member role writes only its own account's roles.
            outOfScope: `arn:aws:iam::${ACCOUNT}:role/home-account-role`,
          })),
        ];
        for (const c of cases) {
          const verdicts = await Promise.all(
            forbiddenRequests({
              ownRoleArn: c.role.info.arn,
              inScopeRoleArn: c.inScope,
              outOfScopeRoleArn: c.outOfScope,
            }).map(
              async (f) => [c.role.info.arn, f.label, (await decide(c.role, f.request)).verdict] as const,
            ),
          );
          expect(verdicts.filter(([, , v]) => v !== 'implicit-deny' && v !== 'explicit-deny')).toEqual([]);
          expect(verdicts.find(([, label]) => label === 'iam:PutRolePolicy on its own role')?.[2]).toBe(
            'explicit-deny',
          );
        }
      });
    });
  });
});
