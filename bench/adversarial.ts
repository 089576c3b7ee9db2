/**
 * Bounded work per event: the offline core on adversarial policies (wildcard-heavy resources and
 * conditions, long output paths, 10 KB documents); the worst time to a report is the figure.
 */
import {
  DEFAULT_CORE_OPTIONS,
  memoizingEvaluator,
  planJob,
  type LabelingJobRequest,
  type PolicyDocument,
  type PolicyStatement,
} from '../shared/core';
import { GROUND_TRUTH_EXECUTION_POLICY } from '../shared/core/managed-policies';
import { ACCOUNT, functionArn, policy, roleArn, serviceTrust } from '../test/fixtures/factory';
import { inventoryOf, roleInfo } from '../test/fixtures/role-info';
import { msSince, round } from './stats';

const PRE = functionArn('adv-pre');
const POST = functionArn('adv-post');
const LONG = `s3://adv-data/${'a'.repeat(900)}/`;

/** About 10 KB of statements, each value with a few wildcards. */
function tenKilobytes(): PolicyDocument {
  const statements: PolicyStatement[] = [];
  for (let i = 0; JSON.stringify(statements).length < 10_000; i++)
    statements.push({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::*a*${i}*a*/*`,
    });
  return policy(...statements);
}

const CASES: { name: string; document: PolicyDocument; output: string }[] = [
  {
    name: 'twelve-star resource, long path',
    document: policy({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${'*a'.repeat(11)}*b`,
    }),
    output: LONG,
  },
  {
    name: 'six-star resource, short path',
    document: policy({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${'*a'.repeat(5)}*b`,
    }),
    output: 's3://adv-data/output/',
  },
  {
    name: 'wildcard-heavy condition',
    document: policy({
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { StringLike: { 'aws:PrincipalArn': `${'*a'.repeat(11)}*b` } },
    }),
    output: LONG,
  },
  {
    name: 'wildcard-heavy action',
    document: policy({ Effect: 'Allow', Action: `s3:${'*a'.repeat(11)}*b`, Resource: '*' }),
    output: LONG,
  },
  { name: '10 KB document, long path', document: tenKilobytes(), output: LONG },
  {
    name: 'ordinary grant, long path',
    document: policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::adv-data/*' }),
    output: LONG,
  },
];

/** worstAdversarialMs and each case's time and outcome. */
export async function measureAdversarial() {
  const preRole = roleInfo('adv-pre-role', { trustPolicy: serviceTrust('lambda.amazonaws.com') });
  const postRole = roleInfo('adv-post-role', { trustPolicy: serviceTrust('lambda.amazonaws.com') });
  const cases: Record<string, { ms: number; outcome: string; findings: string[] }> = {};
  for (const c of CASES) {
    const execution = roleInfo('adv-exec', {
      path: '/service-role/',
      inlinePolicies: [{ name: 'Adversarial', document: c.document }],
      managedPolicies: [GROUND_TRUTH_EXECUTION_POLICY],
    });
    const request: LabelingJobRequest = {
      jobName: 'payroll-2024',
      accountId: ACCOUNT,
      region: 'us-east-1',
      executionRoleArn: roleArn('adv-exec', '/service-role/'),
      preAnnotationLambdaArn: PRE,
      postAnnotationLambdaArn: POST,
      outputS3Uri: c.output,
    };
    const inventory = inventoryOf(
      [execution, preRole, postRole],
      [
        { arn: PRE, roleArn: preRole.arn },
        { arn: POST, roleArn: postRole.arn },
      ],
    );
    const start = process.hrtime.bigint();
    // A fresh evaluator per case: the worst case is a cold one.
    const { report } = await planJob(request, inventory, {
      core: DEFAULT_CORE_OPTIONS,
      dryRun: true,
      evaluator: memoizingEvaluator(),
    });
    cases[c.name] = {
      ms: round(msSince(start)),
      outcome: report.outcome,
      findings: [...new Set(report.findings.map((f) => f.code))],
    };
  }
  return {
    worstAdversarialMs: Math.max(...Object.values(cases).map((c) => c.ms)),
    adversarialCases: cases,
  };
}
