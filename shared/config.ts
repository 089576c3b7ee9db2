/** The Lambda's `Config` from its environment; the CLI reuses these value parsers (cli/options.ts) for `CoreOptions`. */
import { isProtectedRoleEntry } from './core/protected-roles';
import { DEFAULT_CORE_OPTIONS, type CoreOptions, type Strategy } from './core/types';

/** Names of the environment variables the Lambda reads; the CDK stack sets exactly these. */
export const ENV = {
  topicArn: 'TOPIC_ARN',
  dryRunParameterName: 'DRY_RUN_PARAMETER_NAME',
  strategy: 'STRATEGY',
  scopeRolePatterns: 'SCOPE_ROLE_PATTERNS',
  scopeTag: 'SCOPE_TAG',
  eventBusName: 'EVENT_BUS_NAME',
  notifyCompliant: 'NOTIFY_COMPLIANT',
  selfRoleArn: 'REMEDIATOR_ROLE_ARN',
  allowedAccounts: 'ALLOWED_ACCOUNTS',
  organizationId: 'ORGANIZATION_ID',
  protectedRoles: 'PROTECTED_ROLES',
} as const;

/** Everything the Lambda needs to run; the CLI builds only its `core` part (cli/options.ts). */
export interface Config {
  core: CoreOptions;
  topicArn?: string;
  dryRunParameterName?: string;
  eventBusName: string;
  notifyCompliant: boolean;
  /** Other accounts whose events are served (through their member role); the home account always is. */
  allowedAccounts?: string[];
  /** Organisation mode: any account whose member role can be assumed (only roles of this organisation can). */
  organizationId?: string;
}

/** A configuration value that is missing or malformed; the message names the variable. */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Parses a strategy name, or throws a ConfigError naming `source`. */
export function parseStrategy(value: string | undefined, source: string): Strategy {
  if (value === undefined || value === '') return DEFAULT_CORE_OPTIONS.strategy;
  if (value === 'auto' || value === 'assume-role' || value === 's3-read') return value;
  throw new ConfigError(`${source} must be "auto", "assume-role" or "s3-read", got "${value}"`);
}

/** Splits a comma- or whitespace-separated list of role ARN patterns; each must be an IAM role ARN pattern. */
export function parseScopePatterns(value: string | undefined, source: string): string[] {
  const patterns = (value ?? '')
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  for (const pattern of patterns) {
    if (!/^arn:aws[a-z-]*:iam::(\d{12}|\*):role\/\S+$/.test(pattern)) {
      throw new ConfigError(
        `${source}: "${pattern}" is not a role ARN pattern (arn:aws:iam::<account>:role/<name-or-*>)`,
      );
    }
  }
  return patterns;
}

/**
 * Splits a comma- or whitespace-separated list of roles to protect in addition to the built-in ones:
 * role names (any path; `*`, `?` wildcards) or role ARN patterns. The built-ins cannot be removed.
 */
export function parseProtectedRoles(value: string | undefined, source: string): string[] {
  const entries = (value ?? '')
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  for (const entry of entries) {
    if (!isProtectedRoleEntry(entry)) {
      throw new ConfigError(
        `${source}: "${entry}" is neither a role name (wildcards * ?) nor a role ARN pattern (arn:aws:iam::<account>:role/...)`,
      );
    }
  }
  return [...new Set(entries)];
}

/** Parses `key=value` into a scope tag. */
export function parseScopeTag(
  value: string | undefined,
  source: string,
): { key: string; value: string } | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const at = value.indexOf('=');
  if (at <= 0) throw new ConfigError(`${source} must look like key=value, got "${value}"`);
  return { key: value.slice(0, at).trim(), value: value.slice(at + 1).trim() };
}

function parseBoolean(value: string | undefined, source: string, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ConfigError(`${source} must be true or false, got "${value}"`);
}

function required(env: Record<string, string | undefined>, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '')
    throw new ConfigError(`environment variable ${name} is required`);
  return value.trim();
}

/** Builds the Lambda's config from its environment; fails the cold start with the variable's name. */
export function configFromEnv(env: Record<string, string | undefined>): Config {
  const topicArn = required(env, ENV.topicArn);
  if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(topicArn)) {
    throw new ConfigError(`${ENV.topicArn} is not an SNS topic ARN: "${topicArn}"`);
  }
  const selfRoleArn = env[ENV.selfRoleArn]?.trim() || undefined;
  const protectedRoles = parseProtectedRoles(env[ENV.protectedRoles], ENV.protectedRoles);
  return {
    core: {
      ...DEFAULT_CORE_OPTIONS,
      strategy: parseStrategy(env[ENV.strategy], ENV.strategy),
      scopePatterns: parseScopePatterns(env[ENV.scopeRolePatterns], ENV.scopeRolePatterns),
      scopeTag: parseScopeTag(env[ENV.scopeTag], ENV.scopeTag),
      ...(selfRoleArn ? { selfRoleArn } : {}),
      ...(protectedRoles.length > 0 ? { protectedRoles } : {}),
    },
    topicArn,
    dryRunParameterName: required(env, ENV.dryRunParameterName),
    eventBusName: env[ENV.eventBusName]?.trim() || 'default',
    notifyCompliant: parseBoolean(env[ENV.notifyCompliant], ENV.notifyCompliant, false),
    ...memberAccountsFromEnv(env),
  };
}

/** ALLOWED_ACCOUNTS (12-digit IDs, comma-separated) and ORGANIZATION_ID (o-...), when set. */
function memberAccountsFromEnv(
  env: Record<string, string | undefined>,
): Pick<Config, 'allowedAccounts' | 'organizationId'> {
  const accounts = (env[ENV.allowedAccounts] ?? '').split(/[\s,]+/).filter((a) => a.length > 0);
  const bad = accounts.find((a) => !/^\d{12}$/.test(a));
  if (bad !== undefined)
    throw new ConfigError(`${ENV.allowedAccounts}: "${bad}" is not a 12-digit account ID`);
  const organizationId = env[ENV.organizationId]?.trim() || undefined;
  if (organizationId !== undefined && !/^o-[a-z0-9]{10,32}$/.test(organizationId)) {
    throw new ConfigError(`${ENV.organizationId} is not an organization ID (o-...): "${organizationId}"`);
  }
  return {
    ...(accounts.length > 0 ? { allowedAccounts: accounts } : {}),
    ...(organizationId ? { organizationId } : {}),
  };
}
