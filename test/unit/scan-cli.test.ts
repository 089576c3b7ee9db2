/** `gt-remediate scan`: flags, output and exit statuses, with a fake scan runner (no AWS). */
import { InterruptedError } from '../../cli/cli-errors';
import { main, type Io } from '../../cli/main';
import type { ScanRunner } from '../../cli/scan-command';
import type { Outcome, Report } from '../../shared/core';
import type { ScanEntry, ScanOptions } from '../../shared/scan';

type RunnerCall = Parameters<ScanRunner>[1];

/** A report for `job` with the given outcome; `changes` planned changes when not compliant. */
function report(job: string, outcome: Outcome, changes = 0): Report {
  return {
    job: {
      name: job,
      account: '111122223333',
      region: 'us-east-1',
      executionRoleArn: 'arn:aws:iam::111122223333:role/Exec',
      preAnnotationLambdaArn: null,
      postAnnotationLambdaArn: null,
      outputS3Uri: 's3://bucket/out/',
    },
    outcome,
    dryRun: outcome !== 'remediated',
    findings:
      outcome === 'compliant'
        ? []
        : [
            {
              code: 'INVOKE_DENIED',
              severity: 'high',
              principal: 'p',
              resource: 'r',
              reason: 'implicit-deny',
              fixable: true,
            },
          ],
    changes: Array.from({ length: changes }, () => ({
      action: 'PutRolePolicy' as const,
      roleName: 'Exec',
      policyName: 'GroundTruthLabelingLambdaInvoke',
      statements: [],
      added: [],
      beforeSha256: null,
      afterSha256: '0'.repeat(64),
    })),
  };
}

/** A runner that records its calls and answers `dryRun` for proposals and `applied` for `fix: true`. */
function fakeRunner(
  dryRun: ScanEntry[],
  applied: ScanEntry[] = dryRun,
): { run: ScanRunner; calls: RunnerCall[] } {
  const calls: RunnerCall[] = [];
  const run: ScanRunner = (_core, options) => {
    calls.push(options);
    return Promise.resolve(options.fix ? applied : dryRun);
  };
  return { run, calls };
}

function captureIo(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}

const noLive = (): never => {
  throw new Error('check/fix runner must not be called by scan');
};

function scan(args: string[], runner: ScanRunner, io = captureIo()): Promise<number> {
  return main(['node', 'gt-remediate', 'scan', ...args], io, noLive, runner);
}

/** Runs `work` with process.stdin.isTTY forced to `value`. */
async function withStdinTty<T>(value: boolean | undefined, work: () => Promise<T>): Promise<T> {
  const before = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY');
  Object.defineProperty(process.stdin, 'isTTY', { value, configurable: true, writable: true });
  try {
    return await work();
  } finally {
    if (before) Object.defineProperty(process.stdin, 'isTTY', before);
    else delete (process.stdin as { isTTY?: boolean }).isTTY;
  }
}

