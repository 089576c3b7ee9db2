/** The selftest rule: test events of `gt-remediate selftest` go to the function, without retries. */
import { Match } from 'aws-cdk-lib/assertions';
import { buildStack } from './stack-fixture';

describe('SelftestRule', () => {
  const { template } = buildStack();

  it('matches only the selftest source and detail-type, on the default bus, and targets the function', () => {
    const rules = template.findResources('AWS::Events::Rule', {
      Properties: {
        EventPattern: {
          source: ['gt-permissions-remediator.selftest'],
          'detail-type': ['Remediator Self Test'],
        },
        State: 'ENABLED',
      },
    });
    const [rule] = Object.values(rules) as { Properties: Record<string, unknown> }[];
    expect(Object.keys(rules)).toHaveLength(1);
    expect(rule?.Properties.EventBusName).toBeUndefined();
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
    expect(rule?.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [expect.stringMatching(/^RemediateFunction/), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0 },
      }),
    ]);
    expect(functions.some((id) => id.startsWith('RemediateFunction'))).toBe(true);
  });

  it('lets EventBridge invoke the function for the selftest rule too', () => {
    const permissions = template.findResources('AWS::Lambda::Permission', {
      Properties: { Principal: 'events.amazonaws.com', SourceArn: Match.objectLike({}) },
    });
    const sources = Object.values(permissions).map((p) =>
      JSON.stringify((p as { Properties: { SourceArn: unknown } }).Properties.SourceArn),
    );
    expect(sources.some((s) => s.includes('SelftestRule'))).toBe(true);
  });
});
