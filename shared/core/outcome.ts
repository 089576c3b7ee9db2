/** The one rule that turns findings, changes and what happened to them into a report's outcome. */
import type { Finding, Outcome } from './types';

/** Everything the outcome depends on. */
export interface OutcomeInputs {
  findings: readonly Finding[];
  /** Number of changes planned (proposed, or to apply). */
  planned: number;
  /** Whether the changes were written (false in dry-run, or before the apply step). */
  applied: boolean;
  /** The check or the apply step failed, or a read-back found a statement lost. */
  failed: boolean;
}

/**
 * `error` when anything failed; `blocked` while a finding needs a person (the other findings may
 * still have been fixed); else `remediated` once changes were written, `proposed` while they only
 * are planned, and `compliant` when nothing is needed.
 */
export function decideOutcome(inputs: OutcomeInputs): Outcome {
  if (inputs.failed) return 'error';
  if (inputs.findings.some((f) => !f.fixable)) return 'blocked';
  if (inputs.planned === 0) return 'compliant';
  return inputs.applied ? 'remediated' : 'proposed';
}
