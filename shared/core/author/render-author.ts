/** The human author report: each capability, each finding with its denied actions, the proposal and its proof. */
import { REASON } from '../render';
import { safeStrings } from '../safe-text';
import type { AuthorReport } from './check-author';

const CAPABILITY_LINE: Record<string, string> = {
  'create-functions': 'create and update the pre- and post-annotation functions',
  recipe: 'deploy the Ground Truth starter functions (Serverless Application Repository)',
  console: 'see and choose the functions in the Ground Truth console',
  'create-job': 'create the labeling job and pass it the execution role',
};

const OUTCOME_LINE: Record<AuthorReport['outcome'], string> = {
  compliant: 'COMPLIANT: the principal can build custom workflows; nothing to grant.',
  proposed: 'PROPOSED: one customer managed policy grants what is missing (not applied).',
  remediated: 'REMEDIATED: the policy below was created or updated, attached, and read back.',
  blocked: 'BLOCKED: at least one finding must be fixed by a person; a grant cannot clear it.',
};

/** Renders the report for a terminal; every string is shown safely escaped. */
export function renderAuthorReport(unsafe: AuthorReport): string {
  const r = safeStrings(unsafe);
  const s = r.scope;
  const lines = [
    `Custom workflow author ${r.principal.arn} (${r.principal.kind}${r.principal.groups.length > 0 ? `, groups ${r.principal.groups.join(', ')}` : ''})`,
    `  account ${s.accountId}, region ${s.region}`,
    `  execution role   ${s.executionRoleArn ?? '(any role of the account)'}`,
    `  function prefix  ${s.functionPrefix ?? '(any function of the account and region)'}`,
    '',
    'Capabilities:',
    ...r.capabilities.map(
      (c) =>
        `  ${c.allowed ? 'yes' : 'NO '}  ${c.capability.padEnd(16)} ${CAPABILITY_LINE[c.capability] ?? ''}`,
    ),
    '',
    `Outcome: ${OUTCOME_LINE[r.outcome]}`,
  ];
  for (const note of r.notes ?? []) lines.push(`Note: ${note}`);
  if (r.findings.length > 0) {
    lines.push('', `Findings (${r.findings.length}):`);
    r.findings.forEach((f, i) => {
      lines.push(`  ${i + 1}. [${f.severity}] ${f.code}`);
      lines.push(`     resource:  ${f.resource}`);
      if (f.detail) lines.push(`     ${f.detail}`);
      lines.push(`     reason:    ${f.reason} (${REASON[f.reason]})`);
    });
  }
  const p = r.proposal;
  if (p) {
    lines.push(
      '',
      `${r.outcome === 'remediated' ? 'Applied' : 'Proposed'}: customer managed policy ${p.policyName} (${p.policyArn}), attached to the ${r.principal.kind}`,
      `  proof: clears ${p.proof.cleared} request(s); ${p.proof.probes} probes (other prefix, region, account, role, service, action) stay denied`,
      ...JSON.stringify(p.document, null, 2)
        .split('\n')
        .map((l) => `  ${l}`),
    );
    if (r.outcome === 'proposed')
      lines.push(
        '',
        '  apply it with the same command plus --live --apply (asks first; --yes to skip the question)',
      );
  }
  return `${lines.join('\n')}\n`;
}
