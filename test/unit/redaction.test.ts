/**
 * Finding details name statements and condition keys, never condition values. The attack: a
 * statement under our trust Sid carrying an sts:ExternalId secret; the secret must appear nowhere in
 * the report JSON, the notification (subject and body) or the CLI's text and JSON.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';
import {
  buildNotification,
  finding,
  planJob,
  renderReport,
  type PolicyStatement,
  type RoleInfo,
} from '../../shared/core';
import { describeStatement, redactFindings, REDACTED } from '../../shared/core/redact';
import { DEFAULT_CORE_OPTIONS } from '../../shared/core/types';
import {
  BASIC_EXECUTION_POLICY_ARN,
  buildIamJson,
  buildLambdaJson,
  createLabelingJobEvent,
  exampleRequest,
  policy,
  roleArn,
  serviceTrust,
  type SnapshotSpec,
} from '../fixtures/factory';
import { inventoryOf, roleInfo } from '../fixtures/role-info';

const NOW = new Date('2026-11-29T10:15:00Z');
// Short enough that the old 200-character statement dump in the detail carried it whole.
const SECRET = 'xid-4711';
const ORG = 'o-a1b2c3d4e5';
const request = exampleRequest();
const LAMBDA_ROLE = roleArn('receipts-consolidate-role');

/** The attack: our trust Sid, naming the function's role, with an ExternalId secret. */
const plantedTrust: PolicyStatement = {
  Sid: DEFAULT_CORE_OPTIONS.trustStatementSid,
  Effect: 'Allow',
  Principal: { AWS: roleArn('p') },
  Action: 'sts:AssumeRole',
  Condition: { StringEquals: { 'sts:ExternalId': SECRET, 'aws:PrincipalOrgID': ORG } },
};
const sagemaker = [serviceTrust('sagemaker.amazonaws.com').Statement].flat();

const executionRole = (): RoleInfo =>
  roleInfo('ReceiptsLabelingExecution', {
    path: '/service-role/',
    trustPolicy: policy(...sagemaker, plantedTrust),
    inlinePolicies: [
      {
        name: 'ReadLabelingData',
        document: policy({
          Effect: 'Allow',
          // The execution role reads the data and writes the job's output (Ground Truth writes as it).
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: 'arn:aws:s3:::receipts-labeling-data/*',
        }),
      },
    ],
  });
const lambdaRole = (): RoleInfo =>
  roleInfo('receipts-consolidate-role', { trustPolicy: serviceTrust('lambda.amazonaws.com') });
const inventory = () =>
  inventoryOf(
    [executionRole(), lambdaRole()],
    [request.preAnnotationLambdaArn, request.postAnnotationLambdaArn].map((arn) => ({
      arn: arn as string,
      roleArn: LAMBDA_ROLE,
    })),
  );

