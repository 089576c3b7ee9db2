/** The proposal's proof: with it attached, every claimed request is allowed and no probe is newly allowed. */
import type { PolicyDocument } from '../types';
import { resourcePolicyFor, type AuthorRequest, type AuthorScope } from './capabilities';
import { evaluatePrincipal } from './evaluate-principal';
import type { AuthorPrincipal } from './principal';
import { probesFor } from './probes';
import { AUTHOR_POLICY_PREFIX } from './proposal';

/** The proof's verdict, with a line per failure. */
export interface ProposalProof {
  proven: boolean;
  /** How many requests it clears and how many probes it was checked against. */
  cleared: number;
  probes: number;
  failures: string[];
}

const grants = (verdict: string): boolean =>
  verdict === 'allowed' || verdict === 'depends-on-unknown-context';

/** Proves `document` for the principal: clears each claimed request, grants nothing a probe stands for. */
export async function proveProposal(
  principal: AuthorPrincipal,
  claimed: readonly AuthorRequest[],
  document: PolicyDocument,
  scope: AuthorScope,
  now: Date,
  knownContext?: Record<string, string>,
): Promise<ProposalProof> {
  const extraPolicies = [{ name: `proposed:${AUTHOR_POLICY_PREFIX}`, policy: document }];
  const ask = (request: AuthorRequest, region: string, withProposal: boolean) =>
    evaluatePrincipal({
      principal,
      request,
      region,
      now,
      ...(withProposal ? { extraPolicies } : {}),
      ...(resourcePolicyFor(request, scope) ? { resourcePolicy: resourcePolicyFor(request, scope) } : {}),
      ...(knownContext ? { knownContext } : {}),
    });
  const failures: string[] = [];
  for (const request of claimed) {
    const after = await ask(request, scope.region, true);
    if (after.verdict !== 'allowed')
      failures.push(`still not allowed: ${request.action} on ${request.resource} (${after.verdict})`);
  }
  const probes = probesFor(scope);
  for (const probe of probes) {
    const [before, after] = await Promise.all([
      ask(probe.request, probe.region, false),
      ask(probe.request, probe.region, true),
    ]);
    if (grants(after.verdict) && !grants(before.verdict))
      failures.push(
        `grants more than needed: ${probe.label} (${probe.request.action} on ${probe.request.resource})`,
      );
  }
  return { proven: failures.length === 0, cleared: claimed.length, probes: probes.length, failures };
}
