/** The remediate Lambda: serialised, retried, dead-lettered, logging to a group with retention. */
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PROJECT_ROOT, REMEDIATE_ENTRY, REMEDIATE_HANDLER, remediateBundling } from './remediate-bundling';

/** Async retries after the first failed attempt (the Lambda maximum). */
export const RETRY_ATTEMPTS = 2;

/** Events older than this go to the dead-letter queue unprocessed: the job they describe has long failed. */
export const MAX_EVENT_AGE = Duration.hours(1);

/** The function, its role, log group and dead-letter queue. */
export class RemediateFunction extends Construct {
  /** The function EventBridge invokes. */
  readonly function: NodejsFunction;
  /** Its execution role, without AWS managed policies: every grant is explicit. */
  readonly role: iam.Role;
  /** On-failure destination of async invocations (and of EventBridge delivery failures). */
  readonly deadLetterQueue: sqs.Queue;
  /** The function's log group. */
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Ground Truth permission remediator: reads IAM/Lambda/SageMaker, writes the managed role scope',
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      description: 'Checks and fixes the IAM permissions of new SageMaker Ground Truth labeling jobs',
      entry: REMEDIATE_ENTRY,
      handler: REMEDIATE_HANDLER,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.minutes(1),
      // One invocation at a time: the IAM read-modify-write of a shared role must not interleave.
      reservedConcurrentExecutions: 1,
      retryAttempts: RETRY_ATTEMPTS,
      maxEventAge: MAX_EVENT_AGE,
      onFailure: new SqsDestination(this.deadLetterQueue),
      role: this.role,
      logGroup: this.logGroup,
      // No NODE_OPTIONS=--enable-source-maps: the map ships in the asset for symbolication only
      // (see remediateBundling), and loading it would add about 100 ms to every cold start.
      bundling: remediateBundling(),
    });
  }
}
