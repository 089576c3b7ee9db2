/** Shared data model of the pure core: what the job asks for, what the account holds, what we report. */

/** An IAM policy document, as IAM stores it (already URL-decoded and parsed). */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[] | PolicyStatement;
}

/** One IAM policy statement; kept loose because we must round-trip statements we do not understand. */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** The labeling job facts the core needs, from a CloudTrail event or DescribeLabelingJob. */
export interface LabelingJobRequest {
  jobName: string;
  accountId: string;
  region: string;
  executionRoleArn: string;
  preAnnotationLambdaArn?: string;
  postAnnotationLambdaArn?: string;
  outputS3Uri: string;
  /** The job's input manifest (`InputConfig.DataSource.S3DataSource.ManifestS3Uri`), when known. */
  inputManifestS3Uri?: string;
  /** The KMS key the job encrypts its output with (`OutputConfig.KmsKeyId`: key ID, key ARN, alias name or alias ARN), when set. */
  outputKmsKeyId?: string;
  /** When SageMaker created the job (DescribeLabelingJob `CreationTime`, ISO 8601); absent before the job exists. */
  creationTime?: string;
}

/** A customer or AWS managed policy attached to a role; `document` is undefined when we could not read it. */
export interface AttachedPolicy {
  arn: string;
  name: string;
  document?: PolicyDocument;
}

/** Everything IAM tells us about one role that matters for the decision. */
export interface RoleInfo {
  arn: string;
  name: string;
  path: string;
  trustPolicy: PolicyDocument;
  inlinePolicies: { name: string; document: PolicyDocument }[];
  managedPolicies: AttachedPolicy[];
  boundary?: AttachedPolicy;
  tags: Record<string, string>;
}

/** A Lambda function's identity: its unqualified ARN and the role it runs as. */
export interface FunctionInfo {
  arn: string;
  roleArn: string;
  /** The function's tags, when known (live: ListTags; snapshot: when the export includes them). */
  tags?: Record<string, string>;
}

/**
 * What the core may look at: the roles and functions of one account. A role or function that is
 * absent here does not exist (or is unreadable), which the core reports as a finding.
 */
export interface AccountInventory {
  /** Keyed by role name (role names are unique per account, paths are not part of the key). */
  roles: ReadonlyMap<string, RoleInfo>;
  /** Keyed by unqualified function ARN. */
  functions: ReadonlyMap<string, FunctionInfo>;
  /**
   * The resource policies the job's requests meet, when they were looked for (live, or a snapshot's
   * policy files). Absent: not looked for (an inventory built without them).
   */
  resourcePolicies?: ResourcePolicies;
  /** What one listing of the job's output folder showed (live only); absent: not checked. */
  outputFolder?: OutputFolderFact;
}

/** One resource policy as we saw it: none exists, this document, or it could not be read (and why). */
export type SeenPolicy =
  { kind: 'none' } | { kind: 'policy'; document: PolicyDocument } | { kind: 'unseen'; why: string };

/** Resource policies by resource: function ARN as the job names it, bucket name, KMS key ARN. */
export interface ResourcePolicies {
  functions: ReadonlyMap<string, SeenPolicy>;
  buckets: ReadonlyMap<string, SeenPolicy>;
  keys: ReadonlyMap<string, SeenPolicy>;
  /** The job's output key as named (key id, alias name or ARN) → its key ARN, when resolved. */
  keyArns?: ReadonlyMap<string, string>;
}

/**
 * The job's output folder `<output>/<jobName>/` as one ListObjectsV2 page showed it: the date of the
 * oldest object on the page (never its key), and whether the page held every object. Offline (a
 * snapshot) the folder cannot be listed: `checked: false`.
 */
export type OutputFolderFact =
  { checked: true; oldestObject?: string; complete: boolean } | { checked: false; why?: string };

/**
 * How the post-annotation function is let read the job's output: `auto` plans the direct read and,
 * when the execution role is inside the Ground Truth envelope, the trust statement; `assume-role` and
 * `s3-read` plan one way only.
 */
export type Strategy = 'auto' | 'assume-role' | 's3-read';

export type Outcome = 'compliant' | 'remediated' | 'proposed' | 'blocked' | 'error';

export type Severity = 'high' | 'medium' | 'low';

export type FindingCode =
  | 'INVOKE_DENIED'
  | 'OUTPUT_READ_DENIED'
  | 'FUNCTION_NOT_FOUND'
  | 'CROSS_ACCOUNT_FUNCTION'
  | 'ROLE_NOT_FOUND'
  | 'ROLE_OUT_OF_SCOPE'
  | 'POLICY_SIZE_LIMIT'
  | 'POLICY_UNKNOWN'
  | 'PLAN_UNPROVEN'
  | 'EVENT_INVALID'
  | 'EVENT_UNVERIFIED'
  | 'ROLE_NOT_SAGEMAKER_EXECUTION'
  | 'ROLE_NOT_LAMBDA_EXECUTION'
  | 'ROLE_PRIVILEGED'
  | 'AUTHOR_CANNOT_CREATE_FUNCTIONS'
  | 'AUTHOR_CANNOT_DEPLOY_RECIPE'
  | 'AUTHOR_CANNOT_CHOOSE_FUNCTIONS'
  | 'AUTHOR_CANNOT_CREATE_JOB'
  | 'OUTPUT_FOLDER_NOT_NEW'
  | 'EXECUTION_ROLE_CANNOT_WRITE_OUTPUT'
  | 'EXECUTION_ROLE_EXCEEDS_ENVELOPE'
  | 'FUNCTION_ROLE_SHARED'
  | 'POLICY_TOO_COMPLEX';

