/** The human report: what is wrong, why, and what was (or would be) changed, with the exact JSON. */
import type { Change, Finding, Report } from './types';

const EXPLAIN: Record<Finding['code'], (f: Finding) => string> = {
  INVOKE_DENIED: (f) => `the execution role may not invoke ${f.resource}`,
  OUTPUT_READ_DENIED: (f) =>
    `the post-annotation function's role cannot read the annotation data under ${f.resource}`,
  FUNCTION_NOT_FOUND: (f) => `the function ${f.resource} does not exist (or is not readable)`,
  CROSS_ACCOUNT_FUNCTION: (f) =>
    `the function ${f.resource} is in another account or region; grants there are not ours to make`,
  ROLE_NOT_FOUND: (f) => `the role ${f.principal} does not exist (or is not readable)`,
  ROLE_OUT_OF_SCOPE: (f) => `the role ${f.principal} is outside what the remediator may change`,
  POLICY_SIZE_LIMIT: (f) => `the change would exceed an IAM size quota on ${f.principal}`,
  POLICY_UNKNOWN: (f) =>
    `the policy ${f.resource} on ${f.principal} could not be read, so the verdict may be wrong`,
  PLAN_UNPROVEN: () => 'the planned patch failed its proof, so nothing is changed',
  EVENT_INVALID: (f) => `the event could not be read: ${f.reason}`,
  EVENT_UNVERIFIED: (f) =>
    `the event does not match a real, new labeling job in SageMaker (${f.reason}); nothing is changed`,
  ROLE_NOT_SAGEMAKER_EXECUTION: (f) =>
    `the role ${f.principal} does not trust sagemaker.amazonaws.com, so it is not a SageMaker execution role`,
  ROLE_NOT_LAMBDA_EXECUTION: (f) =>
    `the role ${f.principal} does not trust lambda.amazonaws.com, so it is not a Lambda execution role`,
  ROLE_PRIVILEGED: (f) =>
    `the role ${f.principal} can escalate privileges; the remediator never lets another principal assume or read as it`,
  AUTHOR_CANNOT_CREATE_FUNCTIONS: (f) => `${f.principal} cannot create or update the Lambda functions`,
  AUTHOR_CANNOT_DEPLOY_RECIPE: (f) =>
    `${f.principal} cannot deploy the Ground Truth starter functions from the Serverless Application Repository`,
  AUTHOR_CANNOT_CHOOSE_FUNCTIONS: (f) =>
    `${f.principal} cannot see and choose the functions in the Ground Truth console`,
  AUTHOR_CANNOT_CREATE_JOB: (f) => `${f.principal} cannot create the labeling job`,
};

const REASON: Record<string, string> = {
  'implicit-deny': 'no policy allows it',
  'explicit-deny': 'an explicit Deny forbids it; a grant cannot override that',
  boundary: 'the permissions boundary does not allow it; a grant cannot help',
};

const OUTCOME_LINE: Record<Report['outcome'], (r: Report) => string> = {
  compliant: () => 'COMPLIANT: the job has every permission it needs; nothing to change.',
  proposed: () => 'PROPOSED: changes were computed but not applied (dry run).',
  remediated: () => 'REMEDIATED: the changes below were applied and verified.',
  blocked: (r) =>
    `BLOCKED: at least one finding must be fixed by a person.${r.changes.length > 0 ? (r.dryRun ? ' The other findings have proposed changes.' : ' The other findings were fixed.') : ''}`,
  error: () => 'ERROR: the check could not be completed; see the notes.',
};

/** A human-readable report for the terminal and the notification email. */
export function renderReport(report: Report): string {
  const { job } = report;
  const lines = [
    `Ground Truth labeling job ${job.name} (account ${job.account}, ${job.region})`,
    `  execution role          ${job.executionRoleArn}`,
    `  pre-annotation Lambda   ${job.preAnnotationLambdaArn ?? '(none)'}`,
    `  post-annotation Lambda  ${job.postAnnotationLambdaArn ?? '(none)'}`,
    `  output                  ${job.outputS3Uri}`,
    '',
    `Outcome: ${OUTCOME_LINE[report.outcome](report)}`,
  ];
  for (const note of report.notes ?? []) lines.push(`Note: ${note}`);
  if (report.findings.length > 0) {
    lines.push('', `Findings (${report.findings.length}):`);
    report.findings.forEach((f, i) => {
      lines.push(`  ${i + 1}. [${f.severity}] ${f.code}: ${EXPLAIN[f.code](f)}`);
      lines.push(`     principal: ${f.principal}`);
      lines.push(`     resource:  ${f.resource}`);
      lines.push(`     reason:    ${f.reason}${REASON[f.reason] ? ` (${REASON[f.reason]})` : ''}`);
      lines.push(`     fix:       ${f.fixable ? 'automatic (see changes)' : 'needs a person'}`);
    });
  }
  if (report.changes.length > 0) {
    const verb =
      report.outcome === 'remediated' || (report.outcome === 'blocked' && !report.dryRun)
        ? 'made'
        : 'proposed';
    lines.push('', `Changes ${verb} (${report.changes.length}):`);
    report.changes.forEach((c, i) => lines.push(...renderChange(c, i + 1)));
  }
  return `${lines.join('\n')}\n`;
}

function renderChange(change: Change, n: number): string[] {
  const json = JSON.stringify(change.document, null, 2);
  const head =
    change.action === 'PutRolePolicy'
      ? [
          `  ${n}. PutRolePolicy: inline policy ${change.policyName} on role ${change.roleName}`,
          `     aws iam put-role-policy --role-name ${change.roleName} --policy-name ${change.policyName} --policy-document file://policy.json`,
        ]
      : [
          `  ${n}. UpdateAssumeRolePolicy: trust policy of role ${change.roleName} (every existing statement kept)`,
          `     aws iam update-assume-role-policy --role-name ${change.roleName} --policy-document file://trust.json`,
        ];
  return [...head, ...json.split('\n').map((l) => `     ${l}`)];
}
