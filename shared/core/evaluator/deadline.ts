/**
 * The per-event budget: every question of one event passes here, and none starts past the deadline.
 * Each question itself is bounded by the complexity cap (complexity.ts), so an event ends within its
 * budget plus one question. Past it, the event's check stops with PolicyTooComplexError, which the
 * core reports as POLICY_TOO_COMPLEX (blocked): delivered, never retried.
 */
import { PolicyTooComplexError, type Decision, type Evaluator, type Question } from './evaluator';

/** The budget of one event (well inside the function's 60 s timeout). */
export const DEFAULT_BUDGET_MS = 20_000;

/** When the event's evaluation must stop, and the clock to compare with (milliseconds). */
export interface Deadline {
  at: number;
  clock: () => number;
}

/** A deadline `budgetMs` from now on `clock`. */
export function deadlineIn(budgetMs: number, clock: () => number = Date.now): Deadline {
  return { at: clock() + budgetMs, clock };
}

/** `inner`, refusing questions asked past the deadline (it shares `inner`'s memo and proofs). */
export function withDeadline(inner: Evaluator, deadline: Deadline): Evaluator {
  return {
    ...(inner.sharing ? { sharing: inner.sharing } : {}),
    decide(question: Question): Promise<Decision> {
      if (deadline.clock() > deadline.at)
        return Promise.reject(
          new PolicyTooComplexError(
            "the event's evaluation budget ran out before all questions were answered",
            largestPolicy(question),
          ),
        );
      return inner.decide(question);
    },
  };
}

/** The question's longest policy (by text), the likeliest cause: the one the finding names. */
function largestPolicy(question: Question): string {
  const s = question.simulation;
  const all = [
    ...s.identityPolicies,
    ...(s.permissionBoundaryPolicies ?? []),
    ...(s.resourcePolicy ? [{ name: 'resource policy', policy: s.resourcePolicy }] : []),
  ];
  let best = { name: 'unknown', size: -1 };
  for (const p of all) {
    const size = JSON.stringify(p.policy).length;
    if (size > best.size) best = { name: p.name, size };
  }
  return best.name;
}
