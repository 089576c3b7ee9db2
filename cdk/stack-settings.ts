/** The deploy-time choices of the stack, read from CDK context (`-c key=value` or cdk.json) and validated once. */
import type { Node } from 'constructs';
import {
  ConfigError,
  parseProtectedRoles,
  parseScopePatterns,
  parseScopeTag,
  parseStrategy,
} from '../shared/config';
import type { Outcome, Strategy } from '../shared/core/types';

/** Context keys the stack reads; `npx cdk deploy -c notificationEmail=ops@example.com` sets one. */
export const CONTEXT = {
  notificationEmail: 'notificationEmail',
  dryRunDefault: 'dryRunDefault',
  strategy: 'strategy',
  managedRolePatterns: 'managedRolePatterns',
  managedRoleTag: 'managedRoleTag',
  protectedRoles: 'protectedRoles',
  createTrail: 'createTrail',
  emailOutcomes: 'emailOutcomes',
  notifyCompliant: 'notifyCompliant',
  authorPolicy: 'authorPolicy',
  authorFunctionPrefix: 'authorFunctionPrefix',
  resultBusName: 'resultBusName',
  organization: 'organization',
  accounts: 'accounts',
  homeRegion: 'homeRegion',
} as const;

const OUTCOMES: readonly Outcome[] = ['compliant', 'remediated', 'proposed', 'blocked', 'error'];

/** Outcomes mailed when `emailOutcomes` is not set: what changed IAM and what a person has to act on. */
export const DEFAULT_EMAIL_OUTCOMES: readonly Outcome[] = ['remediated', 'proposed', 'blocked', 'error'];

/** Validated stack settings. */
export interface StackSettings {
  /** Default of the NotificationEmail parameter; empty means no email subscription. */
  notificationEmail: string;
  /** Initial value of the dry-run SSM parameter. */
  dryRunDefault: boolean;
  strategy: Strategy;
  /** Role ARN patterns the function may write; empty means every role of the deployment account. */
  managedRolePatterns: string[];
  managedRoleTag?: { key: string; value: string };
  /**
   * Roles never written besides the built-in admin, bootstrap and own roles (`-c protectedRoles=`):
   * role names (any path) or role ARN patterns. Additions only: the built-ins always apply.
   */
  protectedRoles?: string[];
  createTrail: boolean;
  /** Outcomes the email subscription receives; undefined means every message (no filter policy). */
  emailOutcomes?: Outcome[];
  notifyCompliant: boolean;
  /** Create the GroundTruthLambdaAuthor managed policy for admins to attach (`-c authorPolicy=true`). */
  authorPolicy?: boolean;
  /** The function name prefix that policy is limited to (`-c authorFunctionPrefix=`). */
  authorFunctionPrefix?: string;
  /** Name of the result event bus the stack creates; default `<stack name>-results`. */
  resultBusName?: string;
  /** Organisation mode (`-c organization=o-...` and/or `-c accounts=...`): one home stack serves many accounts. */
  organization?: OrganizationSettings;
}

/** Who the home stack serves besides its own account, and where it lives. */
export interface OrganizationSettings {
  /** The AWS Organizations ID: every account of the organisation is served. */
  organizationId?: string;
  /** Accounts served by ID (with or without an organisation). */
  accounts: string[];
  /** The home region (`-c homeRegion=`); default: the region the CLI deploys to. */
  homeRegion?: string;
}

type ContextReader = Pick<Node, 'tryGetContext'>;

function readString(node: ContextReader, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  throw new ConfigError(`context ${key} must be a string, got ${JSON.stringify(value)}`);
}

