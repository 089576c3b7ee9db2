/**
 * Synthesizes the CDK app as `npx cdk synth` does (cdk.json context plus overrides, esbuild bundling)
 * into a folder of the caller's choice, and describes what each stack needs to be created: its
 * template and the file assets it expects in the bootstrap bucket.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildStacks } from '../../cdk/app-stacks';
import { cdkJsonContext } from '../cdk/stack-fixture';

/** A CloudFormation template, as far as these tests read it. */
export interface CfnTemplate {
  Parameters?: Record<string, { Type: string; Default?: string }>;
  Rules?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Condition?: string }>;
  Outputs?: Record<string, unknown>;
}

/** A zip asset the template names: source folder, and where CDK would publish it. */
export interface ZipAsset {
  id: string;
  /** Absolute path of the folder to zip. */
  sourceDir: string;
  /** Bucket name with CloudFormation placeholders (`${AWS::AccountId}`, `${AWS::Region}`). */
  bucketName: string;
  objectKey: string;
}

/** One synthesized stack. */
export interface SynthesizedStack {
  stackName: string;
  template: CfnTemplate;
  /** Zip assets (the function code); empty for the standalone StackSet templates. */
  zipAssets: ZipAsset[];
}

/** The cloud assembly written by {@link synthesizeApp}. */
export interface SynthesizedApp {
  outdir: string;
  stacks: Record<string, SynthesizedStack>;
}

interface AssetManifest {
  files?: Record<
    string,
    {
      source: { path: string; packaging?: string };
      destinations: Record<string, { bucketName: string; objectKey: string }>;
    }
  >;
}

/**
 * Builds every stack of cdk/app-stacks.ts for `context` and synthesizes them into `outdir`, with
 * esbuild bundling unless `bundle` is false (then the function asset is a placeholder: deploy only
 * the bootstrapless stacks).
 */
export function synthesizeApp(
  outdir: string,
  context: Record<string, unknown> = {},
  options: { bundle?: boolean } = {},
): SynthesizedApp {
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext(),
      ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
      ...context,
    },
  });
  buildStacks(app);
  const assembly = app.synth();
  const stacks: Record<string, SynthesizedStack> = {};
  for (const artifact of assembly.stacks) {
    stacks[artifact.stackName] = {
      stackName: artifact.stackName,
      template: artifact.template as CfnTemplate,
      zipAssets: zipAssetsOf(join(outdir, `${artifact.stackName}.assets.json`), outdir),
    };
  }
  return { outdir, stacks };
}

function zipAssetsOf(manifestFile: string, outdir: string): ZipAsset[] {
  let manifest: AssetManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as AssetManifest;
  } catch {
    return []; // Bootstrapless stacks write no asset manifest.
  }
  return Object.entries(manifest.files ?? {}).flatMap(([id, file]) => {
    if (file.source.packaging !== 'zip') return [];
    return Object.values(file.destinations).map((d) => ({
      id,
      sourceDir: join(outdir, file.source.path),
      bucketName: d.bucketName,
      objectKey: d.objectKey,
    }));
  });
}

/** Values to resolve a template fragment with: `Ref` targets (pseudo parameters included) and `Fn::GetAtt` by `Logical.Attribute`. */
export interface TemplateValues {
  refs: Record<string, string>;
  getAtts: Record<string, string>;
}

/** Resolves Ref, Fn::GetAtt and Fn::Join in a template fragment (e.g. a policy statement); throws on anything unknown. */
export function resolveTemplateValue(node: unknown, values: TemplateValues): unknown {
  if (Array.isArray(node)) return node.map((n) => resolveTemplateValue(n, values));
  if (typeof node !== 'object' || node === null) return node;
  const record = node as Record<string, unknown>;
  const lookup = (table: Record<string, string>, key: string, what: string): string => {
    const value = table[key];
    if (value === undefined) throw new Error(`cannot resolve ${what} ${key}`);
    return value;
  };
  if (typeof record.Ref === 'string') return lookup(values.refs, record.Ref, 'Ref');
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return lookup(values.getAtts, getAtt.join('.'), 'Fn::GetAtt');
  const join = record['Fn::Join'];
  if (Array.isArray(join)) {
    const [separator, parts] = join as [string, unknown[]];
    return parts.map((p) => resolveTemplateValue(p, values)).join(separator);
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, resolveTemplateValue(v, values)]));
}
