/** Proves the integration harness: real SDK clients with default config reach moto server. */
import {
  CreateRoleCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { tinyLambdaZip } from '../support/lambda-zip';
import { resetMoto } from '../support/moto-reset';

const groundTruthPolicyArn = 'arn:aws:iam::aws:policy/AmazonSageMakerGroundTruthExecution';
const lambdaTrust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

describe('moto harness', () => {
  // Default config on purpose: the endpoint must come from AWS_ENDPOINT_URL alone.
  const iam = new IAMClient({});
  const lambda = new LambdaClient({});

  beforeEach(resetMoto);
  afterAll(() => {
    iam.destroy();
    lambda.destroy();
  });

  it('points the SDK at moto through AWS_ENDPOINT_URL', async () => {
    // Given the environment exported by globalSetup and a client that records where it sends requests
    const endpoint = new URL(process.env.AWS_ENDPOINT_URL ?? 'http://unset');
    expect(endpoint.hostname).toBe('127.0.0.1');
    const hosts: string[] = [];
    const probe = new IAMClient({});
    probe.middlewareStack.add(
      (next) => async (args) => {
        hosts.push(hostOf(args.request));
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordHost' },
    );

    // When it sends a request
    await probe.send(new GetPolicyCommand({ PolicyArn: groundTruthPolicyArn }));
    probe.destroy();

    // Then the request went to the emulator, not to AWS
    expect(hosts).toEqual([endpoint.host]);
  });

  it('creates a role and reads it back with a URL-encoded trust policy', async () => {
    await iam.send(
      new CreateRoleCommand({ RoleName: 'harness-role', AssumeRolePolicyDocument: lambdaTrust }),
    );

    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'harness-role' }));

    expect(Role?.Arn).toBe('arn:aws:iam::123456789012:role/harness-role');
    // Like AWS, moto URL-encodes GetRole's AssumeRolePolicyDocument.
    expect(Role?.AssumeRolePolicyDocument).toMatch(/^%7B/);
    expect(JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? ''))).toEqual(
      JSON.parse(lambdaTrust),
    );
  });

  it('serves the AWS managed Ground Truth execution policy', async () => {
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: groundTruthPolicyArn }));
    expect(Policy?.DefaultVersionId).toBeDefined();

    const { PolicyVersion } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: groundTruthPolicyArn, VersionId: Policy?.DefaultVersionId }),
    );

    // Unlike AWS, moto 5.2.5 returns GetPolicyVersion documents as plain JSON, not URL-encoded;
    // decodeURIComponent is a no-op on them (they contain no '%').
    const document = decodeURIComponent(PolicyVersion?.Document ?? '');
    expect(document).toContain('GtRecipe');
  });

  it('reset removes created state but keeps the AWS managed policies', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'doomed-role', AssumeRolePolicyDocument: lambdaTrust }));

    await resetMoto();

    await expect(iam.send(new GetRoleCommand({ RoleName: 'doomed-role' }))).rejects.toBeInstanceOf(
      NoSuchEntityException,
    );
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: groundTruthPolicyArn }));
    expect(Policy?.Arn).toBe(groundTruthPolicyArn);
  });

  it('creates a Lambda function without Docker and reads its configuration', async () => {
    // Given an execution role (moto checks that the role exists)
    const { Role } = await iam.send(
      new CreateRoleCommand({ RoleName: 'harness-fn-role', AssumeRolePolicyDocument: lambdaTrust }),
    );

    // When a function is created from an in-memory zip
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'harness-fn',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: Role?.Arn,
        Code: { ZipFile: tinyLambdaZip() },
      }),
    );

    // Then its configuration names that role
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'harness-fn' }));
    expect(config.FunctionArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:harness-fn');
    expect(config.Role).toBe(Role?.Arn);
  });
});

/** `host:port` of an outgoing HTTP request (the SDK types it as unknown at this step). */
function hostOf(request: unknown): string {
  if (typeof request !== 'object' || request === null) return '';
  const { hostname, port } = request as { hostname?: string; port?: number };
  return `${hostname ?? ''}:${port ?? ''}`;
}
