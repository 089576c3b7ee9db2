/** CDK app: one RemediationStack, configured from context, gated by the cdk-nag AwsSolutions checks. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../shared/config';
import { acknowledgeExplainedFindings } from './nag-suppressions';
import { RemediationStack } from './remediation-stack';
import { readStackSettings } from './stack-settings';

/** Builds the app; a bad `-c` value throws a ConfigError naming the context key. */
function buildApp(app: App = new App()): App {
  const stack = new RemediationStack(app, 'GtPermissionsRemediator', {
    settings: readStackSettings(app.node),
  });
  acknowledgeExplainedFindings(stack);
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
