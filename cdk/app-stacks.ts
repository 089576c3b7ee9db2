/**
 * The stacks of the app, from context. One account and region: the single RemediationStack. Organisation
 * mode (`-c organization=o-...` and/or `-c accounts=...`): the home RemediationStack plus the standalone
 * forwarder and member role templates that StackSets deploy to every account and region.
 */
import type { App } from 'aws-cdk-lib';
import { FUNCTION_ROLE_NAME } from '../shared/aws/member-account';
import { partitionOfRegion } from '../shared/core/arn';
import { ForwarderStack } from './forwarder-stack';
import { MemberRoleStack } from './member-role-stack';
import { acknowledgeExplainedFindings } from './nag-suppressions';
import { RemediationStack } from './remediation-stack';
import { readStackSettings } from './stack-settings';

/** Stack names: `cdk deploy <name>` and the template file names `cdk synth` writes (`<name>.template.json`). */
export const STACK_NAMES = {
  remediator: 'GtPermissionsRemediator',
  forwarder: 'GtPermissionsRemediatorForwarder',
  member: 'GtPermissionsRemediatorMember',
} as const;

/** What {@link buildStacks} made. */
export interface AppStacks {
  remediator: RemediationStack;
  /** Organisation mode only. */
  forwarder?: ForwarderStack;
  /** Organisation mode only. */
  member?: MemberRoleStack;
}

/** Builds every stack the context asks for; a bad `-c` value throws a ConfigError naming the key. */
export function buildStacks(app: App): AppStacks {
  const settings = readStackSettings(app.node);
  const organization = settings.organization;
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const homeRegion = organization?.homeRegion ?? process.env.CDK_DEFAULT_REGION;
  const remediator = new RemediationStack(app, STACK_NAMES.remediator, {
    settings,
    ...(organization?.homeRegion ? { env: { region: organization.homeRegion, account } } : {}),
  });
  acknowledgeExplainedFindings(remediator);
  if (!organization) return { remediator };
  // Parameter defaults only where the home account and region are known at synth time.
  const known =
    account && homeRegion
      ? { account, region: homeRegion, partition: partitionOfRegion(homeRegion) }
      : undefined;
  const forwarder = new ForwarderStack(app, STACK_NAMES.forwarder, {
    ...(known
      ? {
          homeBusArn: `arn:${known.partition}:events:${known.region}:${known.account}:event-bus/${STACK_NAMES.remediator}-home`,
        }
      : {}),
  });
  const member = new MemberRoleStack(app, STACK_NAMES.member, {
    ...(known
      ? { remediatorRoleArn: `arn:${known.partition}:iam::${known.account}:role/${FUNCTION_ROLE_NAME}` }
      : {}),
    ...(organization.organizationId ? { organizationId: organization.organizationId } : {}),
    // The member role writes within the same scope as the function (issue 11: "the same scoped writes").
    managedRolePatterns: settings.managedRolePatterns,
    ...(settings.managedRoleTag ? { managedRoleTag: settings.managedRoleTag } : {}),
    ...(settings.protectedRoles ? { protectedRoles: settings.protectedRoles } : {}),
  });
  return { remediator, forwarder, member };
}
