/** One stack per region: CreateLabelingJob rule → remediate function, topics, dry-run parameter, alarms, grants. */
import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { FUNCTION_ROLE_NAME, MEMBER_ROLE_NAME } from '../shared/aws/member-account';
import { DRY_RUN_VALUE_PATTERN } from '../shared/aws/ssm';
import { ENV } from '../shared/config';
import { AuthorPolicy } from './author-policy';
import { ManagementEventTrail } from './management-event-trail';
import { NotificationTopics } from './notification-topics';
import { RemediateFunction } from './remediate-function';
import { RemediationAlarms } from './remediation-alarms';
import { SelftestRule } from './selftest-rule';
import { ACCOUNT_ROLES, remediatorStatements, SERVED_ACCOUNT_ROLES } from './remediator-permissions';
import type { OrganizationSettings, StackSettings } from './stack-settings';

/** Successful CreateLabelingJob calls as CloudTrail reports them (the remediator's and the forwarder's rule). */
export function createLabelingJobPattern(): events.EventPattern {
  return {
    source: ['aws.sagemaker'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['sagemaker.amazonaws.com'],
      eventName: ['CreateLabelingJob'],
      // A failed call created no job, and its caller may not have been allowed to pass the role.
      errorCode: events.Match.doesNotExist(),
    },
  };
}

/**
 * A labeling job that has ended (SageMaker's own event, `detail.LabelingJobStatus`): the grants
 * made for it alone are removed (the remediator's and the forwarder's second rule).
 */
export function labelingJobEndedPattern(): events.EventPattern {
  return {
    source: ['aws.sagemaker'],
    detailType: ['SageMaker Ground Truth Labeling Job State Change'],
    detail: { LabelingJobStatus: ['Completed', 'Failed', 'Stopped'] },
  };
}

/** Props of {@link RemediationStack}. */
export interface RemediationStackProps extends StackProps {
  settings: StackSettings;
}

/** The whole service for one region. */
export class RemediationStack extends Stack {
  /** Report and alarm topics. */
  readonly notifications: NotificationTopics;
  /** The function with its role, log group and dead-letter queue. */
  readonly remediate: RemediateFunction;
  /** The SSM parameter the function reads per invocation: "true" means propose only. */
  readonly dryRunParameter: ssm.StringParameter;
  /** The EventBridge rule on successful CreateLabelingJob calls. */
  readonly rule: events.Rule;
  /** The EventBridge rule on labeling jobs that ended (their read grants are removed). */
  readonly endedRule: events.Rule;
  /** Failure alarms. */
  readonly alarms: RemediationAlarms;
  /** Role ARN patterns the function may write: the context value, or every role of the account. */
  readonly managedRolePatterns: string[];
  /** The bus the function puts its result events on (context resultBusName). */
  readonly resultBus: events.EventBus;
  /** The optional trail (context createTrail=true). */
  readonly trail?: ManagementEventTrail;
  /** Organisation mode: the bus the forwarders put every account's and region's events on. */
  readonly homeBus?: events.EventBus;
  /** Organisation mode: the rule on the home bus. */
  readonly homeBusRule?: events.Rule;
  /** Organisation mode: the ended-job rule on the home bus. */
  readonly homeBusEndedRule?: events.Rule;

