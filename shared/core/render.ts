/** The human report: what is wrong, why, and what was (or would be) changed. Every string is shown safely escaped. */
import { safeStrings } from './safe-text';
import type { Change, Finding, ReasonCode, Report, ReportedChange } from './types';

/** Every finding code in words, about one finding (its principal and resource). */
export const EXPLAIN: Record<Finding['code'], (f: Finding) => string> = {
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
  PLAN_UNPROVEN: () => 'the planned patch could not be made or failed its proof, so nothing is changed',
  EVENT_INVALID: () => 'the event could not be read',
  EVENT_UNVERIFIED: () => 'the event does not match a real, new, running labeling job; nothing is changed',
  ROLE_NOT_SAGEMAKER_EXECUTION: (f) =>
    `the role ${f.principal} does not let sagemaker.amazonaws.com assume it, so it is not a SageMaker execution role`,
  ROLE_NOT_LAMBDA_EXECUTION: (f) =>
    `the role ${f.principal} does not let lambda.amazonaws.com assume it, so it is not a Lambda execution role`,
  ROLE_PRIVILEGED: (f) =>
    `the role ${f.principal} can escalate privileges; the remediator never lets another principal (${f.resource}) assume or read as it`,
  AUTHOR_CANNOT_CREATE_FUNCTIONS: (f) => `${f.principal} cannot create or update the Lambda functions`,
  AUTHOR_CANNOT_DEPLOY_RECIPE: (f) =>
    `${f.principal} cannot deploy the Ground Truth starter functions from the Serverless Application Repository`,
  AUTHOR_CANNOT_CHOOSE_FUNCTIONS: (f) =>
    `${f.principal} cannot see and choose the functions in the Ground Truth console`,
  AUTHOR_CANNOT_CREATE_JOB: (f) => `${f.principal} cannot create the labeling job`,
  OUTPUT_FOLDER_NOT_NEW: (f) =>
    f.reason === 'folder-not-checked'
      ? `the job's output folder ${f.resource} could not be shown to be new, so no read grant is written there`
      : `the job's output folder ${f.resource} already held data before the job started; a read grant there would expose it`,
  EXECUTION_ROLE_CANNOT_WRITE_OUTPUT: (f) =>
    `the execution role ${f.principal} may not write the job's output under ${f.resource}, so the job fails whatever is granted`,
  EXECUTION_ROLE_EXCEEDS_ENVELOPE: (f) =>
    `the execution role ${f.principal} may do more than a Ground Truth job needs (detail: the first actions outside), so ${f.resource} is not made able to assume it: a function that reads by assuming the execution role will still fail. Narrow the role to AmazonSageMakerGroundTruthExecution and the job's own buckets and key, make the function read with its own role (the direct read; tag it gt-remediator:reads=direct), or make the trust change by hand`,
  FUNCTION_ROLE_SHARED: (f) =>
    `the function's role ${f.principal} can be assumed by principals other than Lambda, so nothing is granted to it`,
  POLICY_TOO_COMPLEX: (f) => `the policy ${f.resource} is too complex to evaluate within the time budget`,
};

/** Every reason code in words (the README lists the same). */
export const REASON: Record<ReasonCode, string> = {
  'implicit-deny': 'no policy allows it',
  'explicit-deny': 'an explicit Deny forbids it; a grant cannot override that',
  boundary: 'the permissions boundary does not allow it; a grant cannot help',
  'depends-on-unknown-context':
    'the answer depends on condition keys whose values are not known here; pass them with --context or check live',
  'execution-role-cannot-read': 'the execution role itself cannot read the annotation data',
  unevaluable: 'the evaluator rejected a policy',
  'execution-role-missing': 'the execution role does not exist',
  'function-role-missing': "the function's role does not exist",
  'no-such-function': 'no such function in the account and region',
  'other-account': 'it belongs to another account',
  'other-region': 'it is in another region',
  'document-unavailable': 'the policy document could not be read',
  'service-linked-role': 'service-linked roles are never changed',
  'identity-center-role': 'IAM Identity Center roles (/aws-reserved/) are never changed',
  'remediator-own-role': "the remediator's own role is never changed",
  'outside-configured-scope': 'the role matches none of the configured scope patterns',
  'missing-scope-tag': 'the role lacks the configured scope tag',
  'inline-policies-too-large': "the role's inline policies would exceed 10,240 characters",
  'trust-policy-too-large': 'the trust policy would exceed 2,048 characters',
  'foreign-statement': 'a statement under our policy name or Sid is not of the exact shape we write',
  'wildcard-in-output-path': 'the output path holds * or ?, which IAM would read as wildcards',
  'proof-failed': 'the patch failed its proof',
  'trust-lacks-service': 'the trust policy does not admit the service',
  'can-escalate': 'the role holds permissions that allow privilege escalation',
  'event-malformed': 'the event is not a readable CreateLabelingJob event',
  'job-not-found': 'SageMaker has no such labeling job',
  'job-mismatch': "the event's claims differ from SageMaker's job",
  'job-too-old': 'the job was created too long ago',
  'job-not-running': 'the job is not initializing or in progress',
  'job-not-ended': 'the job has not completed, failed or stopped',
  'account-not-allowed': 'the account is not one the remediator serves',
  'protected-role': 'administrative and bootstrap roles are never changed',
  'folder-not-new': 'the folder held objects older than the job',
  'folder-not-checked': 'whether the folder is new could not be checked here',
  'cannot-write-output': 'the execution role may not s3:PutObject there',
  'outside-envelope': 'the role may do things outside the Ground Truth envelope',
  'shared-function-role': 'the role trusts principals other than lambda.amazonaws.com',
  'too-complex': 'evaluating the policy exceeded the per-event budget',
};

