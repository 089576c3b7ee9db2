/**
 * What makes a role "privileged": permissions that let whoever acts as the role gain more
 * permissions than it has. The remediator never lets another principal assume, or read as, such a
 * role (ROLE_PRIVILEGED).
 *
 * Built from Rhino Security Labs' published catalogue "AWS IAM Privilege Escalation Methods"
 * (github.com/RhinoSecurityLabs/AWS-IAM-Privilege-Escalation, README.md, methods 1–21), reduced to
 * the single permission each method cannot do without, plus "may perform `*`" (any of these) and
 * role, user and policy creation. A role is privileged when its identity policies (within its
 * permissions boundary) allow any probe below, or might allow it depending on context we cannot see.
 * Editing this list changes what the remediator refuses: keep each entry's source next to it.
 */

/** The kind of resource a probe is evaluated on (a name no real account uses). */
export type ProbeResource = 'role' | 'user' | 'group' | 'policy' | 'function' | 'glue-endpoint' | 'any';

/** One permission that opens an escalation path on its own. */
export interface EscalationProbe {
  action: string;
  resource: ProbeResource;
  /** Where the catalogue describes it. */
  source: string;
}

const RHINO = 'Rhino Security Labs, AWS IAM Privilege Escalation Methods';

/** The catalogue, one permission a line. */
export const ESCALATION_PROBES: readonly EscalationProbe[] = [
  { action: 'iam:CreatePolicyVersion', resource: 'policy', source: `${RHINO} #1` },
  { action: 'iam:SetDefaultPolicyVersion', resource: 'policy', source: `${RHINO} #2` },
  // #3, #15–17, #19, #21 all need iam:PassRole without a service restriction.
  { action: 'iam:PassRole', resource: 'role', source: `${RHINO} #3, #15, #16, #17, #19, #21` },
  { action: 'iam:CreateAccessKey', resource: 'user', source: `${RHINO} #4` },
  { action: 'iam:CreateLoginProfile', resource: 'user', source: `${RHINO} #5` },
  { action: 'iam:UpdateLoginProfile', resource: 'user', source: `${RHINO} #6` },
  { action: 'iam:AttachUserPolicy', resource: 'user', source: `${RHINO} #7` },
  { action: 'iam:AttachGroupPolicy', resource: 'group', source: `${RHINO} #8` },
  { action: 'iam:AttachRolePolicy', resource: 'role', source: `${RHINO} #9` },
  { action: 'iam:PutUserPolicy', resource: 'user', source: `${RHINO} #10` },
  { action: 'iam:PutGroupPolicy', resource: 'group', source: `${RHINO} #11` },
  { action: 'iam:PutRolePolicy', resource: 'role', source: `${RHINO} #12` },
  { action: 'iam:AddUserToGroup', resource: 'group', source: `${RHINO} #13` },
  { action: 'iam:UpdateAssumeRolePolicy', resource: 'role', source: `${RHINO} #14` },
  { action: 'sts:AssumeRole', resource: 'role', source: `${RHINO} #14 (assume any role)` },
  { action: 'lambda:UpdateFunctionCode', resource: 'function', source: `${RHINO} #18` },
  { action: 'glue:UpdateDevEndpoint', resource: 'glue-endpoint', source: `${RHINO} #20` },
  { action: 'iam:CreateRole', resource: 'role', source: 'IAM writes: create a role to pass or assume' },
  { action: 'iam:CreateUser', resource: 'user', source: 'IAM writes: create a user with keys' },
  { action: 'iam:CreatePolicy', resource: 'policy', source: 'IAM writes: create a policy to attach' },
  { action: 'iam:DeleteRolePermissionsBoundary', resource: 'role', source: 'IAM writes: lift a boundary' },
  { action: 'iam:PutRolePermissionsBoundary', resource: 'role', source: 'IAM writes: replace a boundary' },
];
