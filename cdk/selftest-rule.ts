/** The second rule: `gt-remediate selftest` events to the function, which answers with reads only. */
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { SELFTEST_EVENT } from '../shared/selftest';

/** Props of {@link SelftestRule}. */
export interface SelftestRuleProps {
  /** The remediate function. */
  function: lambda.IFunction;
}

/** A rule on the default bus for source `gt-permissions-remediator.selftest`, detail-type `Remediator Self Test`. */
export class SelftestRule extends Construct {
  /** The rule. */
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: SelftestRuleProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: 'gt-remediate selftest events, to the Ground Truth permission remediator (reads only)',
      eventPattern: { source: [SELFTEST_EVENT.source], detailType: [SELFTEST_EVENT.detailType] },
    });
    // No retries and no dead-letter queue: a lost test event is what the CLI's timeout reports.
    this.rule.addTarget(new targets.LambdaFunction(props.function, { retryAttempts: 0 }));
  }
}
