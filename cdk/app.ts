/** CDK app: the stacks context asks for (cdk/app-stacks.ts), gated by the cdk-nag AwsSolutions checks. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../shared/config';
import { buildStacks } from './app-stacks';

/** Builds the app; a bad `-c` value throws a ConfigError naming the context key. */
function buildApp(app: App = new App()): App {
  buildStacks(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return app;
}

try {
  buildApp();
} catch (error) {
  // A bad deploy-time choice is the operator's input: one line naming the key, not a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`gt-permissions-remediator: ${error.message}\n`);
  process.exitCode = 2;
}
