/**
 * Creates a synthesized stack in moto's CloudFormation the way `cdk deploy` does: the bootstrap
 * resources the template names (assets bucket, version parameter), the zipped assets uploaded under
 * the keys the template references, then CreateStack and a wait for CREATE_COMPLETE. Other accounts
 * are reached with credentials from moto's STS, which assumes any role ARN in any account.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  paginateListStackResources,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { ACCOUNT } from './aws-world';
import { zipDirectory } from './lambda-zip';
import { s3Put } from './moto-wire';
import type { CfnTemplate, SynthesizedStack, ZipAsset } from './synth-app';

/** Where to deploy: account and region, and the credentials that reach the account (none: moto's default account). */
export interface DeployTarget {
  accountId: string;
  region: string;
  credentials?: AwsCredentialIdentity;
}

/** A created stack, read back from moto. */
export interface DeployedStack {
  stackName: string;
  target: DeployTarget;
  outputs: Record<string, string>;
  /** The resources CloudFormation created, by logical ID. */
  resources: Record<string, { type: string; physicalId: string }>;
  /** Template resources moto's CloudFormation did not create (it skips types it does not implement), by logical ID. */
  skipped: Record<string, string>;
  /** What {@link adaptForMoto} changed in the template before CreateStack. */
  adaptations: string[];
}

/**
 * The template as moto can create it. One rewrite, for a moto defect and meaning the same in
 * CloudFormation: moto's EventBus model has no physical ID, so `Ref` to an AWS::Events::EventBus
 * yields the Python object's repr instead of the bus name (moto 5.2.5); `Fn::GetAtt [bus, Name]` is
 * what CloudFormation's `Ref` returns for a bus, and moto resolves it. Nothing is removed: resource
 * types moto does not implement are skipped by moto itself and reported in `skipped`.
 */
export function adaptForMoto(template: CfnTemplate): { template: CfnTemplate; adaptations: string[] } {
  const buses = new Set(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Events::EventBus')
      .map(([id]) => id),
  );
  const adaptations = new Set<string>();
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (typeof node !== 'object' || node === null) return node;
    const record = node as Record<string, unknown>;
    const ref = record.Ref;
    if (Object.keys(record).length === 1 && typeof ref === 'string' && buses.has(ref)) {
      adaptations.add(`Ref ${ref} -> Fn::GetAtt ${ref}.Name`);
      return { 'Fn::GetAtt': [ref, 'Name'] };
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, rewrite(v)]));
  };
  return { template: rewrite(template) as CfnTemplate, adaptations: [...adaptations].sort() };
}

/** The CDK bootstrap qualifier the synthesizer names in bucket and parameter names. */
export const BOOTSTRAP_QUALIFIER = 'hnb659fds';

/** The bootstrap stack version `cdk bootstrap` writes today (the template asserts at least 6). */
const BOOTSTRAP_VERSION = '30';