function readBoolean(node: ContextReader, key: string, fallback: boolean): boolean {
  const value = readString(node, key)?.toLowerCase();
  if (value === undefined || value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(`context ${key} must be true or false, got "${value}"`);
}

function readEmail(node: ContextReader): string {
  const email = readString(node, CONTEXT.notificationEmail) ?? '';
  if (email !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw new ConfigError(`context ${CONTEXT.notificationEmail} is not an email address: "${email}"`);
  }
  return email;
}

function readOutcomes(node: ContextReader, notifyCompliant: boolean): Outcome[] | undefined {
  const raw = readString(node, CONTEXT.emailOutcomes);
  // notifyCompliant widens the default filter; an explicit emailOutcomes is taken as written.
  if (raw === undefined || raw === '')
    return notifyCompliant ? [...DEFAULT_EMAIL_OUTCOMES, 'compliant'] : [...DEFAULT_EMAIL_OUTCOMES];
  if (raw === 'all' || raw === '*') return undefined;
  const outcomes = raw.split(/[\s,]+/).filter((o) => o.length > 0);
  for (const outcome of outcomes) {
    if (!OUTCOMES.includes(outcome as Outcome)) {
      throw new ConfigError(
        `context ${CONTEXT.emailOutcomes}: "${outcome}" is not one of ${OUTCOMES.join(', ')} (or "all")`,
      );
    }
  }
  return outcomes as Outcome[];
}

/** Reads and validates every setting; throws a ConfigError naming the context key on bad input. */
export function readStackSettings(node: ContextReader): StackSettings {
  const tag = parseScopeTag(readString(node, CONTEXT.managedRoleTag), `context ${CONTEXT.managedRoleTag}`);
  const notifyCompliant = readBoolean(node, CONTEXT.notifyCompliant, false);
  const protectedRoles = parseProtectedRoles(
    readString(node, CONTEXT.protectedRoles),
    `context ${CONTEXT.protectedRoles}`,
  );
  return {
    notificationEmail: readEmail(node),
    dryRunDefault: readBoolean(node, CONTEXT.dryRunDefault, true),
    strategy: parseStrategy(readString(node, CONTEXT.strategy), `context ${CONTEXT.strategy}`),
    managedRolePatterns: parseScopePatterns(
      readString(node, CONTEXT.managedRolePatterns),
      `context ${CONTEXT.managedRolePatterns}`,
    ),
    ...(tag ? { managedRoleTag: tag } : {}),
    ...(protectedRoles.length > 0 ? { protectedRoles } : {}),
    createTrail: readBoolean(node, CONTEXT.createTrail, false),
    emailOutcomes: readOutcomes(node, notifyCompliant),
    notifyCompliant,
    ...(readBoolean(node, CONTEXT.authorPolicy, false) ? { authorPolicy: true } : {}),
    ...readAuthorPrefix(node),
    ...readResultBusName(node),
    ...readOrganization(node),
  };
}

function readOrganization(node: ContextReader): { organization?: OrganizationSettings } {
  const organizationId = readString(node, CONTEXT.organization) ?? '';
  if (organizationId !== '' && !/^o-[a-z0-9]{10,32}$/.test(organizationId))
    throw new ConfigError(
      `context ${CONTEXT.organization} is not an organization ID (o-...): "${organizationId}"`,
    );
  const accounts = (readString(node, CONTEXT.accounts) ?? '').split(/[\s,]+/).filter((a) => a.length > 0);
  const bad = accounts.find((a) => !/^\d{12}$/.test(a));
  if (bad !== undefined)
    throw new ConfigError(`context ${CONTEXT.accounts}: "${bad}" is not a 12-digit account ID`);
  const homeRegion = readString(node, CONTEXT.homeRegion) ?? '';
  if (homeRegion !== '' && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(homeRegion))
    throw new ConfigError(`context ${CONTEXT.homeRegion} is not a region name: "${homeRegion}"`);
  if (organizationId === '' && accounts.length === 0) {
    if (homeRegion !== '')
      throw new ConfigError(
        `context ${CONTEXT.homeRegion} needs ${CONTEXT.organization} or ${CONTEXT.accounts}`,
      );
    return {};
  }
  return {
    organization: {
      ...(organizationId ? { organizationId } : {}),
      accounts: [...new Set(accounts)].sort(),
      ...(homeRegion ? { homeRegion } : {}),
    },
  };
}

function readResultBusName(node: ContextReader): { resultBusName?: string } {
  const name = readString(node, CONTEXT.resultBusName) ?? '';
  if (name === '') return {};
  if (!/^[\w.-]{1,256}$/.test(name) || name === 'default' || name.startsWith('aws.')) {
    throw new ConfigError(`context ${CONTEXT.resultBusName} is not a custom event bus name: "${name}"`);
  }
  return { resultBusName: name };
}

function readAuthorPrefix(node: ContextReader): { authorFunctionPrefix?: string } {
  const prefix = readString(node, CONTEXT.authorFunctionPrefix) ?? '';
  if (prefix !== '' && !/^[A-Za-z0-9_-]{1,63}$/.test(prefix))
    throw new ConfigError(
      `context ${CONTEXT.authorFunctionPrefix} is not the start of a function name: "${prefix}"`,
    );
  return prefix ? { authorFunctionPrefix: prefix } : {};
}
