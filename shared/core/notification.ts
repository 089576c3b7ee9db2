/** What a person receives: a subject under 100 characters, a body they can act on, and filterable attributes. */
import { parseLambdaArn, parseRoleArn, partitionOf } from './arn';
import { worstSeverity } from './findings';
import { cutText, DELIVERY_LIMIT_BYTES, fitReport, utf8Length } from './fit-report';
import { fileNameFor, renderReport } from './render';
import { safeStrings, safeText } from './safe-text';
import type { Report, ReportedChange, Severity } from './types';

/** An SNS message for one report. */
export interface Notification {
  subject: string;
  body: string;
  attributes: { outcome: Report['outcome']; dryRun: 'true' | 'false'; severity: Severity };
}

/** SNS rejects subjects longer than this. */
export const SUBJECT_LIMIT = 100;

/**
 * Builds the notification. It carries only what the report carries (our statements, ARNs, hashes):
 * never another statement of a policy, never a whole document. `dryRunParameterName` lets the body
 * say how to switch dry-run off.
 */
export function buildNotification(
  unsafe: Report,
  dryRunParameterName?: string,
  maxBytes: number = DELIVERY_LIMIT_BYTES,
): Notification {
  const report = safeStrings(unsafe);
  const attributes: Notification['attributes'] = {
    outcome: report.outcome,
    dryRun: report.dryRun ? 'true' : 'false',
    // A failed check is as urgent as the worst finding: the job may fail and nobody knows why.
    severity: report.outcome === 'error' ? 'high' : worstSeverity(report.findings),
  };
  const subject = subjectFor(report);
  // SNS counts the body and every attribute's name, type and value; the subject is counted too, to be safe.
  const room =
    maxBytes -
    utf8Length(subject) -
    Object.entries(attributes).reduce((n, [k, v]) => n + utf8Length(k) + 'String'.length + utf8Length(v), 0);
  const bodyOf = (r: Report): string =>
    [
      renderReport(r),
      ...undoHelp(r),
      ...manualHelp(r),
      ...consoleLinks(r),
      ...dryRunHelp(r, dryRunParameterName),
    ].join('\n');
  // The text is a little longer than the report's JSON: cut the report until its text fits.
  let budget = room;
  let body = bodyOf(fitReport(report, budget));
  for (let attempt = 0; attempt < 4 && utf8Length(body) > room; attempt++) {
    budget = Math.floor((budget * room) / utf8Length(body) / 1.05);
    body = bodyOf(fitReport(report, budget));
  }
  return { subject, body: cutText(body, room, '\n[message cut to fit the 256 KiB SNS limit]\n'), attributes };
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
  const jobName = safeText(report.job?.name ?? '(unreadable event)');
  const fixed = `${prefix}Ground Truth job : ${tail[report.outcome]}`;
  const room = SUBJECT_LIMIT - fixed.length;
  const name = jobName.length > room ? `${jobName.slice(0, Math.max(0, room - 1))}…` : jobName;
  return `${prefix}Ground Truth job ${name}: ${tail[report.outcome]}`;
}

/** How to take back what was applied: the exact ARNs we added, and the command that removes them. */
function undoHelp(report: Report): string[] {
  if (report.dryRun || report.changes.length === 0 || report.outcome === 'error') return [];
  // A removal (the job ended) takes back what we granted: there is nothing of ours to undo.
  if (report.changes.some((c) => c.removed)) return [];
  const lines = ['To undo these changes:'];
  for (const c of report.changes) {
    if (c.action === 'PutRolePolicy' && c.beforeSha256 === null) {
      lines.push(`  aws iam delete-role-policy --role-name ${c.roleName} --policy-name ${c.policyName}`);
    } else if (c.action === 'PutRolePolicy') {
      lines.push(
        `  remove ${c.added.join(', ')} from statement ${c.policyName} of inline policy ${c.policyName} on role ${c.roleName}:`,
        `    aws iam get-role-policy --role-name ${c.roleName} --policy-name ${c.policyName} --query PolicyDocument > ${fileNameFor(c)}`,
        `    (edit ${fileNameFor(c)}) aws iam put-role-policy --role-name ${c.roleName} --policy-name ${c.policyName} --policy-document file://${fileNameFor(c)}`,
      );
    } else {
      lines.push(
        `  remove ${c.added.join(', ')} from statement ${sidOf(c)} of the trust policy of role ${c.roleName}:`,
        `    aws iam get-role --role-name ${c.roleName} --query Role.AssumeRolePolicyDocument > ${fileNameFor(c)}`,
        `    (edit ${fileNameFor(c)}) aws iam update-assume-role-policy --role-name ${c.roleName} --policy-document file://${fileNameFor(c)}`,
      );
    }
  }
  return [...lines, ''];
}

