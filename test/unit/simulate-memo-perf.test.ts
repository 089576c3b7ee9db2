/** The evaluator's memo: answers are shared across clocks, and across jobs, only where no policy can tell them apart. */
import type { PolicyDocument } from '../../shared/core';
import { memoizingEvaluator } from '../../shared/core/evaluator/memo';
import {
  evaluateAccess,
  evaluateServiceAssume,
  type AccessQuestion,
  type Evaluator,
} from '../../shared/core/simulate';
import { ACCOUNT, functionArn, policy, REGION } from '../fixtures/factory';
import { roleInfo } from '../fixtures/role-info';

const BEFORE = new Date('2026-11-29T10:15:00Z');

/** One memoizing evaluator for the file, as one Lambda container or one scan has (abstraction on). */
const evaluator = memoizingEvaluator();
const AFTER = new Date('2026-12-29T10:15:00Z');

function invokeAt(document: PolicyDocument, now: Date): AccessQuestion {
  return {
    role: roleInfo('clock-test-role', { inlinePolicies: [{ name: 'Invoke', document }] }),
    accountId: ACCOUNT,
    region: REGION,
    sessionName: 'SageMaker',
    action: 'lambda:InvokeFunction',
    resourceArn: functionArn('clock-test-fn'),
    resourceAccount: ACCOUNT,
    now,
  };
}

const grant = (condition?: Record<string, Record<string, string>>): PolicyDocument =>
  policy({
    Effect: 'Allow',
    Action: 'lambda:InvokeFunction',
    Resource: functionArn('clock-test-fn'),
    ...(condition ? { Condition: condition } : {}),
  });

describe('evaluateAccess memo', () => {
  it.each([
    ['aws:CurrentTime', { DateLessThan: { 'aws:CurrentTime': '2026-12-01T00:00:00Z' } }],
    [
      'aws:EpochTime (other case)',
      { NumericLessThan: { 'AWS:epochtime': String(Date.parse('2026-12-01') / 1000) } },
    ],
  ])('keeps the clock in the key when a policy tests %s', async (_name, condition) => {
    // Given a grant that expires between the two clocks
    const document = grant(condition);
    // When the same question is asked before and after (the first answer is memoised)
    const before = await evaluateAccess(evaluator, invokeAt(document, BEFORE));
    const after = await evaluateAccess(evaluator, invokeAt(document, AFTER));
    // Then each clock gets its own answer
    expect(before.verdict).toBe('allowed');
    expect(after.verdict).toBe('implicit-deny');
  });

  it('gives the same answer at any clock when no policy names one', async () => {
    const document = grant();
    const answers = await Promise.all(
      [BEFORE, AFTER].map((now) => evaluateAccess(evaluator, invokeAt(document, now))),
    );
    expect(answers.map((a) => a.verdict)).toEqual(['allowed', 'allowed']);
  });
});

/** The s3:GetObject question the output-read check asks for `jobName` (its output prefix names the job). */
function readOutput(
  document: PolicyDocument,
  jobName: string,
  roleName = 'memo-reader-role',
): AccessQuestion {
  return {
    role: roleInfo(roleName, { inlinePolicies: [{ name: 'Read', document }] }),
    accountId: ACCOUNT,
    region: REGION,
    sessionName: 'memo-post-fn',
    action: 's3:GetObject',
    resourceArn: `arn:aws:s3:::memo-bucket/output/${jobName}/annotations/consolidated-annotation/request.json`,
    resourceAccount: ACCOUNT,
    knownContext: { 's3:ResourceAccount': ACCOUNT },
    now: BEFORE,
    jobName,
  };
}

const readGrant = (resource: string | string[]): PolicyDocument =>
  policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: resource });

