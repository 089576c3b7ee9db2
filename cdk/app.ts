/** CDK app: one RemediationStack, configured from context, gated by the cdk-nag AwsSolutions checks. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgeExplainedFindings } from './nag-suppressions';
import { RemediationStack } from './remediation-stack';
import { readStackSettings } from './stack-settings';

const app = new App();
const stack = new RemediationStack(app, 'GtPermissionsRemediator', { settings: readStackSettings(app.node) });
acknowledgeExplainedFindings(stack);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
