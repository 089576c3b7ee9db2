/**
 * Many events for one execution role at once, in one process (a warm Lambda that received a burst):
 * no update may be lost. The apply step re-reads under an in-process queue before it writes.
 */
import { statementsOf } from '../../shared/core/policy-document';
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
  expectedAssumePolicy,
  expectedInvokePolicy,
  expectedTrustStatement,
  labelingJobEvent,
  seedExecutionRole,
  type JobWorld,
} from '../support/labeling-job-world';

const JOBS = 24;
const LAMBDA_ROLES = 4;
const { prefix, seed, sinks, handlerWith } = useHandlerWorld('cc', { dryRun: 'false', drainSinks: false });

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
      worlds.push({
        jobName: `${prefix}-job${i}`,
        outputS3Uri: `s3://${prefix}-labeling-data/output/`,
        executionRole,
        preRole,
        postRole,
        preFunctionArn,
        postFunctionArn,
      });
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
    // And each post-annotation role may assume the execution role
    for (const role of postRoles) {
      expect((await snapshotRole(seed.iam, role.name)).inline.GroundTruthAssumeExecutionRole).toEqual(
        expectedAssumePolicy(executionRole.arn),
      );
    }
    // And one notification and one result event per job
    expect((await sinks.readNotifications()).map((n) => n.attributes.outcome)).toEqual(
      Array<string>(JOBS).fill('remediated'),
    );
    expect((await sinks.readResultEvents()).map((e) => e.detail.job.name).sort()).toEqual(
      worlds.map((w) => w.jobName).sort(),
    );
  });
});
