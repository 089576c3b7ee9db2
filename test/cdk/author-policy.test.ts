import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { AuthorPolicy, type AuthorPolicyProps } from '../../cdk/author-policy';
import { buildStack } from './stack-fixture';

const ACCOUNT = '111122223333';
const PERSON: AuthorPolicyProps = {
  principalArn: `arn:aws:iam::${ACCOUNT}:user/ann`,
  executionRoleArns: [`arn:aws:iam::${ACCOUNT}:role/GtExecution`],
  functionPrefix: 'gt-',
  functionRoleArns: [`arn:aws:iam::${ACCOUNT}:role/GtFunctions`],
};

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

function build(props: AuthorPolicyProps = PERSON, acknowledge = true): { app: App; template: Template } {
  const app = new App();
  const stack = new Stack(app, 'AuthorOnly');
  new AuthorPolicy(stack, 'Author', { ...props, acknowledge });
  return { app, template: Template.fromStack(stack) };
}

describe('AuthorPolicy', () => {
  it('passes cdk-nag, acknowledging exactly what occurs', () => {
    const occurring = nag(build(PERSON, false).app);
    expect(occurring.length).toBeGreaterThan(0);
    const { app } = build();
    expect(nag(app)).toEqual([]);
    expect(acknowledged(app)).toEqual(occurring);
  });

  it("creates the person's GroundTruthLambdaAuthor-<name>, attached to that user only, with exact roles", () => {
    const { template } = build();
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'GroundTruthLambdaAuthor-ann',
      Users: ['ann'],
      Roles: Match.absent(),
      Groups: Match.absent(),
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'LabelingFunctions',
            Resource: {
              'Fn::Join': ['', [`arn:aws:lambda:`, { Ref: 'AWS::Region' }, `:${ACCOUNT}:function:gt-*`]],
            },
          }),
          Match.objectLike({
            Sid: 'PassExecutionRoleToSageMaker',
            Action: 'iam:PassRole',
            Resource: `arn:aws:iam::${ACCOUNT}:role/GtExecution`,
            Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
          }),
          Match.objectLike({
            Sid: 'PassFunctionRoleToLambda',
            Action: 'iam:PassRole',
            Resource: `arn:aws:iam::${ACCOUNT}:role/GtFunctions`,
          }),
        ]),
      }),
    });
    // No wildcard role anywhere
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toMatch(/:role\/[^"]*\*/);
  });

  it('attaches a role principal as a role', () => {
    const { template } = build({
      ...PERSON,
      principalArn: `arn:aws:iam::${ACCOUNT}:role/team/DataScientist`,
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'GroundTruthLambdaAuthor-DataScientist',
      Roles: ['DataScientist'],
      Users: Match.absent(),
    });
  });

  it.each([
    ['no principal', { ...PERSON, principalArn: undefined }],
    ['no execution role', { ...PERSON, executionRoleArns: [] }],
    ['a wildcard execution role', { ...PERSON, executionRoleArns: [`arn:aws:iam::${ACCOUNT}:role/*`] }],
    ['no function prefix', { ...PERSON, functionPrefix: undefined }],
    ['no function role', { ...PERSON, functionRoleArns: undefined }],
  ])('refuses %s: there is no account-wide author policy', (_, props) => {
    expect(() => build(props)).toThrow(/AuthorPolicy is per person/);
  });

  it('the stack no longer makes an account-wide author policy: -c authorPolicy=true fails synth with the reason', () => {
    const count = Object.keys(
      buildStack({ context: {} }).template.findResources('AWS::IAM::ManagedPolicy', {
        Properties: { ManagedPolicyName: Match.stringLikeRegexp('^GroundTruthLambdaAuthor') },
      }),
    ).length;
    expect(count).toBe(0);
    expect(() => buildStack({ context: { authorPolicy: 'true', authorFunctionPrefix: 'gt-' } })).toThrow(
      /AuthorPolicy is per person/,
    );
  });
});
