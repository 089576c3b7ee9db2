/**
 * Guards on the roles a plan touches, decided with the evaluator: the execution role must be one
 * SageMaker can assume, the post-annotation function's role one Lambda can assume, and a role that
 * can escalate privileges is never made assumable by (or readable as) another principal.
 */
import { arns, partitionOf } from './arn';
import { asList, statementsOf } from './policy-document';
import { ESCALATION_PROBES, type EscalationProbe, type ProbeResource } from './escalation-catalogue';
import { globMatch } from './evaluator/complexity';
import { isAscii } from './evaluator/tables';
import { evaluateAccess, evaluateServiceAssume, type Evaluator } from './simulate';
import type { LabelingJobRequest, RoleInfo } from './types';

/** A name no real account uses, for the resources of the privilege probes. */
export const PRIVILEGE_PROBE_NAME = 'gt-remediator-privilege-probe';
const PROBE = PRIVILEGE_PROBE_NAME;

/** Whether SageMaker, acting for this job, may assume the execution role ('unknown' lists the keys). */
export async function sageMakerTrust(
  evaluator: Evaluator,
  role: RoleInfo,
  request: LabelingJobRequest,
): Promise<{ trusted: boolean; unknownKeys?: string[] }> {
  const partition = partitionOf(role.arn);
  const decision = await evaluateServiceAssume(
    evaluator,
    role,
    'sagemaker.amazonaws.com',
    {
      'aws:SourceAccount': request.accountId,
      'aws:SourceArn': arns.labelingJob(partition, request.region, request.accountId, request.jobName),
      'aws:RequestedRegion': request.region,
    },
    request.jobName,
  );
  if (decision.verdict === 'depends-on-unknown-context')
    return { trusted: false, unknownKeys: decision.unknownKeys ?? [] };
  return { trusted: decision.verdict === 'allowed' };
}

/** Whether Lambda may assume the function's role for the function. */
export async function lambdaTrust(
  evaluator: Evaluator,
  role: RoleInfo,
  functionArn: string,
  accountId: string,
): Promise<{ trusted: boolean; unknownKeys?: string[] }> {
  const decision = await evaluateServiceAssume(evaluator, role, 'lambda.amazonaws.com', {
    'aws:SourceAccount': accountId,
    'aws:SourceArn': functionArn,
  });
  if (decision.verdict === 'depends-on-unknown-context')
    return { trusted: false, unknownKeys: decision.unknownKeys ?? [] };
  return { trusted: decision.verdict === 'allowed' };
}

/**
 * The escalation permissions the role has (or may have, where a condition depends on context we
 * cannot see): empty when it is not privileged. Each entry reads "action (source)".
 */
export async function escalationPermissions(
  evaluator: Evaluator,
  role: RoleInfo,
  accountId: string,
  region: string,
  now: Date,
  /** The job whose check this is: the role's policies may name it (the proof's patched documents). */
  jobName?: string,
): Promise<string[]> {
  const partition = partitionOf(role.arn);
  const resourceFor = (kind: ProbeResource): string => {
    switch (kind) {
      case 'role':
        return arns.role(partition, accountId, PROBE);
      case 'user':
        return arns.user(partition, accountId, PROBE);
      case 'group':
        return arns.group(partition, accountId, PROBE);
      case 'policy':
        return arns.policy(partition, accountId, PROBE);
      case 'function':
        return arns.lambdaFunction(partition, region, accountId, PROBE);
      case 'glue-endpoint':
        return arns.glueDevEndpoint(partition, region, accountId, PROBE);
      case 'any':
        return '*';
    }
  };
  // A probe role that trusts the whole account, so sts:AssumeRole is decided by the identity side alone.
  const openTrust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow' as const,
        Principal: { AWS: arns.accountRoot(partition, accountId) },
        Action: 'sts:AssumeRole',
      },
    ],
  };
  const found: string[] = [];
  // Only an action some Allow statement names (or a NotAction leaves open) can be allowed: the
  // evaluator decides those, and the rest need no simulation. Kept per role by the evaluator's owner.
  const candidates =
    evaluator.sharing?.tables.perObject('escalation-candidates', role, candidateProbes) ??
    candidateProbes(role);
  for (const probe of candidates) {
    const decision = await evaluateAccess(evaluator, {
      role,
      accountId,
      region,
      sessionName: PROBE,
      action: probe.action,
      resourceArn: resourceFor(probe.resource),
      resourceAccount: accountId,
      ...(probe.action === 'sts:AssumeRole' ? { resourcePolicy: openTrust } : {}),
      now,
      ...(jobName !== undefined ? { jobName } : {}),
    });
    if (decision.verdict === 'allowed' || decision.verdict === 'depends-on-unknown-context') {
      found.push(probe.action);
    }
  }
  return found;
}

/** The probes whose action some Allow statement of the role's identity policies may cover (a cheap over-approximation). */
function candidateProbes(role: RoleInfo): readonly EscalationProbe[] {
  const statements = [
    ...role.inlinePolicies.map((p) => p.document),
    ...role.managedPolicies.flatMap((p) => (p.document ? [p.document] : [])),
  ]
    .flatMap(statementsOf)
    .filter((s) => s.Effect === 'Allow');
  if (statements.some((s) => s.NotAction !== undefined)) return ESCALATION_PROBES;
  const patterns = statements.flatMap((s) => asList(s.Action));
  // Linear-time matching, whatever the pattern; beyond ASCII a pattern counts as covering.
  return ESCALATION_PROBES.filter((probe) =>
    patterns.some(
      (p) => !isAscii(p) || !isAscii(probe.action) || globMatch(p.toLowerCase(), probe.action.toLowerCase()),
    ),
  );
}
