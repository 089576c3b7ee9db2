/** `--format text|json|sarif|csv` (and `--output`, `--json`) on check, scan and author: output and exit statuses. */
import '@microsoft/jest-sarif';
import { join } from 'node:path';
import type { Log } from 'sarif';
import { main, type Io } from '../../cli/main';
import type { ScanRunner } from '../../cli/scan-command';
import { finding, type Report } from '../../shared/core';
import { FINDING_CODES } from '../../shared/core/findings';

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = ['--event', join(ROOT, 'examples', 'events', 'create-labeling-job.json')];
const SNAPSHOT = ['--snapshot', join(ROOT, 'examples', 'snapshot')];
const JOB_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:labeling-job/receipts-7';
const EXEC = 'arn:aws:iam::111122223333:role/service-role/ReceiptsLabelingExecution';
const HEADER = 'account,region,job,code,severity,principal,resource,outcome,fixable,reason,detail';

const noLive = (): never => {
  throw new Error('the live runner must not be called');
};

async function run(
  args: string[],
  scan?: ScanRunner,
): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { out: (t) => void (stdout += t), err: (t) => void (stderr += t) };
  const status = await main(['node', 'gt-remediate', ...args], io, noLive, scan);
  return { status, stdout, stderr };
}

describe('check --format', () => {
  it('prints a valid SARIF 2.1.0 log with --format sarif, and still exits 1 for findings', async () => {
    const { status, stdout, stderr } = await run(['check', ...EXAMPLE, ...SNAPSHOT, '--format', 'sarif']);
    expect(stderr).toBe('');
    expect(status).toBe(1);
    const log = JSON.parse(stdout) as Log;
    expect(log).toBeValidSarifLog();
    const [sarifRun] = log.runs;
    expect(sarifRun?.tool.driver.rules?.map((r) => r.id).sort()).toEqual([...FINDING_CODES].sort());
    expect(sarifRun?.results?.map((r) => r.ruleId)).toEqual([
      'INVOKE_DENIED',
      'INVOKE_DENIED',
      'OUTPUT_READ_DENIED',
    ]);
    expect(sarifRun?.results?.[0]?.locations?.[0]?.logicalLocations?.slice(0, 2)).toEqual([
      { fullyQualifiedName: JOB_ARN, name: 'receipts-7', kind: 'resource' },
      { fullyQualifiedName: EXEC, kind: 'resource' },
    ]);
  });

  it('prints CSV with --output csv (the AWS CLI spelling): a header and one row per finding', async () => {
    const { status, stdout, stderr } = await run(['check', ...EXAMPLE, ...SNAPSHOT, '--output', 'csv']);
    expect(stderr).toBe('');
    expect(status).toBe(1);
    const lines = stdout.split('\r\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines.slice(1, -1).map((l) => l.split(',').slice(0, 5).join(','))).toEqual([
      '111122223333,us-east-1,receipts-7,INVOKE_DENIED,high',
      '111122223333,us-east-1,receipts-7,INVOKE_DENIED,high',
      '111122223333,us-east-1,receipts-7,OUTPUT_READ_DENIED,high',
    ]);
    expect(lines.at(-1)).toBe('');
  });

  it('prints the same JSON for --json, --format json and --output json', async () => {
    const outputs = await Promise.all(
      [['--json'], ['--format', 'json'], ['--output', 'json']].map((flag) =>
        run(['check', ...EXAMPLE, ...SNAPSHOT, ...flag]),
      ),
    );
    expect(outputs.map((o) => o.status)).toEqual([1, 1, 1]);
    expect(new Set(outputs.map((o) => o.stdout)).size).toBe(1);
    expect(JSON.parse(outputs[0]?.stdout ?? '')).toMatchObject({ outcome: 'proposed' });
  });

  it.each([
    [['--format', 'xml'], 'gt-remediate: --format: unknown format "xml" (one of text, json, sarif, csv)\n'],
    [
      ['--output', 'table'],
      'gt-remediate: --output: unknown format "table" (one of text, json, sarif, csv)\n',
    ],
    [['--json', '--format', 'csv'], 'gt-remediate: --format csv and --json json disagree: give one format\n'],
  ])('refuses %j with one line and exit 2, printing nothing', async (flags, line) => {
    const { status, stdout, stderr } = await run(['check', ...EXAMPLE, ...SNAPSHOT, ...flags]);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(line);
  });

  it('refuses a bad format before reading anything (author, live)', async () => {
    const { status, stdout, stderr } = await run([
      'author',
      '--principal',
      'arn:aws:iam::111122223333:user/ann',
      '--live',
      '--format',
      'xml',
    ]);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('gt-remediate: --format: unknown format "xml" (one of text, json, sarif, csv)\n');
  });
});

describe('scan and author --format', () => {
  const report = (name: string, outcome: Report['outcome'], findings: Report['findings']): Report => ({
    job: {
      name,
      account: '111122223333',
      region: 'eu-west-1',
      executionRoleArn: EXEC,
      preAnnotationLambdaArn: null,
      postAnnotationLambdaArn: null,
      outputS3Uri: 's3://b/o/',
    },
    outcome,
    dryRun: true,
    findings,
    changes: [],
  });
  const runner: ScanRunner = () =>
    Promise.resolve([
      { job: 'a', report: report('a', 'blocked', [finding('ROLE_PRIVILEGED', EXEC, 'x', 'can-escalate')]) },
      { job: 'b', report: report('b', 'compliant', []) },
      { job: '=c', problem: 'job disappeared during the scan' },
    ]);

  it('scan --live --output csv: one row per finding, one per finding-less job or problem; exit status unchanged', async () => {
    const { status, stdout } = await run(['scan', '--live', '--output', 'csv'], runner);
    // The same status as the table: 3, as one job could not be checked
    expect((await run(['scan', '--live'], runner)).status).toBe(3);
    expect(status).toBe(3);
    expect(stdout.split('\r\n')).toEqual([
      HEADER,
      `111122223333,eu-west-1,a,ROLE_PRIVILEGED,high,${EXEC},x,blocked,false,can-escalate,`,
      '111122223333,eu-west-1,b,,,,,compliant,,,',
      ",,'=c,,,,,error,,,job disappeared during the scan",
      '',
    ]);
  });

  it('scan --live --format sarif: one valid log for every job', async () => {
    const { status, stdout } = await run(['scan', '--live', '--format', 'sarif'], runner);
    expect(status).toBe(3);
    const log = JSON.parse(stdout) as Log;
    expect(log).toBeValidSarifLog();
    expect(log.runs[0]?.results?.map((r) => r.ruleId)).toEqual(['ROLE_PRIVILEGED']);
    expect(log.runs[0]?.invocations?.[0]?.executionSuccessful).toBe(false);
  });

  it('author --snapshot --format sarif: a valid log whose results are located at the principal', async () => {
    const ann = 'arn:aws:iam::111122223333:user/ann';
    const { status, stdout, stderr } = await run([
      'author',
      '--principal',
      ann,
      '--region',
      'us-east-1',
      '--snapshot',
      join(__dirname, '..', 'fixtures', 'author', 'snapshot'),
      '--format',
      'sarif',
    ]);
    expect(stderr).toBe('');
    expect(status).toBe(1);
    const log = JSON.parse(stdout) as Log;
    expect(log).toBeValidSarifLog();
    const results = log.runs[0]?.results ?? [];
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) expect(r.locations?.[0]?.logicalLocations?.[0]?.fullyQualifiedName).toBe(ann);
  });
});
