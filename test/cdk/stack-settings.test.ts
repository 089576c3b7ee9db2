import { ConfigError } from '../../shared/config';
import { readStackSettings } from '../../cdk/stack-settings';

/** A context reader over a plain object, as `-c key=value` (strings) or cdk.json (JSON values) fill it. */
function contextOf(values: Record<string, unknown>): { tryGetContext: (key: string) => unknown } {
  return { tryGetContext: (key: string) => values[key] };
}

describe('readStackSettings', () => {
  it('defaults to dry-run, auto, the account roles, no trail and a mail filter', () => {
    expect(readStackSettings(contextOf({}))).toEqual({
      notificationEmail: '',
      dryRunDefault: true,
      strategy: 'auto',
      managedRolePatterns: [],
      createTrail: false,
      emailOutcomes: ['remediated', 'proposed', 'blocked', 'error'],
      notifyCompliant: false,
    });
  });

  it('adds compliant to the default mail filter with notifyCompliant, not to an explicit one', () => {
    expect(readStackSettings(contextOf({ notifyCompliant: 'true' })).emailOutcomes).toEqual([
      'remediated',
      'proposed',
      'blocked',
      'error',
      'compliant',
    ]);
    expect(
      readStackSettings(contextOf({ notifyCompliant: 'true', emailOutcomes: 'blocked' })).emailOutcomes,
    ).toEqual(['blocked']);
  });

  it('names the result bus from resultBusName, and refuses the default bus or an aws. name', () => {
    expect(readStackSettings(contextOf({ resultBusName: 'gt-results' })).resultBusName).toBe('gt-results');
    expect(readStackSettings(contextOf({})).resultBusName).toBeUndefined();
    for (const bad of ['default', 'aws.partner', 'has space']) {
      expect(() => readStackSettings(contextOf({ resultBusName: bad }))).toThrow(
        `context resultBusName is not a custom event bus name: "${bad}"`,
      );
    }
  });

  it('reads strings from the command line and JSON values from cdk.json alike', () => {
    const settings = readStackSettings(
      contextOf({
        notificationEmail: ' ops@example.com ',
        dryRunDefault: false,
        strategy: 's3-read',
        managedRolePatterns: ['arn:aws:iam::123456789012:role/a-*', 'arn:aws:iam::123456789012:role/b'],
        managedRoleTag: 'owner=ml-platform',
        createTrail: 'true',
        emailOutcomes: 'all',
        notifyCompliant: 'TRUE',
      }),
    );
    expect(settings).toEqual({
      notificationEmail: 'ops@example.com',
      dryRunDefault: false,
      strategy: 's3-read',
      managedRolePatterns: ['arn:aws:iam::123456789012:role/a-*', 'arn:aws:iam::123456789012:role/b'],
      managedRoleTag: { key: 'owner', value: 'ml-platform' },
      createTrail: true,
      emailOutcomes: undefined,
      notifyCompliant: true,
    });
  });

  it('reads protectedRoles as additions to the built-in list (a cdk.json list or a -c string)', () => {
    expect(
      readStackSettings(contextOf({ protectedRoles: 'BreakGlass, arn:aws:iam::*:role/platform/*' }))
        .protectedRoles,
    ).toEqual(['BreakGlass', 'arn:aws:iam::*:role/platform/*']);
    expect(readStackSettings(contextOf({ protectedRoles: ['BreakGlass'] })).protectedRoles).toEqual([
      'BreakGlass',
    ]);
    // Empty adds nothing; it cannot clear the built-ins, which are not settings at all
    expect(readStackSettings(contextOf({ protectedRoles: '' })).protectedRoles).toBeUndefined();
  });

  it.each([
    [{ protectedRoles: '!cdk-*' }, /protectedRoles: "!cdk-\*" is neither a role name/],
    [{ protectedRoles: { remove: ['cdk-*'] } }, /context protectedRoles must be a string/],
  ])('refuses %j: there is no way to remove a built-in protected role', (context, message) => {
    expect(() => readStackSettings(contextOf(context))).toThrow(ConfigError);
    expect(() => readStackSettings(contextOf(context))).toThrow(message);
  });

  it.each([
    [{ strategy: 'assume' }, /strategy/],
    [{ dryRunDefault: 'yes' }, /dryRunDefault/],
    [{ createTrail: 'maybe' }, /createTrail/],
    [{ managedRolePatterns: 'arn:aws:s3:::bucket' }, /managedRolePatterns/],
    [{ managedRoleTag: 'no-equals-sign' }, /managedRoleTag/],
    [{ emailOutcomes: 'proposed,failed' }, /emailOutcomes.*"failed"/],
    [{ notificationEmail: 'not-an-address' }, /notificationEmail/],
    [{ notificationEmail: { address: 'ops@example.com' } }, /notificationEmail/],
  ])('rejects %j with a ConfigError naming the context key', (context, message) => {
    expect(() => readStackSettings(contextOf(context))).toThrow(ConfigError);
    expect(() => readStackSettings(contextOf(context))).toThrow(message);
  });
});
