/** Builds the stack as `npx cdk synth` does (cdk.json context plus overrides), for the CDK tests. */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { acknowledgeExplainedFindings } from '../../cdk/nag-suppressions';
import { RemediationStack } from '../../cdk/remediation-stack';
import { readStackSettings } from '../../cdk/stack-settings';

/** Repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The `context` block of cdk.json: feature flags and CLI settings, as the CLI passes them to the app. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/** What a test gets back: the app, the stack and its template. */
export interface StackFixture {
  app: App;
  stack: RemediationStack;
  template: Template;
}

/** Options of {@link buildStack}. */
export interface BuildOptions {
  /** Context values, as `-c key=value` would give them. */
  context?: Record<string, unknown>;
  /** Run esbuild (slow); off by default, when the asset is a placeholder. */
  bundle?: boolean;
  /** Cloud assembly folder; default: a temp folder chosen by the App. */
  outdir?: string;
  /** Acknowledge the explained cdk-nag findings, as cdk/app.ts does (default true). */
  acknowledge?: boolean;
}

/** Builds the stack like cdk/app.ts, without registering the cdk-nag plugin (the nag tests run it directly). */
export function buildStack(options: BuildOptions = {}): StackFixture {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: {
      ...cdkJsonContext(),
      ...(options.bundle ? { 'aws:cdk:enable-asset-metadata': true } : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
  const stack = new RemediationStack(app, 'GtPermissionsRemediator', {
    settings: readStackSettings(app.node),
  });
  if (options.acknowledge ?? true) acknowledgeExplainedFindings(stack);
  return { app, stack, template: Template.fromStack(stack) };
}
