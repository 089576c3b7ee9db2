/**
 * Roles the remediator never writes, whatever the configured scope: the organisation's and CDK's
 * administrative and bootstrap roles, and its own. One list, read by the core's scope check and by
 * the stacks' explicit Deny (cdk/remediator-permissions.ts), so the report says why before IAM would.
 */
import { matchesWildcard, partitionOf } from './arn';

/** A built-in protected role: a role name (`*` wildcard) at any path, and what it is. */
export interface ProtectedRole {
  name: string;
  what: string;
}

/** The built-in list. Operators may add to it (`-c protectedRoles=`, `--protected-role`), never remove from it. */
export const BUILT_IN_PROTECTED_ROLES: readonly ProtectedRole[] = [
  { name: 'OrganizationAccountAccessRole', what: 'AWS Organizations administrator role' },
  { name: 'AWSControlTowerExecution', what: 'AWS Control Tower administrator role' },
  { name: 'AWSCloudFormationStackSetExecutionRole', what: 'self-managed StackSet execution role' },
  { name: 'stacksets-exec-*', what: 'service-managed StackSet execution role' },
  { name: 'cdk-*', what: 'CDK bootstrap role' },
  // Names fixed in shared/aws/member-account.ts (test/unit/protected-roles.test.ts holds them equal).
  { name: 'GtPermissionsRemediatorFunction', what: "the remediator's function role" },
  { name: 'GtPermissionsRemediatorMember', what: "the remediator's member role" },
];

/** A role name pattern an operator may add: IAM's role name characters plus `*` and `?`. */
const ROLE_NAME_PATTERN = /^[\w+=,.@*?-]{1,64}$/;
/** A role ARN pattern an operator may add (any path; `*` and `?` wildcards). */
const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::(\d{12}|\*):role\/\S+$/;

/** Whether `entry` is an addition the list accepts: a role name pattern or a role ARN pattern. */
export function isProtectedRoleEntry(entry: string): boolean {
  return ROLE_NAME_PATTERN.test(entry) || ROLE_ARN_PATTERN.test(entry);
}

/**
 * The resource part (after `role/`) of the ARNs a name denotes at every path: `Name` at the root
 * path and `*\/Name` under any other. IAM's `*` spans `/`, so `role/*Name` would also cover
 * `role/MyName` (a stranger's role); these two forms cover exactly the name at any path.
 */
export function roleResourcesOfName(name: string): [string, string] {
  return [name, `*/${name}`];
}

/** The ARN patterns of one list entry: a name at every path, or an ARN pattern as given. */
function entryPatterns(entry: string, partition: string, accountId: string): string[] {
  if (entry.startsWith('arn:')) return [entry];
  return roleResourcesOfName(entry).map((resource) => `arn:${partition}:iam::${accountId}:role/${resource}`);
}

/**
 * Every protected role ARN pattern: the built-in names at any path, then the additions (names
 * likewise, ARN patterns as given). `partition` and `accountId` may be CloudFormation tokens.
 */
export function protectedRoleArnPatterns(
  additions: readonly string[],
  partition: string,
  accountId = '*',
): string[] {
  const entries = [...BUILT_IN_PROTECTED_ROLES.map((r) => r.name), ...additions];
  return [...new Set(entries.flatMap((entry) => entryPatterns(entry, partition, accountId)))];
}

/**
 * The entry of the list (built-in or added) that protects `roleArn`, described for a report, or
 * undefined. Matching is IAM's on the whole ARN: case-sensitive, `*` and `?` wildcards.
 */
export function protectedRoleMatch(roleArn: string, additions: readonly string[] = []): string | undefined {
  const partition = partitionOf(roleArn);
  const covers = (entry: string): boolean =>
    entryPatterns(entry, partition, '*').some((pattern) => matchesWildcard(pattern, roleArn));
  const builtIn = BUILT_IN_PROTECTED_ROLES.find((r) => covers(r.name));
  if (builtIn) return `${builtIn.name} (${builtIn.what})`;
  const added = additions.find(covers);
  return added === undefined ? undefined : `${added} (added by the operator)`;
}
