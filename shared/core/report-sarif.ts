/**
 * SARIF 2.1.0 for code-scanning UIs, built with node-sarif-builder: one rule per finding code (help:
 * what it means and how it is fixed), one result per finding, located logically at the job's ARN and
 * at the role and the function (or S3 location) the finding is about.
 */
import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from 'node-sarif-builder';
import type { Location, LogicalLocation, Result } from 'sarif';
import { FINDING_CODES, severityOf } from './findings';
import { EXPLAIN, REASON } from './render';
import { fixText, type FindingSet } from './report-export';
import type { Finding, FindingCode, Severity } from './types';

/** Our severities as SARIF levels. */
export const SARIF_LEVEL: Record<Severity, Result.level> = { high: 'error', medium: 'warning', low: 'note' };

/** GitHub code scanning ranks security results by `security-severity` (CVSS-like 0-10). */
const SECURITY_SEVERITY: Record<Severity, string> = { high: '8.0', medium: '5.0', low: '2.0' };

const TOOL = 'gt-permissions-remediator';

/** A finding of this code with placeholders for its principal and resource: the rule's wording. */
function templateOf(code: FindingCode): string {
  const placeholder: Finding = {
    code,
    severity: severityOf(code),
    principal: '<principal>',
    resource: '<resource>',
    reason: 'implicit-deny',
    fixable: false,
  };
  return EXPLAIN[code](placeholder);
}

function ruleFor(code: FindingCode): SarifRuleBuilder {
  const severity = severityOf(code);
  const text = templateOf(code);
  return new SarifRuleBuilder({
    id: code,
    name: code,
    shortDescription: { text: `${code}: ${text}` },
    fullDescription: { text: `${text} (severity ${severity}).` },
    help: {
      text: `${text}. Fix: automatic when the finding says fixable (the remediator grants exactly what the job needs, proven first); otherwise ${fixText({ fixable: false })}.`,
    },
    defaultConfiguration: { level: SARIF_LEVEL[severity] },
    properties: {
      tags: ['security', 'iam', 'sagemaker-ground-truth'],
      'security-severity': SECURITY_SEVERITY[severity],
    },
  });
}

/** The job's ARN, then the role and the function (or S3 location) the finding is about. */
function locationOf(set: FindingSet, f: Finding): Location {
  const logicalLocations: LogicalLocation[] = [];
  if (set.subjectArn)
    logicalLocations.push({ fullyQualifiedName: set.subjectArn, name: set.job, kind: 'resource' });
  for (const arn of [f.principal, f.resource])
    if (arn && !logicalLocations.some((l) => l.fullyQualifiedName === arn))
      logicalLocations.push({ fullyQualifiedName: arn, kind: 'resource' });
  return { logicalLocations };
}

function resultFor(set: FindingSet, f: Finding): SarifResultBuilder {
  const message = [
    `${EXPLAIN[f.code](f)}.`,
    `Reason: ${f.reason} (${REASON[f.reason]}).`,
    ...(f.detail ? [`Detail: ${f.detail}.`] : []),
    `Fix: ${fixText(f)}.`,
  ].join(' ');
  return new SarifResultBuilder({
    ruleId: f.code,
    level: SARIF_LEVEL[f.severity],
    message: { text: message },
    locations: [locationOf(set, f)],
    partialFingerprints: {
      'gtFinding/v1': [set.subjectArn || set.job, f.code, f.principal, f.resource].join('|'),
    },
    properties: {
      severity: f.severity,
      reason: f.reason,
      fixable: f.fixable,
      outcome: set.outcome,
      account: set.account,
      region: set.region,
      job: set.job,
    },
  });
}

/** One SARIF log (one run) for the checked subjects; every finding code is a rule, used or not. */
export function renderSarif(sets: readonly FindingSet[], options: { toolVersion: string }): string {
  const builder = new SarifBuilder();
  const run = new SarifRunBuilder().initSimple({
    toolDriverName: TOOL,
    toolDriverVersion: options.toolVersion,
  });
  for (const code of FINDING_CODES) run.addRule(ruleFor(code));
  for (const set of sets) for (const f of set.findings) run.addResult(resultFor(set, f));
  // A subject that could not be checked is a failed tool execution, not a clean result.
  const failures = sets.filter((s) => s.outcome === 'error');
  run.run.invocations = [
    {
      executionSuccessful: failures.length === 0,
      toolExecutionNotifications: failures.flatMap((s) =>
        (s.notes?.length ? s.notes : ['the check could not be completed']).map((note) => ({
          level: 'error' as const,
          message: { text: `${s.job || '(unknown job)'}: ${note}` },
        })),
      ),
    },
  ];
  builder.addRun(run);
  return `${builder.buildSarifJsonString({ indent: true })}\n`;
}
