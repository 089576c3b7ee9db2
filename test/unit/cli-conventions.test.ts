/** CLI conventions with a fake live runner: --version, --region/--profile, one preview and one result, exit 3 and 130. */
import { PassThrough } from 'node:stream';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsFailureError, InterruptedError } from '../../cli/cli-errors';
import type { LiveRunner, LiveSubject } from '../../cli/live';
import { main, type Io } from '../../cli/main';
import { confirm } from '../../cli/prompt';
import type { Outcome, Report } from '../../shared/core';

const ROOT = join(__dirname, '..', '..');
const EXAMPLE_EVENT = join(ROOT, 'examples', 'events', 'create-labeling-job.json');
const EXAMPLE_SNAPSHOT = join(ROOT, 'examples', 'snapshot');

function report(outcome: Outcome, dryRun: boolean): Report {
  return {
    job: {
      name: 'receipts-7',
      account: '111122223333',
      region: 'us-east-1',
      executionRoleArn: 'arn:aws:iam::111122223333:role/Exec',
      preAnnotationLambdaArn: 'arn:aws:lambda:us-east-1:111122223333:function:pre',
      postAnnotationLambdaArn: null,
      outputS3Uri: 's3://bucket/out/',
    },
    outcome,
    dryRun,
    findings:
      outcome === 'compliant'
        ? []
        : [
            {
              code: 'INVOKE_DENIED',
              severity: 'high',
              principal: 'arn:aws:iam::111122223333:role/Exec',
              resource: 'arn:aws:lambda:us-east-1:111122223333:function:pre',
              reason: 'implicit-deny',
              fixable: true,
            },
          ],
    changes:
      outcome === 'compliant'
        ? []
        : [
            {
              action: 'PutRolePolicy',
              roleName: 'Exec',
              policyName: 'GroundTruthLabelingLambdaInvoke',
              statements: [],
              added: ['arn:aws:lambda:us-east-1:111122223333:function:pre'],
              beforeSha256: null,
              afterSha256: 'a'.repeat(64),
            },
          ],
  };
}

interface Call {
  subject: LiveSubject;
  dryRun: boolean;
  purpose: 'check' | 'fix';
  region?: string;
  profile?: string;
}

/** A runner that proposes in dry-run and remediates otherwise, recording each call. */
function fakeLive(applied: Outcome = 'remediated'): { live: LiveRunner; calls: Call[] } {
  const calls: Call[] = [];
  const live: LiveRunner = (subject, _core, options) => {
    calls.push({ subject, ...options });
    return Promise.resolve(options.dryRun ? report('proposed', true) : report(applied, false));
  };
  return { live, calls };
}

function capture(extra: Partial<Io> = {}): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdout: () => out,
    stderr: () => err,
    ...extra,
  };
}

function run(args: string[], io: Io, live: LiveRunner = fakeLive().live): Promise<number> {
  return main(['node', 'gt-remediate', ...args], io, live);
}

const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

describe('--version and --help', () => {
  it('prints the version of package.json', async () => {
    const io = capture();
    expect(await run(['--version'], io)).toBe(0);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(io.stdout()).toBe(`${version}\n`);
  });

  it.each([['check'], ['fix']])('%s --help says the region defaults to the event’s', async (command) => {
    const io = capture();
    expect(await run([command, '--help'], io)).toBe(0);
    const help = io.stdout().replace(/\s+/g, ' ');
    expect(help).toContain("--region <region> AWS region to read (default: the event's region");
    expect(help).toContain('--profile <name>');
    expect(help).toContain('--job <name>');
  });
});

