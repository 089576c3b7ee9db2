/** verifyLiveJob: the CLI's --live verification rules on top of the Lambda's verifyJob, one case per rule. */
import { verifyLiveJob, type LivePurpose } from '../../cli/verify-job';
import { parseLabelingJobInput } from '../../shared/core';
import type { JobOrigin } from '../../shared/core/parse-event';
import { claimsOf } from '../../shared/remediate-job';
import {
  ACCOUNT,
  createLabelingJobEvent,
  describeLabelingJobResponse,
  roleArn,
  type Json,
  type JsonObject,
} from '../fixtures/factory';

const NOW = new Date('2026-12-02T10:15:00Z'); // three days after the job was created
const REAL = { pre: 'receipts-pre', post: 'receipts-post' };

function claimsFrom(input: Json) {
  const parsed = parseLabelingJobInput(input);
  if (parsed.kind !== 'request' && parsed.kind !== 'incomplete') throw new Error(`fixture: ${parsed.kind}`);
  return { claims: claimsOf(parsed), source: parsed.origin.source };
}

const event = claimsFrom(createLabelingJobEvent(REAL));
const request = claimsFrom({
  LabelingJobName: 'receipts-7',
  RoleArn: roleArn('ReceiptsLabelingExecution', '/service-role/'),
  OutputConfig: { S3OutputPath: 's3://receipts-labeling-data/output/' },
  HumanTaskConfig: {
    PreHumanTaskLambdaArn: 'arn:aws:lambda:us-east-1:111122223333:function:receipts-pre',
    AnnotationConsolidationConfig: {
      AnnotationConsolidationLambdaArn: 'arn:aws:lambda:us-east-1:111122223333:function:receipts-post',
    },
  },
});
const forged = claimsFrom(
  createLabelingJobEvent({ ...REAL, roleArn: roleArn('Admin'), post: 'attacker-function' }),
);
const running = describeLabelingJobResponse(REAL);

type Case = [
  string,
  { claims: ReturnType<typeof claimsFrom>['claims']; source: JobOrigin['source'] | 'job-name' },
  JsonObject | undefined,
  LivePurpose,
  { act: boolean; reason?: string; note?: RegExp },
];

const cases: Case[] = [
  ['a running job of any age: fix acts', event, running, 'fix', { act: true }],
  [
    'no such job: check refuses',
    event,
    undefined,
    'check',
    { act: false, reason: 'job-not-found', note: /^check --live checks only a job SageMaker describes/ },
  ],
  [
    'no such job: fix refuses',
    event,
    undefined,
    'fix',
    { act: false, reason: 'job-not-found', note: /^fix --live writes only for a job SageMaker describes/ },
  ],
  [
    'a request not created yet: check acts on the request, noted',
    request,
    undefined,
    'check',
    { act: true, note: /^unverified \(job not created yet\): SageMaker has no labeling job receipts-7 / },
  ],
  [
    'a request not created yet: fix refuses',
    request,
    undefined,
    'fix',
    { act: false, reason: 'job-not-found', note: /^the job is not created yet: / },
  ],
  ['a request whose job exists: fix acts', request, running, 'fix', { act: true }],
  [
    'a completed job: check acts, noted',
    event,
    describeLabelingJobResponse(REAL, { LabelingJobStatus: 'Completed' }),
    'check',
    { act: true, note: /^the job is Completed: fix --live writes only/ },
  ],
  [
    'a completed job: fix refuses',
    event,
    describeLabelingJobResponse(REAL, { LabelingJobStatus: 'Completed' }),
    'fix',
    { act: false, reason: 'job-not-running' },
  ],
  [
    "SageMaker's job in another region: refused",
    event,
    describeLabelingJobResponse({ ...REAL, region: 'eu-west-1' }),
    'check',
    { act: false, reason: 'job-mismatch' },
  ],
  [
    "SageMaker's job in another account: refused",
    event,
    describeLabelingJobResponse({ ...REAL, account: '444455556666' }),
    'fix',
    { act: false, reason: 'job-mismatch' },
  ],
  [
    'a forged role and function: fix acts on the real ones, noted',
    forged,
    running,
    'fix',
    {
      act: true,
      note: /^the input's roleArn, annotationConsolidationLambdaArn differ from SageMaker's job: acting on the job as SageMaker describes it/,
    },
  ],
  [
    'a job name: check acts on the answer',
    { claims: { jobName: 'receipts-7', accountId: ACCOUNT, region: 'us-east-1' }, source: 'job-name' },
    running,
    'check',
    { act: true },
  ],
];

describe('verifyLiveJob', () => {
  it.each(cases)('%s', (_name, input, answer, purpose, expected) => {
    // When the input is verified against SageMaker's answer
    const got = verifyLiveJob(input.claims, input.source, answer, purpose, NOW);
    // Then it acts on SageMaker's job (or, not created yet, the request), or refuses with EVENT_UNVERIFIED
    expect(got.kind).toBe(expected.act ? 'act' : 'refuse');
    if (got.kind === 'act') {
      const truth = answer ? claimsFrom(answer).claims.request : input.claims.request;
      expect(got.request).toEqual(truth);
      if (expected.note) expect(got.notes).toEqual([expect.stringMatching(expected.note)]);
      else expect(got.notes).toEqual([]);
    } else {
      expect(got.report.findings.map((f) => [f.code, f.reason])).toEqual([
        ['EVENT_UNVERIFIED', expected.reason],
      ]);
      expect(got.report.changes).toEqual([]);
      expect(got.report.dryRun).toBe(true);
      if (expected.note) expect(got.report.notes?.at(-1)).toMatch(expected.note);
    }
  });
});
