/**
 * ARNs, parsed once into values and built from values: every ARN the core needs comes from here, in
 * the partition of the job (aws, aws-cn, aws-us-gov, ...), never from a literal `arn:aws:`.
 */

/** The partition of any ARN (`aws` when the text is not an ARN, which callers validated already). */
export function partitionOf(arn: string): string {
  return /^arn:(aws[a-z-]*):/.exec(arn)?.[1] ?? 'aws';
}

/** The partition of a region name: `cn-*` → aws-cn, `us-gov-*` → aws-us-gov, `us-iso*`/`eu-isoe-*` → aws-iso*, else aws. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  return 'aws';
}

/** The account field of an ARN (empty for S3 and AWS-managed policies). */
export function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** Builders for the ARNs the core names, all in one partition. */
export const arns = {
  role: (partition: string, accountId: string, name: string, path = '/'): string =>
    `arn:${partition}:iam::${accountId}:role${path}${name}`,
  accountRoot: (partition: string, accountId: string): string => `arn:${partition}:iam::${accountId}:root`,
  user: (partition: string, accountId: string, name: string): string =>
    `arn:${partition}:iam::${accountId}:user/${name}`,
  group: (partition: string, accountId: string, name: string): string =>
    `arn:${partition}:iam::${accountId}:group/${name}`,
  policy: (partition: string, accountId: string, name: string): string =>
    `arn:${partition}:iam::${accountId}:policy/${name}`,
  awsManagedPolicy: (partition: string, name: string): string => `arn:${partition}:iam::aws:policy/${name}`,
  roleSession: (partition: string, accountId: string, roleName: string, session: string): string =>
    `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/${session}`,
  lambdaFunction: (partition: string, region: string, accountId: string, name: string): string =>
    `arn:${partition}:lambda:${region}:${accountId}:function:${name}`,
  s3Object: (partition: string, bucket: string, key: string): string =>
    `arn:${partition}:s3:::${bucket}/${key}`,
  labelingJob: (partition: string, region: string, accountId: string, name: string): string =>
    `arn:${partition}:sagemaker:${region}:${accountId}:labeling-job/${name.toLowerCase()}`,
  glueDevEndpoint: (partition: string, region: string, accountId: string, name: string): string =>
    `arn:${partition}:glue:${region}:${accountId}:devEndpoint/${name}`,
};

/** The parts of a Lambda function ARN; `qualifier` is the alias or version, if any. */
export interface LambdaArn {
  partition: string;
  region: string;
  accountId: string;
  functionName: string;
  qualifier?: string;
  /** The ARN without its qualifier. */
  unqualified: string;
}

const LAMBDA_ARN =
  /^arn:(aws[a-z-]*):lambda:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):function:([A-Za-z0-9_-]{1,140})(?::(\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role(\/(?:[\u0021-\u007E]*\/)?)([\w+=,.@-]{1,64})$/;

/** Parses a Lambda function ARN, or returns undefined when it is not one. */
export function parseLambdaArn(arn: string): LambdaArn | undefined {
  const m = LAMBDA_ARN.exec(arn);
  if (!m) return undefined;
  const [, partition, region, accountId, functionName, qualifier] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  return {
    partition,
    region,
    accountId,
    functionName,
    ...(qualifier ? { qualifier } : {}),
    unqualified: `arn:${partition}:lambda:${region}:${accountId}:function:${functionName}`,
  };
}

/** The parts of an IAM role ARN. */
export interface RoleArn {
  partition: string;
  accountId: string;
  path: string;
  roleName: string;
}

/** Parses an IAM role ARN (with or without a path), or returns undefined when it is not one. */
export function parseRoleArn(arn: string): RoleArn | undefined {
  const m = ROLE_ARN.exec(arn);
  if (!m) return undefined;
  const [, partition, accountId, path, roleName] = m as unknown as [string, string, string, string, string];
  return { partition, accountId, path, roleName };
}

/** An S3 location split into bucket and key prefix (no leading slash; empty for the bucket root). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/** Parses `s3://bucket[/prefix]`, or returns undefined when it is not an S3 URI. */
export function parseS3Uri(uri: string): S3Location | undefined {
  // Legacy us-east-1 bucket names may hold capitals and underscores and run to 255 characters.
  const m = /^s3:\/\/([A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!m) return undefined;
  return { bucket: m[1], prefix: (m[2] ?? '').replace(/^\/+/, '') };
}

/** The key prefix as a folder: empty, or ending in exactly one slash. */
export function folderPrefix(location: S3Location): string {
  const trimmed = location.prefix.replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/** True when `value` matches an IAM-style pattern where `*` is any run and `?` any one character. */
export function matchesWildcard(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(value);
}
