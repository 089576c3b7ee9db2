import { join } from 'node:path';
import { main, type Io } from '../../cli/main';
import { runAuthor, type AuthorFlags, type AuthorLive } from '../../cli/author-command';
import type { AuthorReport } from '../../shared/core/author';
import { user } from '../fixtures/author/principals';

const SNAPSHOT = join(__dirname, '..', 'fixtures', 'author', 'snapshot');
const ANN = 'arn:aws:iam::111122223333:user/ann';
const EXEC = 'arn:aws:iam::111122223333:role/GtExecution';
const FUNCTION_ROLE = 'arn:aws:iam::111122223333:role/GtFunctions';
/** The whole scope, exact. */
const SCOPE = ['--execution-role', EXEC, '--function-prefix', 'gt-', '--function-role', FUNCTION_ROLE];

async function cli(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t) };
  const status = await main(['node', 'gt-remediate', 'author', ...args], io);
  return { status, out, err };
}

describe('gt-remediate author --snapshot', () => {
  it("evaluates a user with its group's managed policy and the group's explicit Deny", async () => {
    // Given ann: gt-* create/get inline, ListFunctions from her group, serverlessrepo denied outside eu-west-1
    const { status, out, err } = await cli(
      '--principal',
      ANN,
      '--region',
      'us-east-1',
      ...SCOPE,
      '--snapshot',
      SNAPSHOT,
      '--json',
    );
    // Then exit 1, the recipe is blocked by the explicit Deny, the rest is proposed
    expect(err).toBe('');
    expect(status).toBe(1);
    const report = JSON.parse(out) as AuthorReport;
    expect(report.principal).toEqual({ arn: ANN, kind: 'user', groups: ['data-science'] });
    expect(report.outcome).toBe('blocked');
    const recipe = report.findings.filter((f) => f.code === 'AUTHOR_CANNOT_DEPLOY_RECIPE');
    expect(recipe.map((f) => f.reason)).toEqual(['explicit-deny', 'explicit-deny']);
    const statements = JSON.stringify(report.proposal?.document);
    expect(statements).not.toContain('lambda:CreateFunction'); // she has it already
    expect(statements).not.toContain('lambda:ListFunctions'); // from her group
    expect(statements).not.toContain('serverlessrepo'); // a grant cannot beat the Deny
    expect(report.proposal?.proof.proven).toBe(true);
  });

  it('finds the recipe allowed in the one region the Deny spares', async () => {
    const { out } = await cli(
      '--principal',
      ANN,
      '--region',
      'eu-west-1',
      '--only',
      'recipe',
      '--snapshot',
      SNAPSHOT,
      '--json',
    );
    const report = JSON.parse(out) as AuthorReport;
    // No policy grants serverlessrepo: still missing, but now only implicitly
    expect(report.findings.every((f) => f.reason === 'implicit-deny')).toBe(true);
    expect(report.proposal?.document.Statement).toContainEqual(
      expect.objectContaining({
        Resource:
          'arn:aws:serverlessrepo:eu-west-1:838997950401:applications/aws-sagemaker-ground-truth-recipe',
      }),
    );
  });

  it('exits 0 for a role whose managed policy (URL-encoded) allows everything', async () => {
    const { status, out } = await cli(
      '--principal',
      'arn:aws:iam::111122223333:role/Admin',
      '--region',
      'us-east-1',
      ...SCOPE,
      '--snapshot',
      SNAPSHOT,
    );
    expect(status).toBe(0);
    expect(out).toContain('COMPLIANT');
  });

  it('reports the boundary of a role, with no proposal', async () => {
    const { status, out } = await cli(
      '--principal',
      'arn:aws:iam::111122223333:role/Bounded',
      '--region',
      'us-east-1',
      ...SCOPE,
      '--snapshot',
      SNAPSHOT,
      '--json',
    );
    expect(status).toBe(1);
    const report = JSON.parse(out) as AuthorReport;
    expect(new Set(report.findings.map((f) => f.reason))).toEqual(new Set(['boundary']));
    expect(report.proposal).toBeUndefined();
  });
});

