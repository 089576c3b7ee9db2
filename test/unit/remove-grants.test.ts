/** The one removal routine (job end, later undo) and the ended-job event, pure. */
import {
  parseJobEndedEvent,
  planRemoval,
  verifyJobEnded,
  JOB_STATE_CHANGE,
  type PolicyStatement,
} from '../../shared/core';
import { ACCOUNT, exampleRequest, policy, REGION, roleArn, serviceTrust } from '../fixtures/factory';
import { roleInfo } from '../fixtures/role-info';

const SID = 'GroundTruthReadLabelingOutput';
const A = 'arn:aws:s3:::bucket/out/job-a/*';
const B = 'arn:aws:s3:::bucket/out/job-b/*';
const CONDITION = { StringEquals: { 's3:ResourceAccount': ACCOUNT } };
const ours = (...resources: string[]): PolicyStatement => ({
  Sid: SID,
  Effect: 'Allow',
  Action: 's3:GetObject',
  Resource: resources,
  Condition: CONDITION,
});
const withRead = (...statements: PolicyStatement[]) =>
  roleInfo('Consolidate', {
    trustPolicy: serviceTrust('lambda.amazonaws.com'),
    inlinePolicies: [
      {
        name: 'Other',
        document: policy({ Sid: 'Other', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*' }),
      },
      { name: SID, document: policy(...statements) },
    ],
  });
const removal = { roleName: 'Consolidate', policyName: SID, sid: SID, values: [A] };

describe('planRemoval', () => {
  it('takes one ARN out of our statement and keeps the other ARNs as they were', () => {
    const plan = planRemoval(withRead(ours(A, B)), removal);
    expect(plan).toEqual({
      kind: 'change',
      change: expect.objectContaining({
        action: 'PutRolePolicy',
        policyName: SID,
        document: policy(ours(B)),
        base: policy(ours(A, B)),
        removed: [A],
      }) as unknown,
    });
  });

  it('deletes the policy when its last ARN goes', () => {
    const plan = planRemoval(withRead(ours(A)), removal);
    expect(plan.kind === 'change' && [plan.change.action, plan.change.removed]).toEqual([
      'DeleteRolePolicy',
      [A],
    ]);
  });

  it('is idempotent: nothing to do when the ARN is gone, the policy is gone, or the role is gone', () => {
    expect(planRemoval(withRead(ours(B)), removal).kind).toBe('nothing');
    expect(planRemoval(roleInfo('Consolidate'), removal).kind).toBe('nothing');
    expect(planRemoval(undefined, removal).kind).toBe('nothing');
  });

  it('keeps other statements of the same document verbatim, and drops our statement when it becomes empty', () => {
    const foreign: PolicyStatement = { Sid: 'Foreign', Effect: 'Deny', Action: 's3:*', Resource: '*' };
    const plan = planRemoval(withRead(foreign, ours(A)), removal);
    expect(plan.kind === 'change' && plan.change.document).toEqual(policy(foreign));
  });

  it('touches nothing when our Sid holds a statement not of the shape we write', () => {
    const notOurs: PolicyStatement = { Sid: SID, Effect: 'Allow', Action: 's3:GetObject', NotResource: A };
    expect(planRemoval(withRead(notOurs), removal).kind).toBe('conflict');
    expect(planRemoval(withRead(ours(A), ours(B)), removal).kind).toBe('conflict');
  });

  it('removes a principal from our trust statement and keeps every other trust statement (for undo)', () => {
    const principal = roleArn('Consolidate');
    const service = serviceTrust('sagemaker.amazonaws.com');
    const trust = policy(...(service.Statement as PolicyStatement[]), {
      Sid: 'GroundTruthPostAnnotationLambdaAssume',
      Effect: 'Allow',
      Principal: { AWS: [principal] },
      Action: 'sts:AssumeRole',
    });
    const plan = planRemoval(roleInfo('Execution', { trustPolicy: trust }), {
      roleName: 'Execution',
      sid: 'GroundTruthPostAnnotationLambdaAssume',
      values: [principal],
    });
    expect(plan.kind === 'change' && [plan.change.action, plan.change.document]).toEqual([
      'UpdateAssumeRolePolicy',
      service,
    ]);
  });
});

const ARN = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/receipts-7`;
const endedEvent = (overrides: Record<string, unknown> = {}) => ({
  version: '0',
  id: 'e1',
  'detail-type': JOB_STATE_CHANGE,
  source: 'aws.sagemaker',
  account: ACCOUNT,
  region: REGION,
  resources: [ARN],
  detail: { LabelingJobStatus: 'Completed' },
  ...overrides,
});

describe('parseJobEndedEvent and verifyJobEnded', () => {
  it('reads the job from the ARN in resources, and leaves other events alone', () => {
    expect(parseJobEndedEvent(endedEvent())).toEqual({
      kind: 'ended',
      claims: {
        labelingJobArn: ARN,
        jobName: 'receipts-7',
        accountId: ACCOUNT,
        region: REGION,
        status: 'Completed',
      },
    });
    expect(parseJobEndedEvent({ 'detail-type': 'AWS API Call via CloudTrail' })).toBeUndefined();
  });

  it.each([
    ['another source', { source: 'my.app' }],
    ['no job ARN', { resources: [] }],
    ['an account other than the job’s', { account: '999999999999' }],
    ['a region other than the job’s', { region: 'eu-west-1' }],
  ])('rejects an event with %s', (_, overrides) => {
    expect(parseJobEndedEvent(endedEvent(overrides))?.kind).toBe('invalid');
  });

  const claims = {
    labelingJobArn: ARN,
    jobName: 'receipts-7',
    accountId: ACCOUNT,
    region: REGION,
    status: 'Completed',
  };
  const described = (status: string, arn = ARN) => ({
    request: exampleRequest(),
    origin: { source: 'describe' as const, labelingJobArn: arn, status },
  });

  it.each(['Completed', 'Failed', 'Stopped'])('accepts a job SageMaker says is %s', (status) => {
    expect(verifyJobEnded(claims, described(status)).ok).toBe(true);
  });

  it.each([
    ['a job still running', described('InProgress'), 'job-not-ended'],
    ['a job being stopped', described('Stopping'), 'job-not-ended'],
    ['no such job', undefined, 'job-not-found'],
    ['another job', described('Completed', `${ARN}-2`), 'job-mismatch'],
  ])('refuses %s', (_, answer, reason) => {
    const verified = verifyJobEnded(claims, answer);
    expect(verified.ok === false && [verified.finding.code, verified.finding.reason]).toEqual([
      'EVENT_UNVERIFIED',
      reason,
    ]);
  });
});