const OUTCOME_LINE: Record<Report['outcome'], (r: Report) => string> = {
  compliant: () => 'COMPLIANT: the job has every permission it needs; nothing to change.',
  proposed: () => 'PROPOSED: changes were computed but not applied.',
  remediated: () => 'REMEDIATED: the changes below were applied and verified.',
  blocked: (r) =>
    `BLOCKED: at least one finding must be fixed by a person.${r.changes.length > 0 ? (r.dryRun ? ' The other findings have proposed changes.' : ' The other findings were fixed.') : ''}`,
  error: () => 'ERROR: the check could not be completed; see the notes.',
};

/** Extra material for a person at a terminal: the whole documents behind the changes. */
export interface RenderOptions {
  documents?: readonly Change[];
  manualDocuments?: readonly Change[];
}

/** A human-readable report for the terminal and the notification email. */
export function renderReport(unsafe: Report, options: RenderOptions = {}): string {
  const report = safeStrings(unsafe);
  const { job } = report;
  const lines = job
    ? [
        `Ground Truth labeling job ${job.name} (account ${job.account}, ${job.region})`,
        `  execution role          ${job.executionRoleArn}`,
        `  pre-annotation Lambda   ${job.preAnnotationLambdaArn ?? '(none)'}`,
        `  post-annotation Lambda  ${job.postAnnotationLambdaArn ?? '(none)'}`,
        `  output                  ${job.outputS3Uri}`,
        ...(report.createdBy ? [`  created by              ${report.createdBy}`] : []),
      ]
    : ['Ground Truth labeling job (unknown: the event could not be read)'];
  lines.push('', `Outcome: ${OUTCOME_LINE[report.outcome](report)}`);
  for (const note of report.notes ?? []) lines.push(`Note: ${note}`);
  for (const cut of report.truncated ?? []) lines.push(`Cut to fit the delivery limit: ${cut}`);
  if (report.findings.length > 0) {
    lines.push('', `Findings (${report.findings.length}):`);
    report.findings.forEach((f, i) => {
      lines.push(`  ${i + 1}. [${f.severity}] ${f.code}: ${EXPLAIN[f.code](f)}`);
      if (f.principal) lines.push(`     principal: ${f.principal}`);
      if (f.resource) lines.push(`     resource:  ${f.resource}`);
      lines.push(`     reason:    ${f.reason} (${REASON[f.reason]})`);
      if (f.detail) lines.push(`     detail:    ${f.detail}`);
      lines.push(`     fix:       ${f.fixable ? 'automatic (see changes)' : 'needs a person'}`);
    });
  }
  if (report.changes.length > 0) {
    const made = report.outcome === 'remediated' || (report.outcome === 'blocked' && !report.dryRun);
    lines.push('', `Changes ${made ? 'made' : 'proposed'} (${report.changes.length}):`);
    report.changes.forEach((c, i) => lines.push(...renderChange(c, i + 1, options.documents)));
  }
  if (report.manualChanges && report.manualChanges.length > 0) {
    lines.push(
      '',
      `Changes a person could apply by hand (${report.manualChanges.length}; the remediator will not):`,
    );
    report.manualChanges.forEach((c, i) => lines.push(...renderChange(c, i + 1, options.manualDocuments)));
  }
  return `${lines.join('\n')}\n`;
}

/** The file name a person saves a change's JSON as: one per role and policy, never shared. */
export function fileNameFor(change: Pick<ReportedChange, 'action' | 'roleName' | 'policyName'>): string {
  const base =
    change.action === 'PutRolePolicy'
      ? `${change.roleName}.${change.policyName}`
      : `${change.roleName}.trust`;
  return `${base.replace(/[^A-Za-z0-9_.=,@+-]/g, '_')}.json`;
}

function renderChange(change: ReportedChange, n: number, documents?: readonly Change[]): string[] {
  const target =
    change.action !== 'UpdateAssumeRolePolicy'
      ? `inline policy ${change.policyName ?? ''} on role ${change.roleName}`
      : `trust policy of role ${change.roleName} (every other statement kept)`;
  const lines = [
    `  ${n}. ${change.action}: ${target}`,
    change.removed
      ? `     removes: ${change.removed.join(', ')}`
      : `     adds:   ${change.added.length > 0 ? change.added.join(', ') : '(nothing new)'}`,
    `     sha256: ${change.beforeSha256 ?? '(new policy)'} -> ${change.afterSha256}`,
    // One line per statement: the email stays short, and the JSON is still exact.
    ...change.statements.map((st) => `     ours:   ${JSON.stringify(st)}`),
  ];
  const whole = documents?.find(
    (d) =>
      d.roleName === change.roleName &&
      d.action === change.action &&
      (d.action !== 'PutRolePolicy' || d.policyName === change.policyName),
  );
  if (whole) {
    const file = fileNameFor(change);
    lines.push(
      `     save the whole document below as ${file}, then:`,
      change.action === 'PutRolePolicy'
        ? `     aws iam put-role-policy --role-name ${change.roleName} --policy-name ${change.policyName} --policy-document file://${file}`
        : `     aws iam update-assume-role-policy --role-name ${change.roleName} --policy-document file://${file}`,
      ...JSON.stringify(safeStrings(whole.document), null, 2)
        .split('\n')
        .map((l) => `       ${l}`),
    );
  }
  return lines;
}
