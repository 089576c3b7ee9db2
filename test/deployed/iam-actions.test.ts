/** The map from recorded SDK calls to what IAM authorizes, on the call shapes the proxy records. */
import { authorizedRequestsOf } from '../support/iam-actions';
import type { RecordedCall } from '../support/recording-proxy';

const ACCOUNT = '123456789012';
const roleArnOf = (account: string, name: string): string =>
  name === 'exec' ? `arn:aws:iam::${account}:role/service-role/exec` : `arn:aws:iam::${account}:role/${name}`;

function call(
  service: string,
  operation: string,
  params: Record<string, unknown>,
  region = 'eu-west-1',
): RecordedCall {
  return { service, operation, region, accessKeyId: 'AKIA', params, status: 200 };
}

describe('authorizedRequestsOf', () => {
  it.each([
    [
      'a role read names the role ARN with its path',
      call('iam', 'GetRolePolicy', { RoleName: 'exec', PolicyName: 'p' }),
      [['iam:GetRolePolicy', `arn:aws:iam::${ACCOUNT}:role/service-role/exec`, ACCOUNT]],
    ],
    [
      'a managed policy read names the policy, in its own account (aws for AWS managed)',
      call('iam', 'GetPolicyVersion', {
        PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
        VersionId: 'v1',
      }),
      [['iam:GetPolicyVersion', 'arn:aws:iam::aws:policy/ReadOnlyAccess', ACCOUNT]],
    ],
    [
      'Lambda GetFunctionConfiguration by qualified ARN is lambda:GetFunctionConfiguration on the function',
      call('lambda', 'GetFunctionConfiguration', {
        FunctionName: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:consolidate:$LATEST`,
      }),
      [
        [
          'lambda:GetFunctionConfiguration',
          `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:consolidate`,
          ACCOUNT,
        ],
      ],
    ],
    [
      'Lambda GetPolicy by bare name is lambda:GetPolicy in the call region and account',
      call('lambda', 'GetPolicy', { FunctionName: 'consolidate' }),
      [['lambda:GetPolicy', `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:consolidate`, ACCOUNT]],
    ],
    [
      'Lambda ListTags is lambda:ListTags on the resource ARN',
      call('lambda', 'ListTags', { Resource: `arn:aws:lambda:eu-west-1:111111111111:function:f` }),
      [['lambda:ListTags', 'arn:aws:lambda:eu-west-1:111111111111:function:f', '111111111111']],
    ],
    [
      'AssumeRole is sts:AssumeRole on the role, in the role account',
      call('sts', 'AssumeRole', { RoleArn: 'arn:aws:iam::222222222222:role/Member' }),
      [['sts:AssumeRole', 'arn:aws:iam::222222222222:role/Member', '222222222222']],
    ],
    [
      'GetParameter names the parameter ARN (path names keep their leading slash once)',
      call('ssm', 'GetParameter', { Name: '/stack/dry-run' }, 'us-east-1'),
      [['ssm:GetParameter', `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/stack/dry-run`, ACCOUNT]],
    ],
    [
      'PutEvents is events:PutEvents on each entry bus, by name or ARN',
      call('events', 'PutEvents', {
        Entries: [
          { EventBusName: 'results' },
          { EventBusName: 'arn:aws:events:us-east-1:333333333333:event-bus/x' },
        ],
      }),
      [
        ['events:PutEvents', `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/results`, ACCOUNT],
        ['events:PutEvents', 'arn:aws:events:us-east-1:333333333333:event-bus/x', '333333333333'],
      ],
    ],
    [
      'DescribeLabelingJob names the job ARN in lower case',
      call('sagemaker', 'DescribeLabelingJob', { LabelingJobName: 'My-Job' }),
      [
        [
          'sagemaker:DescribeLabelingJob',
          `arn:aws:sagemaker:eu-west-1:${ACCOUNT}:labeling-job/my-job`,
          ACCOUNT,
        ],
      ],
    ],
    ['GetCallerIdentity needs no permission', call('sts', 'GetCallerIdentity', {}), []],
  ])('%s', (_, recorded, expected) => {
    expect(
      authorizedRequestsOf(recorded, ACCOUNT, roleArnOf).map((r) => [
        r.action,
        r.resource,
        r.resourceAccount,
      ]),
    ).toEqual(expected);
  });

  it('refuses an operation it has no mapping for, so no call passes the proof unexamined', () => {
    expect(() =>
      authorizedRequestsOf(call('iam', 'CreateRole', { RoleName: 'x' }), ACCOUNT, roleArnOf),
    ).toThrow(/no IAM action mapping for iam CreateRole/);
    expect(() => authorizedRequestsOf(call('lambda', 'UNKNOWN GET /x', {}), ACCOUNT, roleArnOf)).toThrow(
      /no IAM action mapping/,
    );
  });

  it('refuses a call missing the parameter that names its resource', () => {
    expect(() => authorizedRequestsOf(call('iam', 'GetRole', {}), ACCOUNT, roleArnOf)).toThrow(/no RoleName/);
  });
});