/** For changes the remediator will not make: what to save, and the command to apply it. */
function manualHelp(report: Report): string[] {
  const manual = report.manualChanges ?? [];
  if (manual.length === 0) return [];
  const lines = [
    'To apply the changes a person could make by hand (check first why the remediator would not):',
  ];
  for (const c of manual) {
    const file = fileNameFor(c);
    if (c.action === 'PutRolePolicy') {
      lines.push(
        `  save this JSON as ${file}:`,
        `    ${JSON.stringify({ Version: '2012-10-17', Statement: c.statements })}`,
        `  aws iam put-role-policy --role-name ${c.roleName} --policy-name ${c.policyName} --policy-document file://${file}`,
      );
    } else {
      lines.push(
        `  aws iam get-role --role-name ${c.roleName} --query Role.AssumeRolePolicyDocument > ${file}`,
        `  add (or replace) statement ${sidOf(c)} in ${file} with:`,
        `    ${JSON.stringify(c.statements[0] ?? {})}`,
        `  aws iam update-assume-role-policy --role-name ${c.roleName} --policy-document file://${file}`,
      );
    }
  }
  return [...lines, ''];
}

function sidOf(change: ReportedChange): string {
  return change.statements[0]?.Sid ?? '(ours)';
}

/** The console's host in the job's partition. */
function consoleHost(partition: string, region: string): string {
  if (partition === 'aws-cn') return `https://${region}.console.amazonaws.cn`;
  if (partition === 'aws-us-gov') return `https://${region}.console.amazonaws-us-gov.com`;
  return `https://${region}.console.aws.amazon.com`;
}

function consoleLinks(report: Report): string[] {
  const job = report.job;
  if (!job) return [];
  const { region } = job;
  const host = consoleHost(partitionOf(job.executionRoleArn), region);
  const roles = new Set([job.executionRoleArn, ...report.findings.map((f) => f.principal)]);
  const links: string[] = [];
  for (const arn of roles) {
    const role = parseRoleArn(arn);
    if (role)
      links.push(
        `  role ${role.roleName}: ${host}/iam/home#/roles/details/${encodeURIComponent(role.roleName)}`,
      );
  }
  for (const arn of [job.preAnnotationLambdaArn, job.postAnnotationLambdaArn]) {
    const fn = arn ? parseLambdaArn(arn) : undefined;
    if (fn && fn.accountId === job.account) {
      links.push(
        `  function ${fn.functionName}: ${host}/lambda/home?region=${region}#/functions/${fn.functionName}`,
      );
    }
  }
  links.push(
    `  labeling job: ${host}/sagemaker/groundtruth?region=${region}#/labeling-jobs/details/${encodeURIComponent(job.name)}`,
  );
  return ['Console links:', ...links, ''];
}

function dryRunHelp(report: Report, parameterName: string | undefined): string[] {
  // An error report may predate reading the parameter, so it cannot say which way the switch stands.
  if (!parameterName || report.outcome === 'error' || !report.job) return [];
  const { region, name } = report.job;
  if (!report.dryRun) {
    return [
      `Dry run is off in ${region}. To make the remediator only propose changes again (per region):`,
      `  aws ssm put-parameter --region ${region} --name ${parameterName} --type String --value true --overwrite`,
    ];
  }
  const apply =
    report.changes.length > 0
      ? [
          'To apply the proposed changes now (re-verifies the job and re-plans against the live account):',
          `  npx gt-remediate fix --live --job ${name} --region ${region}`,
        ]
      : [];
  return [
    `Dry run is on in ${region}: nothing was changed.`,
    ...apply,
    'To let the remediator apply changes itself from now on (per region):',
    `  aws ssm put-parameter --region ${region} --name ${parameterName} --type String --value false --overwrite`,
  ];
}
