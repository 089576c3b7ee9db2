/** The evaluator's memo: answers are shared across clocks only where no policy can tell the clocks apart. */
import type { PolicyDocument } from '../../shared/core';
import { evaluateAccess, type AccessQuestion } from '../../shared/core/simulate';
import { ACCOUNT, functionArn, policy, REGION } from '../fixtures/factory';
import { roleInfo } from '../fixtures/role-info';

const BEFORE = new Date('2026-11-29T10:15:00Z');
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
    const before = await evaluateAccess(invokeAt(document, BEFORE));
    const after = await evaluateAccess(invokeAt(document, AFTER));
    // Then each clock gets its own answer
    expect(before.verdict).toBe('allowed');
    expect(after.verdict).toBe('implicit-deny');
  });

  it('gives the same answer at any clock when no policy names one', async () => {
    const document = grant();
    const answers = await Promise.all([BEFORE, AFTER].map((now) => evaluateAccess(invokeAt(document, now))));
    expect(answers.map((a) => a.verdict)).toEqual(['allowed', 'allowed']);
  });
});
