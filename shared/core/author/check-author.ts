/** `author`: can this person build a custom workflow? Findings per capability, and one proven proposal. */
import { finding } from '../findings';
import type { Decision } from '../simulate';
import type { Finding, PolicyDocument, ReasonCode } from '../types';
import {
  CAPABILITIES,
  CAPABILITY_FINDING,
  missingScope,
  requestsFor,
  resourcePolicyFor,
  SCOPE_FLAG,
  type AuthorRequest,
  type AuthorScope,
  type Capability,
  type ScopePart,
} from './capabilities';
import { evaluatePrincipal } from './evaluate-principal';
import { unreadablePolicies, type AuthorPrincipal } from './principal';
import { proveProposal, type ProposalProof } from './prove-proposal';
import { authorPolicyArn, authorPolicyName, proposeAuthorPolicy } from './proposal';
import { wideGrants } from './wide-grants';

/**
 * What `author` decides: every capability allowed; a proven proposal covers the rest; a person must
 * act; the scope is unknown (flags needed, nothing proposed); or, after `--apply`, everything or only
 * part of it now allowed (`partial`: the policy was written, and findings remain).
 */
export type AuthorOutcome = 'compliant' | 'proposed' | 'blocked' | 'incomplete' | 'remediated' | 'partial';

/** The author check's options. */
export interface AuthorOptions {
  region: string;
  /** Exact execution role ARNs (given or inferred); never a wildcard. */
  executionRoleArns?: string[];
  functionPrefix?: string;
  /** Exact function names (inferred from the person's jobs), used when there is no prefix. */
  functionNames?: string[];
  /** Exact function role ARNs (given or inferred). */
  functionRoleArns?: string[];
  capabilities?: readonly Capability[];
  now?: Date;
  /** Condition-key values the caller knows (e.g. aws:MultiFactorAuthPresent). */
  knownContext?: Record<string, string>;
  /** Lines for the report (e.g. where the scope was inferred from). */
  notes?: string[];
}

/** One capability's verdict. */
export interface CapabilityResult {
  capability: Capability;
  allowed: boolean;
  /** Requests denied, with why. */
  denied: { action: string; resource: string; verdict: Decision['verdict']; detail?: string }[];
  /** Scope parts it needs that are unknown: its requests on them were not checked. */
  unchecked?: ScopePart[];
}

/** What `--apply` wrote, as read back from IAM. */
export interface AppliedPolicy {
  policyName: string;
  policyArn: string;
  created: boolean;
  versionId: string;
  deletedVersionId?: string;
  /** True when this run attached it (false: it was attached already). */
  attached: boolean;
  document: PolicyDocument;
}

/** The proposal: the whole policy, where it goes, and its proof. */
export interface AuthorProposal {
  policyName: string;
  policyArn: string;
  document: PolicyDocument;
  /** The requests it grants (implicitly denied before). */
  claimed: AuthorRequest[];
  proof: ProposalProof;
}

/** The author report (the CLI's `--json`). */
export interface AuthorReport {
  principal: { arn: string; kind: AuthorPrincipal['kind']; groups: string[] };
  scope: AuthorScope;
  outcome: AuthorOutcome;
  capabilities: CapabilityResult[];
  findings: Finding[];
  /** Undefined when nothing is missing, when nothing missing can be granted, or when the scope is incomplete. */
  proposal?: AuthorProposal;
  /** The flags to give when the scope is incomplete (outcome `incomplete`). */
  needs?: string[];
  /** Set only after `--apply` wrote the policy: what IAM holds now. */
  applied?: AppliedPolicy;
  notes?: string[];
}

