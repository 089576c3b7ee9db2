import {
  CAPABILITIES,
  checkAuthor,
  parseCapabilities,
  parsePrincipalArn,
  proveProposal,
  requestsFor,
  type AuthorPrincipal,
  type Capability,
} from '../../shared/core/author';
import { ACCOUNT, EVERYTHING, allow, deny, doc, role, user } from '../fixtures/author/principals';

const NOW = new Date('2026-01-01T00:00:00Z');
const CODE: Record<Capability, string> = {
  'create-functions': 'AUTHOR_CANNOT_CREATE_FUNCTIONS',
  recipe: 'AUTHOR_CANNOT_DEPLOY_RECIPE',
  console: 'AUTHOR_CANNOT_CHOOSE_FUNCTIONS',
  'create-job': 'AUTHOR_CANNOT_CREATE_JOB',
};
const region = 'us-east-1';
/** Every part of the scope, exact: the default of these tests (the incomplete scope has its own). */
const SCOPE = {
  executionRoleArns: [`arn:aws:iam::${ACCOUNT}:role/GtExecution`],
  functionPrefix: 'gt-',
  functionRoleArns: [`arn:aws:iam::${ACCOUNT}:role/GtFunctions`],
};
const check = (p: AuthorPrincipal, capability?: Capability, extra = {}) =>
  checkAuthor(p, {
    region,
    now: NOW,
    ...SCOPE,
    ...(capability ? { capabilities: [capability] } : {}),
    ...extra,
  });

describe('checkAuthor: each capability', () => {
  describe.each(CAPABILITIES)('%s', (capability) => {
    it('is allowed by the identity policy', async () => {
      // Given a user whose inline policy grants everything the capabilities need
      const p = user({ policies: [{ source: 'inline:all', document: doc(allow(EVERYTHING)) }] });
      // When the capability is checked
      const report = await check(p, capability);
      // Then it is allowed and nothing is proposed
      expect(report.outcome).toBe('compliant');
      expect(report.capabilities).toEqual([{ capability, allowed: true, denied: [] }]);
      expect(report.proposal).toBeUndefined();
    });

    it("is allowed by a group's policy", async () => {
      const p = user({
        groups: ['ml'],
        policies: [{ source: 'group:ml/inline:all', document: doc(allow(EVERYTHING)) }],
      });
      expect((await check(p, capability)).outcome).toBe('compliant');
    });

    it('is denied implicitly, found fixable, and proposed', async () => {
      const report = await check(user(), capability);
      expect(report.outcome).toBe('proposed');
      const expected = requestsFor(capability, { partition: 'aws', accountId: ACCOUNT, region, ...SCOPE });
      expect(report.findings.map((f) => f.code)).toEqual(expect.arrayContaining([CODE[capability]]));
      expect(report.findings.every((f) => f.reason === 'implicit-deny' && f.fixable)).toBe(true);
      // each denied action is named in a finding
      for (const r of expected)
        expect(report.findings.some((f) => f.resource === r.resource && f.detail?.includes(r.action))).toBe(
          true,
        );
      expect(report.proposal?.proof.proven).toBe(true);
    });

    it('is denied by the permissions boundary, which no grant can clear', async () => {
      const p = user({
        policies: [{ source: 'inline:all', document: doc(allow(EVERYTHING)) }],
        boundary: {
          arn: `arn:aws:iam::${ACCOUNT}:policy/Boundary`,
          name: 'Boundary',
          document: doc(allow('s3:*')),
        },
      });
      const report = await check(p, capability);
      expect(report.outcome).toBe('blocked');
      expect(report.findings.length).toBeGreaterThan(0);
      expect(
        report.findings.every((f) => f.code === CODE[capability] && f.reason === 'boundary' && !f.fixable),
      ).toBe(true);
      expect(report.proposal).toBeUndefined();
    });

    it('is denied by an explicit Deny', async () => {
      const p = user({
        groups: ['ml'],
        policies: [
          { source: 'inline:all', document: doc(allow(EVERYTHING)) },
          { source: 'group:ml/inline:no', document: doc(deny(EVERYTHING)) },
        ],
      });
      const report = await check(p, capability);
      expect(report.outcome).toBe('blocked');
      expect(report.findings.every((f) => f.reason === 'explicit-deny' && !f.fixable)).toBe(true);
    });
  });
});

