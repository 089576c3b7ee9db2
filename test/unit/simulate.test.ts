/** evaluateAccess on real policies: the managed Ground Truth policy, boundaries, explicit denies, trust conditions. */
import type { PolicyDocument, RoleInfo } from '../../shared/core';
import { GROUND_TRUTH_EXECUTION_POLICY } from '../../shared/core/managed-policies';
import { evaluateAccess, requestContext, type AccessQuestion } from '../../shared/core/simulate';
import { ACCOUNT, functionArn, policy, REGION, roleArn } from '../fixtures/factory';
import { roleInfo } from '../fixtures/role-info';
import { plainEvaluator } from '../../shared/core/evaluator/evaluator';

/** No memo: each question is answered by iam-simulate itself. */
const evaluator = plainEvaluator();

const NOW = new Date('2026-11-29T10:15:00Z');
const EXEC_ARN = roleArn('ReceiptsLabelingExecution', '/service-role/');

function invoke(role: RoleInfo, functionName: string): AccessQuestion {
  return {
    role,
    accountId: ACCOUNT,
    region: REGION,
    sessionName: 'SageMaker',
    action: 'lambda:InvokeFunction',
    resourceArn: functionArn(functionName),
    resourceAccount: ACCOUNT,
    now: NOW,
  };
}

function assume(role: RoleInfo, trust: PolicyDocument): AccessQuestion {
  return {
    role,
    accountId: ACCOUNT,
    region: REGION,
    sessionName: 'receipts-consolidate',
    action: 'sts:AssumeRole',
    resourceArn: EXEC_ARN,
    resourceAccount: ACCOUNT,
    resourcePolicy: trust,
    now: NOW,
  };
}

const groundTruthRole = roleInfo('ReceiptsLabelingExecution', {
  path: '/service-role/',
  managedPolicies: [GROUND_TRUTH_EXECUTION_POLICY],
});
const mayAssumeExec = {
  name: 'AssumeExec',
  document: policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: EXEC_ARN }),
};
const lambdaRole = (overrides: Partial<RoleInfo> = {}): RoleInfo =>
  roleInfo('receipts-consolidate-role', { inlinePolicies: [mayAssumeExec], ...overrides });
const rootTrust = (condition: Record<string, Record<string, unknown>>): PolicyDocument =>
  policy({
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: 'sts:AssumeRole',
    Condition: condition,
  });