describe('gt-remediate author: bad input is one line and exit 2', () => {
  it.each([
    [
      ['--principal', 'arn:aws:iam::111122223333:user/nobody'],
      /^gt-remediate: principal not found: arn:aws:iam::111122223333:user\/nobody\n$/,
    ],
    [
      ['--principal', 'arn:aws:iam::111122223333:group/data-science'],
      /^gt-remediate: --principal: ".*" is not an IAM user or role ARN\n$/,
    ],
    [
      ['--principal', ANN, '--only', 'console,deploy'],
      /^gt-remediate: --only: unknown capability "deploy" .*\n$/,
    ],
    [
      ['--principal', ANN, '--execution-role', 'arn:aws-cn:iam::111122223333:role/X'],
      /^gt-remediate: --execution-role: .* \(partition aws\)\n$/,
    ],
    [['--principal', ANN, '--apply'], /^gt-remediate: --apply changes the live account: add --live\n$/],
    [['--principal', ANN, '--context', 'MFA'], /^gt-remediate: --context: "MFA" is not key=value .*\n$/],
  ])('%j', async (args, message) => {
    const { status, out, err } = await cli(...args, '--region', 'us-east-1', '--snapshot', SNAPSHOT);
    expect(status).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
    expect(err.split('\n')).toHaveLength(2);
  });

  it('refuses --apply without a terminal or --yes, before reading the account', async () => {
    let read = false;
    const live: AuthorLive = {
      read: () => ((read = true), Promise.resolve({ region: 'us-east-1' })),
      write: () => Promise.reject(new Error('never')),
    };
    let err = '';
    const flags: AuthorFlags = { principal: ANN, live: true, apply: true };
    const status = await runAuthor(
      flags,
      { out: () => undefined, err: (t) => (err += t), interactive: false },
      live,
    );
    expect(status).toBe(2);
    expect(err).toBe(
      'gt-remediate: refusing to change IAM without confirmation: stdin is not a terminal (add --yes)\n',
    );
    expect(read).toBe(false);
  });

  it('exits 3 with one line when reading the account fails', async () => {
    const live: AuthorLive = {
      read: () =>
        Promise.reject(Object.assign(new Error('Rate exceeded\nretry later'), { name: 'Throttling' })),
      write: () => Promise.reject(new Error('never')),
    };
    let err = '';
    const status = await runAuthor(
      { principal: ANN, live: true },
      { out: () => undefined, err: (t) => (err += t) },
      live,
    );
    expect(status).toBe(3);
    expect(err).toBe('gt-remediate: AWS call failed: Throttling: Rate exceeded retry later\n');
  });

  it('decides a condition on a key given with --context', async () => {
    const mfa = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow' as const,
          Action: '*',
          Resource: '*',
          Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        },
      ],
    };
    const live: AuthorLive = {
      read: () =>
        Promise.resolve({
          principal: user({ policies: [{ source: 'inline:mfa', document: mfa }] }),
          region: 'us-east-1',
        }),
      write: () => Promise.reject(new Error('never')),
    };
    const io: Io = { out: () => undefined, err: () => undefined };
    const scope = { executionRole: [EXEC], functionPrefix: 'gt-', functionRole: [FUNCTION_ROLE] };
    expect(await runAuthor({ principal: ANN, live: true, ...scope }, io, live)).toBe(1);
    expect(
      await runAuthor(
        { principal: ANN, live: true, ...scope, context: ['aws:MultiFactorAuthPresent=true'] },
        io,
        live,
      ),
    ).toBe(0);
  });

  it('asks on a terminal and changes nothing on "no"', async () => {
    let wrote = false;
    const live: AuthorLive = {
      read: () => Promise.resolve({ principal: user(), region: 'us-east-1' }),
      write: () => ((wrote = true), Promise.reject(new Error('never'))),
    };
    let err = '';
    let asked = '';
    const io: Io = {
      out: () => undefined,
      err: (t) => (err += t),
      interactive: true,
      confirm: (q) => ((asked = q), Promise.resolve(false)),
    };
    const status = await runAuthor(
      { principal: ANN, live: true, apply: true, only: 'console', functionPrefix: 'gt-' },
      io,
      live,
    );
    expect(asked).toBe('Create or update GroundTruthLambdaAuthor-ann and attach it to user ann only? [y/N] ');
    expect(err).toContain('"lambda:InvokeFunction"');
    expect(err).toContain('gt-remediate: nothing changed');
    expect(wrote).toBe(false);
    expect(status).toBe(1);
  });
});

describe('gt-remediate author --apply: a failed write says what IAM holds', () => {
  it('names the policy created but not attached when the attach is denied (exit 3)', async () => {
    // Given a live account where the write creates the policy and then fails to attach it
    let created = false;
    const policyArn = 'arn:aws:iam::111122223333:policy/GroundTruthLambdaAuthor-ann';
    const live: AuthorLive = {
      read: () =>
        Promise.resolve({
          principal: user(),
          region: 'us-east-1',
          ...(created ? { existingPolicy: { arn: policyArn, ownerTag: ANN, attachedTo: [] } } : {}),
        }),
      write: () => {
        created = true;
        return Promise.reject(
          Object.assign(new Error('not authorized to perform: iam:AttachUserPolicy'), {
            name: 'AccessDenied',
          }),
        );
      },
    };
    let out = '';
    let err = '';
    const status = await runAuthor(
      { principal: ANN, live: true, apply: true, yes: true, only: 'console', functionPrefix: 'gt-' },
      { out: (t) => (out += t), err: (t) => (err += t) },
      live,
    );
    // Then one line: the AWS failure and what IAM holds now; nothing claims it was applied
    expect(status).toBe(3);
    expect(out).toBe('');
    expect(err).toBe(
      `gt-remediate: AWS call failed: AccessDenied: not authorized to perform: iam:AttachUserPolicy; IAM now holds ${policyArn}, NOT attached to ${ANN}\n`,
    );
  });
});