describe('checkAuthor: user vs role', () => {
  const onlyUsers = doc(
    allow(EVERYTHING, '*', { Condition: { StringEquals: { 'aws:PrincipalType': 'User' } } }),
  );

  it('evaluates a user as a User and a role as an AssumedRole session', async () => {
    const asUser = await check(user({ policies: [{ source: 'inline:u', document: onlyUsers }] }));
    const asRole = await check(role({ policies: [{ source: 'inline:u', document: onlyUsers }] }));
    expect(asUser.outcome).toBe('compliant');
    expect(asRole.outcome).toBe('proposed');
    expect(asRole.principal).toEqual({
      arn: `arn:aws:iam::${ACCOUNT}:role/DataScientist`,
      kind: 'role',
      groups: [],
    });
  });

  it('knows aws:username for users only', async () => {
    const own = doc(allow(EVERYTHING, '*', { Condition: { StringEquals: { 'aws:username': 'ann' } } }));
    expect((await check(user({ policies: [{ source: 'inline:o', document: own }] }))).outcome).toBe(
      'compliant',
    );
  });
});

describe('checkAuthor: partitions and regions of the recipe', () => {
  it.each([
    ['aws', 'eu-west-1'],
    ['aws-cn', 'cn-northwest-1'],
    ['aws-us-gov', 'us-gov-west-1'],
  ])('names the recipe in %s and %s, and a grant for another region does not count', async (partition, r) => {
    const recipe = `arn:${partition}:serverlessrepo:${r}:838997950401:applications/aws-sagemaker-ground-truth-recipe`;
    const elsewhere = recipe.replace(`:${r}:`, ':us-east-2:');
    const p = user(
      {
        policies: [
          {
            source: 'inline:r',
            document: doc(allow('serverlessrepo:*', elsewhere), allow('serverlessrepo:SearchApplications')),
          },
        ],
      },
      partition,
    );
    const report = await checkAuthor(p, { region: r, now: NOW, capabilities: ['recipe'] });
    expect(report.needs).toBeUndefined(); // the recipe needs no role or function
    expect(report.findings.map((f) => [f.code, f.resource])).toEqual([
      ['AUTHOR_CANNOT_DEPLOY_RECIPE', recipe],
    ]);
    const text = JSON.stringify(report.proposal?.document);
    expect(text).toContain(recipe);
    if (partition !== 'aws') expect(text).not.toContain('arn:aws:');
    // And with the recipe granted in the right region the capability is allowed
    const granted = user(
      {
        policies: [
          {
            source: 'inline:r',
            document: doc(allow('serverlessrepo:*', recipe), allow('serverlessrepo:SearchApplications')),
          },
        ],
      },
      partition,
    );
    expect((await checkAuthor(granted, { region: r, now: NOW, capabilities: ['recipe'] })).outcome).toBe(
      'compliant',
    );
  });
});

