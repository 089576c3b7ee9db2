/** Step 5 of the flow: turn fixable findings into a minimal set of IAM writes, within the guardrails. */
import { matchesWildcard } from './arn';
import { finding, findingKey } from './findings';
import type { Assessment, Need } from './evaluate';
import { mergeGrant, mergeTrustPrincipal } from './patch-documents';
import { policySize } from './policy-document';
import type {
  AccountInventory,
  Change,
  CoreOptions,
  Finding,
  LabelingJobRequest,
  PolicyDocument,
  RoleInfo,
} from './types';

/** IAM quotas: all inline policies of a role together, and one trust policy (default quota). */
export const INLINE_POLICIES_LIMIT = 10_240;
export const TRUST_POLICY_LIMIT = 2_048;

/** The plan: the writes to make, and findings added or made unfixable by the guardrails. */
export interface Plan {
  changes: Change[];
  findings: Finding[];
}

/** Plans the writes for every fixable finding; guardrails turn findings unfixable instead of writing. */
export function planChanges(
  request: LabelingJobRequest,
  inventory: AccountInventory,
  assessments: readonly Assessment[],
  options: CoreOptions,
): Plan {
  const blocked = new Set<string>();
  const guardFindings: Finding[] = [];
  // Blocking one role can make a finding that also needs another role unfixable: iterate to a fixed point.
  for (;;) {
    const live = assessments.filter((a) => a.finding.fixable && !blocked.has(findingKey(a.finding)));
    const byRole = groupNeeds(live);
    let changed = false;
    const changes: Change[] = [];
    for (const [roleName, needs] of byRole) {
      const role = inventory.roles.get(roleName);
      const problem = role ? scopeProblem(role, request, options) : 'role-missing';
      const roleChanges = role && !problem ? changesForRole(role, needs, options) : [];
      const sizeProblem = role && !problem ? sizeLimitProblem(role, roleChanges) : undefined;
      if (problem || sizeProblem) {
        const arn = role?.arn ?? roleName;
        guardFindings.push(
          problem
            ? finding('ROLE_OUT_OF_SCOPE', arn, arn, problem)
            : finding('POLICY_SIZE_LIMIT', arn, arn, sizeProblem as string),
        );
        for (const a of live)
          if (a.needs.some((n) => n.roleName === roleName)) blocked.add(findingKey(a.finding));
        changed = true;
        break;
      }
      changes.push(...roleChanges);
    }
    if (!changed) {
      const findings = [
        ...assessments.map((a) =>
          blocked.has(findingKey(a.finding)) ? { ...a.finding, fixable: false } : a.finding,
        ),
        ...guardFindings,
      ];
      return { changes: sortChanges(changes), findings };
    }
  }
}

function groupNeeds(assessments: readonly Assessment[]): Map<string, Need[]> {
  const byRole = new Map<string, Need[]>();
  for (const need of assessments.flatMap((a) => a.needs)) {
    byRole.set(need.roleName, [...(byRole.get(need.roleName) ?? []), need]);
  }
  return byRole;
}

/** Why the remediator must not change this role, or undefined when it may. */
export function scopeProblem(
  role: RoleInfo,
  request: LabelingJobRequest,
  options: CoreOptions,
): string | undefined {
  if (role.path.startsWith('/aws-service-role/')) return 'service-linked-role';
  if (options.selfRoleArn && role.arn === options.selfRoleArn) return 'remediator-own-role';
  if (role.arn.split(':')[4] !== request.accountId) return 'other-account';
  if (options.scopePatterns.length > 0 && !options.scopePatterns.some((p) => matchesWildcard(p, role.arn))) {
    return 'outside-configured-scope';
  }
  if (options.scopeTag && role.tags[options.scopeTag.key] !== options.scopeTag.value) {
    return `missing-scope-tag ${options.scopeTag.key}=${options.scopeTag.value}`;
  }
  return undefined;
}

function changesForRole(role: RoleInfo, needs: readonly Need[], options: CoreOptions): Change[] {
  const inline = (name: string): PolicyDocument | undefined =>
    role.inlinePolicies.find((p) => p.name === name)?.document;
  const changes: Change[] = [];
  const grant = (policyName: string, action: string, resources: string[]): void => {
    if (resources.length === 0) return;
    changes.push({
      action: 'PutRolePolicy',
      roleName: role.name,
      policyName,
      document: mergeGrant(inline(policyName), policyName, action, resources),
    });
  };
  grant(
    options.invokePolicyName,
    'lambda:InvokeFunction',
    needs.flatMap((n) => (n.kind === 'invoke' ? [n.functionArn] : [])),
  );
  grant(
    options.assumePolicyName,
    'sts:AssumeRole',
    needs.flatMap((n) => (n.kind === 'assume' ? [n.targetRoleArn] : [])),
  );
  grant(
    options.readPolicyName,
    's3:GetObject',
    needs.flatMap((n) => (n.kind === 's3-read' ? [n.resourceArn] : [])),
  );
  const principals = needs.flatMap((n) => (n.kind === 'trust' ? [n.principalRoleArn] : []));
  if (principals.length > 0) {
    changes.push({
      action: 'UpdateAssumeRolePolicy',
      roleName: role.name,
      document: mergeTrustPrincipal(role.trustPolicy, options.trustStatementSid, principals),
    });
  }
  return changes;
}

function sizeLimitProblem(role: RoleInfo, changes: readonly Change[]): string | undefined {
  const inline = new Map(role.inlinePolicies.map((p) => [p.name, p.document]));
  let trust = role.trustPolicy;
  for (const c of changes) {
    if (c.action === 'PutRolePolicy') inline.set(c.policyName, c.document);
    else trust = c.document;
  }
  const inlineTotal = [...inline.values()].reduce((sum, doc) => sum + policySize(doc), 0);
  if (inlineTotal > INLINE_POLICIES_LIMIT)
    return `inline-policies ${inlineTotal} > ${INLINE_POLICIES_LIMIT} characters`;
  const trustSize = policySize(trust);
  if (trustSize > TRUST_POLICY_LIMIT) return `trust-policy ${trustSize} > ${TRUST_POLICY_LIMIT} characters`;
  return undefined;
}

function sortChanges(changes: Change[]): Change[] {
  const key = (c: Change): string =>
    `${c.roleName}|${c.action === 'PutRolePolicy' ? `0${c.policyName}` : '1'}`;
  return [...changes].sort((a, b) => key(a).localeCompare(key(b)));
}
