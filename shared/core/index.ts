/** The pure core: no AWS SDK, no logger, no environment. The CLI and the Lambda both call this. */
export * from './types';
export { parseLabelingJobInput, type ParseResult, type JobOrigin } from './parse-event';
export { inventoryFromSnapshot, SnapshotError } from './snapshot';
export { checkJob, planJob, buildReport, reportJob, type CheckOptions, type JobCheck } from './check-job';
export { decideOutcome, type OutcomeInputs } from './outcome';
export { safeText, safeStrings, safeJson } from './safe-text';
export { reportChange, documentSha256, sameDocument, canonicalJson } from './report-changes';
export { verifyJob, type Verification } from './verify-event';
export { renderReport } from './render';
export { applyChanges } from './patch-documents';
export {
  asList,
  decodePolicyDocument,
  PolicyDocumentError,
  statementsOf as statementsOfDocument,
} from './policy-document';
export { worstSeverity, finding } from './findings';
export { isBuiltinFunction } from './builtin-functions';
export { parseLambdaArn, parseRoleArn, parseS3Uri } from './arn';
export { resourcePoliciesFromSnapshot } from './resource-policies';
export { buildNotification, subjectFor, SUBJECT_LIMIT, type Notification } from './notification';
export { DELIVERY_LIMIT_BYTES, fitReport, resultEventDetail, utf8Length } from './fit-report';
export * from './author';
export { planRemoval, type GrantRemoval, type RemovalPlan } from './remove-grants';
export {
  parseJobEndedEvent,
  verifyJobEnded,
  readGrantRemovals,
  ENDED_STATUSES,
  JOB_STATE_CHANGE,
  type EndedClaims,
} from './job-ended';
export { scopeProblem } from './plan';
