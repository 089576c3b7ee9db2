/**
 * Many events for one execution role at once, in one process (a warm Lambda that received a burst):
 * no update may be lost. The apply step re-reads under an in-process queue before it writes.
 */
import { UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { statementsOf } from '../../shared/core/policy-document';
import { ApplyQueue, type RemediationError } from '../../shared/remediate-job';
import {
  BASIC_EXECUTION_POLICY_ARN,
  createFunction,
  createRole,
  policy,
  serviceTrustStatement,
  snapshotRole,
} from '../support/aws-world';
import { reportOf } from './handler-deps';
import { useHandlerWorld } from './handler-world';
import {
  BREAK_GLASS_STATEMENT,
  expectedInvokePolicy,
  expectedTrustStatement,
  labelingJobEvent,
  seedExecutionRole,
  type JobWorld,
} from '../support/labeling-job-world';
import { registerLabelingJob } from '../support/labeling-jobs';

const JOBS = 24;
const LAMBDA_ROLES = 4;
const { prefix, seed, sinks, handlerWith, newWorld, setup } = useHandlerWorld('cc', {
  dryRun: 'false',
  drainSinks: false,
});

describe('concurrent events for one execution role', () => {
  it(`handles ${JOBS} events at once and the invoke policy ends up with every function ARN`, async () => {
    // Given one execution role, and JOBS jobs each with its own two functions; the post-annotation
    // functions run as one of LAMBDA_ROLES roles
    const executionRole = await seedExecutionRole(seed, prefix);
    const lambdaTrust = policy(serviceTrustStatement('lambda.amazonaws.com'));
    const preRole = {
      name: `${prefix}-pre-role`,
      arn: await createRole(seed.iam, {
        name: `${prefix}-pre-role`,
        trust: lambdaTrust,
        managed: [BASIC_EXECUTION_POLICY_ARN],
      }),
    };
    const postRoles = await Promise.all(
      Array.from({ length: LAMBDA_ROLES }, async (_, k) => {
        const name = `${prefix}-post-role-${k}`;
        return {
          name,
          arn: await createRole(seed.iam, {
            name,
            trust: lambdaTrust,
            managed: [BASIC_EXECUTION_POLICY_ARN],
          }),
        };
      }),
    );
    const worlds: JobWorld[] = [];
    for (let i = 0; i < JOBS; i++) {
      const postRole = postRoles[i % LAMBDA_ROLES];
      const [preFunctionArn, postFunctionArn] = await Promise.all([
        createFunction(seed.lambda, `${prefix}-job${i}-pre`, preRole.arn),
        createFunction(seed.lambda, `${prefix}-job${i}-post`, postRole.arn),
      ]);
      const world: JobWorld = {
        jobName: `${prefix}-job${i}`,
        outputS3Uri: `s3://${prefix}-labeling-data/output/`,
        executionRole,
        preRole,
        postRole,
        preFunctionArn,
        postFunctionArn,
      };
      registerLabelingJob(world);
      worlds.push(world);
    }
    const handler = handlerWith();

    // When every event is handled concurrently by one handler
    const reports = (await Promise.all(worlds.map((w) => handler(labelingJobEvent(w))))).map(reportOf);

    // Then every job was remediated
    expect(reports.map((r) => r.outcome)).toEqual(Array<string>(JOBS).fill('remediated'));
    // And the one invoke policy holds all 2 × JOBS function ARNs, sorted, nothing else
    const execution = await snapshotRole(seed.iam, executionRole.name);
    const allFunctions = worlds.flatMap((w) => [w.preFunctionArn, w.postFunctionArn]);
    expect(execution.inline.GroundTruthLabelingLambdaInvoke).toEqual(expectedInvokePolicy(allFunctions));
    // And the trust statement names every post-annotation role once, the original statements intact
    expect(execution.trust).toEqual(
      policy(...statementsOf(executionRole.trust), expectedTrustStatement(postRoles.map((r) => r.arn))),
    );
    // And no post-annotation role needed an identity policy (the trust statement names it)
    for (const role of postRoles) {
      expect((await snapshotRole(seed.iam, role.name)).inline).toEqual({});
    }
    // And one notification and one result event per job
    expect((await sinks.readNotifications()).map((n) => n.attributes.outcome)).toEqual(
      Array<string>(JOBS).fill('remediated'),
    );
    expect((await sinks.readResultEvents()).map((e) => e.detail.job?.name).sort()).toEqual(
      worlds.map((w) => w.jobName).sort(),
    );
  });
});

describe('no lost updates between the read and the write', () => {
  it("keeps an operator's revocation made after the plan was read", async () => {
    // Given a job that needs a trust statement, and an operator who removes the break-glass statement
    // from the execution role's trust policy while the remediator is writing its first change
    const world = await newWorld();
    const revoked = policy(
      ...statementsOf(world.executionRole.trust).filter((s) => s.Sid !== BREAK_GLASS_STATEMENT.Sid),
    );
    const { clients, handler } = setup();
    let raced = false;
    clients.iam.middlewareStack.add(
      (next, context) => async (args) => {
        if (!raced && context.commandName === 'PutRolePolicyCommand') {
          raced = true;
          await seed.iam.send(
            new UpdateAssumeRolePolicyCommand({
              RoleName: world.executionRole.name,
              PolicyDocument: JSON.stringify(revoked),
            }),
          );
        }
        return next(args);
      },
      { step: 'initialize', name: 'operatorRevokesMidway' },
    );
    await sinks.readNotifications();
    await sinks.readResultEvents();

    // When the event is handled
    const report = reportOf(await handler(labelingJobEvent(world)));

    // Then the trust policy holds the operator's version plus our statement: the revocation survived
    expect(raced).toBe(true);
    expect(report.outcome).toBe('remediated');
    const execution = await snapshotRole(seed.iam, world.executionRole.name);
    expect(execution.trust).toEqual(
      policy(...statementsOf(revoked), expectedTrustStatement([world.postRole.arn])),
    );
    expect(JSON.stringify(execution.trust)).not.toContain(BREAK_GLASS_STATEMENT.Sid);
  });

  it('two writer processes on one role both keep their statements, or one reports the loss', async () => {
    // Given one execution role and six jobs, handled at once by two processes (own queues, e.g. two stacks)
    // (one role for every job's bucket)
    const executionRole = await seedExecutionRole(seed, `${prefix}-tw`, '*-labeling-data');
    const worlds = await Promise.all(
      Array.from({ length: 6 }, (_, i) => newWorld({ executionRole }).then((w) => ({ ...w, i }))),
    );
    const processes = [
      handlerWith({ applyQueue: new ApplyQueue() }),
      handlerWith({ applyQueue: new ApplyQueue() }),
    ];

    // When both process their events concurrently
    const results = await Promise.allSettled(worlds.map((w) => processes[w.i % 2](labelingJobEvent(w))));

    // Then every job's functions are in the invoke policy, unless its report is an error that says what was lost
    const invoke = (await snapshotRole(seed.iam, executionRole.name)).inline.GroundTruthLabelingLambdaInvoke;
    const granted = new Set(statementsOf(invoke ?? { Statement: [] }).flatMap((s) => [s.Resource].flat()));
    let lost = 0;
    results.forEach((r, k) => {
      const w = worlds[k];
      if (r.status === 'fulfilled') {
        expect(reportOf(r.value).outcome).toBe('remediated');
        expect(granted.has(w.preFunctionArn) && granted.has(w.postFunctionArn)).toBe(true);
      } else {
        lost++;
        const error = r.reason as RemediationError;
        expect(error.report.outcome).toBe('error');
        expect(error.report.notes?.join(' ')).toMatch(/another writer/);
      }
    });
    // And at least the last writer's grants stand, so the loss (if any) is reported, never silent
    expect(lost).toBeLessThan(worlds.length);
  });
});
