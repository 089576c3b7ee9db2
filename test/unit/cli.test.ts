/** `gt-remediate check` offline: reports and exit statuses, and one clear line for every kind of bad input. */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OFFLINE_NOTE } from '../../cli/check-command';
import { main, type Io } from '../../cli/main';
import type { Report } from '../../shared/core';
import {
  BASIC_EXECUTION_POLICY_ARN,
  buildIamJson,
  buildLambdaJson,
  createLabelingJobEvent,
  describeLabelingJobResponse,
  GROUND_TRUTH_POLICY_ARN,
  policy,
  roleArn,
  type Json,
  type SnapshotSpec,
} from '../fixtures/factory';

const ROOT = join(__dirname, '..', '..');
const EXAMPLE_EVENT = join(ROOT, 'examples', 'events', 'create-labeling-job.json');
const EXAMPLE_SNAPSHOT = join(ROOT, 'examples', 'snapshot');
const EXEC = roleArn('ReceiptsLabelingExecution', '/service-role/');

interface Captured extends Io {
  stdout: () => string;
  stderr: () => string;
}

function captureIo(): Captured {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}

async function run(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const io = captureIo();
  const status = await main(['node', 'gt-remediate', ...args], io);
  return { status, stdout: io.stdout(), stderr: io.stderr() };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gt-remediate-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `value` (JSON, or raw text) to a file in the temp dir and returns its path. */
function file(name: string, value: Json | { raw: string }): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    typeof value === 'object' && value !== null && 'raw' in value && typeof value.raw === 'string'
      ? value.raw
      : JSON.stringify(value),
  );
  return path;
}

/** Writes a snapshot directory (iam.json + lambda.json) for `spec`. */
function snapshotDir(name: string, spec: SnapshotSpec): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'iam.json'), JSON.stringify(buildIamJson(spec)));
  writeFileSync(join(path, 'lambda.json'), JSON.stringify(buildLambdaJson(spec)));
  return path;
}

