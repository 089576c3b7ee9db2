import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { AuthorPolicy } from '../../cdk/author-policy';
import { buildStack } from './stack-fixture';

function nag(root: IConstruct): string[] {
  return new AwsSolutionsChecks(root)
    .validateScope(root)
    .violations.flatMap((v) => v.violatingResources.map(() => v.ruleName))
    .sort();
}

function acknowledged(root: IConstruct): string[] {
  return root.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) =>
          Object.keys(m.data as Record<string, string>).map((k) => k.replace(/^annotation::/i, '')),
        ),
    )
    .sort();
}

function build(functionPrefix?: string, acknowledge = true): { app: App; template: Template } {
  const app = new App();
  const stack = new Stack(app, 'AuthorOnly');
  new AuthorPolicy(stack, 'Author', { ...(functionPrefix ? { functionPrefix } : {}), acknowledge });
  return { app, template: Template.fromStack(stack) };
}

describe('AuthorPolicy', () => {
  it.each([[undefined], ['gt-']])(
    'passes cdk-nag, acknowledging exactly what occurs (prefix %s)',
    (prefix) => {
      const occurring = nag(build(prefix, false).app);
      expect(occurring.length).toBeGreaterThan(0);
      const { app } = build(prefix);
      expect(nag(app)).toEqual([]);
      expect(acknowledged(app)).toEqual(occurring);
    },
  );

  it('creates GroundTruthLambdaAuthor scoped to the prefix, partition, account and region', () => {
    const { template } = build('gt-');
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'GroundTruthLambdaAuthor',
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'LabelingFunctions',
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':lambda:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':function:gt-*',
                ],
              ],
            },
          }),
          Match.objectLike({
            Sid: 'ListAndSearchInRegion',
            Condition: { StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } },
          }),
          Match.objectLike({
            Sid: 'PassExecutionRoleToSageMaker',
            Action: 'iam:PassRole',
            Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
          }),
        ]),
      }),
    });
  });

  it('is in the stack only with -c authorPolicy=true', () => {
    const count = (context: Record<string, string>): number =>
      Object.keys(
        buildStack({ context }).template.findResources('AWS::IAM::ManagedPolicy', {
          Properties: { ManagedPolicyName: 'GroundTruthLambdaAuthor' },
        }),
      ).length;
    expect(count({})).toBe(0);
    expect(count({ authorPolicy: 'true', authorFunctionPrefix: 'gt-' })).toBe(1);
    expect(nag(buildStack({ context: { authorPolicy: 'true' } }).app)).toEqual([]);
  });
});
