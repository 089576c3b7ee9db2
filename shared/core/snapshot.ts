/**
 * Builds an AccountInventory from an offline account snapshot: the output of
 * `aws iam get-account-authorization-details` and of `aws lambda list-functions`.
 */
import * as z from './schema';
import { parseLambdaArn } from './arn';
import { knownManagedPolicy } from './managed-policies';
import { decodePolicyDocument, PolicyDocumentError } from './policy-document';
import type { AccountInventory, AttachedPolicy, FunctionInfo, PolicyDocument, RoleInfo } from './types';

/** A snapshot file that does not have the shape the AWS CLI prints. */
export class SnapshotError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SnapshotError';
  }
}

/** A policy document as GAAD gives it: URL-encoded text or a JSON object. */
export const documentField = z.union([z.string(), z.record(z.string(), z.unknown())]);

/** GAAD's `Policies`: customer and AWS managed policies with their versions (also read by the author checks). */
export const gaadPolicyList = z._default(
  z.array(
    z.object({
      PolicyName: z.string(),
      Arn: z.string(),
      DefaultVersionId: z.optional(z.string()),
      PolicyVersionList: z._default(
        z.array(
          z.object({
            Document: z.optional(documentField),
            VersionId: z.string(),
            IsDefaultVersion: z.optional(z.boolean()),
          }),
        ),
        [],
      ),
    }),
  ),
  [],
);

const iamSnapshot = z.object({
  RoleDetailList: z.array(
    z.object({
      Path: z._default(z.string(), '/'),
      RoleName: z.string(),
      Arn: z.string(),
      AssumeRolePolicyDocument: documentField,
      RolePolicyList: z._default(
        z.array(z.object({ PolicyName: z.string(), PolicyDocument: documentField })),
        [],
      ),
      AttachedManagedPolicies: z._default(
        z.array(z.object({ PolicyName: z.string(), PolicyArn: z.string() })),
        [],
      ),
      PermissionsBoundary: z.optional(z.object({ PermissionsBoundaryArn: z.string() })),
      Tags: z._default(z.array(z.object({ Key: z.string(), Value: z.string() })), []),
    }),
  ),
  Policies: gaadPolicyList,
});

const tagList = z.array(z.object({ Key: z.string(), Value: z.string() }));

const lambdaSnapshot = z.object({
  Functions: z.array(
    z.object({
      FunctionArn: z.string(),
      Role: z.string(),
      // Not in list-functions output; present when the export was merged with ListTags (either shape).
      Tags: z.optional(z.union([z.record(z.string(), z.string()), tagList])),
    }),
  ),
});

const IAM_FIX = 'export it with: aws iam get-account-authorization-details --output json > iam.json';
const LAMBDA_FIX = 'export it with: aws lambda list-functions --output json > lambda.json';
const PAGED_FIX = 'export with the AWS CLI, which joins the pages';

/** What the fields of the two exports are, in words, for error messages. */
const FIELD_WORDS: Record<string, string> = {
  RoleDetailList: 'the list of roles',
  Policies: 'the list of managed policies',
  Path: "the role's path",
  RoleName: "the role's name",
  Arn: 'the ARN',
  AssumeRolePolicyDocument: 'the trust policy',
  RolePolicyList: 'the inline policies',
  AttachedManagedPolicies: 'the attached managed policies',
  PermissionsBoundary: 'the permissions boundary',
  PermissionsBoundaryArn: "the boundary policy's ARN",
  Tags: 'the tags',
  Key: 'the tag key',
  Value: 'the tag value',
  PolicyName: "the policy's name",
  PolicyDocument: 'the policy document',
  PolicyArn: "the policy's ARN",
  DefaultVersionId: 'the default version ID',
  PolicyVersionList: 'the policy versions',
  Document: "the version's document",
  VersionId: 'the version ID',
  IsDefaultVersion: 'whether the version is the default',
  Functions: 'the list of functions',
  FunctionArn: "the function's ARN",
  Role: "the function's execution role ARN",
};