/** An account where the job below has every permission it needs. */
const compliantAccount: SnapshotSpec = {
  roles: [
    { name: 'ReceiptsLabelingExecution', path: '/service-role/', managed: [GROUND_TRUTH_POLICY_ARN] },
    {
      name: 'receipts-consolidate-role',
      trust: 'lambda',
      managed: [BASIC_EXECUTION_POLICY_ARN],
      inline: {
        ReadOutput: policy({
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::receipts-labeling-data/output/*',
        }),
      },
    },
  ],
  functions: [
    { name: 'receipts-SageMaker-pre', role: 'receipts-consolidate-role' },
    { name: 'receipts-SageMaker-consolidate', role: 'receipts-consolidate-role' },
  ],
};
const compliantJob = { pre: 'receipts-SageMaker-pre', post: 'receipts-SageMaker-consolidate' };

describe('main check', () => {
  it('reports the example job with its proposals and exits 1', async () => {
    // Given the example event and snapshot of the repository
    // When they are checked
    const { status, stdout, stderr } = await run(
      'check',
      '--event',
      EXAMPLE_EVENT,
      '--snapshot',
      EXAMPLE_SNAPSHOT,
    );

    // Then the report shows the three findings and the three proposed writes, with the commands to make them
    expect(status).toBe(1);
    expect(stderr).toBe('');
    expect(stdout).toContain('Outcome: PROPOSED');
    expect(stdout).toContain('Findings (3):');
    expect(stdout).toContain(
      'INVOKE_DENIED: the execution role may not invoke arn:aws:lambda:us-east-1:111122223333:function:receipts-pre-annotation',
    );
    // (strategy auto, the default: the direct read, and the trust statement for a role inside the envelope)
    expect(stdout).toContain('Changes proposed (3):');
    expect(stdout).toContain(
      'aws iam put-role-policy --role-name receipts-consolidate-role --policy-name GroundTruthReadLabelingOutput',
    );
    // Offline, at the terminal, the whole documents come with a file name for each and the command
    expect(stdout).toContain(
      'aws iam put-role-policy --role-name ReceiptsLabelingExecution --policy-name GroundTruthLabelingLambdaInvoke --policy-document file://ReceiptsLabelingExecution.GroundTruthLabelingLambdaInvoke.json',
    );
    expect(stdout).toContain(
      'aws iam update-assume-role-policy --role-name ReceiptsLabelingExecution --policy-document file://ReceiptsLabelingExecution.trust.json',
    );
    // And nobody asked for a dry run: the plan is proposed, not applied
    expect(stdout).toContain('Outcome: PROPOSED: changes were computed but not applied.');
    expect(stdout).not.toMatch(/dry.run/i);
  });

  it('prints the report JSON of the README with --json', async () => {
    // Given the example
    // When it is checked with --json
    const { status, stdout } = await run(
      'check',
      '--event',
      EXAMPLE_EVENT,
      '--snapshot',
      EXAMPLE_SNAPSHOT,
      '--json',
    );

    // Then stdout is exactly one report with the documented keys
    expect(status).toBe(1);
    const report = JSON.parse(stdout) as Report;
    expect(Object.keys(report).sort()).toEqual(['changes', 'dryRun', 'findings', 'job', 'notes', 'outcome']);
    // Offline, neither the job nor its output folder can be verified, and the report says so
    expect(report.notes?.[0]).toEqual(OFFLINE_NOTE);
    expect(report.notes?.[1]).toMatch(/^folder-not-checked: /);
    // And the resource policies the snapshot does not hold are said not seen (no policy files in it)
    expect(report.notes?.slice(2)).toEqual([
      'function policy not seen: arn:aws:lambda:us-east-1:111122223333:function:receipts-pre-annotation, not in the snapshot',
      'function policy not seen: arn:aws:lambda:us-east-1:111122223333:function:receipts-consolidate, not in the snapshot',
      'bucket policy not seen: receipts-labeling-data, not in the snapshot',
    ]);
    expect(report.job).toEqual({
      name: 'receipts-7',
      account: '111122223333',
      region: 'us-east-1',
      executionRoleArn: EXEC,
      preAnnotationLambdaArn: 'arn:aws:lambda:us-east-1:111122223333:function:receipts-pre-annotation',
      postAnnotationLambdaArn: 'arn:aws:lambda:us-east-1:111122223333:function:receipts-consolidate',
      outputS3Uri: 's3://receipts-labeling-data/output/',
    });
    expect(report).toMatchObject({ outcome: 'proposed', dryRun: true });
    for (const f of report.findings)
      expect(Object.keys(f).sort()).toEqual([
        'code',
        'fixable',
        'principal',
        'reason',
        'resource',
        'severity',
      ]);
    expect(report.changes.map((c) => [c.action, c.roleName, c.policyName])).toEqual([
      ['PutRolePolicy', 'receipts-consolidate-role', 'GroundTruthReadLabelingOutput'],
      ['PutRolePolicy', 'ReceiptsLabelingExecution', 'GroundTruthLabelingLambdaInvoke'],
      ['UpdateAssumeRolePolicy', 'ReceiptsLabelingExecution', undefined],
    ]);
    for (const c of report.changes)
      expect(Object.keys(c).sort()).toEqual(
        c.action === 'PutRolePolicy'
          ? ['action', 'added', 'afterSha256', 'beforeSha256', 'policyName', 'roleName', 'statements']
          : ['action', 'added', 'afterSha256', 'beforeSha256', 'roleName', 'statements'],
      );
  });

  it('proposes the s3-read grant with --strategy s3-read', async () => {
    // Given the example
    // When it is checked with the other strategy
    const { status, stdout } = await run(
      'check',
      '--event',
      EXAMPLE_EVENT,
      '--snapshot',
      EXAMPLE_SNAPSHOT,
      '--json',
      '--strategy',
      's3-read',
    );

    // Then the Lambda role gets a read policy on the output prefix and the trust policy is left alone
    expect(status).toBe(1);
    const report = JSON.parse(stdout) as Report;
    expect(report.changes.map((c) => c.policyName ?? c.action)).toEqual([
      'GroundTruthReadLabelingOutput',
      'GroundTruthLabelingLambdaInvoke',
    ]);
    expect(report.changes[0]?.statements).toEqual([
      {
        Sid: 'GroundTruthReadLabelingOutput',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: ['arn:aws:s3:::receipts-labeling-data/output/receipts-7/*'],
        Condition: { StringEquals: { 's3:ResourceAccount': '111122223333' } },
      },
    ]);
  });

  it('blocks roles outside --scope and exits 1', async () => {
    // Given the example and a scope that covers no role of it
    // When it is checked
    const { status, stdout } = await run(
      'check',
      '--event',
      EXAMPLE_EVENT,
      '--snapshot',
      EXAMPLE_SNAPSHOT,
      '--json',
      '--scope',
      'arn:aws:iam::111122223333:role/labeling/*',
    );

    // Then nothing is proposed and the scope is the reason
    expect(status).toBe(1);
    const report = JSON.parse(stdout) as Report;
    expect(report.outcome).toBe('blocked');
    expect(report.changes).toEqual([]);
    expect(report.findings.map((f) => f.code)).toContain('ROLE_OUT_OF_SCOPE');
  });

  it('blocks a role named with --protected-role, saying it is protected, and exits 1', async () => {
    // Given the example, whose execution role the operator adds to the protected roles (any path)
    // When it is checked
    const { status, stdout } = await run(
      'check',
      '--event',
      EXAMPLE_EVENT,
      '--snapshot',
      EXAMPLE_SNAPSHOT,
      '--json',
      '--protected-role',
      'ReceiptsLabelingExecution',
    );

    // Then nothing of the protected role is changed (only the function's own direct read of this
    // job's folder is proposed) and the protected list is the reason
    expect(status).toBe(1);
    const report = JSON.parse(stdout) as Report;
    expect(report.outcome).toBe('blocked');
    expect(report.changes.map((c) => c.roleName)).toEqual(['receipts-consolidate-role']);
    expect(JSON.stringify(report.changes)).not.toContain('ReceiptsLabelingExecution');
    expect(report.findings.find((f) => f.code === 'ROLE_OUT_OF_SCOPE')).toMatchObject({
      principal: EXEC,
      reason: 'protected-role',
      detail: 'ReceiptsLabelingExecution (added by the operator)',
    });
  });

  it('exits 0 for a compliant job', async () => {
    // Given an account where the job has every permission
    const snapshot = snapshotDir('compliant', compliantAccount);
    const event = file('compliant-event.json', createLabelingJobEvent(compliantJob));

    // When it is checked
    const { status, stdout, stderr } = await run('check', '--event', event, '--snapshot', snapshot);

    // Then it says so and exits 0
    expect(stderr).toBe('');
    expect(stdout).toContain('Outcome: COMPLIANT');
    expect(status).toBe(0);
  });

  it('reads a DescribeLabelingJob response and URL-encoded snapshot documents', async () => {
    // Given the compliant account as IAM's raw API returns it, and the job as DescribeLabelingJob describes it
    const snapshot = snapshotDir('compliant-encoded', { ...compliantAccount, encode: true });
    const described = file('described.json', describeLabelingJobResponse(compliantJob));

    // When it is checked
    const { status, stdout } = await run('check', '--event', described, '--snapshot', snapshot, '--json');

    // Then the result is the same as for the event and the decoded snapshot
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ outcome: 'compliant', findings: [], changes: [] });
  });

  it('exits 0 with one line for the event of a failed call: nothing was created, so nothing to check', async () => {
    const failed = file(
      'failed.json',
      createLabelingJobEvent({}, { detail: { errorCode: 'ResourceLimitExceeded' } }),
    );

    const { status, stdout, stderr } = await run(
      'check',
      '--event',
      failed,
      '--snapshot',
      snapshotDir('good', compliantAccount),
    );

    expect(status).toBe(0);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      /the CreateLabelingJob call failed \(ResourceLimitExceeded\); no job was created\n$/,
    );
  });

  describe('with bad input', () => {
    const anEvent = (): string => file('good-event.json', createLabelingJobEvent(compliantJob));
    const aSnapshot = (): string => snapshotDir('good', compliantAccount);

    it.each<[string, () => string[], RegExp]>([
      [
        'a missing event file',
        () => ['--event', join(dir, 'nope.json'), '--snapshot', aSnapshot()],
        /^gt-remediate: cannot read .*nope\.json: no such file$/,
      ],
      [
        'an event file that is not JSON',
        () => [
          '--event',
          file('not-json.json', { raw: 'not a json\nsecond line\n' }),
          '--snapshot',
          aSnapshot(),
        ],
        /^gt-remediate: .*not-json\.json is not valid JSON: /,
      ],
      [
        'an empty event file',
        () => ['--event', file('empty.json', { raw: '' }), '--snapshot', aSnapshot()],
        /is not valid JSON: Unexpected end of JSON input$/,
      ],
      [
        'an event for another API',
        () => [
          '--event',
          file('training.json', createLabelingJobEvent({}, { detail: { eventName: 'CreateTrainingJob' } })),
          '--snapshot',
          aSnapshot(),
        ],
        /event is sagemaker\.amazonaws\.com CreateTrainingJob, not sagemaker\.amazonaws\.com CreateLabelingJob$/,
      ],
      [
        'an event without roleArn',
        () => [
          '--event',
          file('no-role.json', createLabelingJobEvent({ roleArn: null })),
          '--snapshot',
          aSnapshot(),
        ],
        /the event lacks roleArn; pass the DescribeLabelingJob response \(aws sagemaker describe-labeling-job --labeling-job-name receipts-7\) or use --live --job receipts-7$/,
      ],
      [
        'an event with a malformed role ARN',
        () => [
          '--event',
          file(
            'bad-role.json',
            createLabelingJobEvent({ roleArn: 'arn:aws:iam::111122223333:ReceiptsLabelingExecution' }),
          ),
          '--snapshot',
          aSnapshot(),
        ],
        /roleArn is not an IAM role ARN: "arn:aws:iam::111122223333:ReceiptsLabelingExecution"$/,
      ],
      [
        'a JSON array as event',
        () => ['--event', file('array.json', []), '--snapshot', aSnapshot()],
        /input is not a JSON object$/,
      ],
      [
        'a missing snapshot directory',
        () => ['--event', anEvent(), '--snapshot', join(dir, 'no-such-dir')],
        /^gt-remediate: cannot read .*no-such-dir\/iam\.json: no such file$/,
      ],
      [
        'a snapshot iam.json of the wrong shape',
        () => {
          const path = aSnapshot();
          writeFileSync(join(path, 'iam.json'), JSON.stringify({ RoleDetailList: { RoleName: 'x' } }));
          return ['--event', anEvent(), '--snapshot', path];
        },
        /^gt-remediate: snapshot .*: iam\.json: RoleDetailList: /,
      ],
      [
        'a snapshot with an undecodable policy document',
        () => snapshotWithTrust('%E0%A4%A'),
        /iam\.json: trust policy of ReceiptsLabelingExecution: policy document is not valid URL-encoded text$/,
      ],
      [
        'both --snapshot and --live',
        () => ['--event', anEvent(), '--snapshot', aSnapshot(), '--live'],
        /^gt-remediate: check needs exactly one of --snapshot DIR or --live$/,
      ],
      [
        'neither --snapshot nor --live',
        () => ['--event', anEvent()],
        /^gt-remediate: check needs exactly one of --snapshot DIR or --live$/,
      ],
      [
        'an unknown --strategy',
        () => ['--event', anEvent(), '--snapshot', aSnapshot(), '--strategy', 'assume'],
        /^gt-remediate: option '--strategy <name>' argument 'assume' is invalid\. Allowed choices are auto, assume-role, s3-read\.$/,
      ],
      [
        'a --scope that is not a role ARN pattern',
        () => ['--event', anEvent(), '--snapshot', aSnapshot(), '--scope', 'ReceiptsLabeling*'],
        /^gt-remediate: --scope: "ReceiptsLabeling\*" is not a role ARN pattern/,
      ],
      [
        'a --scope-tag without =',
        () => ['--event', anEvent(), '--snapshot', aSnapshot(), '--scope-tag', 'team'],
        /^gt-remediate: --scope-tag must look like key=value, got "team"$/,
      ],
      [
        'a --protected-role that is neither a role name nor a role ARN pattern',
        () => ['--event', anEvent(), '--snapshot', aSnapshot(), '--protected-role', 'role/Admin'],
        /^gt-remediate: --protected-role: "role\/Admin" is neither a role name/,
      ],
      [
        'no --event',
        () => ['--snapshot', aSnapshot()],
        /^gt-remediate: give --event FILE \(the job to check\)$/,
      ],
      [
        'an unknown option',
        () => ['--event', anEvent(), '--snapshot', aSnapshot(), '--yes'],
        /^gt-remediate: unknown option '--yes'$/,
      ],
    ])('exits 2 with one line on stderr for %s', async (_what, args, message) => {
      // Given a check command with bad input
      // When it runs
      const { status, stdout, stderr } = await run('check', ...args());

      // Then it exits 2 with exactly one line on stderr, no stack trace and no report
      expect(status).toBe(2);
      expect(stderr.endsWith('\n')).toBe(true);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr.trimEnd()).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(stdout).toBe('');
    });

    it('exits 2 for an unknown command', async () => {
      // Given a command the CLI does not have
      // When it runs
      const { status, stderr } = await run('remediate');

      // Then it names the command on one line
      expect(status).toBe(2);
      expect(stderr).toBe("gt-remediate: unknown command 'remediate'\n");
    });

    it("keeps commander's suggestion on the same line", async () => {
      // Given a misspelt command
      // When it runs
      const { status, stderr } = await run('chek');

      // Then the one line names the command and suggests the right one
      expect(status).toBe(2);
      expect(stderr).toBe("gt-remediate: unknown command 'chek' (Did you mean check?)\n");
    });
  });
});

/** A snapshot whose execution role has `trust` (raw) as its trust policy. */
function snapshotWithTrust(trust: string): string[] {
  const path = snapshotDir('bad-trust', compliantAccount);
  const iam = buildIamJson(compliantAccount);
  const roles = iam.RoleDetailList as { [key: string]: Json }[];
  roles[0] = { ...roles[0], AssumeRolePolicyDocument: trust };
  writeFileSync(join(path, 'iam.json'), JSON.stringify(iam));
  return ['--event', file('bad-trust-event.json', createLabelingJobEvent(compliantJob)), '--snapshot', path];
}

describe('bin/gt-remediate.js', () => {
  const bin = join(ROOT, 'bin', 'gt-remediate.js');

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js')))
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  }, 120_000);

  function spawn(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [bin, ...args], { cwd: ROOT }, (error, stdout, stderr) => {
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      });
    });
  }

  it('exits 1 for the example, as `npm start` expects', async () => {
    // Given the built CLI
    // When it checks the example
    const { status, stdout } = await spawn('check', '--event', EXAMPLE_EVENT, '--snapshot', EXAMPLE_SNAPSHOT);

    // Then it prints the proposals and exits 1
    expect(stdout).toContain('Outcome: PROPOSED');
    expect(status).toBe(1);
  });

  it('exits 2 for a file that is not JSON, without a stack trace', async () => {
    // Given a file that is not JSON
    const notJson = file('spawn-not-json.json', { raw: '{ "detail": ' });

    // When the built CLI reads it
    const { status, stdout, stderr } = await spawn(
      'check',
      '--event',
      notJson,
      '--snapshot',
      EXAMPLE_SNAPSHOT,
    );

    // Then it exits 2 with one line and no "at ..." frames
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^gt-remediate: .*spawn-not-json\.json is not valid JSON: .+\n$/);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