describe('gt-remediate scan', () => {
  it('prints a table with one row per job and a summary, exit 1 when a job has findings', async () => {
    // Given one compliant job and one with a proposed fix
    const { run } = fakeRunner([
      { job: 'alpha', report: report('alpha', 'compliant') },
      { job: 'beta', report: report('beta', 'proposed', 2) },
    ]);
    const io = captureIo();

    // When
    const status = await scan(['--live'], run, io);

    // Then
    expect(status).toBe(1);
    const lines = io.stdout().split('\n');
    expect(lines[0]).toMatch(/^JOB\s+OUTCOME\s+FINDINGS\s+CHANGES$/);
    expect(lines[1]).toMatch(/^alpha\s+compliant\s+-\s+0$/);
    expect(lines[2]).toMatch(/^beta\s+proposed\s+INVOKE_DENIED\s+2$/);
    expect(io.stdout()).toContain('2 job(s): 1 compliant, 1 proposed');
  });

  it('exits 0 when every job is compliant, and says so when there are none', async () => {
    expect(await scan(['--live'], fakeRunner([{ job: 'a', report: report('a', 'compliant') }]).run)).toBe(0);
    const io = captureIo();
    expect(await scan(['--live'], fakeRunner([]).run, io)).toBe(0);
    expect(io.stdout()).toContain('0 job(s): none found');
  });

  it('exits 3 when a job could not be checked, and shows why in the table', async () => {
    const io = captureIo();
    const status = await scan(
      ['--live'],
      fakeRunner([
        { job: 'a', report: report('a', 'compliant') },
        { job: 'gone', problem: 'AccessDeniedException: not authorized' },
      ]).run,
      io,
    );
    expect(status).toBe(3);
    expect(io.stdout()).toMatch(/gone\s+error\s+AccessDeniedException: not authorized\s+0/);
  });

  it('exits 3 when a report has outcome error', async () => {
    expect(await scan(['--live'], fakeRunner([{ job: 'a', report: report('a', 'error') }]).run)).toBe(3);
  });

  it('prints one JSON object per line with --json: the report, or the problem entry', async () => {
    const io = captureIo();
    await scan(
      ['--live', '--json'],
      fakeRunner([
        { job: 'a', report: report('a', 'proposed', 1) },
        { job: 'b', problem: 'job disappeared during the scan' },
      ]).run,
      io,
    );
    const lines = io
      .stdout()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ job: { name: 'a' }, outcome: 'proposed', dryRun: true });
    expect(lines[1]).toEqual({ job: 'b', problem: 'job disappeared during the scan' });
  });

  it('passes --since, --status and --region to the runner, dry-run', async () => {
    const { run, calls } = fakeRunner([]);
    await scan(['--live', '--since', '7', '--status', 'InProgress, Completed', '--region', 'eu-west-1'], run);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      sinceDays: 7,
      statuses: ['InProgress', 'Completed'],
      region: 'eu-west-1',
      fix: false,
    });
  });

  it.each([['0'], ['-3'], ['abc'], ['']])(
    'rejects --since %j with exit 2 and one line on stderr',
    async (since) => {
      const { run, calls } = fakeRunner([]);
      const io = captureIo();
      expect(await scan(['--live', '--since', since], run, io)).toBe(2);
      expect(io.stderr()).toMatch(/^gt-remediate: --since takes a positive number of days/);
      expect(io.stderr().trimEnd().split('\n')).toHaveLength(1);
      expect(calls).toHaveLength(0);
    },
  );

  it('rejects an unknown --status with exit 2', async () => {
    const { run, calls } = fakeRunner([]);
    const io = captureIo();
    expect(await scan(['--live', '--status', 'InProgress,Running'], run, io)).toBe(2);
    expect(io.stderr()).toContain('unknown status "Running"');
    expect(calls).toHaveLength(0);
  });

  it('refuses to run without --live (exit 2)', async () => {
    const { run, calls } = fakeRunner([]);
    const io = captureIo();
    expect(await scan([], run, io)).toBe(2);
    expect(io.stderr()).toContain('add --live');
    expect(calls).toHaveLength(0);
  });

  it('refuses --fix without --yes when stdin is not a terminal, before reading anything', async () => {
    const { run, calls } = fakeRunner([{ job: 'a', report: report('a', 'proposed', 1) }]);
    const io = captureIo();
    const status = await withStdinTty(false, () => scan(['--live', '--fix'], run, io));
    expect(status).toBe(2);
    expect(io.stderr()).toContain('refusing to change IAM without confirmation');
    expect(calls).toHaveLength(0);
  });

  it('--fix --yes scans dry-run first, then applies, and reports the applied outcome', async () => {
    // Given a job with a proposal that the second (fixing) pass remediates
    const { run, calls } = fakeRunner(
      [{ job: 'a', report: report('a', 'proposed', 2) }],
      [{ job: 'a', report: report('a', 'remediated', 2) }],
    );
    const io = captureIo();

    // When
    const status = await withStdinTty(false, () => scan(['--live', '--fix', '--yes'], run, io));

    // Then one table, of the applied outcome, and nothing on stderr
    expect(calls.map((c) => c.fix)).toEqual([false, true]);
    expect(io.stderr()).toBe('');
    expect(io.stdout().match(/^JOB\s/gm)).toHaveLength(1);
    expect(io.stdout()).toMatch(/a\s+remediated/);
    expect(status).toBe(0);
  });

  it('--fix at a terminal prints the proposals once, asks, then one summary line', async () => {
    // Given a job with a proposal, and a person who answers yes
    const { run, calls } = fakeRunner(
      [{ job: 'a', report: report('a', 'proposed', 2) }],
      [{ job: 'a', report: report('a', 'remediated', 2) }],
    );
    const questions: string[] = [];
    const io = {
      ...captureIo(),
      interactive: true,
      confirm: (q: string) => {
        questions.push(q);
        return Promise.resolve(true);
      },
    };

    // When
    const status = await scan(['--live', '--fix'], run, io);

    // Then the table appears once (the proposals), and the result is one line
    expect(questions).toEqual(['Apply 2 change(s) to IAM? [y/N] ']);
    expect(calls.map((c) => c.fix)).toEqual([false, true]);
    expect(io.stdout().match(/^JOB\s/gm)).toHaveLength(1);
    expect(io.stdout()).toMatch(/a\s+proposed/);
    expect(io.stdout().trimEnd().split('\n').pop()).toBe('Applied: 1 job(s): 1 remediated');
    expect(status).toBe(0);
  });

  it('exits 130 with one line when the person presses Ctrl-C at the question', async () => {
    const { run, calls } = fakeRunner([{ job: 'a', report: report('a', 'proposed', 1) }]);
    const io = {
      ...captureIo(),
      interactive: true,
      confirm: () => Promise.reject(new InterruptedError()),
    };
    expect(await scan(['--live', '--fix'], run, io)).toBe(130);
    expect(io.stderr()).toBe('gt-remediate: interrupted; nothing changed\n');
    expect(calls.map((c) => c.fix)).toEqual([false]);
  });

  it('exits 3 with one line and no table when listing the jobs fails (credentials included)', async () => {
    // Given a runner that fails as the SDK does without credentials
    const failing: ScanRunner = () =>
      Promise.reject(
        Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        }),
      );
    const io = captureIo();

    // When
    const status = await scan(['--live'], failing, io);

    // Then
    expect(status).toBe(3);
    expect(io.stdout()).toBe('');
    expect(io.stderr()).toBe(
      'gt-remediate: AWS call failed: CredentialsProviderError: Could not load credentials from any providers\n',
    );
  });

  it('passes --profile to the runner', async () => {
    const { run, calls } = fakeRunner([]);
    await scan(['--live', '--profile', 'audit'], run);
    expect(calls[0]).toMatchObject({ profile: 'audit' });
  });

  it('--fix --yes does not run a second pass when nothing needs changing', async () => {
    const { run, calls } = fakeRunner([{ job: 'a', report: report('a', 'compliant') }]);
    expect(await scan(['--live', '--fix', '--yes'], run)).toBe(0);
    expect(calls).toHaveLength(1);
  });

  it('hands the runner an onProgress only when stderr is a terminal', async () => {
    const { run, calls } = fakeRunner([]);
    await scan(['--live'], run);
    const expected = process.stderr.isTTY ? 'function' : 'undefined';
    expect(typeof (calls[0] as ScanOptions).onProgress).toBe(expected);
  });
});