describe('checkAuthor: the proposal', () => {
  const scoped = SCOPE;

  it('grants exactly what is missing, scoped, and clears every finding once attached', async () => {
    // Given a user who can already list functions
    const p = user({ policies: [{ source: 'inline:list', document: doc(allow('lambda:ListFunctions')) }] });
    // When the author check runs with the scope given
    const report = await check(p, undefined, scoped);
    // Then one proven policy is proposed, without the action the user already has
    const proposal = report.proposal;
    expect(report.outcome).toBe('proposed');
    expect(proposal?.policyName).toBe('GroundTruthLambdaAuthor-ann');
    expect(proposal?.policyArn).toBe(`arn:aws:iam::${ACCOUNT}:policy/GroundTruthLambdaAuthor-ann`);
    expect(proposal?.proof).toMatchObject({ proven: true, failures: [] });
    expect(JSON.stringify(proposal?.document)).not.toContain('lambda:ListFunctions');
    expect(proposal?.document.Statement).toContainEqual({
      Sid: 'PassExecutionRoleToSageMaker',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: scoped.executionRoleArns[0],
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
    expect(proposal?.document.Statement).toContainEqual(
      expect.objectContaining({
        Sid: 'LabelingFunctions',
        Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:gt-*`,
      }),
    );
    // And with the proposal attached, the principal is compliant
    const after = user({
      policies: [...p.policies, { source: proposal?.policyArn ?? '', document: proposal?.document }],
    });
    expect((await check(after, undefined, scoped)).outcome).toBe('compliant');
  });

  it('fails the proof of a policy that grants beyond the prefix, the role and the service', async () => {
    const p = user();
    const scope = { partition: 'aws', accountId: ACCOUNT, region, ...scoped };
    const claimed = CAPABILITIES.flatMap((c) => requestsFor(c, scope));
    const broad = doc(allow(EVERYTHING));
    const proof = await proveProposal(p, claimed, broad, scope, NOW);
    expect(proof.proven).toBe(false);
    expect(proof.failures.join('\n')).toEqual(expect.stringContaining('a function outside the prefix'));
    expect(proof.failures.join('\n')).toEqual(expect.stringContaining('passing another role to SageMaker'));
    expect(proof.failures.join('\n')).toEqual(
      expect.stringContaining('passing the execution role to another service'),
    );
    expect(proof.failures.join('\n')).toEqual(expect.stringContaining('a function in another region'));
  });

  it('fails the proof of a policy that does not clear what it claims', async () => {
    const scope = { partition: 'aws', accountId: ACCOUNT, region, ...SCOPE };
    const proof = await proveProposal(
      user(),
      requestsFor('create-job', scope),
      doc(allow('sagemaker:CreateLabelingJob')),
      scope,
      NOW,
    );
    expect(proof.proven).toBe(false);
    expect(proof.failures[0]).toMatch(/^still not allowed: iam:PassRole/);
  });

  it('reports a condition on an unknown key as such, and decides it when the value is given', async () => {
    const mfa = doc(
      allow(EVERYTHING, '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
    );
    const p = user({ policies: [{ source: 'inline:mfa', document: mfa }] });
    const report = await check(p, 'create-job');
    expect(report.outcome).toBe('blocked');
    expect(report.findings[0]).toMatchObject({ reason: 'depends-on-unknown-context', fixable: false });
    expect(report.findings[0]?.detail).toContain('aws:MultiFactorAuthPresent');
    const known = await check(p, 'create-job', { knownContext: { 'aws:MultiFactorAuthPresent': 'true' } });
    expect(known.outcome).toBe('compliant');
  });

  it('reports an attached policy whose document is unknown', async () => {
    const p = user({ policies: [{ source: `arn:aws:iam::${ACCOUNT}:policy/Gone` }] });
    const report = await check(p, 'console');
    expect(report.findings[0]).toMatchObject({
      code: 'POLICY_UNKNOWN',
      resource: `arn:aws:iam::${ACCOUNT}:policy/Gone`,
    });
    expect(report.outcome).toBe('blocked');
  });
});

describe('parsing', () => {
  it('parses user and role ARNs of each partition, and nothing else', () => {
    expect(parsePrincipalArn('arn:aws-us-gov:iam::111122223333:user/team/ann')).toEqual({
      kind: 'user',
      partition: 'aws-us-gov',
      accountId: '111122223333',
      path: '/team/',
      name: 'ann',
    });
    expect(parsePrincipalArn('arn:aws-cn:iam::111122223333:role/R')?.kind).toBe('role');
    expect(parsePrincipalArn('arn:aws:iam::111122223333:group/G')).toBeUndefined();
    expect(parsePrincipalArn('arn:aws:sts::111122223333:assumed-role/R/s')).toBeUndefined();
  });

  it('parses --only and names the first unknown capability', () => {
    expect(parseCapabilities('console, recipe')).toEqual({ ok: true, capabilities: ['recipe', 'console'] });
    expect(parseCapabilities('console,deploy')).toEqual({ ok: false, unknown: 'deploy' });
    expect(parseCapabilities(undefined)).toEqual({ ok: true, capabilities: [...CAPABILITIES] });
  });
});
