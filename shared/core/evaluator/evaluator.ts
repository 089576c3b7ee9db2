/**
 * The one door to @cloud-copilot/iam-simulate: the `Evaluator` interface every IAM question goes
 * through, and its plain implementation. The plain evaluator holds no state; memoizing and the
 * per-event deadline are wrappers built by whoever owns them (memo.ts, deadline.ts).
 */
import {
  getDenialReasons,
  runSimulation,
  type DiscoveryContextKeyConstraint,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
import type { PolicyDocument } from '../types';
import { checkComplexity, DEFAULT_LIMITS, type ComplexityLimits } from './complexity';
import type { MemoTables } from './tables';

/** Why a request is or is not allowed, in the words of our findings. */
export type Verdict =
  'allowed' | 'implicit-deny' | 'explicit-deny' | 'boundary' | 'depends-on-unknown-context' | 'unevaluable';

/** The evaluator's answer for one request. */
export interface Decision {
  verdict: Verdict;
  /** The identity policies alone allow the action on the resource. */
  identityAllows: boolean;
  /** The resource policy (trust policy) lets this principal in, alone or together with an identity grant. */
  resourceAllows: boolean;
  /** For `unevaluable`: what the evaluator rejected; for `depends-on-unknown-context`: the keys. */
  detail?: string;
  /** For `depends-on-unknown-context`: the condition keys whose values we do not know. */
  unknownKeys?: string[];
  /** A wildcard request that no policy grants was denied without an analysis (author retries without the boundary). */
  unanalysed?: true;
}

/** A named policy document, as the evaluator takes it. */
export interface NamedPolicy {
  name: string;
  policy: PolicyDocument;
}

/** Everything the evaluator sees of one request: the whole input of a simulation. */
export interface SimulationInput {
  request: {
    principal: string;
    action: string;
    resource: { resource: string; accountId: string };
    contextVariables: Record<string, string | string[]>;
  };
  identityPolicies: NamedPolicy[];
  resourcePolicy?: PolicyDocument;
  permissionBoundaryPolicies?: NamedPolicy[];
}

/** One question: the simulation, the context keys whose value (or absence) is known, and hints for memos. */
export interface Question {
  simulation: SimulationInput;
  /** Context keys known (present with the value given, or known absent); `/regex/` for families. */
  knownKeys: readonly string[];
  /**
   * Not part of the answer: the job the request is about and the role whose session calls or that is
   * assumed, so the abstraction layer (names.ts) may share answers across names no policy tells apart.
   */
  hints?: { jobName?: string; roleName?: string };
}

/** Answers IAM questions. The only path from the core to the IAM evaluator. */
export interface Evaluator {
  decide(question: Question): Promise<Decision>;
  /** What may be shared besides answers (proofs that held), when this evaluator owns a memo. */
  readonly sharing?: Sharing;
}

/**
 * What a memoizing evaluator owns for others to use: its tables (document facts, the job-name
 * abstraction) and the proofs that held, by key (proof-memo.ts).
 */
export interface Sharing {
  readonly tables: MemoTables;
  /** Present when the abstraction layer is on: proofs are only ever shared across jobs. */
  readonly proofs?: KeySet;
}

/** A bounded set of keys, with counts (the proof memo). */
export interface KeySet {
  has(key: string | undefined): boolean;
  add(key: string | undefined): void;
  readonly counts: { hits: number; misses: number };
}

/**
 * Evaluation stopped because a policy is too complex to evaluate in bounded time, or the event's
 * budget ran out. The core turns it into a blocked report (finding POLICY_TOO_COMPLEX); never a retry.
 */
export class PolicyTooComplexError extends Error {
  constructor(
    message: string,
    /** The policy named in the finding (its name or ARN, as the evaluator was given it). */
    readonly policy: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PolicyTooComplexError';
  }
}

/** The plain evaluator: iam-simulate in Discovery mode, with pattern complexity capped before matching. */
export function plainEvaluator(limits: ComplexityLimits = DEFAULT_LIMITS): Evaluator {
  return {
    async decide(question: Question): Promise<Decision> {
      const problem = checkComplexity(question.simulation, limits);
      if (problem) throw new PolicyTooComplexError(problem.message, problem.policy);
      const discoveryContextKeyConstraints: DiscoveryContextKeyConstraint[] = [
        ...new Set(question.knownKeys),
      ].map((keyName) => ({ keyName, presenceIsKnown: true, valueIsKnown: true }));
      const simulation: Simulation = {
        ...question.simulation,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      };
      const result = await runSimulation(simulation, {
        simulationMode: 'Discovery',
        discoveryContextKeyConstraints,
      });
      return classifyResult(result, question.simulation.permissionBoundaryPolicies !== undefined);
    },
  };
}

type SimulationResults = Awaited<ReturnType<typeof runSimulation>>;

/** Classifies the evaluator's answer in the words of our findings. */
function classifyResult(result: SimulationResults, hasBoundary: boolean): Decision {
  if (result.resultType === 'error')
    return {
      verdict: 'unevaluable',
      identityAllows: false,
      resourceAllows: false,
      detail: result.errors.message,
    };
  const analysis = result.resultType === 'single' ? result.result.analysis : result.results[0]?.analysis;
  if (!analysis) {
    // A wildcard resource that no policy grants is simulated no further: denied with nothing to analyse.
    if (result.overallResult === 'ImplicitlyDenied')
      return { verdict: 'implicit-deny', identityAllows: false, resourceAllows: false, unanalysed: true };
    return { verdict: 'unevaluable', identityAllows: false, resourceAllows: false, detail: 'no result' };
  }
  const identityAllows = analysis.identityAnalysis?.result === 'Allowed';
  const resourceResult = analysis.resourceAnalysis?.result;
  const resourceAllows = resourceResult === 'Allowed' || resourceResult === 'AllowedForAccount';
  if (result.overallResult === 'Allowed') {
    if (analysis.conditions === undefined) return { verdict: 'allowed', identityAllows, resourceAllows };
    const unknownKeys = [...new Set(conditionKeys(analysis.conditions))].sort();
    return {
      verdict: 'depends-on-unknown-context',
      identityAllows,
      resourceAllows,
      unknownKeys,
      detail: unknownKeys.join(', '),
    };
  }
  const denials = getDenialReasons(analysis);
  let verdict: Verdict = 'implicit-deny';
  if (result.overallResult === 'ExplicitlyDenied') {
    const explicit = denials.filter((d) => d.denialType === 'Explicit');
    verdict =
      explicit.length > 0 && explicit.every((d) => d.policyType === 'pb') ? 'boundary' : 'explicit-deny';
  } else if (
    (hasBoundary && analysis.permissionBoundaryAnalysis?.result !== 'Allowed') ||
    denials.some((d) => d.policyType === 'pb')
  ) {
    verdict = 'boundary';
  }
  return { verdict, identityAllows, resourceAllows };
}

/** Every condition `key` named anywhere in the evaluator's condition expression. */
function conditionKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(conditionKeys);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const own = typeof record.key === 'string' ? [record.key] : [];
  return [...own, ...Object.values(record).flatMap(conditionKeys)];
}