describe('--region, --profile, --job', () => {
  it('hands region, profile and what the event claims to the live runner', async () => {
    const { live, calls } = fakeLive();
    const io = capture();
    await run(
      ['check', '--live', '--event', EXAMPLE_EVENT, '--region', 'us-east-1', '--profile', 'audit'],
      io,
      live,
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ dryRun: true, purpose: 'check', region: 'us-east-1', profile: 'audit' });
    expect(calls[0]?.subject).toMatchObject({
      source: 'cloudtrail',
      claims: { jobName: 'receipts-7', accountId: '111122223333', region: 'us-east-1' },
    });
  });

  it('refuses --region other than the event’s: exit 2, one line naming both, the runner never called', async () => {
    const { live, calls } = fakeLive();
    for (const command of ['check', 'fix']) {
      const io = capture();
      const args = [command, '--live', '--event', EXAMPLE_EVENT, '--region', 'eu-west-1', '--yes'];
      expect(await run(command === 'fix' ? args : args.slice(0, -1), io, live)).toBe(2);
      expect(io.stdout()).toBe('');
      expect(io.stderr()).toBe(
        'gt-remediate: inputs do not match: the job is in region us-east-1, --region is eu-west-1\n',
      );
    }
    expect(calls).toHaveLength(0);
  });

  it('fix verifies for writing (purpose fix) both before and when applying', async () => {
    const { live, calls } = fakeLive();
    await run(['fix', '--live', '--event', EXAMPLE_EVENT, '--yes'], capture(), live);
    expect(calls.map((c) => [c.purpose, c.dryRun])).toEqual([
      ['fix', true],
      ['fix', false],
    ]);
  });

  it('leaves the region unset without --region (the runner then uses the event’s)', async () => {
    const { live, calls } = fakeLive();
    await run(['check', '--live', '--event', EXAMPLE_EVENT], capture(), live);
    expect(calls[0]?.region).toBeUndefined();
  });

  it('hands --job to the runner as a job name', async () => {
    const { live, calls } = fakeLive();
    await run(['fix', '--live', '--job', 'receipts-7', '--dry-run'], capture(), live);
    expect(calls[0]?.subject).toEqual({ jobName: 'receipts-7' });
  });

  it.each<[string, string[], string]>([
    [
      '--region offline',
      ['check', '--event', EXAMPLE_EVENT, '--snapshot', EXAMPLE_SNAPSHOT, '--region', 'us-east-1'],
      'gt-remediate: --region and --profile apply to --live only',
    ],
    [
      '--job offline',
      ['check', '--job', 'x', '--snapshot', EXAMPLE_SNAPSHOT],
      'gt-remediate: --job reads the job from SageMaker: use it with --live',
    ],
    [
      'a bad region',
      ['check', '--live', '--event', EXAMPLE_EVENT, '--region', 'Virginia'],
      'gt-remediate: --region: "Virginia" is not a region name (e.g. us-east-1)',
    ],
    [
      'both --event and --job',
      ['fix', '--live', '--event', EXAMPLE_EVENT, '--job', 'x', '--yes'],
      'gt-remediate: give exactly one of --event FILE or --job NAME',
    ],
  ])('%s: exit 2, one line', async (_what, args, line) => {
    const { live, calls } = fakeLive();
    const io = capture();
    expect(await run(args, io, live)).toBe(2);
    expect(io.stderr()).toBe(`${line}\n`);
    expect(io.stdout()).toBe('');
    expect(calls).toHaveLength(0);
  });
});

