/** `--context key=value` on check, fix and scan: parsed into CoreOptions.knownContext, and it decides verdicts. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseContextOption } from '../../cli/context-option';
import { InputError } from '../../cli/input-files';
import { main, type Io } from '../../cli/main';
import { coreOptionsFromFlags } from '../../cli/options';
import type { Report } from '../../shared/core';
import {
  BASIC_EXECUTION_POLICY_ARN,
  buildIamJson,
  buildLambdaJson,
  createLabelingJobEvent,
  GROUND_TRUTH_POLICY_ARN,
  policy,
  type SnapshotSpec,
} from '../fixtures/factory';

describe('parseContextOption', () => {
  it('turns repeated key=value pairs into condition-key values', () => {
    // Given pairs with plain keys, a tag key and a value containing "="
    const pairs = ['aws:PrincipalOrgID=o-abc123', 'aws:ResourceTag/team=labeling', 'aws:SourceVpc=vpc-1=x'];
    // When they are parsed
    // Then each key has its value
    expect(parseContextOption(pairs)).toEqual({
      'aws:PrincipalOrgID': 'o-abc123',
      'aws:ResourceTag/team': 'labeling',
      'aws:SourceVpc': 'vpc-1=x',
    });
    expect(parseContextOption(undefined)).toBeUndefined();
    expect(parseContextOption([])).toBeUndefined();
  });

  it.each([
    ['PrincipalOrgID=o-abc123'],
    ['aws:PrincipalOrgID'],
    ['=x'],
    [':Name=x'],
    ['aws:=x'],
    ['aws:a b=x'],
  ])('refuses %p with an InputError naming the flag', (pair) => {
    // Given a malformed pair
    // When it is parsed
    // Then one line names the flag and the pair
    expect(() => parseContextOption([pair])).toThrow(InputError);
    expect(() => parseContextOption([pair])).toThrow(
      /^--context: ".*" is not key=value with a condition key/,
    );
  });

  it('refuses a key given twice with different values', () => {
    expect(() => parseContextOption(['aws:PrincipalOrgID=o-a', 'aws:PrincipalOrgID=o-b'])).toThrow(
      /^--context: aws:PrincipalOrgID is given twice/,
    );
  });

  it('ends up in CoreOptions.knownContext, and is absent without the flag', () => {
    expect(coreOptionsFromFlags({ context: ['aws:PrincipalOrgID=o-abc123'] }).knownContext).toEqual({
      'aws:PrincipalOrgID': 'o-abc123',
    });
    expect('knownContext' in coreOptionsFromFlags({})).toBe(false);
  });
});

describe('main with --context', () => {
  let dir: string;
  let snapshot: string;
  let event: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gt-remediate-context-'));
    // Given an account whose function role may read the output only from inside organisation o-abc123
    const spec: SnapshotSpec = {
      roles: [
        { name: 'ReceiptsLabelingExecution', path: '/service-role/', managed: [GROUND_TRUTH_POLICY_ARN] },
        {
          name: 'receipts-fn-role',
          trust: 'lambda',
          managed: [BASIC_EXECUTION_POLICY_ARN],
          inline: {
            ReadOutput: policy({
              Effect: 'Allow',
              Action: 's3:GetObject',
              Resource: 'arn:aws:s3:::receipts-labeling-data/output/*',
              Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
            }),
          },
        },
      ],
      functions: [
        { name: 'receipts-SageMaker-pre', role: 'receipts-fn-role' },
        { name: 'receipts-SageMaker-post', role: 'receipts-fn-role' },
      ],
    };
    snapshot = join(dir, 'snapshot');
    mkdirSync(snapshot);
    writeFileSync(join(snapshot, 'iam.json'), JSON.stringify(buildIamJson(spec)));
    writeFileSync(join(snapshot, 'lambda.json'), JSON.stringify(buildLambdaJson(spec)));
    event = join(dir, 'event.json');
    writeFileSync(
      event,
      JSON.stringify(
        createLabelingJobEvent({ pre: 'receipts-SageMaker-pre', post: 'receipts-SageMaker-post' }),
      ),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function check(...extra: string[]): Promise<{ status: number; report?: Report; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io: Io = { out: (t) => void (stdout += t), err: (t) => void (stderr += t) };
    const args = [
      'check',
      '--event',
      event,
      '--snapshot',
      snapshot,
      '--strategy',
      's3-read',
      '--json',
      ...extra,
    ];
    const status = await main(['node', 'gt-remediate', ...args], io);
    return { status, stderr, ...(stdout ? { report: JSON.parse(stdout) as Report } : {}) };
  }

  it('decides with the value given: compliant in the organisation, a finding elsewhere or when unknown', async () => {
    // When the job is checked with the organisation, another one, and without
    const inside = await check('--context', 'aws:PrincipalOrgID=o-abc123');
    const outside = await check('--context', 'aws:PrincipalOrgID=o-other');
    const unknown = await check();
    // Then the value reached the core's decision
    expect(inside.report?.outcome).toBe('compliant');
    expect(inside.status).toBe(0);
    expect(outside.status).toBe(1);
    expect(outside.report?.findings.map((f) => f.code)).toContain('OUTPUT_READ_DENIED');
    expect(unknown.status).toBe(1);
    expect(unknown.report?.findings).toContainEqual(
      expect.objectContaining({
        code: 'OUTPUT_READ_DENIED',
        reason: 'depends-on-unknown-context',
        detail: 'aws:PrincipalOrgID',
      }),
    );
  });

  it('is repeatable', async () => {
    const { status } = await check(
      '--context',
      'aws:SourceVpc=vpc-1',
      '--context',
      'aws:PrincipalOrgID=o-abc123',
    );
    expect(status).toBe(0);
  });

  it.each([['check'], ['fix'], ['scan']])(
    '%s: a malformed --context is exit 2 with one line',
    async (command) => {
      // Given a malformed pair
      let stderr = '';
      const io: Io = { out: () => undefined, err: (t) => void (stderr += t) };
      const args =
        command === 'check'
          ? ['check', '--event', event, '--snapshot', snapshot]
          : command === 'fix'
            ? ['fix', '--event', event, '--live', '--yes']
            : ['scan', '--live'];
      // When the command runs
      const status = await main(
        ['node', 'gt-remediate', ...args, '--context', 'PrincipalOrgID=o-abc123'],
        io,
        () => {
          throw new Error('the live runner must not be reached');
        },
        () => {
          throw new Error('the scan runner must not be reached');
        },
      );
      // Then it stops before doing anything, naming the flag
      expect(status).toBe(2);
      expect(stderr).toMatch(
        /^gt-remediate: --context: "PrincipalOrgID=o-abc123" is not key=value with a condition key[^\n]*\n$/,
      );
    },
  );
});