describe('evaluateAccess', () => {
  describe('with AmazonSageMakerGroundTruthExecution', () => {
    it.each([
      ['receipts-SageMaker-pre', 'allowed'],
      ['GtRecipe-consolidate', 'allowed'],
      ['my-LabelingFunction', 'allowed'],
      ['Sagemaker-pre', 'allowed'],
      ['sagemaker-pre', 'allowed'],
      ['receipts-labelingfunction', 'implicit-deny'],
      ['receipts-SAGEMAKER', 'implicit-deny'],
      ['receipts-pre-annotation', 'implicit-deny'],
      ['receipts-SageMaker-pre:prod', 'allowed'],
    ])('decides invoke of %s as %s (names match case-sensitively)', async (name, verdict) => {
      // Given the execution role with only the managed policy
      // When it invokes the function
      const decision = await evaluateAccess(evaluator, invoke(groundTruthRole, name));

      // Then the managed policy's name patterns decide
      expect(decision.verdict).toBe(verdict);
      expect(decision.identityAllows).toBe(verdict === 'allowed');
    });
  });

  describe('with a permissions boundary', () => {
    it('reports boundary when the identity policy allows but the boundary does not', async () => {
      // Given the managed policy and a boundary that allows S3 only
      const role = {
        ...groundTruthRole,
        boundary: {
          arn: `arn:aws:iam::${ACCOUNT}:policy/S3Only`,
          name: 'S3Only',
          document: policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }),
        },
      };

      // When it invokes a function the managed policy covers
      const decision = await evaluateAccess(evaluator, invoke(role, 'receipts-SageMaker-pre'));

      // Then the boundary is the reason, and the identity policy alone would allow
      expect(decision).toMatchObject({ verdict: 'boundary', identityAllows: true });
    });

    it('reports boundary when the boundary explicitly denies', async () => {
      // Given a boundary that allows everything but denies invoking Lambda
      const boundaryDoc = policy(
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'lambda:InvokeFunction', Resource: '*' },
      );
      const role = {
        ...groundTruthRole,
        boundary: { arn: `arn:aws:iam::${ACCOUNT}:policy/NoLambda`, name: 'NoLambda', document: boundaryDoc },
      };

      // When it invokes a covered function
      const decision = await evaluateAccess(evaluator, invoke(role, 'receipts-SageMaker-pre'));

      // Then it is the boundary's deny, not an identity deny
      expect(decision.verdict).toBe('boundary');
    });

    it('allows when the boundary allows too', async () => {
      // Given a boundary that allows lambda:InvokeFunction
      const role = {
        ...groundTruthRole,
        boundary: {
          arn: `arn:aws:iam::${ACCOUNT}:policy/Lambda`,
          name: 'Lambda',
          document: policy({ Effect: 'Allow', Action: 'lambda:*', Resource: '*' }),
        },
      };

      // When it invokes a covered function
      const decision = await evaluateAccess(evaluator, invoke(role, 'receipts-SageMaker-pre'));

      // Then it is allowed
      expect(decision.verdict).toBe('allowed');
    });
  });

  describe('with an explicit deny', () => {
    it('reports explicit-deny even where the managed policy allows', async () => {
      // Given the managed policy and an inline deny on one function
      const deny = {
        name: 'Deny',
        document: policy({
          Effect: 'Deny',
          Action: 'lambda:InvokeFunction',
          Resource: functionArn('receipts-SageMaker-pre'),
        }),
      };
      const role = { ...groundTruthRole, inlinePolicies: [deny] };

      // When it invokes that function and another one
      const denied = await evaluateAccess(evaluator, invoke(role, 'receipts-SageMaker-pre'));
      const other = await evaluateAccess(evaluator, invoke(role, 'receipts-SageMaker-post'));

      // Then only the denied function is an explicit deny
      expect(denied.verdict).toBe('explicit-deny');
      expect(other.verdict).toBe('allowed');
    });
  });

  describe('with a trust policy (sts:AssumeRole on the execution role)', () => {
    it.each<[string, Record<string, Record<string, unknown>>, Record<string, string>, string]>([
      [
        'aws:PrincipalArn matches',
        { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/receipts-*` } },
        {},
        'allowed',
      ],
      [
        'aws:PrincipalArn does not match',
        { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/invoices-*` } },
        {},
        'implicit-deny',
      ],
      [
        'aws:PrincipalTag matches the role tag',
        { StringEquals: { 'aws:PrincipalTag/team': 'ml-platform' } },
        { team: 'ml-platform' },
        'allowed',
      ],
      [
        'aws:PrincipalTag differs',
        { StringEquals: { 'aws:PrincipalTag/team': 'ml-platform' } },
        { team: 'data-science' },
        'implicit-deny',
      ],
      [
        'aws:PrincipalTag is absent',
        { StringEquals: { 'aws:PrincipalTag/team': 'ml-platform' } },
        {},
        'implicit-deny',
      ],
      ['aws:PrincipalAccount matches', { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } }, {}, 'allowed'],
      [
        'aws:PrincipalAccount differs',
        { StringEquals: { 'aws:PrincipalAccount': '444455556666' } },
        {},
        'implicit-deny',
      ],
    ])('decides a root-principal trust statement where %s', async (_what, condition, tags, verdict) => {
      // Given a Lambda role allowed by its identity policy to assume the execution role, with some tags
      const role = lambdaRole({ tags });

      // When it assumes the role under a trust statement for the account root with a condition
      const decision = await evaluateAccess(evaluator, assume(role, rootTrust(condition)));

      // Then the condition, evaluated on the context AWS supplies for a role session, decides
      expect(decision.verdict).toBe(verdict);
      expect(decision.identityAllows).toBe(true);
      expect(decision.resourceAllows).toBe(verdict === 'allowed');
    });

    it('needs the identity policy when the trust policy names only the account root', async () => {
      // Given a Lambda role without any sts:AssumeRole grant, and a matching root trust statement
      const role = lambdaRole({ inlinePolicies: [], tags: { team: 'ml-platform' } });

      // When it assumes the execution role
      const decision = await evaluateAccess(
        evaluator,
        assume(role, rootTrust({ StringEquals: { 'aws:PrincipalTag/team': 'ml-platform' } })),
      );

      // Then it is denied, with the trust side satisfied and the identity side missing
      expect(decision).toEqual({ verdict: 'implicit-deny', identityAllows: false, resourceAllows: true });
    });

    it('allows a same-account role named by ARN in the trust policy without an identity policy', async () => {
      // Given a trust statement naming the Lambda role's ARN, and no identity grant
      const role = lambdaRole({ inlinePolicies: [] });
      const trust = policy({ Effect: 'Allow', Principal: { AWS: role.arn }, Action: 'sts:AssumeRole' });

      // When it assumes the execution role
      const decision = await evaluateAccess(evaluator, assume(role, trust));

      // Then the trust policy alone allows it (IAM's same-account rule for principals named by ARN)
      expect(decision).toEqual({ verdict: 'allowed', identityAllows: false, resourceAllows: true });
    });

    it('denies when only a Service principal is trusted', async () => {
      // Given the usual SageMaker-only trust policy
      const trust = policy({
        Effect: 'Allow',
        Principal: { Service: 'sagemaker.amazonaws.com' },
        Action: 'sts:AssumeRole',
      });

      // When the Lambda role (with an identity grant) assumes the execution role
      const decision = await evaluateAccess(evaluator, assume(lambdaRole(), trust));

      // Then the trust side is missing
      expect(decision).toEqual({ verdict: 'implicit-deny', identityAllows: true, resourceAllows: false });
    });
  });
});

describe('requestContext', () => {
  it('supplies the keys AWS sets for a role session, including each principal tag', () => {
    // Given a role with two tags
    const role = roleInfo('receipts-consolidate-role', { tags: { team: 'ml-platform', env: 'prod' } });

    // When the request context is built
    const context = requestContext({ ...assume(role, policy()), now: new Date('2026-01-01T00:00:00Z') });

    // Then it names the principal, its account and tags, and the clock
    expect(context).toMatchObject({
      'aws:PrincipalArn': role.arn,
      'aws:PrincipalAccount': ACCOUNT,
      'aws:PrincipalTag/team': 'ml-platform',
      'aws:PrincipalTag/env': 'prod',
      'aws:RequestedRegion': REGION,
      'aws:CurrentTime': '2026-01-01T00:00:00.000Z',
      'aws:EpochTime': '1767225600',
    });
  });
});
