/** Security Hub import against moto: ASFF records filed once per job and finding, updated (not duplicated) on a re-check. */
import { GetFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { finding, type Report } from '../../shared/core';
import { importFindings } from '../../shared/aws/securityhub';
import { ASFF_TYPE, buildAsffFindings, defaultProductArn } from '../../shared/core/report-asff';
import { resetMoto } from '../support/moto-reset';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const EXEC = `arn:aws:iam::${ACCOUNT}:role/service-role/LabelingExecution`;
const PRE = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:pre`;

function report(outcome: Report['outcome'], name = 'receipts-7'): Report {
  return {
    job: {
      name,
      account: ACCOUNT,
      region: REGION,
      executionRoleArn: EXEC,
      preAnnotationLambdaArn: PRE,
      postAnnotationLambdaArn: null,
      outputS3Uri: 's3://b/o/',
    },
    outcome,
    dryRun: outcome !== 'remediated',
    findings: [
      finding('INVOKE_DENIED', EXEC, PRE, 'implicit-deny', true),
      finding('ROLE_PRIVILEGED', EXEC, PRE, 'can-escalate', false, 'iam:PassRole on *'),
    ],
    changes: [],
  };
}

const client = new SecurityHubClient({ region: REGION });
const all = async () => (await client.send(new GetFindingsCommand({ MaxResults: 100 }))).Findings ?? [];

beforeEach(resetMoto);

describe('Security Hub import (moto)', () => {
  it('files each finding with its type, severity, resources, remediation and the default product', async () => {
    await importFindings(
      client,
      buildAsffFindings(report('proposed'), { now: new Date('2026-12-08T00:00:00Z') }),
    );
    const found = await all();
    expect(found).toHaveLength(2);
    const invoke = found.find((f) => f.GeneratorId === 'gt-permissions-remediator/INVOKE_DENIED');
    expect(invoke).toMatchObject({
      ProductArn: defaultProductArn(ACCOUNT, REGION),
      AwsAccountId: ACCOUNT,
      Types: [ASFF_TYPE],
      Severity: { Label: 'HIGH' },
      Workflow: { Status: 'NEW' },
    });
    expect(invoke?.Remediation?.Recommendation?.Text).toMatch(/^automatic: /);
    expect(invoke?.Resources?.map((r) => [r.Type, r.Id])).toEqual([
      ['AwsIamRole', EXEC],
      ['AwsLambdaFunction', PRE],
    ]);
    expect(invoke?.Id).toMatch(
      /^arn:aws:sagemaker:us-east-1:123456789012:labeling-job\/receipts-7\/INVOKE_DENIED\//,
    );
  });

  it('updates the same records when the job is checked again, RESOLVED once remediated', async () => {
    await importFindings(
      client,
      buildAsffFindings(report('proposed'), { now: new Date('2026-12-08T00:00:00Z') }),
    );
    await importFindings(
      client,
      buildAsffFindings(report('remediated'), { now: new Date('2026-12-08T00:05:00Z') }),
    );
    const found = await all();
    expect(found).toHaveLength(2);
    const status: Record<string, string | undefined> = {};
    for (const f of found) status[f.GeneratorId ?? ''] = f.Workflow?.Status;
    // The granted finding is resolved; the one that needs a person stays open.
    expect(status).toEqual({
      'gt-permissions-remediator/INVOKE_DENIED': 'RESOLVED',
      'gt-permissions-remediator/ROLE_PRIVILEGED': 'NEW',
    });
    // Another job with the same findings is filed separately.
    await importFindings(client, buildAsffFindings(report('proposed', 'other-job'), { now: new Date() }));
    expect(await all()).toHaveLength(4);
  });

  it('keeps an attacker-sized detail within the ASFF limits, so the import is not refused', async () => {
    const big = report('blocked');
    big.job = { ...(big.job as NonNullable<Report['job']>), name: 'x'.repeat(63) };
    big.findings = [
      finding('POLICY_UNKNOWN', EXEC, `${PRE}${'y'.repeat(2000)}`, 'unevaluable', false, 'z'.repeat(50_000)),
    ];
    const records = buildAsffFindings(big, { now: new Date() });
    expect(records[0]?.Description.length).toBeLessThanOrEqual(1024);
    await importFindings(client, records);
    expect(await all()).toHaveLength(1);
  });
});
