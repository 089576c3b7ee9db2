/** `gt-remediate author`: the custom-workflow author's own permissions (pure). */
export {
  CAPABILITIES,
  parseCapabilities,
  requestsFor,
  authorArns,
  type Capability,
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
} from './check-author';
export { proposeAuthorPolicy, AUTHOR_POLICY_NAME, authorPolicyArn } from './proposal';
export { proveProposal, type ProposalProof } from './prove-proposal';
export { principalFromSnapshot, PrincipalSnapshotError } from './snapshot-principal';
export { renderAuthorReport } from './render-author';
export { mergeAuthorPolicy } from './merge-policy';
