/** The protected role list: which role ARNs it covers, what an operator may add, and that nothing removes a built-in. */
import { FUNCTION_ROLE_NAME, MEMBER_ROLE_NAME } from '../../shared/aws/member-account';
import { ConfigError, parseProtectedRoles } from '../../shared/config';
import {
  BUILT_IN_PROTECTED_ROLES,
  protectedRoleArnPatterns,
  protectedRoleMatch,
} from '../../shared/core/protected-roles';

const ACCOUNT = '111122223333';
const role = (resource: string, partition = 'aws'): string =>
  `arn:${partition}:iam::${ACCOUNT}:role/${resource}`;

describe('protectedRoleMatch', () => {
  it.each([
    ['OrganizationAccountAccessRole', 'OrganizationAccountAccessRole ('],
    ['AWSControlTowerExecution', 'AWSControlTowerExecution ('],
    ['AWSCloudFormationStackSetExecutionRole', 'AWSCloudFormationStackSetExecutionRole ('],
    ['stacksets-exec-0123456789abcdef0123456789abcdef', 'stacksets-exec-* ('],
    ['cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1', 'cdk-* ('],
    ['cdk-hnb659fds-deploy-role-111122223333-eu-west-1', 'cdk-* ('],
    ['cdk-other-qualifier-lookup-role', 'cdk-* ('],
    ['GtPermissionsRemediatorFunction', 'GtPermissionsRemediatorFunction ('],
    ['GtPermissionsRemediatorMember', 'GtPermissionsRemediatorMember ('],
    // The same names under a path
    ['admin/OrganizationAccountAccessRole', 'OrganizationAccountAccessRole ('],
    ['a/b/c/AWSControlTowerExecution', 'AWSControlTowerExecution ('],
    ['service-role/stacksets-exec-abc', 'stacksets-exec-* ('],
  ])('protects %s', (resource, described) => {
    expect(protectedRoleMatch(role(resource))?.startsWith(described)).toBe(true);
    // In every partition
    expect(protectedRoleMatch(role(resource, 'aws-cn'))?.startsWith(described)).toBe(true);
    expect(protectedRoleMatch(role(resource, 'aws-us-gov'))?.startsWith(described)).toBe(true);
  });

  it.each([
    // A name that only ends or starts like a protected one is another role
    'LegacyOrganizationAccountAccessRole',
    'OrganizationAccountAccessRoleCopy',
    'admin/MyAWSControlTowerExecution',
    'my-cdk-role',
    'stacksets-execution',
    // IAM matches ARNs case-sensitively, so its Deny does not cover these: neither does the core
    'organizationaccountaccessrole',
    'CDK-hnb659fds-deploy-role',
    'service-role/ReceiptsLabelingExecution',
  ])('leaves %s alone', (resource) => {
    expect(protectedRoleMatch(role(resource))).toBeUndefined();
  });

  it('protects what the operator adds, by name at any path or by ARN pattern', () => {
    const additions = ['BreakGlass*', `arn:aws:iam::${ACCOUNT}:role/platform/*`];
    expect(protectedRoleMatch(role('BreakGlassAdmin'), additions)).toBe(
      'BreakGlass* (added by the operator)',
    );
    expect(protectedRoleMatch(role('ops/BreakGlassAdmin'), additions)).toBe(
      'BreakGlass* (added by the operator)',
    );
    expect(protectedRoleMatch(role('platform/labeling-execution'), additions)).toBe(
      `arn:aws:iam::${ACCOUNT}:role/platform/* (added by the operator)`,
    );
    expect(protectedRoleMatch(role('labeling-execution'), additions)).toBeUndefined();
  });

  it('keeps the built-ins whatever is added', () => {
    for (const additions of [[], ['SomethingElse'], ['OrganizationAccountAccessRole'], ['!cdk-*']]) {
      expect(protectedRoleMatch(role('cdk-hnb659fds-deploy-role'), additions)).toBe(
        'cdk-* (CDK bootstrap role)',
      );
    }
  });
});

describe('protectedRoleArnPatterns', () => {
  it('names each built-in at the root path and under any path, then the additions', () => {
    const patterns = protectedRoleArnPatterns(['BreakGlass', `arn:aws:iam::${ACCOUNT}:role/x/*`], 'aws');
    for (const { name } of BUILT_IN_PROTECTED_ROLES) {
      expect(patterns).toContain(`arn:aws:iam::*:role/${name}`);
      expect(patterns).toContain(`arn:aws:iam::*:role/*/${name}`);
    }
    expect(patterns.slice(-3)).toEqual([
      'arn:aws:iam::*:role/BreakGlass',
      'arn:aws:iam::*:role/*/BreakGlass',
      `arn:aws:iam::${ACCOUNT}:role/x/*`,
    ]);
    expect(protectedRoleArnPatterns(['cdk-*'], 'aws')).toEqual(protectedRoleArnPatterns([], 'aws'));
  });

  it("names the remediator's own fixed role names", () => {
    const names = BUILT_IN_PROTECTED_ROLES.map((r) => r.name);
    expect(names).toContain(FUNCTION_ROLE_NAME);
    expect(names).toContain(MEMBER_ROLE_NAME);
  });
});

describe('parseProtectedRoles', () => {
  it('reads names and ARN patterns, comma- or space-separated, without duplicates', () => {
    expect(
      parseProtectedRoles(
        ' BreakGlass, arn:aws:iam::*:role/platform/*  BreakGlass,, ',
        'context protectedRoles',
      ),
    ).toEqual(['BreakGlass', 'arn:aws:iam::*:role/platform/*']);
    expect(parseProtectedRoles(undefined, 'x')).toEqual([]);
    expect(parseProtectedRoles('', 'x')).toEqual([]);
  });

  it.each(['role/BreakGlass', 'arn:aws:iam::123:role/x', 'arn:aws:s3:::bucket', 'a'.repeat(65), 'name;rm'])(
    'refuses %s, naming the source',
    (entry) => {
      expect(() => parseProtectedRoles(entry, 'context protectedRoles')).toThrow(ConfigError);
      expect(() => parseProtectedRoles(entry, 'context protectedRoles')).toThrow(
        `context protectedRoles: "${entry}" is neither a role name`,
      );
    },
  );
});
