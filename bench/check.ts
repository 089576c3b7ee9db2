/** The offline core: `checkJob` per job on a 1,000-role snapshot built by the test fixture factory. */
import { DEFAULT_CORE_OPTIONS, checkJob, inventoryFromSnapshot, memoizingEvaluator } from '../shared/core';
import {
  ACCOUNT,
  GROUND_TRUTH_POLICY_ARN,
  REGION,
  buildIamJson,
  buildLambdaJson,
  functionArn,
  policy,
  roleArn,
  type RoleSpec,
} from '../test/fixtures/factory';
import { msSince, round } from './stats';

const ROLES = 1000;
const JOBS = 200;

/** checkMsPerJob (warm evaluator) and the snapshot's load time. */
export async function measureCheck() {
  const data = `arn:aws:iam::${ACCOUNT}:policy/BenchLabelingData`;
  const roles: RoleSpec[] = Array.from({ length: ROLES }, (_, i) => ({
    name: `role-${i}`,
    trust: i % 2 === 0 ? 'sagemaker' : 'lambda',
    inline: { Logs: policy({ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }) },
    managed: i % 2 === 0 ? [GROUND_TRUTH_POLICY_ARN, data] : [data],
  }));
  const spec = {
    roles,
    policies: [
      {
        arn: data,
        document: policy({ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::bench-data/*' }),
      },
    ],
    functions: Array.from({ length: JOBS * 2 }, (_, i) => ({
      name: `fn-${i}`,
      role: `role-${(2 * i + 1) % ROLES}`,
    })),
  };
  const loadStart = process.hrtime.bigint();
  const inventory = inventoryFromSnapshot(buildIamJson(spec), buildLambdaJson(spec));
  const snapshotLoadMs = msSince(loadStart);
  const job = (j: number) => ({
    jobName: `job-${j}`,
    accountId: ACCOUNT,
    region: REGION,
    executionRoleArn: roleArn(`role-${(2 * j) % ROLES}`),
    preAnnotationLambdaArn: functionArn(`fn-${2 * j}`),
    postAnnotationLambdaArn: functionArn(`fn-${2 * j + 1}`),
    outputS3Uri: 's3://bench-data/output/',
  });
  const options = {
    core: DEFAULT_CORE_OPTIONS,
    dryRun: true,
    now: new Date(),
    evaluator: memoizingEvaluator(),
  };
  for (let j = 0; j < 5; j++) await checkJob(job(j), inventory, options); // warms the evaluator's data
  const outcomes: Record<string, number> = {};
  const start = process.hrtime.bigint();
  for (let j = 0; j < JOBS; j++) {
    const report = await checkJob(job(j), inventory, options);
    outcomes[report.outcome] = (outcomes[report.outcome] ?? 0) + 1;
  }
  return {
    checkRoles: ROLES,
    checkJobs: JOBS,
    checkMsPerJob: round(msSince(start) / JOBS, 2),
    checkOutcomes: outcomes,
    snapshotLoadMs: round(snapshotLoadMs),
  };
}
