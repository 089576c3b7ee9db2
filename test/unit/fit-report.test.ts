/**
 * Reports are cut to fit the 256 KiB SNS message and EventBridge entry limits, saying what was cut.
 * The attack: event fields the job's creator chooses, 200 KB long (CloudTrail's shape allows it).
 */
import {
  buildNotification,
  DELIVERY_LIMIT_BYTES,
  finding,
  fitReport,
  renderReport,
  resultEventDetail,
  utf8Length,
  type Report,
} from '../../shared/core';
import { exampleRequest, functionArn, roleArn } from '../fixtures/factory';
import { reportJob } from '../../shared/core/check-job';

const BIG = 200 * 1024;
const SOURCE = 'gt-permissions-remediator';
const DETAIL_TYPE = 'Labeling Job Permissions Checked';
const EXEC = roleArn('ReceiptsLabelingExecution', '/service-role/');

/** A proposed report with one change; `overrides` replaces fields. */
function report(overrides: Partial<Report> = {}): Report {
  return {
    job: reportJob(exampleRequest()),
    createdBy: 'arn:aws:sts::111122223333:assumed-role/MLPlatformEngineer/alice',
    outcome: 'proposed',
    dryRun: true,
    findings: [finding('INVOKE_DENIED', EXEC, functionArn('receipts-pre-annotation'), 'implicit-deny', true)],
    changes: [
      {
        action: 'PutRolePolicy',
        roleName: 'ReceiptsLabelingExecution',
        policyName: 'GroundTruthLabelingLambdaInvoke',
        statements: [
          {
            Sid: 'GroundTruthLabelingLambdaInvoke',
            Effect: 'Allow',
            Action: 'lambda:InvokeFunction',
            Resource: [functionArn('receipts-pre-annotation')],
          },
        ],
        added: [functionArn('receipts-pre-annotation')],
        beforeSha256: null,
        afterSha256: 'a'.repeat(64),
      },
    ],
    ...overrides,
  };
}

/** Bytes SNS counts for a notification (body, subject, attributes). */
function snsBytes(n: ReturnType<typeof buildNotification>): number {
  return (
    utf8Length(n.body) +
    utf8Length(n.subject) +
    Object.entries(n.attributes).reduce((s, [k, v]) => s + k.length + 'String'.length + v.length, 0)
  );
}

/** Bytes EventBridge counts for the result event entry (with Time). */
function entryBytes(detail: string): number {
  return utf8Length(detail) + SOURCE.length + DETAIL_TYPE.length + 14;
}

describe('fitReport', () => {
  it('returns a report that fits as it is', () => {
    const small = report();
    expect(fitReport(small, DELIVERY_LIMIT_BYTES)).toBe(small);
  });

  it('cuts 200 KB fields (creator, output, a detail, a note) and says which', () => {
    // Given the oversized-report attack: a 200 KB createdBy, output path, detail and note (over 800 KB of JSON)
    const long = report({
      createdBy: `arn:aws:sts::111122223333:assumed-role/r/${'a'.repeat(BIG)}`,
      job: { ...reportJob(exampleRequest()), outputS3Uri: `s3://bucket/${'o'.repeat(BIG)}/` },
      findings: [
        finding('EVENT_UNVERIFIED', EXEC, 'job', 'job-mismatch', false, `labelingJobArn ${'x'.repeat(BIG)}`),
      ],
      notes: [`reason ${'n'.repeat(BIG)}`],
    });
    expect(utf8Length(JSON.stringify(long))).toBeGreaterThan(4 * BIG);

    // When it is fitted to the delivery limit
    const fitted = fitReport(long, DELIVERY_LIMIT_BYTES);

    // Then it fits, keeps the start of each field, and the marker names the cut fields
    expect(utf8Length(JSON.stringify(fitted))).toBeLessThanOrEqual(DELIVERY_LIMIT_BYTES);
    expect(fitted.createdBy).toMatch(
      /^arn:aws:sts::111122223333:assumed-role\/r\/a+… \[\d+ characters cut\]$/,
    );
    expect(fitted.truncated).toEqual([
      'texts longer than 2048 characters cut: job.outputS3Uri, createdBy, findings[0].detail, notes[0]',
    ]);
    // And what undo needs is whole
    expect(fitted.changes).toEqual(long.changes);
    expect(fitted.findings.map((f) => f.code)).toEqual(['EVENT_UNVERIFIED']);
  });

  it('keeps the findings that fit, in order, and counts the rest', () => {
    // Given 3,000 findings of 200 characters of detail each (about 1 MB)
    const findings = Array.from({ length: 3000 }, (_, i) =>
      finding(
        'POLICY_UNKNOWN',
        EXEC,
        `arn:aws:iam::111122223333:policy/p${i}`,
        'document-unavailable',
        false,
        'd'.repeat(200),
      ),
    );
    const many = report({ findings });

    const fitted = fitReport(many, DELIVERY_LIMIT_BYTES);

    const kept = fitted.findings.length;
    expect(utf8Length(JSON.stringify(fitted))).toBeLessThanOrEqual(DELIVERY_LIMIT_BYTES);
    expect(kept).toBeGreaterThan(500);
    expect(kept).toBeLessThan(3000);
    expect(fitted.findings).toEqual(findings.slice(0, kept));
    expect(fitted.truncated).toEqual([`findings beyond the first ${kept} of 3000 cut`]);
    // As many as fit: one more would not
    expect(utf8Length(JSON.stringify({ ...fitted, findings: findings.slice(0, kept + 1) }))).toBeGreaterThan(
      DELIVERY_LIMIT_BYTES,
    );
    expect(fitted.changes).toEqual(many.changes);
  });

  it('cuts down to the outcome when nothing else fits a tiny limit', () => {
    const fitted = fitReport(report({ createdBy: 'c'.repeat(BIG) }), 400);
    expect(utf8Length(JSON.stringify(fitted))).toBeLessThanOrEqual(400);
    expect(fitted).toMatchObject({ job: null, outcome: 'proposed', dryRun: true, findings: [], changes: [] });
    expect(fitted.truncated?.[0]).toMatch(
      /^the report \(\d+ bytes\) was cut to its outcome to fit 400 bytes$/,
    );
  });
});

