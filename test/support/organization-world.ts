/**
 * Jobs in other accounts and regions, for the organisation tests: seeding clients for any account
 * (moto's STS credentials), the job's ARN there, and its CloudTrail event as the home bus delivers it.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { SeedClients } from './aws-world';
import { clientConfig, type DeployTarget } from './cfn-deploy';
import { labelingJobEvent, type CreateLabelingJobEvent, type JobWorld } from './labeling-job-world';

/** Seeding clients for the target's account and region; destroy them with destroySeedClients. */
export function seedClientsOf(target: DeployTarget): SeedClients {
  const config = clientConfig(target);
  return { iam: new IAMClient(config), lambda: new LambdaClient(config), ssm: new SSMClient(config) };
}

/** The ARN SageMaker gives `world`'s job in `account`/`region` (the name in lower case). */
export function labelingJobArnIn(world: JobWorld, account: string, region: string): string {
  return `arn:aws:sagemaker:${region}:${account}:labeling-job/${world.jobName.toLowerCase()}`;
}

/**
 * The CloudTrail event of `world`'s job created in `account`/`region`, as the home bus delivers it:
 * EventBridge keeps the source account and region in the envelope when a rule forwards an event to
 * another bus. moto cannot deliver it: its bus-to-bus forwarding re-puts the event as the target
 * account and region, and a rule with a Lambda target (the deployed home bus rule) makes PutEvents
 * fail there (NotImplementedError in moto 5.2.5), so the tests hand the envelope to the function.
 */
export function forwardedEvent(world: JobWorld, account: string, region: string): CreateLabelingJobEvent {
  const base = labelingJobEvent(world);
  return {
    ...base,
    account,
    region,
    detail: {
      ...base.detail,
      awsRegion: region,
      recipientAccountId: account,
      userIdentity: {
        type: 'AssumedRole',
        arn: `arn:aws:sts::${account}:assumed-role/MLPlatformEngineer/alice`,
        accountId: account,
      },
      responseElements: { labelingJobArn: labelingJobArnIn(world, account, region) },
    },
  };
}