/** Converts the two parsed snapshot files into the inventory the core reads. Throws SnapshotError. */
export function inventoryFromSnapshot(iamJson: unknown, lambdaJson: unknown): AccountInventory {
  checkIamShape(iamJson);
  const iam = iamSnapshot.safeParse(iamJson);
  if (!iam.success) throw new SnapshotError(issueInWords('iam.json', iam.error.issues[0], iamJson, IAM_FIX));
  // `--query Functions` (or jq '.Functions') leaves the bare array: the same functions.
  const lambdaObject = Array.isArray(lambdaJson) ? { Functions: lambdaJson as unknown } : lambdaJson;
  checkLambdaShape(lambdaObject);
  const lambda = lambdaSnapshot.safeParse(lambdaObject);
  if (!lambda.success) {
    throw new SnapshotError(issueInWords('lambda.json', lambda.error.issues[0], lambdaObject, LAMBDA_FIX));
  }

  const policies = new Map<string, PolicyDocument | undefined>();
  for (const policy of iam.data.Policies) {
    const version =
      policy.PolicyVersionList.find((v) => v.VersionId === policy.DefaultVersionId) ??
      policy.PolicyVersionList.find((v) => v.IsDefaultVersion);
    policies.set(
      policy.Arn,
      version?.Document === undefined ? undefined : decode(version.Document, `policy ${policy.Arn}`),
    );
  }
  const attached = (arn: string, name: string): AttachedPolicy => {
    const document = policies.get(arn);
    if (document) return { arn, name, document };
    return knownManagedPolicy(arn) ?? { arn, name };
  };

  const roles = new Map<string, RoleInfo>();
  for (const role of iam.data.RoleDetailList) {
    roles.set(role.RoleName, {
      arn: role.Arn,
      name: role.RoleName,
      path: role.Path,
      trustPolicy: decode(role.AssumeRolePolicyDocument, `trust policy of ${role.RoleName}`),
      inlinePolicies: role.RolePolicyList.map((p) => ({
        name: p.PolicyName,
        document: decode(p.PolicyDocument, `inline policy ${p.PolicyName} of ${role.RoleName}`),
      })),
      managedPolicies: role.AttachedManagedPolicies.map((p) => attached(p.PolicyArn, p.PolicyName)),
      ...(role.PermissionsBoundary
        ? {
            boundary: attached(
              role.PermissionsBoundary.PermissionsBoundaryArn,
              nameOf(role.PermissionsBoundary.PermissionsBoundaryArn),
            ),
          }
        : {}),
      tags: Object.fromEntries(role.Tags.map((t) => [t.Key, t.Value])),
    });
  }

  const functions = new Map<string, FunctionInfo>();
  for (const fn of lambda.data.Functions) {
    const parsed = parseLambdaArn(fn.FunctionArn);
    if (!parsed) throw new SnapshotError(`lambda.json: "${fn.FunctionArn}" is not a function ARN`);
    const tags = tagsOf(fn.Tags);
    functions.set(parsed.unqualified, {
      arn: parsed.unqualified,
      roleArn: fn.Role,
      // No Tags in the export means "unknown", not "none": leave the field out.
      ...(tags ? { tags } : {}),
    });
  }
  return { roles, functions };
}

/**
 * A one-line warning when lambda.json lists functions but none in the job's region (it was exported
 * from another region, so every custom function would be "not found"); undefined otherwise.
 */
export function snapshotRegionMismatch(
  functions: Pick<AccountInventory, 'functions'> | Iterable<Pick<FunctionInfo, 'arn'>>,
  jobRegion: string,
): string | undefined {
  const list = 'functions' in functions ? functions.functions.values() : functions;
  const regions = new Set<string>();
  for (const fn of list) {
    const region = parseLambdaArn(fn.arn)?.region;
    if (region === jobRegion) return undefined;
    if (region) regions.add(region);
  }
  if (regions.size === 0) return undefined;
  return `lambda.json lists functions in ${[...regions].sort().join(', ')} only, the job runs in ${jobRegion}: export it with --region ${jobRegion}`;
}

/** iam.json must be the whole output of get-account-authorization-details, not another command's or one page. */
function checkIamShape(json: unknown): void {
  if (!isObject(json)) {
    throw new SnapshotError(
      `iam.json is ${kindOf(json)}, not the output of get-account-authorization-details; ${IAM_FIX}`,
    );
  }
  if (json.IsTruncated === true || json.NextToken !== undefined) {
    throw new SnapshotError(
      `iam.json is one page of several (${json.IsTruncated === true ? 'IsTruncated' : 'NextToken'}); ${PAGED_FIX}: aws iam get-account-authorization-details --output json > iam.json`,
    );
  }
  if (json.RoleDetailList === undefined) {
    const looksLike =
      json.Roles !== undefined
        ? "it has Roles, as `aws iam list-roles` prints, which lacks the roles' policies"
        : json.Role !== undefined
          ? "it has Role, as `aws iam get-role` prints, which lacks the role's policies"
          : Object.keys(json).length === 0
            ? 'it is an empty object'
            : `it has ${Object.keys(json).slice(0, 3).join(', ')}`;
    throw new SnapshotError(
      `iam.json has no RoleDetailList (the list of roles), so it is not the output of get-account-authorization-details (${looksLike}); ${IAM_FIX}`,
    );
  }
  if (!Array.isArray(json.RoleDetailList)) {
    throw new SnapshotError(
      `iam.json: RoleDetailList: the list of roles is ${kindOf(json.RoleDetailList)}, not a list; ${IAM_FIX}`,
    );
  }
  if (json.Policies !== undefined && !Array.isArray(json.Policies)) {
    throw new SnapshotError(
      `iam.json: Policies: the list of managed policies is ${kindOf(json.Policies)}, not a list; ${IAM_FIX}`,
    );
  }
}