describe('the result event detail', () => {
  it('keeps the PutEvents entry under 256 KiB for the oversized-report attack', () => {
    const long = report({ createdBy: 'é'.repeat(BIG), notes: ['\u0001'.repeat(BIG)] });

    const detail = resultEventDetail(long, SOURCE, DETAIL_TYPE);

    expect(entryBytes(detail)).toBeLessThan(DELIVERY_LIMIT_BYTES);
    expect((JSON.parse(detail) as Report).truncated?.[0]).toContain('createdBy, notes[0]');
  });
});

describe('the SNS notification', () => {
  it.each([
    [
      '200 KB in the creator and 200 KB in the output path',
      {
        createdBy: 'a'.repeat(BIG),
        job: { ...reportJob(exampleRequest()), outputS3Uri: `s3://b/${'o'.repeat(BIG)}` },
      },
    ],
    // Each control character is shown escaped (six characters): 200 KB become 1.2 MB of text
    ['200 KB of control characters in a note', { notes: ['\u001b'.repeat(BIG)] }],
    [
      '200 KB of three-byte characters in the output path',
      { job: { ...reportJob(exampleRequest()), outputS3Uri: `s3://b/${'€'.repeat(BIG)}` } },
    ],
    [
      '5,000 findings',
      {
        findings: Array.from({ length: 5000 }, (_, i) =>
          finding('POLICY_UNKNOWN', EXEC, `arn:aws:iam::111122223333:policy/p${i}`, 'document-unavailable'),
        ),
      },
    ],
  ] as [string, Partial<Report>][])('fits in 256 KiB with %s, and says what was cut', (_what, overrides) => {
    const n = buildNotification(report(overrides), '/gt/dry-run');

    expect(snsBytes(n)).toBeLessThanOrEqual(DELIVERY_LIMIT_BYTES);
    // (booleans, not toContain: a failure would print the whole 256 KiB body)
    expect(n.body.includes('Cut to fit the delivery limit: ')).toBe(true);
    // The part a person acts on survives: the outcome, the change and how to apply it
    expect(n.body.includes('Outcome: PROPOSED')).toBe(true);
    expect(
      n.body.includes('adds:   arn:aws:lambda:us-east-1:111122223333:function:receipts-pre-annotation'),
    ).toBe(true);
    expect(n.body.includes('aws ssm put-parameter')).toBe(true);
    expect(n.subject).toBe('[dry run] Ground Truth job receipts-7: 1 permission change proposed');
  });

  it('leaves a report that fits untouched (the same text as the terminal report)', () => {
    const n = buildNotification(report(), '/gt/dry-run');
    expect(n.body.startsWith(renderReport(report()))).toBe(true);
    expect(n.body).not.toContain('Cut to fit');
  });
});