describe('a statement under our Sid with an sts:ExternalId condition', () => {
  it('is named in the foreign-statement finding by Sid and condition keys, without the values', async () => {
    // When the job is planned
    const checked = await planJob(request, inventory(), {
      core: DEFAULT_CORE_OPTIONS,
      dryRun: true,
      now: NOW,
    });

    // Then the conflict is reported, naming the statement and the keys it tests
    const conflict = checked.report.findings.find((f) => f.reason === 'foreign-statement');
    expect(conflict?.detail).toBe(
      'statement #2 "GroundTruthPostAnnotationLambdaAssume" (Allow; Action sts:AssumeRole; ' +
        'condition on aws:PrincipalOrgID (StringEquals), sts:ExternalId (StringEquals))',
    );
    // And neither value appears anywhere a report goes: JSON, email, terminal text
    const json = JSON.stringify(checked.report);
    const mail = buildNotification(checked.report, '/gt/dry-run');
    const text = renderReport(checked.report, {
      documents: checked.changes,
      manualDocuments: checked.manualChanges,
    });
    for (const out of [json, mail.subject, mail.body, text]) {
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain(ORG);
    }
  });

  it('never reaches the CLI text or JSON (check --event --snapshot)', async () => {
    // Given the attack as an account snapshot
    const dir = mkdtempSync(join(tmpdir(), 'gt-redaction-'));
    try {
      const spec: SnapshotSpec = {
        roles: [
          {
            name: 'ReceiptsLabelingExecution',
            path: '/service-role/',
            trust: policy(...sagemaker, plantedTrust),
            // It reads the data and writes the job's output, as every real execution role does
            inline: {
              ReadWriteLabelingData: policy({
                Effect: 'Allow',
                Action: ['s3:GetObject', 's3:PutObject'],
                Resource: 'arn:aws:s3:::receipts-labeling-data/*',
              }),
            },
          },
          { name: 'receipts-consolidate-role', trust: 'lambda', managed: [BASIC_EXECUTION_POLICY_ARN] },
        ],
        functions: [
          { name: 'receipts-pre-annotation', role: 'receipts-consolidate-role' },
          { name: 'receipts-consolidate', role: 'receipts-consolidate-role' },
        ],
      };
      const snapshot = join(dir, 'snapshot');
      mkdirSync(snapshot);
      writeFileSync(join(snapshot, 'iam.json'), JSON.stringify(buildIamJson(spec)));
      writeFileSync(join(snapshot, 'lambda.json'), JSON.stringify(buildLambdaJson(spec)));
      const event = join(dir, 'event.json');
      writeFileSync(
        event,
        JSON.stringify(
          createLabelingJobEvent({ pre: 'receipts-pre-annotation', post: 'receipts-consolidate' }),
        ),
      );

      for (const extra of [[], ['--json']]) {
        // When the CLI checks it
        let out = '';
        const status = await main(
          [
            'node',
            'gt-remediate',
            'check',
            '--event',
            event,
            '--snapshot',
            snapshot,
            '--strategy',
            'assume-role',
            ...extra,
          ],
          {
            out: (t) => void (out += t),
            err: (t) => void (out += t),
          },
        );

        // Then the conflict is reported and the secret is nowhere in what it prints
        expect(status).toBe(1);
        expect(out).toContain('GroundTruthPostAnnotationLambdaAssume');
        expect(out).toContain('sts:ExternalId');
        expect(out).not.toContain(SECRET);
        expect(out).not.toContain(ORG);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('describeStatement', () => {
  it('names Sid or position, effect, actions, condition keys and unusual elements, never values or resources', () => {
    const statement: PolicyStatement = {
      Effect: 'Deny',
      NotAction: [
        's3:GetObject',
        's3:PutObject',
        'kms:Decrypt',
        'kms:Encrypt',
        'sts:AssumeRole',
        'iam:PassRole',
      ],
      NotResource: 'arn:aws:s3:::secret-bucket/*',
      Condition: {
        IpAddress: { 'aws:SourceIp': ['203.0.113.7/32'] },
        StringEquals: { 'aws:ResourceTag/owner': 'payroll-team' },
      },
    };

    const text = describeStatement(statement, 2);

    expect(text).toBe(
      'statement #3 without Sid (Deny; NotAction s3:GetObject s3:PutObject kms:Decrypt kms:Encrypt sts:AssumeRole and 1 more; ' +
        'condition on aws:ResourceTag/owner (StringEquals), aws:SourceIp (IpAddress); also NotResource)',
    );
    for (const value of ['203.0.113.7', 'payroll-team', 'secret-bucket']) expect(text).not.toContain(value);
  });
});

describe('redactFindings (whatever code built the detail)', () => {
  it('replaces every condition value of the inventory in details, keeping what the report shows anyway', () => {
    // Given details that quote condition values the way careless new code might
    const findings = [
      finding(
        'PLAN_UNPROVEN',
        LAMBDA_ROLE,
        LAMBDA_ROLE,
        'foreign-statement',
        false,
        `{"sts:ExternalId":"${SECRET}"}`,
      ),
      finding(
        'OUTPUT_READ_DENIED',
        LAMBDA_ROLE,
        'x',
        'explicit-deny',
        false,
        `org ${ORG}, role ${LAMBDA_ROLE}`,
      ),
      finding(
        'INVOKE_DENIED',
        LAMBDA_ROLE,
        'y',
        'implicit-deny',
        true,
        `not-${SECRET}-suffix is another token`,
      ),
    ];

    // When they are redacted against the account's documents
    const redacted = redactFindings(findings, inventory());

    // Then the values are gone, a disclosed ARN stays, and only whole tokens are replaced
    expect(redacted.map((f) => f.detail)).toEqual([
      `{"sts:ExternalId":"${REDACTED}"}`,
      `org ${REDACTED}, role ${LAMBDA_ROLE}`,
      `not-${REDACTED}-suffix is another token`,
    ]);
  });

  it('keeps values the report discloses anyway and service principals', () => {
    const role = roleInfo('r', {
      trustPolicy: policy({
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: {
            'aws:SourceAccount': '111122223333',
            'aws:PrincipalServiceName': 'lambda.amazonaws.com',
          },
        },
      }),
    });
    const f = finding(
      'ROLE_NOT_LAMBDA_EXECUTION',
      'a',
      'b',
      'trust-lacks-service',
      false,
      'lambda.amazonaws.com',
    );
    const g = finding(
      'ROLE_OUT_OF_SCOPE',
      'a',
      'b',
      'outside-configured-scope',
      false,
      'arn:aws:iam::111122223333:role/gt-*',
    );

    const redacted = redactFindings([f, g], inventoryOf([role]), ['111122223333']);

    expect(redacted).toEqual([f, g]);
  });
});
