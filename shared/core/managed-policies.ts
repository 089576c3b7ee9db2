/** AWS managed policies the core knows by heart: used when a snapshot names one but lacks its document. */
import { partitionOf } from './arn';
import type { AttachedPolicy, PolicyDocument } from './types';

/** AmazonSageMakerGroundTruthExecution, version v3 (last edited 2022-04-29), from the AWS Managed Policy Reference. */
export const GROUND_TRUTH_EXECUTION_POLICY: AttachedPolicy = {
  arn: 'arn:aws:iam::aws:policy/AmazonSageMakerGroundTruthExecution',
  name: 'AmazonSageMakerGroundTruthExecution',
  document: {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CustomLabelingJobs',
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [
          'arn:aws:lambda:*:*:function:*GtRecipe*',
          'arn:aws:lambda:*:*:function:*LabelingFunction*',
          'arn:aws:lambda:*:*:function:*SageMaker*',
          'arn:aws:lambda:*:*:function:*sagemaker*',
          'arn:aws:lambda:*:*:function:*Sagemaker*',
        ],
      },
      {
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        Resource: [
          'arn:aws:s3:::*GroundTruth*',
          'arn:aws:s3:::*Groundtruth*',
          'arn:aws:s3:::*groundtruth*',
          'arn:aws:s3:::*SageMaker*',
          'arn:aws:s3:::*Sagemaker*',
          'arn:aws:s3:::*sagemaker*',
        ],
      },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: '*',
        Condition: {
          StringEqualsIgnoreCase: {
            's3:ExistingObjectTag/SageMaker': 'true',
          },
        },
      },
      {
        Effect: 'Allow',
        Action: ['s3:GetBucketLocation', 's3:ListBucket'],
        Resource: '*',
      },
      {
        Sid: 'CloudWatch',
        Effect: 'Allow',
        Action: [
          'cloudwatch:PutMetricData',
          'logs:CreateLogStream',
          'logs:CreateLogGroup',
          'logs:DescribeLogStreams',
          'logs:PutLogEvents',
        ],
        Resource: '*',
      },
      {
        Sid: 'StreamingQueue',
        Effect: 'Allow',
        Action: [
          'sqs:CreateQueue',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
          'sqs:SendMessage',
          'sqs:SetQueueAttributes',
        ],
        Resource: 'arn:aws:sqs:*:*:*GroundTruth*',
      },
      {
        Sid: 'StreamingTopicSubscribe',
        Effect: 'Allow',
        Action: 'sns:Subscribe',
        Resource: [
          'arn:aws:sns:*:*:*GroundTruth*',
          'arn:aws:sns:*:*:*Groundtruth*',
          'arn:aws:sns:*:*:*groundTruth*',
          'arn:aws:sns:*:*:*groundtruth*',
          'arn:aws:sns:*:*:*SageMaker*',
          'arn:aws:sns:*:*:*Sagemaker*',
          'arn:aws:sns:*:*:*sageMaker*',
          'arn:aws:sns:*:*:*sagemaker*',
        ],
        Condition: {
          StringEquals: {
            'sns:Protocol': 'sqs',
          },
          StringLike: {
            'sns:Endpoint': 'arn:aws:sqs:*:*:*GroundTruth*',
          },
        },
      },
      {
        Sid: 'StreamingTopic',
        Effect: 'Allow',
        Action: ['sns:Publish'],
        Resource: [
          'arn:aws:sns:*:*:*GroundTruth*',
          'arn:aws:sns:*:*:*Groundtruth*',
          'arn:aws:sns:*:*:*groundTruth*',
          'arn:aws:sns:*:*:*groundtruth*',
          'arn:aws:sns:*:*:*SageMaker*',
          'arn:aws:sns:*:*:*Sagemaker*',
          'arn:aws:sns:*:*:*sageMaker*',
          'arn:aws:sns:*:*:*sagemaker*',
        ],
      },
      {
        Sid: 'StreamingTopicUnsubscribe',
        Effect: 'Allow',
        Action: ['sns:Unsubscribe'],
        Resource: '*',
      },
      {
        Sid: 'WorkforceVPC',
        Effect: 'Allow',
        Action: ['ec2:CreateVpcEndpoint', 'ec2:DescribeVpcEndpoints', 'ec2:DeleteVpcEndpoints'],
        Resource: '*',
        Condition: {
          StringLikeIfExists: {
            'ec2:VpceServiceName': ['*sagemaker-task-resources*', 'aws.sagemaker*labeling*'],
          },
        },
      },
    ],
  },
};

/**
 * The managed policies we can supply when a snapshot lacks them, by ARN suffix. AWS publishes each
 * partition's copy with that partition's ARNs, so the shipped text is rewritten to the policy's own.
 */
export function knownManagedPolicy(arn: string): AttachedPolicy | undefined {
  if (!/^arn:aws[a-z-]*:iam::aws:policy\/AmazonSageMakerGroundTruthExecution$/.test(arn)) return undefined;
  const partition = partitionOf(arn);
  const document =
    partition === 'aws'
      ? GROUND_TRUTH_EXECUTION_POLICY.document
      : (JSON.parse(
          JSON.stringify(GROUND_TRUTH_EXECUTION_POLICY.document).replaceAll(
            '"arn:aws:',
            `"arn:${partition}:`,
          ),
        ) as PolicyDocument);
  return { ...GROUND_TRUTH_EXECUTION_POLICY, arn, ...(document ? { document } : {}) };
}