/**
 * Why a finding was raised, as a code renderers can switch over exhaustively; `Finding.detail` holds
 * the free text (the condition keys, the size, the statement, the mismatching fields...).
 */
export type ReasonCode =
  | 'implicit-deny'
  | 'explicit-deny'
  | 'boundary'
  | 'depends-on-unknown-context'
  | 'execution-role-cannot-read'
  | 'unevaluable'
  | 'execution-role-missing'
  | 'function-role-missing'
  | 'no-such-function'
  | 'other-account'
  | 'other-region'
  | 'document-unavailable'
  | 'service-linked-role'
  | 'identity-center-role'
  | 'remediator-own-role'
  | 'outside-configured-scope'
  | 'missing-scope-tag'
  | 'inline-policies-too-large'
  | 'trust-policy-too-large'
  | 'foreign-statement'
  | 'wildcard-in-output-path'
  | 'proof-failed'
  | 'trust-lacks-service'
  | 'can-escalate'
  | 'event-malformed'
  | 'job-not-found'
  | 'job-mismatch'
  | 'job-too-old'
  | 'job-not-running'
  | 'job-not-ended'
  | 'account-not-allowed'
  | 'protected-role'
  | 'folder-not-new'
  | 'folder-not-checked'
  | 'cannot-write-output'
  | 'outside-envelope'
  | 'shared-function-role'
  | 'too-complex';

/** One thing that is wrong (or cannot be judged) about the job's permissions. */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  principal: string;
  resource: string;
  reason: ReasonCode;
  /** Free text that goes with the reason code, when there is more to say. */
  detail?: string;
  fixable: boolean;
}

/**
 * One IAM write that the plan makes (or would make in dry-run), with the whole document to write.
 * Only the CLI shows whole documents, and only to a person at a terminal; reports carry
 * {@link ReportedChange}s.
 */
export type Change = (
  | { action: 'PutRolePolicy'; roleName: string; policyName: string; document: PolicyDocument }
  | { action: 'UpdateAssumeRolePolicy'; roleName: string; document: PolicyDocument }
  /** A removal that leaves our policy empty; `document` is that empty remainder (never written). */
  | { action: 'DeleteRolePolicy'; roleName: string; policyName: string; document: PolicyDocument }
) & {
  /** The document the plan was built on (undefined: the inline policy did not exist). */
  base?: PolicyDocument;
  /** The Sid of the one statement the remediator owns in this document. */
  ownSid: string;
  /** A removal (shared/core/remove-grants.ts): the ARNs this change takes out of our statement. */
  removed?: string[];
};

/** What a report says about one change: only the statement we own, and hashes of the whole documents. */
export interface ReportedChange {
  action: Change['action'];
  roleName: string;
  policyName?: string;
  /** Our own statement as it stands after the change (nothing else of the document). */
  statements: PolicyStatement[];
  /** The ARNs this change adds to our statement (resources, or trusted principals). */
  added: string[];
  /** The ARNs this change removes from our statement (a removal: the job ended, or undo). */
  removed?: string[];
  /** SHA-256 of the document before (null when the inline policy did not exist) and after. */
  beforeSha256: string | null;
  afterSha256: string;
}

/** The job a report is about; absent (`null`) when the event could not be read. */
export interface ReportJob {
  name: string;
  account: string;
  region: string;
  executionRoleArn: string;
  preAnnotationLambdaArn: string | null;
  postAnnotationLambdaArn: string | null;
  outputS3Uri: string;
}

/** The report JSON (README, "Report JSON"): the CLI's `--json`, the SNS attributes' source, the result event detail. */
export interface Report {
  job: ReportJob | null;
  /** Who created the job (CloudTrail `userIdentity.arn`), when known. */
  createdBy?: string;
  outcome: Outcome;
  dryRun: boolean;
  findings: Finding[];
  changes: ReportedChange[];
  /** Changes a person could apply by hand for findings the remediator may not fix itself. */
  manualChanges?: ReportedChange[];
  /** Why dry-run was on, or why the outcome is `error`, when there is something to say. */
  notes?: string[];
  /** What was cut so the report fits a 256 KiB SNS message or EventBridge entry (fit-report.ts); absent when nothing was. */
  truncated?: string[];
}

/** The operator's choices that the core honours. */
export interface CoreOptions {
  strategy: Strategy;
  /** ARN patterns (`*` and `?` wildcards) of roles the remediator may change; empty = every role of the job's account. */
  scopePatterns: string[];
  /** Optional tag a role must carry to be in scope. */
  scopeTag?: { key: string; value: string };
  /** The remediator's own role, which it must never change. */
  selfRoleArn?: string;
  /**
   * Role names (any path) or role ARN patterns never changed, in addition to the built-in
   * administrative and bootstrap roles of protected-roles.ts, which always apply.
   */
  protectedRoles?: string[];
  invokePolicyName: string;
  assumePolicyName: string;
  readPolicyName: string;
  trustStatementSid: string;
  /** How long after its creation a job is still acted on (the event's maximum age), in ms. */
  maxJobAgeMs?: number;
  /**
   * Condition-key values the caller knows (CLI `--context key=value`, live lookups such as
   * `aws:PrincipalOrgID`); a decision that depends on any other unknown key is reported as such.
   */
  knownContext?: Record<string, string>;
}

/** Names used when the operator does not choose others. */
export const DEFAULT_CORE_OPTIONS: CoreOptions = {
  strategy: 'auto',
  scopePatterns: [],
  invokePolicyName: 'GroundTruthLabelingLambdaInvoke',
  assumePolicyName: 'GroundTruthAssumeExecutionRole',
  readPolicyName: 'GroundTruthReadLabelingOutput',
  trustStatementSid: 'GroundTruthPostAnnotationLambdaAssume',
};