/** Credentials for `accountId` from moto's STS (a CDK deploy role there; moto does not check that it exists). */
export async function credentialsFor(accountId: string, region: string): Promise<AwsCredentialIdentity> {
  const sts = new STSClient({ region });
  try {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/cdk-${BOOTSTRAP_QUALIFIER}-deploy-role-${accountId}-${region}`,
        RoleSessionName: 'deployed-tests',
      }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new Error(`moto STS gave no credentials for ${accountId}`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
    };
  } finally {
    sts.destroy();
  }
}

/** The target for `accountId`: moto's default account needs no credentials, any other gets STS ones. */
export async function targetOf(accountId: string, region: string): Promise<DeployTarget> {
  if (accountId === ACCOUNT) return { accountId, region };
  return { accountId, region, credentials: await credentialsFor(accountId, region) };
}

/** SDK client options for a target. */
export function clientConfig(target: DeployTarget): {
  region: string;
  credentials?: AwsCredentialIdentity;
} {
  return { region: target.region, ...(target.credentials ? { credentials: target.credentials } : {}) };
}

function substitute(text: string, target: DeployTarget): string {
  return text
    .replaceAll('${AWS::AccountId}', target.accountId)
    .replaceAll('${AWS::Region}', target.region)
    .replaceAll('${AWS::Partition}', 'aws');
}

/** Zips are built once per asset folder: the function asset is several MB of code and data. */
const zipCache = new Map<string, Uint8Array>();

/** What `cdk bootstrap` leaves and `cdk-assets` publishes: the bucket, the version parameter, the asset objects. */
async function publishAssets(stack: SynthesizedStack, target: DeployTarget): Promise<void> {
  if (stack.template.Parameters?.BootstrapVersion) {
    const ssm = new SSMClient(clientConfig(target));
    const name = stack.template.Parameters.BootstrapVersion.Default ?? '';
    await ssm.send(
      new PutParameterCommand({ Name: name, Value: BOOTSTRAP_VERSION, Type: 'String', Overwrite: true }),
    );
    ssm.destroy();
  }
  const buckets = new Set<string>();
  for (const asset of stack.zipAssets) {
    const bucket = substitute(asset.bucketName, target);
    if (!buckets.has(bucket)) {
      const location =
        target.region === 'us-east-1'
          ? undefined
          : `<CreateBucketConfiguration><LocationConstraint>${target.region}</LocationConstraint></CreateBucketConfiguration>`;
      await s3Put(target, `/${bucket}`, location, [200, 409]);
      buckets.add(bucket);
    }
    await s3Put(target, `/${bucket}/${substitute(asset.objectKey, target)}`, zipOf(asset), [200]);
  }
}

function zipOf(asset: ZipAsset): Uint8Array {
  let zip = zipCache.get(asset.sourceDir);
  if (!zip) {
    zip = zipDirectory(asset.sourceDir);
    zipCache.set(asset.sourceDir, zip);
  }
  return zip;
}

/** Creates the stack (CAPABILITY_NAMED_IAM) and waits for CREATE_COMPLETE; throws with the failure events otherwise. */
export async function deployStack(
  stack: SynthesizedStack,
  target: DeployTarget,
  parameters: Record<string, string> = {},
): Promise<DeployedStack> {
  await publishAssets(stack, target);
  const cfn = new CloudFormationClient(clientConfig(target));
  const { template, adaptations } = adaptForMoto(stack.template);
  try {
    await cfn.send(
      new CreateStackCommand({
        StackName: stack.stackName,
        TemplateBody: JSON.stringify(template),
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
        Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
          ParameterKey,
          ParameterValue,
        })),
      }),
    );
    const outputs = await waitForCreate(cfn, stack.stackName);
    const resources: DeployedStack['resources'] = {};
    const summaries: StackResourceSummary[] = [];
    for await (const page of paginateListStackResources({ client: cfn }, { StackName: stack.stackName }))
      summaries.push(...(page.StackResourceSummaries ?? []));
    for (const r of summaries) {
      if (r.LogicalResourceId)
        resources[r.LogicalResourceId] = {
          type: r.ResourceType ?? '',
          physicalId: r.PhysicalResourceId ?? '',
        };
    }
    const skipped = Object.fromEntries(
      Object.entries(stack.template.Resources)
        .filter(([logicalId]) => !(logicalId in resources))
        .map(([logicalId, r]) => [logicalId, r.Type]),
    );
    return { stackName: stack.stackName, target, outputs, resources, skipped, adaptations };
  } finally {
    cfn.destroy();
  }
}

async function waitForCreate(cfn: CloudFormationClient, stackName: string): Promise<Record<string, string>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks?.[0];
    const status = stack?.StackStatus ?? 'UNKNOWN';
    if (status === 'CREATE_COMPLETE')
      return Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
    if (status !== 'CREATE_IN_PROGRESS' || Date.now() > deadline) {
      const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName }));
      const reasons = (StackEvents ?? [])
        .filter((e) => e.ResourceStatusReason)
        .map((e) => `${e.LogicalResourceId}: ${e.ResourceStatus} ${e.ResourceStatusReason}`);
      throw new Error(`stack ${stackName} ended ${status}:\n${reasons.join('\n')}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}
