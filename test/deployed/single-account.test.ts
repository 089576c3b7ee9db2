/**
 * The single-account shape as deployed: `cdk synth` output created in moto's CloudFormation, the
 * deployed function's bundle run with its deployed configuration, a job fixed (and, in dry-run,
 * only proposed), and every AWS call it made proven allowed by the deployed role, and nothing more.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import {
  ListTargetsByRuleCommand,
  DescribeRuleCommand,
  EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { GetFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { STACK_NAMES } from '../../cdk/app-stacks';
import { RESULT_EVENT } from '../../shared/aws/events';
import { ENV } from '../../shared/config';
import { SELFTEST_EVENT } from '../../shared/selftest';
import { DELIVERY_LIMIT_BYTES, utf8Length, type PolicyDocument } from '../../shared/core';
import { statementsOf } from '../../shared/core/policy-document';
import {
  ACCOUNT,
  REGION,
  createSeedClients,
  destroySeedClients,
  policy,
  setParameter,
  snapshotRole,
  type SeedClients,
} from '../support/aws-world';
import { deployStack, type DeployedStack } from '../support/cfn-deploy';
import { motoJsonCall } from '../support/moto-wire';
import type { FunctionProcess } from '../support/deployed-function';
import {
  launchDeployedFunction,
  readDeployedFunction,
  reportOf,
  subscribeSinks,
  type DeployedFunctionConfig,
  type DeployedSinks,
} from '../support/deployed-stack-world';
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
  labelingJobEvent,
  seedJobWorld,
  type JobWorld,
} from '../support/labeling-job-world';
import { describedJob } from '../support/labeling-jobs';
import { resetMoto } from '../support/moto-reset';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { synthesizeApp, type SynthesizedApp } from '../support/synth-app';

const HOME = { accountId: ACCOUNT, region: REGION };

/** The rule's pattern as EventBridge stores it (cdk/remediation-stack.ts createLabelingJobPattern). */
const CREATE_LABELING_JOB_PATTERN = {
  source: ['aws.sagemaker'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['sagemaker.amazonaws.com'],
    eventName: ['CreateLabelingJob'],
    errorCode: [{ exists: false }],
  },
};

