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
  proposed: "PROPOSED: the person's own customer managed policy grants what is missing (not applied).",
  blocked: 'BLOCKED: at least one finding must be fixed by a person; a grant cannot clear it.',
  incomplete:
    'INCOMPLETE: the roles or functions are not known, so nothing is proposed (never a grant on every role or function).',
  remediated: 'REMEDIATED: the policy below was written, attached and read back; everything is allowed now.',
  partial:
    'PARTIAL: the policy below was written, attached and read back; the findings below still need a person.',
};

const listOr = (values: readonly string[] | undefined, none: string): string =>
  values && values.length > 0 ? values.join(', ') : none;

/** Renders the report for a terminal; every string is shown safely escaped. */
export function renderAuthorReport(unsafe: AuthorReport): string {
  const r = safeStrings(unsafe);
  const s = r.scope;
  const lines = [
    `Custom workflow author ${r.principal.arn} (${r.principal.kind}${r.principal.groups.length > 0 ? `, groups ${r.principal.groups.join(', ')}` : ''})`,
    `  account ${s.accountId}, region ${s.region}`,
    `  execution role   ${listOr(s.executionRoleArns, '(unknown)')}`,
    s.functionPrefix
      ? `  function prefix  ${s.functionPrefix}`
      : `  functions        ${listOr(s.functionNames, '(unknown)')}`,
    `  function role    ${listOr(s.functionRoleArns, '(unknown)')}`,
    '',
    'Capabilities:',
    ...r.capabilities.map(
      (c) =>
        `  ${c.allowed ? 'yes' : c.unchecked ? '?  ' : 'NO '}  ${c.capability.padEnd(16)} ${CAPABILITY_LINE[c.capability] ?? ''}`,
    ),
    '',
    `Outcome: ${OUTCOME_LINE[r.outcome]}`,
  ];
  if (r.needs && r.needs.length > 0)
    lines.push(
      `Give ${r.needs.join(' and ')} (capabilities marked ? were not checked; nothing to apply until then).`,
    );
  for (const note of r.notes ?? []) lines.push(`Note: ${note}`);
  if (r.findings.length > 0) {
    lines.push(
      '',
      r.applied
        ? `Still not allowed, nothing applied for these (${r.findings.length} findings):`
        : `Findings (${r.findings.length}):`,
    );
    r.findings.forEach((f, i) => {
      lines.push(`  ${i + 1}. [${f.severity}] ${f.code}`);
      lines.push(`     resource:  ${f.resource}`);
      if (f.detail) lines.push(`     ${f.detail}`);
      lines.push(`     reason:    ${f.reason} (${REASON[f.reason]})`);
    });
  }
  const a = r.applied;
  if (a) {
    lines.push(
      '',
      `Applied: customer managed policy ${a.policyName} (${a.policyArn}), version ${a.versionId}${a.created ? ' (created)' : ''}${a.deletedVersionId ? `, version ${a.deletedVersionId} deleted to make room` : ''}, ${a.attached ? 'attached to' : 'already attached to'} the ${r.principal.kind} only`,
      ...JSON.stringify(a.document, null, 2)
        .split('\n')
        .map((l) => `  ${l}`),
    );
    return `${lines.join('\n')}\n`;
  }
  const p = r.proposal;
  if (p) {
    lines.push(
      '',
      `Proposed (not applied): customer managed policy ${p.policyName} (${p.policyArn}), for and attached to this ${r.principal.kind} only`,
      `  proof: clears ${p.proof.cleared} request(s); ${p.proof.probes} probes (other prefix, region, account, role, service, action) stay denied`,
      ...JSON.stringify(p.document, null, 2)
        .split('\n')
        .map((l) => `  ${l}`),
    );
    if (r.outcome === 'proposed' || r.outcome === 'blocked')
      lines.push(
        '',
        '  apply it with the same command plus --live --apply (asks first; --yes to skip the question)',
      );
  }
  return `${lines.join('\n')}\n`;
}