/** Evaluates every requested capability for the principal and proposes (and proves) the missing grant. */
export async function checkAuthor(principal: AuthorPrincipal, options: AuthorOptions): Promise<AuthorReport> {
  const now = options.now ?? new Date();
  const scope: AuthorScope = {
    partition: principal.partition,
    accountId: principal.accountId,
    region: options.region,
    ...(options.executionRoleArns?.length ? { executionRoleArns: [...options.executionRoleArns] } : {}),
    ...(options.functionPrefix
      ? { functionPrefix: options.functionPrefix }
      : options.functionNames?.length
        ? { functionNames: [...options.functionNames] }
        : {}),
    ...(options.functionRoleArns?.length ? { functionRoleArns: [...options.functionRoleArns] } : {}),
  };
  const notes = options.notes ?? [];
  const unknownParts = new Set<ScopePart>();
  const findings: Finding[] = unreadablePolicies(principal).map((source) =>
    finding('POLICY_UNKNOWN', principal.arn, source, 'document-unavailable'),
  );
  const missing: AuthorRequest[] = [];
  const capabilities: CapabilityResult[] = [];
  for (const capability of options.capabilities ?? CAPABILITIES) {
    const result: CapabilityResult = { capability, allowed: true, denied: [] };
    const unchecked = missingScope(capability, scope);
    if (unchecked.length > 0) {
      result.allowed = false;
      result.unchecked = unchecked;
      for (const part of unchecked) unknownParts.add(part);
    }
    for (const request of requestsFor(capability, scope)) {
      const resourcePolicy = resourcePolicyFor(request, scope);
      const decision = await evaluatePrincipal({
        principal,
        request,
        region: scope.region,
        now,
        ...(resourcePolicy ? { resourcePolicy } : {}),
        ...(options.knownContext ? { knownContext: options.knownContext } : {}),
      });
      if (decision.verdict === 'allowed') continue;
      result.allowed = false;
      result.denied.push({
        action: request.action,
        resource: request.resource,
        verdict: decision.verdict,
        ...(decision.detail ? { detail: decision.detail } : {}),
      });
      if (decision.verdict === 'implicit-deny' && !missing.some((m) => sameRequest(m, request)))
        missing.push(request);
    }
    capabilities.push(result);
    findings.push(...capabilityFindings(principal.arn, result));
  }
  if (unknownParts.size > 0) {
    // Never a wildcard standing in for an unknown role or function: nothing is proposed at all.
    const needs = [...unknownParts].map((part) => SCOPE_FLAG[part]);
    return { ...report(principal, scope, 'incomplete', capabilities, findings, notes), needs };
  }
  if (missing.length === 0)
    return report(
      principal,
      scope,
      findings.length === 0 ? 'compliant' : 'blocked',
      capabilities,
      findings,
      notes,
    );
  const policyName = authorPolicyName(principal);
  const document = proposeAuthorPolicy(missing, scope);
  const proof = await proveProposal(principal, missing, document, scope, now, options.knownContext);
  const failures = [...wideGrants(document).map((w) => `never granted: ${w}`), ...proof.failures];
  if (failures.length > 0) {
    findings.push(
      finding('PLAN_UNPROVEN', principal.arn, policyName, 'proof-failed', false, failures.join('; ')),
    );
    for (const f of findings) f.fixable = false;
    return report(principal, scope, 'blocked', capabilities, findings, notes);
  }
  const proposal: AuthorProposal = {
    policyName,
    policyArn: authorPolicyArn(principal),
    document,
    claimed: missing,
    proof,
  };
  const outcome = findings.every((f) => f.fixable) ? 'proposed' : 'blocked';
  return { ...report(principal, scope, outcome, capabilities, findings, notes), proposal };
}

/** One finding per capability, resource and reason, naming the denied actions. */
function capabilityFindings(principalArn: string, result: CapabilityResult): Finding[] {
  const groups = new Map<
    string,
    { resource: string; reason: ReasonCode; actions: string[]; details: string[] }
  >();
  for (const d of result.denied) {
    const reason: ReasonCode = d.verdict === 'allowed' ? 'implicit-deny' : d.verdict;
    const key = `${d.resource}|${reason}`;
    const group = groups.get(key) ?? { resource: d.resource, reason, actions: [], details: [] };
    group.actions.push(d.action);
    if (d.detail && !group.details.includes(d.detail)) group.details.push(d.detail);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) =>
    finding(
      CAPABILITY_FINDING[result.capability],
      principalArn,
      g.resource,
      g.reason,
      g.reason === 'implicit-deny',
      `denied: ${g.actions.join(', ')}${g.details.length > 0 ? `; ${g.reason === 'depends-on-unknown-context' ? 'unknown keys' : 'detail'}: ${g.details.join(', ')}` : ''}`,
    ),
  );
}

function sameRequest(a: AuthorRequest, b: AuthorRequest): boolean {
  return (
    a.action === b.action &&
    a.resource === b.resource &&
    JSON.stringify(a.context) === JSON.stringify(b.context)
  );
}

function report(
  principal: AuthorPrincipal,
  scope: AuthorScope,
  outcome: AuthorOutcome,
  capabilities: CapabilityResult[],
  findings: Finding[],
  notes: string[],
): AuthorReport {
  return {
    principal: { arn: principal.arn, kind: principal.kind, groups: principal.groups },
    scope,
    outcome,
    capabilities,
    findings,
    ...(notes.length > 0 ? { notes } : {}),
  };
}
