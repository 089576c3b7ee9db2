/**
 * The deployed asset carries every data file its IAM evaluator can load (security issue, item 5):
 * the single-account stack as `cdk synth` builds it, created in moto, its bundle run with the
 * deployed configuration on jobs whose execution roles allow `*`, everything but one service
 * (`NotAction`), `glue:*`, and one action of every service prefix in the evaluator's data. Each job
 * ends with a verdict: never `error`, never a missing file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STACK_NAMES } from '../../cdk/app-stacks';
import { iamDataDir } from '../../cdk/remediate-bundling';
import type { PolicyDocument, PolicyStatement } from '../../shared/core';
import {
  ACCOUNT,
  REGION,
  createRole,
  createSeedClients,
  destroySeedClients,
  policy,
  serviceTrustStatement,
  type SeedClients,
} from '../support/aws-world';
import { deployStack } from '../support/cfn-deploy';
import type { FunctionProcess } from '../support/deployed-function';
import { launchDeployedFunction, readDeployedFunction } from '../support/deployed-stack-world';
import { labelingJobEvent, seedJobWorld, type JobWorld } from '../support/labeling-job-world';
import { describedJob, registerLabelingJob } from '../support/labeling-jobs';
import { resetMoto } from '../support/moto-reset';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { synthesizeApp } from '../support/synth-app';

/** One action of every service prefix the evaluator has data for (the first in its actions file). */
function oneActionPerService(): string[] {
  const actionsDir = join(iamDataDir(), 'actions');
  return readdirSync(actionsDir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const service = file.slice(0, -'.json'.length);
      const actions = JSON.parse(readFileSync(join(actionsDir, file), 'utf8')) as Record<
        string,
        { name: string }
      >;
      const first = Object.values(actions)[0];
      if (!first) throw new Error(`iam-data has no actions for ${service}`);
      return `${service}:${first.name}`;
    });
}

/** Inline policies of at most `per` actions each (IAM's 10 KB per document stays far away). */
function inlinePoliciesFor(actions: string[], per: number): Record<string, PolicyDocument> {
  const policies: Record<string, PolicyDocument> = {};
  for (let i = 0; i < actions.length; i += per)
    policies[`Services${i / per}`] = policy({
      Effect: 'Allow',
      Action: actions.slice(i, i + per),
      Resource: '*',
    });
  return policies;
}

describe('the deployed asset evaluates any role, whatever services it names', () => {
  let workDir: string;
  let proxy: RecordingProxy;
  let fn: FunctionProcess;
  let seed: SeedClients;
  /** The functions and their roles, shared by every job below; each job has its own execution role. */
  let base: JobWorld;

  beforeAll(async () => {
    // The other deployed files create stacks of the same names in the same account: start empty.
    await resetMoto();
    workDir = mkdtempSync(join(tmpdir(), 'gt-deployed-data-'));
    const app = synthesizeApp(join(workDir, 'cdk.out'));
    const stack = app.stacks[STACK_NAMES.remediator];
    if (!stack) throw new Error(`cdk synth wrote no ${STACK_NAMES.remediator} stack`);
    const deployed = await deployStack(stack, { accountId: ACCOUNT, region: REGION });
    const config = await readDeployedFunction(deployed);
    const asset = stack.zipAssets[0];
    if (!asset) throw new Error('the stack has no function asset');
    proxy = await startRecordingProxy();
    fn = launchDeployedFunction(config, asset.sourceDir, proxy, REGION);
    seed = createSeedClients();
    base = await seedJobWorld(seed, { id: 'edata', registerJob: false });
  }, 180_000);

  afterAll(async () => {
    await fn?.stop();
    await proxy?.close();
    if (seed) destroySeedClients(seed);
    rmSync(workDir, { recursive: true, force: true });
  });

  /** A job of `base` whose execution role (SageMaker's trust) holds `inline`; the deployed function's report. */
  async function checkJobWithRole(id: string, inline: Record<string, PolicyDocument>) {
    const name = `edata-${id}-execution`;
    const trust = policy(serviceTrustStatement('sagemaker.amazonaws.com'));
    const arn = await createRole(seed.iam, { name, path: '/service-role/', trust, inline });
    const world: JobWorld = { ...base, jobName: `edata-${id}-job`, executionRole: { name, arn, trust } };
    registerLabelingJob(world);
    proxy.putLabelingJob(ACCOUNT, REGION, describedJob(world));
    const logged = fn.logs().length;
    const result = await fn.invoke(labelingJobEvent(world));
    return { result, text: JSON.stringify(result), logs: JSON.stringify(fn.logs().slice(logged)) };
  }

  const allow = (statement: Omit<PolicyStatement, 'Effect'>) => ({
    Wide: policy({ Effect: 'Allow', Resource: '*', ...statement }),
  });

  it.each([
    ['star', allow({ Action: '*' })],
    ['glue', allow({ Action: 'glue:*' })],
    ['notaction', allow({ NotAction: 'iam:*' })],
    ['everyservice', inlinePoliciesFor(oneActionPerService(), 60)],
  ])('role %s: the job ends with a verdict, not an error or a missing data file', async (id, inline) => {
    // When the job's CreateLabelingJob event reaches the deployed function
    const { result, text, logs } = await checkJobWithRole(id, inline);

    // Then it returns a report (it did not throw into Lambda's retries and the DLQ)
    expect(text).not.toMatch(/ENOENT|no such file/);
    expect(result).toMatchObject({ ok: true, value: { kind: 'report' } });
    const report = (result as { value: { report: { outcome: string; findings: { code: string }[] } } }).value
      .report;
    // With a verdict the evaluator reached, not `error` nor a policy it could not evaluate
    expect(['compliant', 'remediated', 'proposed', 'blocked']).toContain(report.outcome);
    expect(text).not.toContain('the evaluator rejected a policy');
    // And nothing it logged for this job names a missing file
    expect(logs).not.toMatch(/ENOENT|no such file/);
  });

  it('covers every service prefix of the evaluator data in the last role', () => {
    // The service list is the evaluator's own (iam-data), so a new service is covered by the next upgrade.
    const services = oneActionPerService().map((action) => action.split(':')[0]);
    expect(services).toContain('glue');
    expect(services.length).toBeGreaterThan(400);
  });
});