describe('fix at a terminal', () => {
  it('prints the preview once, asks once, then the result once, worded for what happened', async () => {
    // Given a job with one proposed change and a person who answers yes
    const { live, calls } = fakeLive();
    const questions: string[] = [];
    const io = capture({ interactive: true, confirm: (q) => (questions.push(q), Promise.resolve(true)) });

    // When fix runs
    const status = await run(['fix', '--live', '--event', EXAMPLE_EVENT], io, live);

    // Then the report appears once (the preview), then one result line and what was applied
    expect(status).toBe(0);
    expect(questions).toEqual(['Apply 1 change(s) to IAM? [y/N] ']);
    expect(calls.map((c) => c.dryRun)).toEqual([true, false]);
    const out = io.stdout();
    expect(count(out, /^Outcome: /gm)).toBe(1);
    expect(out).toContain('Outcome: PROPOSED');
    expect(count(out, /^Result: /gm)).toBe(1);
    expect(out).toContain(
      'Result: REMEDIATED: 1 change applied and verified; the job has the permissions it needs.',
    );
    expect(out).toContain('  applied: PutRolePolicy GroundTruthLabelingLambdaInvoke on role Exec');
    expect(out.indexOf('Outcome: PROPOSED')).toBeLessThan(out.indexOf('Result: REMEDIATED'));
  });

  it('says BLOCKED, not remediated, when a finding is left for a person', async () => {
    const { live } = fakeLive('blocked');
    const io = capture({ interactive: true, confirm: () => Promise.resolve(true) });
    await run(['fix', '--live', '--event', EXAMPLE_EVENT], io, live);
    expect(io.stdout()).toContain('Result: BLOCKED: 1 change applied and verified;');
    expect(io.stdout()).not.toContain('REMEDIATED');
  });

  it('with --json keeps stdout to the result JSON and shows the preview on stderr', async () => {
    const { live } = fakeLive();
    const io = capture({ interactive: true, confirm: () => Promise.resolve(true) });
    expect(await run(['fix', '--live', '--event', EXAMPLE_EVENT, '--json'], io, live)).toBe(0);
    expect((JSON.parse(io.stdout()) as Report).outcome).toBe('remediated');
    expect(io.stderr()).toContain('Outcome: PROPOSED');
  });

  it('answering no changes nothing and exits 1', async () => {
    const { live, calls } = fakeLive();
    const io = capture({ interactive: true, confirm: () => Promise.resolve(false) });
    expect(await run(['fix', '--live', '--event', EXAMPLE_EVENT], io, live)).toBe(1);
    expect(io.stderr()).toBe('gt-remediate: nothing changed\n');
    expect(calls.map((c) => c.dryRun)).toEqual([true]);
  });

  it('Ctrl-C at the question exits 130 with one line and writes nothing', async () => {
    const { live, calls } = fakeLive();
    const io = capture({ interactive: true, confirm: () => Promise.reject(new InterruptedError()) });
    expect(await run(['fix', '--live', '--event', EXAMPLE_EVENT], io, live)).toBe(130);
    expect(io.stderr()).toBe('gt-remediate: interrupted; nothing changed\n');
    expect(calls.map((c) => c.dryRun)).toEqual([true]);
  });

  it('with --yes prints only the result report', async () => {
    const { live } = fakeLive();
    const io = capture();
    expect(await run(['fix', '--live', '--event', EXAMPLE_EVENT, '--yes'], io, live)).toBe(0);
    expect(count(io.stdout(), /^Outcome: /gm)).toBe(1);
    expect(io.stdout()).toContain('Outcome: REMEDIATED');
  });
});

describe('AWS failures', () => {
  it.each([['check'], ['fix']])('%s --live: exit 3, one stderr line, no report', async (command) => {
    const failing: LiveRunner = () =>
      Promise.reject(
        AwsFailureError.from(
          Object.assign(new Error('The security token included in the request is invalid.'), {
            name: 'InvalidClientTokenId',
          }),
        ),
      );
    const io = capture();
    const args = [command, '--live', '--event', EXAMPLE_EVENT, ...(command === 'fix' ? ['--yes'] : [])];
    expect(await run(args, io, failing)).toBe(3);
    expect(io.stdout()).toBe('');
    expect(io.stderr()).toBe(
      'gt-remediate: AWS call failed: InvalidClientTokenId: The security token included in the request is invalid.\n',
    );
  });
});

describe('confirm', () => {
  /** Asks on a fake terminal and feeds it `keys`. */
  function askWith(keys: string | null): Promise<boolean> {
    const input = new PassThrough();
    const output = new PassThrough();
    const answer = confirm('Apply? [y/N] ', input, output, true);
    setImmediate(() => (keys === null ? input.end() : input.write(keys)));
    return answer;
  }

  it('is yes for y and yes, no otherwise', async () => {
    await expect(askWith('y\r')).resolves.toBe(true);
    await expect(askWith('YES\r')).resolves.toBe(true);
    await expect(askWith('n\r')).resolves.toBe(false);
    await expect(askWith('\r')).resolves.toBe(false);
  });

  it('rejects with InterruptedError on Ctrl-C and on end of input', async () => {
    await expect(askWith('\x03')).rejects.toBeInstanceOf(InterruptedError);
    await expect(askWith(null)).rejects.toBeInstanceOf(InterruptedError);
  });
});
