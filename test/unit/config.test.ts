/** configFromEnv: the Lambda's config from its environment, validated at cold start with the variable's name in every error. */
import { defaultDeps, handler } from '../../functions/remediate/handler';
import { ConfigError, configFromEnv, ENV } from '../../shared/config';
import { DEFAULT_CORE_OPTIONS } from '../../shared/core';
import { partitionOfRegion } from '../../shared/core/arn';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:gt-remediator-reports';
const minimal = { TOPIC_ARN: TOPIC, DRY_RUN_PARAMETER_NAME: '/gt-remediator/dry-run' };

/** The error configFromEnv throws for `env`, failing the test when it throws none. */
function errorFor(env: Record<string, string | undefined>): ConfigError {
  try {
    configFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`configFromEnv accepted ${JSON.stringify(env)}`);
}

describe('configFromEnv', () => {
  it('uses the production defaults for everything but the two required variables', () => {
    expect(configFromEnv(minimal)).toEqual({
      core: { ...DEFAULT_CORE_OPTIONS, scopeTag: undefined },
      topicArn: TOPIC,
      dryRunParameterName: '/gt-remediator/dry-run',
      eventBusName: 'default',
      notifyCompliant: false,
    });
  });

  it('reads every variable the stack sets', () => {
    const config = configFromEnv({
      ...minimal,
      STRATEGY: 's3-read',
      SCOPE_ROLE_PATTERNS:
        'arn:aws:iam::123456789012:role/labeling/*, arn:aws:iam::123456789012:role/service-role/GT-*',
      SCOPE_TAG: 'gt-remediation = allowed',
      EVENT_BUS_NAME: ' audit ',
      NOTIFY_COMPLIANT: 'TRUE',
      REMEDIATOR_ROLE_ARN: 'arn:aws:iam::123456789012:role/gt-remediator',
    });

    expect(config.core).toMatchObject({
      strategy: 's3-read',
      scopePatterns: [
        'arn:aws:iam::123456789012:role/labeling/*',
        'arn:aws:iam::123456789012:role/service-role/GT-*',
      ],
      scopeTag: { key: 'gt-remediation', value: 'allowed' },
      selfRoleArn: 'arn:aws:iam::123456789012:role/gt-remediator',
    });
    expect(config).toMatchObject({ eventBusName: 'audit', notifyCompliant: true });
  });

  it.each([
    ['TOPIC_ARN missing', { DRY_RUN_PARAMETER_NAME: '/p' }, ENV.topicArn],
    ['TOPIC_ARN blank', { ...minimal, TOPIC_ARN: '  ' }, ENV.topicArn],
    [
      'TOPIC_ARN not an SNS topic ARN',
      { ...minimal, TOPIC_ARN: 'arn:aws:sqs:us-east-1:123456789012:queue' },
      ENV.topicArn,
    ],
    ['DRY_RUN_PARAMETER_NAME missing', { TOPIC_ARN: TOPIC }, ENV.dryRunParameterName],
    ['DRY_RUN_PARAMETER_NAME blank', { ...minimal, DRY_RUN_PARAMETER_NAME: '' }, ENV.dryRunParameterName],
    ['STRATEGY unknown', { ...minimal, STRATEGY: 'assume' }, ENV.strategy],
    [
      'SCOPE_ROLE_PATTERNS not role ARNs',
      { ...minimal, SCOPE_ROLE_PATTERNS: 'labeling-*' },
      ENV.scopeRolePatterns,
    ],
    ['SCOPE_TAG without =', { ...minimal, SCOPE_TAG: 'gt-remediation' }, ENV.scopeTag],
    ['NOTIFY_COMPLIANT not a boolean', { ...minimal, NOTIFY_COMPLIANT: 'yes' }, ENV.notifyCompliant],
    [
      'ALLOWED_ACCOUNTS with a short ID',
      { ...minimal, ALLOWED_ACCOUNTS: '1111,222222222222' },
      ENV.allowedAccounts,
    ],
    [
      'ALLOWED_ACCOUNTS with an ARN',
      { ...minimal, ALLOWED_ACCOUNTS: 'arn:aws:iam::111111111111:root' },
      ENV.allowedAccounts,
    ],
    ['ORGANIZATION_ID not o-...', { ...minimal, ORGANIZATION_ID: 'r-ab12' }, ENV.organizationId],
    [
      'PROTECTED_ROLES with a path-qualified name',
      { ...minimal, PROTECTED_ROLES: 'admin/Break' },
      ENV.protectedRoles,
    ],
  ])('rejects %s, naming the variable', (_case, env, variable) => {
    expect(errorFor(env).message).toContain(variable);
  });
});

describe('protected roles', () => {
  it('reads the roles added to the built-in protected list, names or ARN patterns', () => {
    const config = configFromEnv({
      ...minimal,
      PROTECTED_ROLES: 'BreakGlass, arn:aws:iam::123456789012:role/platform/*',
    });
    expect(config.core.protectedRoles).toEqual(['BreakGlass', 'arn:aws:iam::123456789012:role/platform/*']);
  });

  it('adds nothing when unset or blank: the built-in list alone applies', () => {
    expect(configFromEnv(minimal).core.protectedRoles).toBeUndefined();
    expect(configFromEnv({ ...minimal, PROTECTED_ROLES: ' ' }).core.protectedRoles).toBeUndefined();
  });
});

describe('organisation mode settings', () => {
  it('reads the listed accounts and the organisation ID', () => {
    const config = configFromEnv({
      ...minimal,
      ALLOWED_ACCOUNTS: '111111111111, 222222222222',
      ORGANIZATION_ID: 'o-a1b2c3d4e5',
    });
    expect(config.allowedAccounts).toEqual(['111111111111', '222222222222']);
    expect(config.organizationId).toBe('o-a1b2c3d4e5');
  });

  it('serves only its own account when neither is set', () => {
    const config = configFromEnv({ ...minimal, ALLOWED_ACCOUNTS: '', ORGANIZATION_ID: ' ' });
    expect(config.allowedAccounts).toBeUndefined();
    expect(config.organizationId).toBeUndefined();
  });
});

describe('partitionOfRegion', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-west-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
  ])('%s is in %s', (region, partition) => {
    expect(partitionOfRegion(region)).toBe(partition);
  });
});

describe('cold start', () => {
  it('defaultDeps fails with the missing variable name', () => {
    expect(() => defaultDeps({ TOPIC_ARN: TOPIC })).toThrow(
      new ConfigError('environment variable DRY_RUN_PARAMETER_NAME is required'),
    );
  });

  it('the Lambda handler fails its first invocation with the variable name when the environment lacks it', async () => {
    const saved = { ...process.env };
    delete process.env.TOPIC_ARN;
    try {
      await expect(Promise.resolve().then(() => handler({}))).rejects.toThrow(
        'environment variable TOPIC_ARN is required',
      );
    } finally {
      process.env = saved;
    }
  });
});
