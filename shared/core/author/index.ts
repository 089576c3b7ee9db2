/** `gt-remediate author`: the custom-workflow author's own permissions (pure). */
export {
  CAPABILITIES,
  parseCapabilities,
  requestsFor,
  missingScope,
  authorArns,
  SCOPE_FLAG,
  CAPABILITY_NEEDS,
  type Capability,
  type ScopePart,
  type AuthorScope,
  type AuthorRequest,
} from './capabilities';
export {
  parsePrincipalArn,
  type AuthorPrincipal,
  type PrincipalPolicy,
  type PrincipalKind,
} from './principal';
export { evaluatePrincipal, principalSimulation } from './evaluate-principal';
export {
  checkAuthor,
  type AuthorReport,
  type AuthorOptions,
  type AuthorOutcome,
  type AuthorProposal,
  type AppliedPolicy,
  type CapabilityResult,
} from './check-author';
export {
  proposeAuthorPolicy,
  AUTHOR_POLICY_PREFIX,
  AUTHOR_POLICY_TAG,
  authorPolicyName,
  authorPolicyArn,
} from './proposal';
export { authorOwnerTag, authorPolicyConflict, type ExistingAuthorPolicy } from './policy-owner';
export { wideGrants } from './wide-grants';
export { inferAuthorScope, creatorOf, type AuthorJob, type InferredScope } from './infer-scope';
export { proveProposal, type ProposalProof } from './prove-proposal';
export { principalFromSnapshot, PrincipalSnapshotError } from './snapshot-principal';
export { renderAuthorReport } from './render-author';
export { mergeAuthorPolicy } from './merge-policy';