  constructor(scope: Construct, id: string, props: RemediationStackProps) {
    super(scope, id, props);
    const settings = props.settings;

    this.notifications = new NotificationTopics(this, 'Notifications', {
      email: settings.notificationEmail,
      ...(settings.emailOutcomes ? { emailOutcomes: settings.emailOutcomes } : {}),
    });
    this.dryRunParameter = new ssm.StringParameter(this, 'DryRunParameter', {
      parameterName: `/${this.stackName}/dry-run`,
      stringValue: String(settings.dryRunDefault),
      allowedPattern: DRY_RUN_VALUE_PATTERN,
      description:
        'true: the remediator only proposes changes; false: it applies them. Unreadable means true.',
    });
    this.remediate = new RemediateFunction(this, 'Remediate');
    const fn = this.remediate.function;
    const role = this.remediate.role;
    const organization = settings.organization;
    // Member templates trust this role by ARN: a fixed name lets them be written before it exists.
    if (organization) (role.node.defaultChild as iam.CfnRole).roleName = FUNCTION_ROLE_NAME;
    // Result events carry reports: they go to a bus of their own, not the account's default bus.
    this.resultBus = new events.EventBus(this, 'ResultBus', {
      eventBusName: settings.resultBusName ?? `${this.stackName}-results`,
      description: 'Labeling Job Permissions Checked events of the Ground Truth permission remediator',
    });
    const managedRolePatterns =
      settings.managedRolePatterns.length > 0 ? settings.managedRolePatterns : [ACCOUNT_ROLES];
    this.managedRolePatterns = managedRolePatterns;

    const environment: Record<string, string> = {
      [ENV.topicArn]: this.notifications.reportTopic.topicArn,
      [ENV.dryRunParameterName]: this.dryRunParameter.parameterName,
      [ENV.strategy]: settings.strategy,
      // Organisation mode with the default scope: every served account's roles (each member role may
      // write only its own account's roles; the function's own policy only the home account's).
      [ENV.scopeRolePatterns]: (organization && settings.managedRolePatterns.length === 0
        ? [SERVED_ACCOUNT_ROLES]
        : managedRolePatterns
      ).join(','),
      [ENV.eventBusName]: this.resultBus.eventBusName,
      [ENV.notifyCompliant]: String(settings.notifyCompliant),
      [ENV.selfRoleArn]: role.roleArn,
      ...(settings.managedRoleTag
        ? { [ENV.scopeTag]: `${settings.managedRoleTag.key}=${settings.managedRoleTag.value}` }
        : {}),
      ...(settings.protectedRoles ? { [ENV.protectedRoles]: settings.protectedRoles.join(',') } : {}),
      ...(organization?.organizationId ? { [ENV.organizationId]: organization.organizationId } : {}),
      ...(organization && organization.accounts.length > 0
        ? { [ENV.allowedAccounts]: organization.accounts.join(',') }
        : {}),
    };
    for (const [name, value] of Object.entries(environment)) fn.addEnvironment(name, value);

    for (const statement of remediatorStatements({
      managedRolePatterns,
      ...(settings.managedRoleTag ? { managedRoleTag: settings.managedRoleTag } : {}),
      ownRoleArn: role.roleArn,
      ...(settings.protectedRoles ? { protectedRoles: settings.protectedRoles } : {}),
      // Organisation mode: the home account's other regions forward their jobs here too.
      ...(organization ? { region: '*' } : {}),
    })) {
      role.addToPrincipalPolicy(statement);
    }
    if (organization)
      for (const statement of assumeMemberRoles(organization)) role.addToPrincipalPolicy(statement);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadDryRunFlag',
        actions: ['ssm:GetParameter'],
        resources: [this.dryRunParameter.parameterArn],
      }),
    );
    this.notifications.reportTopic.grantPublish(role);
    this.resultBus.grantPutEventsTo(role);

    this.rule = new events.Rule(this, 'CreateLabelingJobRule', {
      description: 'Successful SageMaker CreateLabelingJob calls, to the Ground Truth permission remediator',
      eventPattern: createLabelingJobPattern(),
    });
    this.rule.addTarget(new targets.LambdaFunction(fn, { deadLetterQueue: this.remediate.deadLetterQueue }));
    this.endedRule = new events.Rule(this, 'LabelingJobEndedRule', {
      description:
        'Ground Truth labeling jobs that completed, failed or stopped: the remediator removes their read grants',
      eventPattern: labelingJobEndedPattern(),
    });
    this.endedRule.addTarget(
      new targets.LambdaFunction(fn, { deadLetterQueue: this.remediate.deadLetterQueue }),
    );
    new SelftestRule(this, 'SelftestRule', { function: fn });
    if (organization) {
      this.homeBus = homeBus(this, organization);
      this.homeBusRule = new events.Rule(this, 'HomeBusRule', {
        description:
          'CreateLabelingJob calls forwarded from every account and region, to the Ground Truth permission remediator',
        eventBus: this.homeBus,
        eventPattern: createLabelingJobPattern(),
      });
      this.homeBusRule.addTarget(
        new targets.LambdaFunction(fn, { deadLetterQueue: this.remediate.deadLetterQueue }),
      );
      this.homeBusEndedRule = new events.Rule(this, 'HomeBusEndedRule', {
        description:
          'Ended labeling jobs forwarded from every account and region: their read grants are removed',
        eventBus: this.homeBus,
        eventPattern: labelingJobEndedPattern(),
      });
      this.homeBusEndedRule.addTarget(
        new targets.LambdaFunction(fn, { deadLetterQueue: this.remediate.deadLetterQueue }),
      );
    }

    this.alarms = new RemediationAlarms(this, 'Alarms', {
      function: fn,
      deadLetterQueue: this.remediate.deadLetterQueue,
      topic: this.notifications.alarmTopic,
    });
    this.notifications.allowAlarms(this.alarms.all());

    if (settings.createTrail) this.trail = new ManagementEventTrail(this, 'ManagementEventTrail');
    if (settings.authorPolicy)
      new AuthorPolicy(this, 'AuthorPolicy', {
        ...(settings.authorFunctionPrefix ? { functionPrefix: settings.authorFunctionPrefix } : {}),
      });

    new CfnOutput(this, 'TopicArn', {
      value: this.notifications.reportTopic.topicArn,
      description: 'Report topic',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.notifications.alarmTopic.topicArn,
      description: 'Alarm topic',
    });
    new CfnOutput(this, 'DryRunParameterName', {
      value: this.dryRunParameter.parameterName,
      description: 'Set to false to let the remediator apply its changes',
    });
    new CfnOutput(this, 'FunctionName', { value: fn.functionName });
    new CfnOutput(this, 'ResultBusName', {
      value: this.resultBus.eventBusName,
      description: 'Event bus of the result events',
    });
    new CfnOutput(this, 'RuleName', { value: this.rule.ruleName });
    new CfnOutput(this, 'FunctionRoleArn', {
      value: role.roleArn,
      description: 'The function role: parameter RemediatorRoleArn of the member role StackSet',
    });
    if (this.homeBus) {
      new CfnOutput(this, 'HomeBusArn', {
        value: this.homeBus.eventBusArn,
        description: 'The home bus: parameter HomeBusArn of the forwarder StackSet',
      });
    }
  }
}

