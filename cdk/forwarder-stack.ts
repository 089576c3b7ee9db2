/** Every region of every account where jobs run (a StackSet): CreateLabelingJob calls forwarded to the home bus. */
import { BootstraplessSynthesizer, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { createLabelingJobPattern, labelingJobEndedPattern } from './remediation-stack';

/** Props of {@link ForwarderStack}. */
export interface ForwarderStackProps extends StackProps {
  /** Default of the HomeBusArn parameter. */
  homeBusArn?: string;
}

/**
 * The CreateLabelingJob rule (no errorCode) on the default bus, targeting the home bus across
 * accounts and regions with the role EventBridge needs. A standalone template for StackSets.
 */
export class ForwarderStack extends Stack {
  /** The forwarding rule. */
  readonly rule: events.Rule;
  /** The forwarding rule for labeling jobs that ended. */
  readonly endedRule: events.Rule;

  constructor(scope: Construct, id: string, props: ForwarderStackProps = {}) {
    super(scope, id, { ...props, synthesizer: new BootstraplessSynthesizer(), analyticsReporting: false });
    const homeBusArn = new CfnParameter(this, 'HomeBusArn', {
      type: 'String',
      ...(props.homeBusArn ? { default: props.homeBusArn } : {}),
      allowedPattern: '^arn:aws[a-z-]*:events:[a-z0-9-]+:\\d{12}:event-bus/[\\w.-]+$',
      description: 'ARN of the remediator home bus (stack output HomeBusArn)',
    });
    const homeBus = events.EventBus.fromEventBusArn(this, 'HomeBus', homeBusArn.valueAsString);
    const role = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'Lets EventBridge put CreateLabelingJob events on the remediator home bus',
    });
    this.rule = new events.Rule(this, 'ForwardCreateLabelingJob', {
      description:
        'Successful SageMaker CreateLabelingJob calls, to the Ground Truth permission remediator home bus',
      eventPattern: createLabelingJobPattern(),
    });
    this.rule.addTarget(new targets.EventBus(homeBus, { role }));
    this.endedRule = new events.Rule(this, 'ForwardLabelingJobEnded', {
      description:
        'Ground Truth labeling jobs that ended, to the remediator home bus (their read grants are removed)',
      eventPattern: labelingJobEndedPattern(),
    });
    this.endedRule.addTarget(new targets.EventBus(homeBus, { role }));
  }
}
