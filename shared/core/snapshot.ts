/**
 * Builds an AccountInventory from an offline account snapshot: the output of
 * `aws iam get-account-authorization-details` and of `aws lambda list-functions`.
 */
import { z } from 'zod';
import { parseLambdaArn } from './arn';
import { knownManagedPolicy } from './managed-policies';
import { decodePolicyDocument, PolicyDocumentError } from './policy-document';
import type { AccountInventory, AttachedPolicy, FunctionInfo, PolicyDocument, RoleInfo } from './types';

/** A snapshot file that does not have the shape the AWS CLI prints. */
export class SnapshotError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SnapshotError';
  }
}

const documentField = z.union([z.string(), z.record(z.string(), z.unknown())]);

const iamSnapshot = z.object({
  RoleDetailList: z
    .array(
      z.object({
        Path: z.string().default('/'),
        RoleName: z.string(),
        Arn: z.string(),
        AssumeRolePolicyDocument: documentField,
        RolePolicyList: z
          .array(z.object({ PolicyName: z.string(), PolicyDocument: documentField }))
          .default([]),
        AttachedManagedPolicies: z
          .array(z.object({ PolicyName: z.string(), PolicyArn: z.string() }))
          .default([]),
        PermissionsBoundary: z.object({ PermissionsBoundaryArn: z.string() }).optional(),
        Tags: z.array(z.object({ Key: z.string(), Value: z.string() })).default([]),
      }),
    )
    .default([]),
  Policies: z
    .array(
      z.object({
        PolicyName: z.string(),
        Arn: z.string(),
        DefaultVersionId: z.string().optional(),
        PolicyVersionList: z
          .array(
            z.object({
              Document: documentField.optional(),
              VersionId: z.string(),
              IsDefaultVersion: z.boolean().optional(),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
});

const lambdaSnapshot = z.object({
  Functions: z.array(z.object({ FunctionArn: z.string(), Role: z.string() })),
});

/** Converts the two parsed snapshot files into the inventory the core reads. Throws SnapshotError. */
export function inventoryFromSnapshot(iamJson: unknown, lambdaJson: unknown): AccountInventory {
  const iam = iamSnapshot.safeParse(iamJson);
  if (!iam.success)
    throw new SnapshotError(
      `iam.json: ${iam.error.issues[0]?.path.join('.')}: ${iam.error.issues[0]?.message}`,
    );
  const lambda = lambdaSnapshot.safeParse(lambdaJson);
  if (!lambda.success) {
    throw new SnapshotError(
      `lambda.json: ${lambda.error.issues[0]?.path.join('.')}: ${lambda.error.issues[0]?.message}`,
    );
  }

  const policies = new Map<string, PolicyDocument | undefined>();
  for (const policy of iam.data.Policies) {
    const version =
      policy.PolicyVersionList.find((v) => v.VersionId === policy.DefaultVersionId) ??
      policy.PolicyVersionList.find((v) => v.IsDefaultVersion);
    policies.set(
      policy.Arn,
      version?.Document === undefined ? undefined : decode(version.Document, `policy ${policy.Arn}`),
    );
  }
  const attached = (arn: string, name: string): AttachedPolicy => {
    const document = policies.get(arn);
    if (document) return { arn, name, document };
    return knownManagedPolicy(arn) ?? { arn, name };
  };

  const roles = new Map<string, RoleInfo>();
  for (const role of iam.data.RoleDetailList) {
    roles.set(role.RoleName, {
      arn: role.Arn,
      name: role.RoleName,
      path: role.Path,
      trustPolicy: decode(role.AssumeRolePolicyDocument, `trust policy of ${role.RoleName}`),
      inlinePolicies: role.RolePolicyList.map((p) => ({
        name: p.PolicyName,
        document: decode(p.PolicyDocument, `inline policy ${p.PolicyName} of ${role.RoleName}`),
      })),
      managedPolicies: role.AttachedManagedPolicies.map((p) => attached(p.PolicyArn, p.PolicyName)),
      ...(role.PermissionsBoundary
        ? {
            boundary: attached(
              role.PermissionsBoundary.PermissionsBoundaryArn,
              nameOf(role.PermissionsBoundary.PermissionsBoundaryArn),
            ),
          }
        : {}),
      tags: Object.fromEntries(role.Tags.map((t) => [t.Key, t.Value])),
    });
  }

  const functions = new Map<string, FunctionInfo>();
  for (const fn of lambda.data.Functions) {
    const parsed = parseLambdaArn(fn.FunctionArn);
    if (!parsed) throw new SnapshotError(`lambda.json: "${fn.FunctionArn}" is not a function ARN`);
    functions.set(parsed.unqualified, { arn: parsed.unqualified, roleArn: fn.Role });
  }
  return { roles, functions };
}

function decode(raw: unknown, what: string): PolicyDocument {
  try {
    return decodePolicyDocument(raw);
  } catch (error) {
    if (error instanceof PolicyDocumentError)
      throw new SnapshotError(`iam.json: ${what}: ${error.message}`, { cause: error });
    throw error;
  }
}

function nameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