/**
 * The home bus: PutEvents only from accounts of the organisation (aws:PrincipalOrgID) or listed by ID.
 * A forwarder's rule puts events with its own role, so the principal is that account's role.
 */
function homeBus(scope: Construct, organization: OrganizationSettings): events.EventBus {
  const stackName = Stack.of(scope).stackName;
  const bus = new events.EventBus(scope, 'HomeBus', {
    eventBusName: `${stackName}-home`,
    description: 'CreateLabelingJob events forwarded from member accounts and regions',
  });
  if (organization.organizationId) {
    bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PutEventsFromOrganization',
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': organization.organizationId } },
      }),
    );
  }
  if (organization.accounts.length > 0) {
    bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PutEventsFromListedAccounts',
        principals: organization.accounts.map((account) => new iam.AccountPrincipal(account)),
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
      }),
    );
  }
  return bus;
}

/** sts:AssumeRole on the member role: in accounts of the organisation (aws:ResourceOrgID), or listed ones. */
function assumeMemberRoles(organization: OrganizationSettings): iam.PolicyStatement[] {
  const memberRole = (account: string): string =>
    `arn:${Aws.PARTITION}:iam::${account}:role/${MEMBER_ROLE_NAME}`;
  const statements: iam.PolicyStatement[] = [];
  if (organization.organizationId) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'AssumeMemberRoleInOrganization',
        actions: ['sts:AssumeRole'],
        resources: [memberRole('*')],
        conditions: { StringEquals: { 'aws:ResourceOrgID': organization.organizationId } },
      }),
    );
  }
  if (organization.accounts.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'AssumeMemberRoleInListedAccounts',
        actions: ['sts:AssumeRole'],
        resources: organization.accounts.map(memberRole),
      }),
    );
  }
  return statements;
}
