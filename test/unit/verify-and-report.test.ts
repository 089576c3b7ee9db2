/** The event is checked against SageMaker's answer; one outcome rule; reports and emails that leak nothing and escape hostile text. */
import {
  buildNotification,
  decideOutcome,
  finding,
  renderReport,
  safeJson,
  safeText,
  verifyJob,
  type Report,
} from '../../shared/core';
import type { DescribedJob, EventClaims } from '../../shared/core/verify-event';
import { exampleRequest } from '../fixtures/factory';

const NOW = new Date('2026-11-29T10:15:00Z');
const request = exampleRequest();
const claims: EventClaims = {
  jobName: request.jobName,
  accountId: request.accountId,
  region: request.region,
  request,
  labelingJobArn: `arn:aws:sagemaker:us-east-1:${request.accountId}:labeling-job/receipts-7`,
};
const described = (over: Partial<DescribedJob['origin']> = {}, job = request): DescribedJob => ({
  request: job,
  origin: {
    source: 'describe',
    labelingJobArn: `arn:aws:sagemaker:us-east-1:${request.accountId}:labeling-job/receipts-7`,
    status: 'InProgress',
    creationTime: '2026-11-29T10:14:00Z',
    ...over,
  },
});

describe('verifyJob', () => {
  it("returns SageMaker's request when every claim holds", () => {
    expect(verifyJob(claims, described(), NOW)).toEqual({ ok: true, request });
  });

  it.each<[string, DescribedJob | undefined, string, string]>([
    ['no such job', undefined, 'job-not-found', 'SageMaker has no labeling job receipts-7'],
    [
      'a job in another account',
      described({ labelingJobArn: 'arn:aws:sagemaker:us-east-1:444455556666:labeling-job/receipts-7' }),
      'job-mismatch',
      'arn:aws:sagemaker:us-east-1:444455556666',
    ],
    [
      'an old job',
      described({ creationTime: '2026-11-29T08:00:00Z' }),
      'job-too-old',
      'more than 60 minutes ago',
    ],
    ['a stopped job', described({ status: 'Stopped' }), 'job-not-running', 'status Stopped'],
    [
      'other functions',
      described(
        {},
        { ...request, postAnnotationLambdaArn: 'arn:aws:lambda:us-east-1:111122223333:function:x' },
      ),
      'job-mismatch',
      "the event's annotationConsolidationLambdaArn differ",
    ],
  ])('refuses %s', (_what, answer, reason, detail) => {
    const result = verifyJob(claims, answer, NOW);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.finding).toMatchObject({
      code: 'EVENT_UNVERIFIED',
      reason,
      severity: 'high',
      fixable: false,
    });
    expect(result.finding.detail).toContain(detail);
  });
});

describe('decideOutcome', () => {
  const open = finding('INVOKE_DENIED', 'p', 'r', 'explicit-deny');
  const fixable = finding('INVOKE_DENIED', 'p', 'r', 'implicit-deny', true);
  it.each([
    [{ findings: [], planned: 0, applied: false, failed: true }, 'error'],
    [{ findings: [open], planned: 1, applied: true, failed: false }, 'blocked'],
    [{ findings: [fixable], planned: 1, applied: true, failed: false }, 'remediated'],
    [{ findings: [fixable], planned: 1, applied: false, failed: false }, 'proposed'],
    [{ findings: [], planned: 0, applied: false, failed: false }, 'compliant'],
  ] as const)('%j is %s', (inputs, outcome) => {
    expect(decideOutcome(inputs)).toBe(outcome);
  });
});

describe('safe text', () => {
  it('escapes C0, C1 and bidi controls, and keeps the rest', () => {
    expect(safeText('out\u001b[31mput\u202Ex\u0085y\n')).toBe('out\\u001b[31mput\\u202ex\\u0085y\\u000a');
    expect(safeText('arn:aws:s3:::bücket/ü')).toBe('arn:aws:s3:::bücket/ü');
  });

  it('JSON for a terminal carries bidi characters as escapes that decode to the same string', () => {
    const text = safeJson({ a: 'x\u202Ey' });
    expect(text).toBe('{"a":"x\\u202ey"}');
    expect(JSON.parse(text)).toEqual({ a: 'x\u202Ey' });
  });
});

describe('reports and emails', () => {
  const base: Report = {
    job: {
      name: 'receipts-7',
      account: '111122223333',
      region: 'us-east-1',
      executionRoleArn: request.executionRoleArn,
      preAnnotationLambdaArn: null,
      postAnnotationLambdaArn: null,
      outputS3Uri: 's3://b/out\u001b]8;;http://evil\u0007/',
    },
    outcome: 'remediated',
    dryRun: false,
    findings: [],
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
            Resource: ['arn:aws:lambda:us-east-1:111122223333:function:f'],
          },
        ],
        added: ['arn:aws:lambda:us-east-1:111122223333:function:f'],
        beforeSha256: null,
        afterSha256: 'ab'.repeat(32),
      },
    ],
  };

  it('a remediated email says what was added and how to undo it', () => {
    const { body, subject } = buildNotification(base, '/stack/dry-run');
    expect(subject).toBe('Ground Truth job receipts-7: 1 permission change applied');
    expect(body).toContain('adds:   arn:aws:lambda:us-east-1:111122223333:function:f');
    expect(body).toContain('To undo these changes:');
    expect(body).toContain(
      'aws iam delete-role-policy --role-name ReceiptsLabelingExecution --policy-name GroundTruthLabelingLambdaInvoke',
    );
    // And the OSC-8 hyperlink escape in the output path is shown, not obeyed
    expect(body).toContain('out\\u001b]8;;http://evil\\u0007/');
    expect(body).not.toContain('\u001b');
  });

  it('a blocked email gives the manual change with its own file name and a "save this JSON as" line', () => {
    const blocked: Report = {
      ...base,
      outcome: 'blocked',
      dryRun: true,
      changes: [],
      findings: [
        finding(
          'ROLE_OUT_OF_SCOPE',
          request.executionRoleArn,
          request.executionRoleArn,
          'outside-configured-scope',
        ),
      ],
      manualChanges: base.changes,
    };
    const { body } = buildNotification(blocked, '/stack/dry-run');
    expect(body).toContain(
      'save this JSON as ReceiptsLabelingExecution.GroundTruthLabelingLambdaInvoke.json:',
    );
    expect(body).toContain(
      'aws iam put-role-policy --role-name ReceiptsLabelingExecution --policy-name GroundTruthLabelingLambdaInvoke --policy-document file://ReceiptsLabelingExecution.GroundTruthLabelingLambdaInvoke.json',
    );
  });

  it('an unreadable event renders with job null', () => {
    const invalid: Report = {
      job: null,
      outcome: 'error',
      dryRun: true,
      findings: [finding('EVENT_INVALID', '', '', 'event-malformed', false, 'input is not a JSON object')],
      changes: [],
    };
    expect(renderReport(invalid)).toContain(
      'Ground Truth labeling job (unknown: the event could not be read)',
    );
    expect(buildNotification(invalid).subject).toBe(
      'Ground Truth job (unreadable event): permission check failed',
    );
  });
});