/** lambda.json must be the whole output of list-functions (the bare Functions array was unwrapped already). */
function checkLambdaShape(json: unknown): void {
  if (!isObject(json)) {
    throw new SnapshotError(
      `lambda.json is ${kindOf(json)}, not the output of list-functions; ${LAMBDA_FIX}`,
    );
  }
  const paged =
    json.IsTruncated === true
      ? 'IsTruncated'
      : typeof json.NextMarker === 'string' && json.NextMarker !== ''
        ? 'NextMarker'
        : json.NextToken !== undefined
          ? 'NextToken'
          : undefined;
  if (paged) {
    throw new SnapshotError(
      `lambda.json is one page of several (${paged}); ${PAGED_FIX}: aws lambda list-functions --output json > lambda.json`,
    );
  }
  if (json.Functions === undefined) {
    throw new SnapshotError(
      `lambda.json has no Functions (the list of functions), so it is not the output of list-functions (${
        Object.keys(json).length === 0
          ? 'it is an empty object'
          : `it has ${Object.keys(json).slice(0, 3).join(', ')}`
      }); ${LAMBDA_FIX}`,
    );
  }
  if (!Array.isArray(json.Functions)) {
    throw new SnapshotError(
      `lambda.json: Functions: the list of functions is ${kindOf(json.Functions)}, not a list; ${LAMBDA_FIX}`,
    );
  }
}

/** A schema issue as one line: where (with the entry's name), which field in words, what is wrong, the fix. */
function issueInWords(file: string, issue: z.core.$ZodIssue | undefined, root: unknown, fix: string): string {
  if (!issue) return `${file} does not have the shape the AWS CLI prints; ${fix}`;
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const field = [...path].reverse().find((p): p is string => typeof p === 'string');
  const where = path
    .map((p, i) =>
      typeof p === 'number'
        ? `[${p}]${entryName(valueAt(root, path.slice(0, i + 1)))}`
        : `${i ? '.' : ''}${p}`,
    )
    .join('');
  const value = valueAt(root, path);
  const words = field && FIELD_WORDS[field] ? ` (${FIELD_WORDS[field]})` : '';
  const problem =
    value === undefined
      ? 'is missing'
      : issue.code === 'invalid_type'
        ? `is ${kindOf(value)}, expected ${article(issue.expected)}`
        : `is not valid (${issue.message})`;
  return `${file}: ${where || 'the top level'}${words} ${problem}; ${fix}`;
}

/** ` ("name")` for an entry that has a name field, so the user can find it in a large export. */
function entryName(entry: unknown): string {
  if (!isObject(entry)) return '';
  const name = entry.RoleName ?? entry.PolicyName ?? entry.FunctionName ?? entry.Key;
  return typeof name === 'string' ? ` ("${name}")` : '';
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return `a ${typeof value}`;
}

function article(expected: string): string {
  const words: Record<string, string> = {
    array: 'a list',
    object: 'an object',
    record: 'an object',
    string: 'a string',
    boolean: 'true or false',
    number: 'a number',
  };
  return words[expected] ?? expected;
}

/** Lambda tags as ListTags prints them ({k: v}) or as a tag list ([{Key, Value}]); undefined when absent. */
function tagsOf(tags: Record<string, string> | { Key: string; Value: string }[] | undefined) {
  if (tags === undefined) return undefined;
  if (Array.isArray(tags)) return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
  return { ...tags };
}

function decode(raw: unknown, what: string): PolicyDocument {
  try {
    return decodePolicyDocument(raw);
  } catch (error) {
    if (error instanceof PolicyDocumentError)
      throw new SnapshotError(`iam.json: ${what}: ${error.message}`, { cause: error });
    throw error;
  }
}

function nameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
