/**
 * Bounded work per event (security issue, item 4): a policy whose wildcards would keep the evaluator
 * busy is refused before matching, and an event past its budget stops; either way the job is blocked
 * with POLICY_TOO_COMPLEX naming the policy, as a report (never a throw, so never a retry).
 */
import {
  DEFAULT_CORE_OPTIONS,
  memoizingEvaluator,
  planJob,
  plainEvaluator,
  type Evaluator,
  type LabelingJobRequest,
  type PolicyDocument,
} from '../../shared/core';
import { checkComplexity, DEFAULT_LIMITS } from '../../shared/core/evaluator/complexity';
import { ACCOUNT, functionArn, policy, roleArn, serviceTrust } from '../fixtures/factory';
import { GROUND_TRUTH_EXECUTION_POLICY } from '../../shared/core/managed-policies';
import { inventoryOf, roleInfo } from '../fixtures/role-info';

const NOW = new Date('2026-11-29T10:15:00Z');
const PRE = functionArn('bounded-pre');
const POST = functionArn('bounded-post');
/** The attack: twelve `*` in one value, and the job's creator picks a long output path. */
const PATHOLOGICAL = `arn:aws:s3:::${'*a'.repeat(11)}*b`;
const LONG_OUTPUT = `s3://bounded-data/${'a'.repeat(900)}/`;

function world(executionPolicies: Record<string, PolicyDocument>, output = LONG_OUTPUT) {
  const execution = roleInfo('bounded-exec', {
    path: '/service-role/',
    inlinePolicies: Object.entries(executionPolicies).map(([name, document]) => ({ name, document })),
    managedPolicies: [GROUND_TRUTH_EXECUTION_POLICY],
  });
  const preRole = roleInfo('bounded-pre-role', { trustPolicy: serviceTrust('lambda.amazonaws.com') });
  const postRole = roleInfo('bounded-post-role', { trustPolicy: serviceTrust('lambda.amazonaws.com') });
  const request: LabelingJobRequest = {
    jobName: 'payroll-2024',
    accountId: ACCOUNT,
    region: 'us-east-1',
    executionRoleArn: roleArn('bounded-exec', '/service-role/'),
    preAnnotationLambdaArn: PRE,
    postAnnotationLambdaArn: POST,
    outputS3Uri: output,
  };
  const inventory = inventoryOf(
    [execution, preRole, postRole],
    [
      { arn: PRE, roleArn: preRole.arn },
      { arn: POST, roleArn: postRole.arn },
    ],
  );
  return { request, inventory };
}

const pathological = policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: PATHOLOGICAL });

describe('bounded work per event', () => {
  it.each<[string, () => Evaluator]>([
    ['a plain evaluator', () => plainEvaluator()],
    ['a memoizing evaluator', () => memoizingEvaluator()],
  ])('blocks a policy with twelve wildcards and a long output path quickly, with %s', async (_name, make) => {
    // Given the attack's execution role and output path
    const { request, inventory } = world({ Wild: pathological });
    // When the core plans the job
    const started = Date.now();
    const checked = await planJob(request, inventory, {
      core: DEFAULT_CORE_OPTIONS,
      dryRun: true,
      now: NOW,
      evaluator: make(),
    });
    // Then it is blocked at once with POLICY_TOO_COMPLEX naming the policy, and nothing is planned
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(checked.report.outcome).toBe('blocked');
    expect(checked.report.findings).toEqual([
      expect.objectContaining({
        code: 'POLICY_TOO_COMPLEX',
        reason: 'too-complex',
        principal: request.executionRoleArn,
        resource: 'inline:Wild',
        fixable: false,
      }),
    ]);
    expect(checked.changes).toEqual([]);
  });

  it('stops an event whose budget ran out, naming a policy of the question it stopped at', async () => {
    // Given a harmless job and a deadline already passed
    const { request, inventory } = world({}, 's3://bounded-data/output/');
    let now = 0;
    const checked = await planJob(request, inventory, {
      core: DEFAULT_CORE_OPTIONS,
      dryRun: true,
      now: NOW,
      deadline: { at: 10, clock: () => (now += 100) },
    });
    // Then the job is blocked, not thrown, with the finding and a line saying why
    expect(checked.report.outcome).toBe('blocked');
    expect(checked.report.findings.map((f) => [f.code, f.reason])).toEqual([
      ['POLICY_TOO_COMPLEX', 'too-complex'],
    ]);
    expect(checked.report.findings[0]?.detail).toMatch(/budget ran out/);
  });

  it('lets ordinary policies through on the longest output paths (the managed policy, a bucket grant)', async () => {
    // Given the AWS managed policy and a usual grant, and a 900-character output path
    const { request, inventory } = world({
      Data: policy({
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: 'arn:aws:s3:::bounded-data/*',
      }),
      Logs: policy({
        Effect: 'Allow',
        Action: 'logs:*',
        Resource: 'arn:aws:logs:*:*:log-group:/aws/sagemaker/*:*',
      }),
    });
    const checked = await planJob(request, inventory, {
      core: DEFAULT_CORE_OPTIONS,
      dryRun: true,
      now: NOW,
      evaluator: memoizingEvaluator(),
    });
    // Then the job is judged on its merits
    expect(checked.report.findings.map((f) => f.code)).not.toContain('POLICY_TOO_COMPLEX');
  });

  it('estimates before matching: the cap refuses the attack and accepts what real policies hold', () => {
    const question = (resource: string, value: string) => ({
      request: {
        principal: 'arn:aws:sts::111122223333:assumed-role/r/s',
        action: 's3:GetObject',
        resource: { resource, accountId: ACCOUNT },
        contextVariables: {},
      },
      identityPolicies: [
        { name: 'p', policy: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: value }) },
      ],
    });
    const object = `arn:aws:s3:::bounded-data/${'a'.repeat(900)}/payroll-2024/x.json`;
    expect(checkComplexity(question(object, PATHOLOGICAL), DEFAULT_LIMITS)).toMatchObject({ policy: 'p' });
    expect(checkComplexity(question(object, 'arn:aws:s3:::*-data/*'), DEFAULT_LIMITS)).toBeUndefined();
    expect(
      checkComplexity(question(object, 'arn:aws:sns:*:*:*GroundTruth*'), DEFAULT_LIMITS),
    ).toBeUndefined();
    // A pattern whose literal start the resource lacks fails at its first character: no cost.
    expect(
      checkComplexity(question(object, `arn:aws:s3:::zz${'*a'.repeat(12)}`), DEFAULT_LIMITS),
    ).toBeUndefined();
  });
});
