/** Finding construction: one place that knows each code's severity. */
import type { Finding, FindingCode, ReasonCode, Severity } from './types';

const SEVERITY: Record<FindingCode, Severity> = {
  INVOKE_DENIED: 'high',
  OUTPUT_READ_DENIED: 'high',
  FUNCTION_NOT_FOUND: 'high',
  ROLE_NOT_FOUND: 'high',
  POLICY_SIZE_LIMIT: 'high',
  PLAN_UNPROVEN: 'high',
  CROSS_ACCOUNT_FUNCTION: 'medium',
  ROLE_OUT_OF_SCOPE: 'medium',
  POLICY_UNKNOWN: 'medium',
  EVENT_INVALID: 'low',
  EVENT_UNVERIFIED: 'high',
  ROLE_NOT_SAGEMAKER_EXECUTION: 'high',
  ROLE_NOT_LAMBDA_EXECUTION: 'high',
  ROLE_PRIVILEGED: 'high',
  AUTHOR_CANNOT_CREATE_FUNCTIONS: 'medium',
  AUTHOR_CANNOT_DEPLOY_RECIPE: 'low',
  AUTHOR_CANNOT_CHOOSE_FUNCTIONS: 'medium',
  AUTHOR_CANNOT_CREATE_JOB: 'high',
  OUTPUT_FOLDER_NOT_NEW: 'high',
  EXECUTION_ROLE_CANNOT_WRITE_OUTPUT: 'high',
  EXECUTION_ROLE_EXCEEDS_ENVELOPE: 'low',
  FUNCTION_ROLE_SHARED: 'high',
  POLICY_TOO_COMPLEX: 'medium',
};

/** Every finding code, in the order of the severity table. */
export const FINDING_CODES = Object.keys(SEVERITY) as FindingCode[];

/** The severity every finding of `code` has. */
export function severityOf(code: FindingCode): Severity {
  return SEVERITY[code];
}

/** Builds a finding with the code's severity. */
export function finding(
  code: FindingCode,
  principal: string,
  resource: string,
  reason: ReasonCode,
  fixable = false,
  detail?: string,
): Finding {
  return {
    code,
    severity: SEVERITY[code],
    principal,
    resource,
    reason,
    ...(detail ? { detail } : {}),
    fixable,
  };
}

/** The highest severity among findings, or `low` when there are none. */
export function worstSeverity(findings: readonly Finding[]): Severity {
  if (findings.some((f) => f.severity === 'high')) return 'high';
  if (findings.some((f) => f.severity === 'medium')) return 'medium';
  return 'low';
}

/** A stable identity for a finding, to compare the findings before and after a plan. */
export function findingKey(f: Pick<Finding, 'code' | 'principal' | 'resource'>): string {
  return `${f.code}|${f.principal}|${f.resource}`;
}
