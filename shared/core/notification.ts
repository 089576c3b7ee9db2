/** What a person receives: a subject under 100 characters, a body they can act on, and filterable attributes. */
import { parseLambdaArn, parseRoleArn } from './arn';
import { worstSeverity } from './findings';
import { renderReport } from './render';
import type { Report, Severity } from './types';

/** An SNS message for one report. */
export interface Notification {
  subject: string;
  body: string;
  attributes: { outcome: Report['outcome']; dryRun: 'true' | 'false'; severity: Severity };
}

/** SNS rejects subjects longer than this. */
export const SUBJECT_LIMIT = 100;

/** Builds the notification; `dryRunParameterName` lets the body say how to switch dry-run off. */
export function buildNotification(report: Report, dryRunParameterName?: string): Notification {
  const body = [
    renderReport(report),
    ...consoleLinks(report),
    ...dryRunHelp(report, dryRunParameterName),
  ].join('\n');
  return {
    subject: subjectFor(report),
    body,
    attributes: {
      outcome: report.outcome,
      dryRun: report.dryRun ? 'true' : 'false',
      // A failed check is as urgent as the worst finding: the job may fail and nobody knows why.
      severity: report.outcome === 'error' ? 'high' : worstSeverity(report.findings),
    },
  };
}

/** "[dry run] Ground Truth job receipts-7: 2 permission changes proposed", shortened to fit SNS's limit. */
export function subjectFor(report: Report): string {
  const n = report.changes.length;
  const changes = `${n} permission change${n === 1 ? '' : 's'}`;
  const open = report.findings.filter((f) => !f.fixable).length;
  const tail: Record<Report['outcome'], string> = {
    compliant: 'permissions OK',
    proposed: `${changes} proposed`,
    remediated: `${changes} applied`,
    blocked: `blocked, ${open} finding${open === 1 ? '' : 's'} need${open === 1 ? 's' : ''} a person`,
    error: 'permission check failed',
  };
  const prefix =
    report.dryRun && report.outcome !== 'compliant' && report.outcome !== 'error' ? '[dry run] ' : '';
  const fixed = `${prefix}Ground Truth job : ${tail[report.outcome]}`;
  const room = SUBJECT_LIMIT - fixed.length;
  const name =
    report.job.name.length > room ? `${report.job.name.slice(0, Math.max(0, room - 1))}…` : report.job.name;
  return `${prefix}Ground Truth job ${name}: ${tail[report.outcome]}`;
}

function consoleLinks(report: Report): string[] {
  const { region } = report.job;
  const roles = new Set([report.job.executionRoleArn, ...report.findings.map((f) => f.principal)]);
  const links: string[] = [];
  for (const arn of roles) {
    const role = parseRoleArn(arn);
    if (role)
      links.push(
        `  role ${role.roleName}: https://console.aws.amazon.com/iam/home#/roles/details/${encodeURIComponent(role.roleName)}`,
      );
  }
  for (const arn of [report.job.preAnnotationLambdaArn, report.job.postAnnotationLambdaArn]) {
    const fn = arn ? parseLambdaArn(arn) : undefined;
    if (fn && fn.accountId === report.job.account) {
      links.push(
        `  function ${fn.functionName}: https://${region}.console.aws.amazon.com/lambda/home?region=${region}#/functions/${fn.functionName}`,
      );
    }
  }
  links.push(
    `  labeling job: https://${region}.console.aws.amazon.com/sagemaker/groundtruth?region=${region}#/labeling-jobs/details/${report.job.name}`,
  );
  return ['Console links:', ...links, ''];
}

function dryRunHelp(report: Report, parameterName: string | undefined): string[] {
  // An error report may predate reading the parameter, so it cannot say which way the switch stands.
  if (!parameterName || report.outcome === 'error') return [];
  const region = report.job.region;
  return report.dryRun
    ? [
        'Dry run is on: nothing was changed. To let the remediator apply changes:',
        `  aws ssm put-parameter --region ${region} --name ${parameterName} --type String --value false --overwrite`,
        'Or apply the changes above yourself with the aws iam commands shown.',
      ]
    : [
        'Dry run is off. To make the remediator only propose changes again:',
        `  aws ssm put-parameter --region ${region} --name ${parameterName} --type String --value true --overwrite`,
      ];
}
