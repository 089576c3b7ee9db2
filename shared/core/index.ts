/** The pure core: no AWS SDK, no logger, no environment. The CLI and the Lambda both call this. */
export * from './types';
export { parseLabelingJobInput, type ParseResult, type JobOrigin } from './parse-event';
export { inventoryFromSnapshot, SnapshotError } from './snapshot';
export { checkJob, buildReport, outcomeOf, type CheckOptions } from './check-job';
export { renderReport } from './render';
export { applyChanges } from './patch-documents';
export { decodePolicyDocument, PolicyDocumentError } from './policy-document';
export { worstSeverity, finding } from './findings';
export { isBuiltinFunction } from './builtin-functions';
export { parseLambdaArn, parseRoleArn } from './arn';
export { buildNotification, subjectFor, SUBJECT_LIMIT, type Notification } from './notification';
