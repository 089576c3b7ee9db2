/**
 * An IAM client mocked with aws-sdk-client-mock that forwards every read to moto, and each write to
 * moto or to an AccessDenied error: the faults are fake, the IAM state read back afterwards is real.
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  IAMServiceException,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  type GetPolicyCommandInput,
  type GetPolicyVersionCommandInput,
  type GetRoleCommandInput,
  type GetRolePolicyCommandInput,
  type IAMClientResolvedConfig,
  type ListAttachedRolePoliciesCommandInput,
  type ListRolePoliciesCommandInput,
  type PutRolePolicyCommandInput,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  type UpdateAssumeRolePolicyCommandInput,
} from '@aws-sdk/client-iam';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';

/** An IAM error as the SDK raises it for an error code it has no class for (Throttling, AccessDenied). */
export function iamError(name: string, message: string): IAMServiceException {
  return new IAMServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
}

/** The stub aws-sdk-client-mock puts on an IAM client. */
export type IamStub = AwsStub<ServiceInputTypes, ServiceOutputTypes, IAMClientResolvedConfig>;

/** A write the remediator attempts: the role, and the policy name for PutRolePolicy. */
export interface AttemptedWrite {
  roleName?: string;
  policyName?: string;
}

/** Mocks `client`, forwarding every read to `moto` and each write `allowWrite` accepts; other writes get AccessDenied. */
export function iamForwardingToMoto(
  client: IAMClient,
  moto: IAMClient,
  allowWrite: (write: AttemptedWrite) => boolean,
): IamStub {
  const mock = mockClient(client);
  mock.on(GetRoleCommand).callsFake((input: GetRoleCommandInput) => moto.send(new GetRoleCommand(input)));
  mock
    .on(ListRolePoliciesCommand)
    .callsFake((input: ListRolePoliciesCommandInput) => moto.send(new ListRolePoliciesCommand(input)));
  mock
    .on(GetRolePolicyCommand)
    .callsFake((input: GetRolePolicyCommandInput) => moto.send(new GetRolePolicyCommand(input)));
  mock
    .on(ListAttachedRolePoliciesCommand)
    .callsFake((input: ListAttachedRolePoliciesCommandInput) =>
      moto.send(new ListAttachedRolePoliciesCommand(input)),
    );
  mock
    .on(GetPolicyCommand)
    .callsFake((input: GetPolicyCommandInput) => moto.send(new GetPolicyCommand(input)));
  mock
    .on(GetPolicyVersionCommand)
    .callsFake((input: GetPolicyVersionCommandInput) => moto.send(new GetPolicyVersionCommand(input)));
  const denied = (action: string): IAMServiceException =>
    iamError('AccessDenied', `User is not authorized to perform: iam:${action}`);
  mock
    .on(PutRolePolicyCommand)
    .callsFake((input: PutRolePolicyCommandInput) =>
      allowWrite({ roleName: input.RoleName, policyName: input.PolicyName })
        ? moto.send(new PutRolePolicyCommand(input))
        : Promise.reject(denied('PutRolePolicy')),
    );
  mock
    .on(UpdateAssumeRolePolicyCommand)
    .callsFake((input: UpdateAssumeRolePolicyCommandInput) =>
      allowWrite({ roleName: input.RoleName })
        ? moto.send(new UpdateAssumeRolePolicyCommand(input))
        : Promise.reject(denied('UpdateAssumeRolePolicy')),
    );
  return mock;
}

/** The write commands the stub received, in order, as `action role[/policy]` (denied ones included). */
export function writesSent(mock: IamStub): string[] {
  return mock.calls().flatMap((call) => {
    const command: unknown = call.args[0];
    if (command instanceof PutRolePolicyCommand)
      return [`PutRolePolicy ${command.input.RoleName}/${command.input.PolicyName}`];
    if (command instanceof UpdateAssumeRolePolicyCommand)
      return [`UpdateAssumeRolePolicy ${command.input.RoleName}`];
    return [];
  });
}
