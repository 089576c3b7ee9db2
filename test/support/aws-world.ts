/**
 * Seeds real state in moto through the SDK: roles (trust, inline and managed policies, boundaries),
 * Lambda functions and the SSM dry-run parameter, and reads IAM state back decoded. Names carry a
 * per-file run prefix, so test files never need to reset moto and never see each other's state.
 */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { decodePolicyDocument, type PolicyDocument, type PolicyStatement } from '../../shared/core';
import { tinyLambdaZip } from './lambda-zip';

/** moto's default account and the region globalSetup exports. */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const GROUND_TRUTH_POLICY_ARN = 'arn:aws:iam::aws:policy/AmazonSageMakerGroundTruthExecution';
export const BASIC_EXECUTION_POLICY_ARN = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
export const S3_READ_ONLY_POLICY_ARN = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';

/** A short prefix unique to this test file's run (names stay well under IAM's 64-character limit). */
export function runPrefix(tag: string): string {
  return `${tag}${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 36 ** 2).toString(36)}`;
}

/** A policy document with the given statements. */
export function policy(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

/** The trust statement that lets a service assume a role. */
export function serviceTrustStatement(service: string): PolicyStatement {
  return { Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' };
}

/** IAM and Lambda clients on moto (endpoint from AWS_ENDPOINT_URL). */
export interface SeedClients {
  iam: IAMClient;
  lambda: LambdaClient;
  ssm: SSMClient;
}

/** Fresh clients for seeding and reading back; destroy them in afterAll. */
export function createSeedClients(): SeedClients {
  return {
    iam: new IAMClient({ region: REGION }),
    lambda: new LambdaClient({ region: REGION }),
    ssm: new SSMClient({ region: REGION }),
  };
}

/** Closes the clients' sockets. */
export function destroySeedClients(clients: SeedClients): void {
  clients.iam.destroy();
  clients.lambda.destroy();
  clients.ssm.destroy();
}

/** One role to create: trust policy, inline policies by name, managed policy ARNs, optional boundary. */
export interface RoleSeed {
  name: string;
  path?: string;
  trust: PolicyDocument;
  inline?: Record<string, PolicyDocument>;
  managed?: string[];
  boundaryArn?: string;
}

/** Creates the role with its policies; returns its ARN. */
export async function createRole(iam: IAMClient, seed: RoleSeed): Promise<string> {
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: seed.name,
      Path: seed.path ?? '/',
      AssumeRolePolicyDocument: JSON.stringify(seed.trust),
      ...(seed.boundaryArn ? { PermissionsBoundary: seed.boundaryArn } : {}),
    }),
  );
  for (const [name, document] of Object.entries(seed.inline ?? {})) {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: seed.name,
        PolicyName: name,
        PolicyDocument: JSON.stringify(document),
      }),
    );
  }
  for (const arn of seed.managed ?? []) {
    await iam.send(new AttachRolePolicyCommand({ RoleName: seed.name, PolicyArn: arn }));
  }
  if (!Role?.Arn) throw new Error(`moto returned no ARN for role ${seed.name}`);
  return Role.Arn;
}

/** Creates a customer managed policy; returns its ARN. */
export async function createManagedPolicy(
  iam: IAMClient,
  name: string,
  document: PolicyDocument,
): Promise<string> {
  const { Policy } = await iam.send(
    new CreatePolicyCommand({ PolicyName: name, PolicyDocument: JSON.stringify(document) }),
  );
  if (!Policy?.Arn) throw new Error(`moto returned no ARN for policy ${name}`);
  return Policy.Arn;
}

/** Creates a Lambda function running as `roleArn`; returns its unqualified ARN. */
export async function createFunction(lambda: LambdaClient, name: string, roleArn: string): Promise<string> {
  const got = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: roleArn,
      Code: { ZipFile: tinyLambdaZip() },
    }),
  );
  if (!got.FunctionArn) throw new Error(`moto returned no ARN for function ${name}`);
  return got.FunctionArn;
}

/** Sets (or, with undefined, deletes) the dry-run parameter. */
export async function setParameter(ssm: SSMClient, name: string, value: string | undefined): Promise<void> {
  if (value === undefined) {
    await ssm.send(new DeleteParameterCommand({ Name: name })).catch((error: unknown) => {
      if ((error as { name?: string }).name !== 'ParameterNotFound') throw error;
    });
    return;
  }
  await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
}

/** The role's trust policy, decoded. */
export async function readTrustPolicy(iam: IAMClient, roleName: string): Promise<PolicyDocument> {
  const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  return decodePolicyDocument(Role?.AssumeRolePolicyDocument ?? '');
}

/** The role's inline policy names, sorted. */
export async function listInlinePolicies(iam: IAMClient, roleName: string): Promise<string[]> {
  const { PolicyNames } = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
  return [...(PolicyNames ?? [])].sort();
}

/** One inline policy document, decoded. */
export async function readInlinePolicy(
  iam: IAMClient,
  roleName: string,
  policyName: string,
): Promise<PolicyDocument> {
  const { PolicyDocument } = await iam.send(
    new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }),
  );
  return decodePolicyDocument(PolicyDocument ?? '');
}

/** Everything the remediator may change on a role: trust policy and every inline policy. */
export interface RoleSnapshot {
  trust: PolicyDocument;
  inline: Record<string, PolicyDocument>;
}

/** Reads the role's trust policy and all inline policies, for before/after comparisons. */
export async function snapshotRole(iam: IAMClient, roleName: string): Promise<RoleSnapshot> {
  const inline: Record<string, PolicyDocument> = {};
  for (const name of await listInlinePolicies(iam, roleName))
    inline[name] = await readInlinePolicy(iam, roleName, name);
  return { trust: await readTrustPolicy(iam, roleName), inline };
}