describe('the single-account stack, deployed into moto', () => {
  let workDir: string;
  let app: SynthesizedApp;
  let deployed: DeployedStack;
  let config: DeployedFunctionConfig;
  let proxy: RecordingProxy;
  let fn: FunctionProcess;
  let sinks: DeployedSinks;
  let seed: SeedClients;

  beforeAll(async () => {
    // The organisation file deploys stacks of the same names into the same account: start empty.
    await resetMoto();
    workDir = mkdtempSync(join(tmpdir(), 'gt-deployed-single-'));
    app = synthesizeApp(join(workDir, 'cdk.out'));
    const stack = app.stacks[STACK_NAMES.remediator];
    if (!stack) throw new Error(`cdk synth wrote no ${STACK_NAMES.remediator} stack`);
    deployed = await deployStack(stack, HOME);
    config = await readDeployedFunction(deployed);
    const asset = stack.zipAssets[0];
    if (!asset) throw new Error('the stack has no function asset');
    proxy = await startRecordingProxy();
    fn = launchDeployedFunction(config, asset.sourceDir, proxy, REGION);
    sinks = await subscribeSinks(HOME, deployed.outputs.TopicArn ?? '', deployed.outputs.ResultBusName ?? '');
    seed = createSeedClients();
  }, 120_000);

  afterAll(async () => {
    await fn?.stop();
    await proxy?.close();
    sinks?.close();
    if (seed) destroySeedClients(seed);
    rmSync(workDir, { recursive: true, force: true });
  });

  describe('CreateStack', () => {
    it('creates every resource type moto implements, and moto skips only the ones it does not', () => {
      // moto 5.2.5's CloudFormation has no model for these types and skips them (with a warning):
      // topic and queue policies, the email subscriptions (conditional on an address anyway), the
      // async invoke config (retries, max age, on-failure DLQ) and the alarms. Nothing here fakes them.
      expect(Object.values(deployed.skipped).sort()).toEqual([
        'AWS::CloudWatch::Alarm',
        'AWS::CloudWatch::Alarm',
        'AWS::Lambda::EventInvokeConfig',
        'AWS::SNS::Subscription',
        'AWS::SNS::Subscription',
        'AWS::SNS::TopicPolicy',
        'AWS::SNS::TopicPolicy',
        'AWS::SQS::QueuePolicy',
      ]);
      expect(
        Object.values(deployed.resources)
          .map((r) => r.type)
          .sort(),
      ).toEqual([
        'AWS::Events::EventBus',
        'AWS::Events::Rule',
        'AWS::Events::Rule',
        'AWS::Events::Rule',
        'AWS::IAM::Policy',
        'AWS::IAM::Role',
        'AWS::KMS::Key',
        'AWS::Lambda::Function',
        'AWS::Lambda::Permission',
        'AWS::Lambda::Permission',
        'AWS::Lambda::Permission',
        'AWS::Logs::LogGroup',
        'AWS::SNS::Topic',
        'AWS::SNS::Topic',
        'AWS::SQS::Queue',
        'AWS::SSM::Parameter',
      ]);
      // The one template rewrite, for moto's Ref of an event bus (see adaptForMoto).
      expect(deployed.adaptations).toEqual([
        expect.stringMatching(/^Ref ResultBus\w+ -> Fn::GetAtt ResultBus\w+\.Name$/),
      ]);
    });

    it('deploys the function with the bundle handler, Node 22, the role and the environment the stack wires', async () => {
      expect(config.handler).toBe('dist/esm/index.handler');
      expect(config.runtime).toBe('nodejs22.x');
      expect(config.roleArn).toBe(deployed.outputs.FunctionRoleArn);
      expect(config.environment).toEqual({
        [ENV.topicArn]: deployed.outputs.TopicArn,
        [ENV.dryRunParameterName]: `/${STACK_NAMES.remediator}/dry-run`,
        [ENV.strategy]: 'auto',
        [ENV.scopeRolePatterns]: `arn:aws:iam::${ACCOUNT}:role/*`,
        [ENV.eventBusName]: `${STACK_NAMES.remediator}-results`,
        [ENV.notifyCompliant]: 'false',
        [ENV.selfRoleArn]: deployed.outputs.FunctionRoleArn,
      });
      // moto keeps ReservedConcurrentExecutions (it ignores Architectures: it reports x86_64 for arm64).
      const { ReservedConcurrentExecutions } = await seed.lambda.send(
        new GetFunctionConcurrencyCommand({ FunctionName: config.functionName }),
      );
      expect(ReservedConcurrentExecutions).toBe(1);
      // The dry-run parameter starts as "true"
      const { Parameter } = await seed.ssm.send(
        new GetParameterCommand({ Name: config.environment[ENV.dryRunParameterName] }),
      );
      expect(Parameter?.Value).toBe('true');
    });

    it('routes successful CreateLabelingJob calls on the default bus to the function', async () => {
      const events = new EventBridgeClient({ region: REGION });
      const rule = await events.send(new DescribeRuleCommand({ Name: deployed.outputs.RuleName }));
      const { Targets } = await events.send(
        new ListTargetsByRuleCommand({ Rule: deployed.outputs.RuleName }),
      );
      events.destroy();
      expect(rule.EventBusName).toBe('default');
      expect(JSON.parse(rule.EventPattern ?? '{}')).toEqual(CREATE_LABELING_JOB_PATTERN);
      expect(Targets?.map((t) => t.Arn)).toEqual([config.functionArn]);
    });
  });

  /** A seeded job whose functions the execution role may not invoke, described by "SageMaker" (the proxy). */
  async function newJob(id: string): Promise<JobWorld> {
    const world = await seedJobWorld(seed, { id });
    proxy.putLabelingJob(ACCOUNT, REGION, describedJob(world));
    return world;
  }

  describe('the deployed function', () => {
    /** The job the dry-run-off test fixed, and its event. */
    let fixed: { world: JobWorld; event: ReturnType<typeof labelingJobEvent> } | undefined;

    it('with the dry-run parameter as deployed (true), proposes the fix and changes nothing', async () => {
      // Given a job missing both invoke grants and the post-annotation function's read path
      const world = await newJob('sdry');
      const before = await Promise.all(
        [world.executionRole.name, world.preRole.name, world.postRole.name].map((n) =>
          snapshotRole(seed.iam, n),
        ),
      );

      // When the CreateLabelingJob event reaches the deployed function
      const report = reportOf(await fn.invoke(labelingJobEvent(world)));

      // Then it proposes the three changes of strategy auto (the role is inside the envelope) and IAM is exactly as before
      expect(report).toMatchObject({ outcome: 'proposed', dryRun: true });
      expect(report.changes.map((c) => `${c.action} ${c.roleName}`)).toEqual([
        `PutRolePolicy ${world.executionRole.name}`,
        `UpdateAssumeRolePolicy ${world.executionRole.name}`,
        `PutRolePolicy ${world.postRole.name}`,
      ]);
      expect(
        await Promise.all(
          [world.executionRole.name, world.preRole.name, world.postRole.name].map((n) =>
            snapshotRole(seed.iam, n),
          ),
        ),
      ).toEqual(before);
      expect(proxy.calls.filter((c) => c.service === 'iam' && !/^(Get|List)/.test(c.operation))).toEqual([]);
      // And the report reaches the deployed topic and result bus
      expect((await sinks.readNotifications()).map((n) => n.attributes)).toEqual([
        { outcome: 'proposed', dryRun: 'true', severity: 'high' },
      ]);
      expect((await sinks.readResultEvents()).map((e) => e.detail)).toEqual([report]);
    });

    it('with the dry-run parameter set to false, attaches the scoped invoke policy to the exact functions and trusts the post-annotation role', async () => {
      // Given the operator turned dry-run off, and a new job
      await setParameter(seed.ssm, config.environment[ENV.dryRunParameterName] ?? '', 'false');
      const world = await newJob('sfix');
      fixed = { world, event: labelingJobEvent(world) };
      const postBefore = await snapshotRole(seed.iam, world.postRole.name);

      // When its event reaches the deployed function
      const report = reportOf(await fn.invoke(fixed.event));

      // Then the execution role, read back, holds exactly the scoped invoke policy and the new trust statement
      expect(report).toMatchObject({ outcome: 'remediated', dryRun: false });
      const execution = await snapshotRole(seed.iam, world.executionRole.name);
      expect(execution.inline.GroundTruthLabelingLambdaInvoke).toEqual(
        expectedInvokePolicy([world.preFunctionArn, world.postFunctionArn]),
      );
      expect(execution.trust).toEqual(
        policy(...statementsOf(world.executionRole.trust), expectedTrustStatement([world.postRole.arn])),
      );
      // And the post-annotation role gains the direct read of this job's folder (strategy auto), nothing else
      const post = await snapshotRole(seed.iam, world.postRole.name);
      expect(post.trust).toEqual(postBefore.trust);
      expect(Object.keys(post.inline).sort()).toEqual(
        [...Object.keys(postBefore.inline), 'GroundTruthReadLabelingOutput'].sort(),
      );
      expect(statementsOf(post.inline.GroundTruthReadLabelingOutput)).toEqual([
        expect.objectContaining({
          Action: 's3:GetObject',
          Resource: [
            `arn:aws:s3:::${world.outputS3Uri.slice('s3://'.length).replace(/\/$/, '')}/${world.jobName}/*`,
          ],
        }),
      ]);
      // And the notification and the result event say so
      expect((await sinks.readNotifications()).map((n) => [n.subject, n.attributes])).toEqual([
        [
          `Ground Truth job ${world.jobName}: 3 permission changes applied`,
          { outcome: 'remediated', dryRun: 'false', severity: 'high' },
        ],
      ]);
      expect((await sinks.readResultEvents()).map((e) => e.detail)).toEqual([report]);
      // And the function logged the outcome as pino JSON on stdout
      expect(fn.logs()).toContainEqual(
        expect.objectContaining({
          msg: 'remediation finished',
          outcome: 'remediated',
          jobName: world.jobName,
        }),
      );
    });

    it('changes nothing when EventBridge delivers the same event again', async () => {
      // Given the job the previous test fixed, as IAM holds it now
      if (!fixed) throw new Error('the fix test did not run');
      const { world, event } = fixed;
      const roles = [world.executionRole.name, world.postRole.name];
      const after = await Promise.all(roles.map((n) => snapshotRole(seed.iam, n)));
      const writesBefore = proxy.calls.filter((c) => c.service === 'iam' && !/^(Get|List)/.test(c.operation));

      // When the same event arrives again
      const report = reportOf(await fn.invoke(event));

      // Then it is compliant, nothing is written, nobody is mailed, and the result event says so
      expect(report).toMatchObject({ outcome: 'compliant', changes: [], findings: [] });
      expect(await Promise.all(roles.map((n) => snapshotRole(seed.iam, n)))).toEqual(after);
      expect(proxy.calls.filter((c) => c.service === 'iam' && !/^(Get|List)/.test(c.operation))).toEqual(
        writesBefore,
      );
      expect(await sinks.readNotifications()).toEqual([]);
      expect((await sinks.readResultEvents()).map((e) => e.detail.outcome)).toEqual(['compliant']);
    });

    it('rejects an event naming a job SageMaker does not know, writing nothing', async () => {
      const world = await seedJobWorld(seed, { id: 'sforged', registerJob: false });
      const writesBefore = proxy.calls.filter((c) => c.operation === 'PutRolePolicy').length;

      const report = reportOf(await fn.invoke(labelingJobEvent(world)));

      expect(report.outcome).toBe('blocked');
      expect(report.findings.map((f) => f.code)).toEqual(['EVENT_UNVERIFIED']);
      expect(proxy.calls.filter((c) => c.operation === 'PutRolePolicy')).toHaveLength(writesBefore);
      expect(await snapshotRole(seed.iam, world.executionRole.name)).not.toHaveProperty(
        'inline.GroundTruthLabelingLambdaInvoke',
      );
      await sinks.readNotifications();
      await sinks.readResultEvents();
    });
    it('delivers the oversized-report attack (a 200 KB roleArn, quoted twice) within 256 KiB to the topic and the bus', async () => {
      // Given an event whose roleArn is 200 KB: the report quotes it in the finding and the note
      const world = await seedJobWorld(seed, { id: 'sbig', registerJob: false });
      const base = labelingJobEvent(world);
      const params = base.detail.requestParameters;
      const event = {
        ...base,
        detail: {
          ...base.detail,
          requestParameters: params && { ...params, roleArn: 'r'.repeat(200 * 1024) },
        },
      };

      // When it reaches the deployed function
      const report = reportOf(await fn.invoke(event));

      // Then the full report is over 400 KB, yet SNS and EventBridge took it, cut and marked
      expect(utf8Length(JSON.stringify(report))).toBeGreaterThan(400 * 1024);
      const [mail, ...moreMail] = await sinks.readNotifications();
      expect(moreMail).toEqual([]);
      const attributes = Object.entries(mail?.attributes ?? {});
      expect(
        utf8Length(mail?.message ?? '') +
          utf8Length(mail?.subject ?? '') +
          attributes.reduce((n, [k, v]) => n + k.length + 'String'.length + v.length, 0),
      ).toBeLessThanOrEqual(DELIVERY_LIMIT_BYTES);
      expect(mail?.message.includes('Cut to fit the delivery limit: ')).toBe(true);
      const [result, ...moreResults] = await sinks.readResultEvents();
      expect(moreResults).toEqual([]);
      expect(
        utf8Length(JSON.stringify(result?.detail)) +
          14 +
          RESULT_EVENT.source.length +
          RESULT_EVENT.detailType.length,
      ).toBeLessThan(DELIVERY_LIMIT_BYTES);
      expect(result?.detail.truncated).toEqual([
        'texts longer than 2048 characters cut: findings[0].detail, notes[0]',
      ]);
    });

    it("removes the read grant of a job that ended, on SageMaker's state-change event, and only it", async () => {
      // Given a job whose function's role holds our read grant on its folder and on another job's
      const world = await newJob('send');
      const folder = (job: string): string =>
        `arn:aws:s3:::${world.outputS3Uri.slice('s3://'.length)}${job}/*`;
      const read = (jobs: string[]): PolicyDocument =>
        policy({
          Sid: 'GroundTruthReadLabelingOutput',
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: jobs.map(folder).sort(),
          Condition: { StringEquals: { 's3:ResourceAccount': ACCOUNT } },
        });
      await seed.iam.send(
        new PutRolePolicyCommand({
          RoleName: world.postRole.name,
          PolicyName: 'GroundTruthReadLabelingOutput',
          PolicyDocument: JSON.stringify(read([world.jobName, 'other-job'])),
        }),
      );
      const event = {
        version: '0',
        id: 'state-change-0001',
        'detail-type': 'SageMaker Ground Truth Labeling Job State Change',
        source: 'aws.sagemaker',
        account: ACCOUNT,
        region: REGION,
        time: new Date().toISOString(),
        resources: [`arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/${world.jobName.toLowerCase()}`],
        detail: { LabelingJobStatus: 'Completed' },
      };

      // When the event arrives while SageMaker still says the job is running, nothing is removed
      const early = reportOf(await fn.invoke(event));
      expect(early.findings.map((f) => [f.code, f.reason])).toEqual([['EVENT_UNVERIFIED', 'job-not-ended']]);
      expect(
        (await snapshotRole(seed.iam, world.postRole.name)).inline.GroundTruthReadLabelingOutput,
      ).toEqual(read([world.jobName, 'other-job']));

      // When the job has really completed
      proxy.putLabelingJob(ACCOUNT, REGION, describedJob(world, { LabelingJobStatus: 'Completed' }));
      const report = reportOf(await fn.invoke(event));

      // Then only its folder is gone, as IAM reads back
      expect(report).toMatchObject({ outcome: 'remediated', dryRun: false });
      expect(report.changes.map((c) => c.removed)).toEqual([[folder(world.jobName)]]);
      expect(
        (await snapshotRole(seed.iam, world.postRole.name)).inline.GroundTruthReadLabelingOutput,
      ).toEqual(read(['other-job']));
      await sinks.readNotifications();
      await sinks.readResultEvents();
    });

    it('answers the self-test from the deployed bundle: dry-run switch, own role and evaluator all readable', async () => {
      // Given the event `gt-remediate selftest` puts on the default bus (the stack's self-test rule)
      const event = {
        source: SELFTEST_EVENT.source,
        'detail-type': SELFTEST_EVENT.detailType,
        detail: { nonce: 'deployed-selftest-0001' },
      };

      // When it reaches the deployed function
      const result = await fn.invoke(event);

      // Then every check passes, as the result event on the deployed result bus says
      expect(result).toEqual({
        ok: true,
        value: { kind: 'skipped', reason: `self-test answered by ${config.functionName}: pass` },
      });
      const [answer, ...more] = await sinks.readResultEvents();
      expect(more).toEqual([]);
      expect(answer?.detailType).toBe(SELFTEST_EVENT.resultDetailType);
      expect(answer?.detail as unknown).toMatchObject({
        nonce: 'deployed-selftest-0001',
        functionName: config.functionName,
        roleArn: config.roleArn,
        dryRun: false,
        checks: [
          expect.objectContaining({ name: 'dry-run-parameter', ok: true }),
          expect.objectContaining({ name: 'own-role', ok: true }),
          expect.objectContaining({ name: 'evaluator', ok: true }),
        ],
      });
      expect(await sinks.readNotifications()).toEqual([]);
    });
  });

  describe('least privilege of the deployed function role', () => {
    let role: DeployedRole;

    beforeAll(async () => {
      role = { info: await readDeployedRole(HOME, config.roleArn), sessionName: config.functionName };
    });

    it('allows every call the function made in these runs', async () => {
      // Given every call the function sent through the proxy above (reads, writes, SSM, SNS, EventBridge, SageMaker)
      const operations = new Set(proxy.calls.map((c) => `${c.service}:${c.operation}`));
      for (const op of [
        'iam:GetRole',
        'iam:PutRolePolicy',
        'iam:UpdateAssumeRolePolicy',
        'lambda:GetFunctionConfiguration',
        'ssm:GetParameter',
        'sns:Publish',
        'events:PutEvents',
        'sagemaker:DescribeLabelingJob',
        's3:ListObjectsV2',
      ])
        expect(operations).toContain(op);
      expect(proxy.calls.every((c) => c.principal === config.roleArn)).toBe(true);

      // When each is evaluated against the deployed role's policies
      const judged = await judgeCalls(
        proxy.calls,
        new Map([[config.roleArn, role]]),
        await roleArnResolver([HOME]),
      );

      // Then every one is allowed outright (not merely "depends on unknown context")
      expect(judged.filter((j) => j.verdict !== 'allowed')).toEqual([]);
      expect(judged.length).toBeGreaterThanOrEqual(proxy.calls.length);
      // And the proof is not vacuous: the same calls against the role without its policies are all denied
      const bare: DeployedRole = { ...role, info: { ...role.info, inlinePolicies: [], managedPolicies: [] } };
      const denied = await judgeCalls(
        proxy.calls,
        new Map([[config.roleArn, bare]]),
        await roleArnResolver([HOME]),
      );
      expect(new Set(denied.map((j) => j.verdict))).toEqual(new Set(['implicit-deny']));
    });

    it('allows what AWS services do with the role on its behalf: encrypted publishes, logs, the dead-letter queue', async () => {
      // Given the resources as moto created them: the topic's key, the function's log group, the queue
      const sns = new SNSClient({ region: REGION });
      const { Attributes: topic } = await sns.send(
        new GetTopicAttributesCommand({ TopicArn: deployed.outputs.TopicArn }),
      );
      sns.destroy();
      // The queue's physical ID is its URL, https://sqs.<region>.amazonaws.com/<account>/<name>
      const queueUrl =
        Object.values(deployed.resources).find((r) => r.type === 'AWS::SQS::Queue')?.physicalId ?? '';
      const [queueAccount, queueName] = new URL(queueUrl).pathname.split('/').slice(1);
      const queueArn = `arn:aws:sqs:${REGION}:${queueAccount}:${queueName}`;
      const keyArn = topic?.KmsMasterKeyId ?? '';
      expect(keyArn).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\//);
      const logGroup = Object.values(deployed.resources).find(
        (r) => r.type === 'AWS::Logs::LogGroup',
      )?.physicalId;
      const stream = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroup}:log-stream:2026/12/04/[$LATEST]0123456789abcdef`;
      // KMS decides with the key policy too (moto keeps the one the template gives the key, and
      // returns it as a JSON object where KMS returns a string)
      const { Policy: keyPolicyAnswer } = await motoJsonCall(HOME, 'kms', 'TrentService.GetKeyPolicy', {
        KeyId: keyArn,
        PolicyName: 'default',
      });
      const keyPolicy = (
        typeof keyPolicyAnswer === 'string' ? JSON.parse(keyPolicyAnswer) : keyPolicyAnswer
      ) as PolicyDocument;
      const request = (action: string, resource: string) => ({
        action,
        resource,
        resourceAccount: ACCOUNT,
        region: REGION,
      });
      // moto resolves Fn::GetAtt LogGroup.Arn to the bare group ARN; CloudFormation returns it with
      // the trailing ":*" that covers the group's streams (which CreateLogStream and PutLogEvents
      // authorize against). The role is evaluated with the grant as CloudFormation resolves it.
      const groupArn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroup}`;
      const statements = role.info.inlinePolicies.flatMap((p) => statementsOf(p.document));
      expect(statements).toContainEqual(
        expect.objectContaining({
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: groupArn,
        }),
      );
      const asCloudFormationResolves: DeployedRole = {
        ...role,
        info: {
          ...role.info,
          inlinePolicies: role.info.inlinePolicies.map((p) => ({
            ...p,
            document: JSON.parse(
              JSON.stringify(p.document).replaceAll(`"${groupArn}"`, `"${groupArn}:*"`),
            ) as PolicyDocument,
          })),
        },
      };

      // When each request the services make with the function's role is evaluated
      const verdicts: [string, string][] = [];
      // SNS encrypts each published message with the topic's key, as the publisher
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt'])
        verdicts.push([
          action,
          (await decide(role, request(action, keyArn), { resourcePolicy: keyPolicy })).verdict,
        ]);
      // Lambda sends a failed async invocation to the on-failure destination (moto skips the
      // EventInvokeConfig that names it; the queue and the grant exist)
      verdicts.push(['sqs:SendMessage', (await decide(role, request('sqs:SendMessage', queueArn))).verdict]);
      // Lambda writes the function's log streams
      for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents'])
        verdicts.push([action, (await decide(asCloudFormationResolves, request(action, stream))).verdict]);

      // Then all are allowed
      expect(verdicts.filter(([, v]) => v !== 'allowed')).toEqual([]);
      expect(verdicts).toHaveLength(5);
    });

    it('denies role writes on protected roles, role creation, policy attachment and policy versions', async () => {
      const execution = await seed.iam.send(new GetRoleCommand({ RoleName: 'sfix-execution' }));
      const forbidden = forbiddenRequests({
        ownRoleArn: config.roleArn,
        inScopeRoleArn: execution.Role?.Arn ?? '',
        // The default scope is every role of the account: a role of another account is outside it.
        outOfScopeRoleArn: 'arn:aws:iam::999999999999:role/someone-elses-role',
      });
      const verdicts = await Promise.all(
        forbidden.map(async (f) => [f.label, (await decide(role, f.request)).verdict]),
      );
      expect(
        verdicts.filter(([, verdict]) => verdict !== 'implicit-deny' && verdict !== 'explicit-deny'),
      ).toEqual([]);
      // The writes the role does hold are explicitly denied on its own and on service-linked roles. (On an
      // /aws-reserved/ role the evaluator answers implicit-deny even for an Allow: it models IAM's own
      // refusal to let identity policies modify those roles, so our Deny there is never the deciding one.)
      expect(Object.fromEntries(verdicts)).toMatchObject({
        'iam:PutRolePolicy on its own role': 'explicit-deny',
        'iam:UpdateAssumeRolePolicy on its own role': 'explicit-deny',
        'iam:PutRolePolicy on a service-linked role': 'explicit-deny',
      });
    });
  });
});