describe('evaluateAccess memo across jobs', () => {
  it('asks the evaluator once for many jobs whose names no policy tells apart', async () => {
    // Given a grant on the whole bucket
    const document = readGrant('arn:aws:s3:::memo-bucket/*');
    const memo = memoizingEvaluator();
    // When 40 jobs (each with its own role object, as after a fresh inventory read) ask the same question
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => evaluateAccess(memo, readOutput(document, `memo-share-${i}`))),
    );
    // Then every job is allowed, and the evaluator ran once
    expect(new Set(answers.map((a) => a.verdict))).toEqual(new Set(['allowed']));
    expect(memo.counts.misses).toBe(1);
  });

  it('asks for each job when the abstraction layer is off (keys are the whole, exact input)', async () => {
    // Given the same grant and a memo without the abstraction layer
    const document = readGrant('arn:aws:s3:::memo-bucket/*');
    const exact = memoizingEvaluator(undefined, { abstraction: false });
    // When 5 jobs ask, twice each
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 5; i++) await evaluateAccess(exact, readOutput(document, `memo-exact-${i}`));
    // Then the evaluator ran once per job, and the second round was answered by the memo
    expect(exact.counts).toEqual({ hits: 5, misses: 5 });
  });

  it.each([
    ['an exact prefix', 'arn:aws:s3:::memo-bucket/output/job-a/*', ['job-a'], ['job-b', 'job-ab', 'Job-a']],
    [
      'a wildcard in the name',
      'arn:aws:s3:::memo-bucket/output/job-1*',
      ['job-1', 'job-10'],
      ['job-2', 'job-01'],
    ],
    ['a one-character wildcard', 'arn:aws:s3:::memo-bucket/output/job-?/*', ['job-7', 'job-x'], ['job-77']],
    ['a name inside the path', 'arn:aws:s3:::memo-bucket/*/team-b*', ['team-b', 'team-b2'], ['team-a']],
    ['a name as the last characters', 'arn:aws:s3:::memo-bucket/output/*b/*', ['job-b', 'b'], ['job-c']],
  ])('keeps apart jobs that %s tells apart', async (_name, resource, allowed, denied) => {
    // Given a grant whose resource matches some job names only
    const document = readGrant(resource);
    // When each job asks, the allowed ones first and then again in the other order
    const ask = async (names: string[]) =>
      Promise.all(names.map(async (n) => (await evaluateAccess(evaluator, readOutput(document, n))).verdict));
    const first = { allowed: await ask(allowed), denied: await ask(denied) };
    const again = { denied: await ask([...denied].reverse()), allowed: await ask([...allowed].reverse()) };
    // Then each job gets its own verdict, whatever was memoised before
    expect(first.allowed).toEqual(allowed.map(() => 'allowed'));
    expect(first.denied).toEqual(denied.map(() => 'implicit-deny'));
    expect(again.allowed).toEqual(allowed.map(() => 'allowed'));
    expect(again.denied).toEqual(denied.map(() => 'implicit-deny'));
  });

  it("keeps apart jobs that a deny on one job's output tells apart", async () => {
    // Given a grant on the bucket and a deny on one job's output
    const document = policy(
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::memo-bucket/*' },
      { Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::memo-bucket/output/secret-job/*' },
    );
    // When jobs on either side ask, in turn
    const verdicts = [];
    for (const name of ['public-job', 'secret-job', 'public-job-2', 'secret-job'])
      verdicts.push((await evaluateAccess(evaluator, readOutput(document, name))).verdict);
    // Then only the denied job's output is denied
    expect(verdicts).toEqual(['allowed', 'explicit-deny', 'allowed', 'explicit-deny']);
  });

  it('keeps apart jobs whose names a trust condition on aws:SourceArn tells apart', async () => {
    // Given a trust policy that lets SageMaker in for one job only (labeling job ARNs are lower case)
    const trust = policy({
      Effect: 'Allow',
      Principal: { Service: 'sagemaker.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: {
        ArnLike: { 'aws:SourceArn': `arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/trusted-*` },
      },
    });
    const role = roleInfo('memo-trust-role', { trustPolicy: trust });
    const ask = (jobName: string) =>
      evaluateServiceAssume(
        evaluator,
        role,
        'sagemaker.amazonaws.com',
        {
          'aws:SourceAccount': ACCOUNT,
          'aws:SourceArn': `arn:aws:sagemaker:${REGION}:${ACCOUNT}:labeling-job/${jobName.toLowerCase()}`,
          'aws:RequestedRegion': REGION,
        },
        jobName,
      );
    // When jobs inside and outside the pattern ask, in both orders
    const verdicts = [];
    for (const name of ['trusted-1', 'other-1', 'Trusted-2', 'other-2', 'trusted-3'])
      verdicts.push((await ask(name)).verdict);
    // Then the pattern decides each job
    expect(verdicts).toEqual(['allowed', 'implicit-deny', 'allowed', 'implicit-deny', 'allowed']);
  });

  it('does not share across jobs when a policy variable is used', async () => {
    // Given a grant whose resource comes from the principal's tag
    const document = readGrant('arn:aws:s3:::memo-bucket/output/${aws:PrincipalTag/job}/*');
    const tagged = (jobName: string): AccessQuestion => ({
      ...readOutput(document, jobName),
      role: roleInfo('memo-tagged-role', {
        inlinePolicies: [{ name: 'Read', document }],
        tags: { job: 'tagged-job' },
      }),
    });
    // When the tagged job and another ask
    const verdicts = [
      (await evaluateAccess(evaluator, tagged('tagged-job'))).verdict,
      (await evaluateAccess(evaluator, tagged('untagged-job'))).verdict,
    ];
    // Then only the job the tag names is allowed
    expect(verdicts).toEqual(['allowed', 'implicit-deny']);
  });
});

/** `roleName`'s session invoking one function, under the role's own grant and the function's resource policy. */
function invokeAs(
  roleName: string,
  identity: PolicyDocument,
  resourcePolicy?: PolicyDocument,
  path = '/',
  using: Evaluator = evaluator,
) {
  return evaluateAccess(using, {
    role: roleInfo(roleName, { path, inlinePolicies: [{ name: 'Invoke', document: identity }] }),
    accountId: ACCOUNT,
    region: REGION,
    sessionName: 'SageMaker',
    action: 'lambda:InvokeFunction',
    resourceArn: functionArn('memo-role-fn'),
    resourceAccount: ACCOUNT,
    ...(resourcePolicy ? { resourcePolicy } : {}),
    now: BEFORE,
  });
}

const invokeGrant = (condition?: Record<string, Record<string, string>>): PolicyDocument =>
  policy({
    Effect: 'Allow',
    Action: 'lambda:InvokeFunction',
    Resource: functionArn('memo-role-fn'),
    ...(condition ? { Condition: condition } : {}),
  });

describe('evaluateAccess memo across roles', () => {
  it('asks the evaluator once for many roles with equal documents that no policy tells apart', async () => {
    // Given 30 roles with the same grant
    const document = invokeGrant();
    const memo = memoizingEvaluator();
    // When each role's session asks the same question
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => invokeAs(`memo-equal-role-${i}`, document, undefined, '/', memo)),
    );
    // Then each is allowed, and the evaluator ran once
    expect(new Set(answers.map((a) => a.verdict))).toEqual(new Set(['allowed']));
    expect(memo.counts.misses).toBe(1);
  });

  it.each<[string, Record<string, Record<string, string>>, string[], string[]]>([
    [
      'a wildcard after the name',
      { StringLike: { 'aws:PrincipalArn': '*:role/memo-lab-1*' } },
      ['memo-lab-1', 'memo-lab-10', 'memo-lab-11'],
      ['memo-lab-2', 'memo-lab-20', 'MEMO-LAB-1'],
    ],
    [
      'a one-character wildcard',
      { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/memo-lab-?' } },
      ['memo-lab-1', 'memo-lab-2'],
      ['memo-lab-10', 'memo-lab-20', 'memo-lab-11'],
    ],
    [
      'a comparison ignoring case',
      { StringEqualsIgnoreCase: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/MEMO-LAB-2` } },
      ['memo-lab-2', 'MEMO-LAB-2'],
      ['memo-lab-1', 'memo-lab-20'],
    ],
    [
      'a path',
      { StringLike: { 'aws:PrincipalArn': '*:role/team/*' } },
      ['team/memo-lab-1', 'team/memo-lab-2'],
      ['memo-lab-1', 'memo-lab-2', 'other/memo-lab-1'],
    ],
  ])('keeps apart roles that %s tells apart', async (_name, condition, allowed, denied) => {
    // Given roles with equal grants whose condition matches some role ARNs only
    const document = invokeGrant(condition);
    const ask = async (list: string[]) =>
      Promise.all(
        list.map(async (at) => {
          const [path, name] = at.includes('/')
            ? [`/${at.split('/')[0]}/`, at.split('/')[1] ?? '']
            : ['/', at];
          return (await invokeAs(name, document, undefined, path)).verdict;
        }),
      );
    // When each role asks, allowed ones first, then again the other way round
    const first = { allowed: await ask(allowed), denied: await ask(denied) };
    const again = { denied: await ask([...denied].reverse()), allowed: await ask([...allowed].reverse()) };
    // Then each role gets its own verdict, whatever was memoised before
    expect(first.allowed).toEqual(allowed.map(() => 'allowed'));
    expect(first.denied).toEqual(denied.map(() => 'implicit-deny'));
    expect(again).toEqual(first);
  });
});
