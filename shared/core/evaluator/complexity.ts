/**
 * The cap on pattern complexity, applied before the evaluator matches anything. IAM wildcards become
 * backtracking regular expressions (`*` → `.*?`) in iam-simulate (resource/resource.js, util.js
 * convertIamString, action/action.js): a value with s stars can cost about C(L + s, s) steps against
 * a text of length L. One policy with 12 stars and a long output path kept a writer busy for 70 s.
 * The estimate below is an upper bound of that work for each policy value against each request value
 * it may be matched with; past the limit the question is refused (POLICY_TOO_COMPLEX), never run.
 */
import type { PolicyDocument } from '../types';
import type { NamedPolicy, SimulationInput } from './evaluator';

/** The limits of one question. */
export interface ComplexityLimits {
  /** Estimated regular-expression steps, summed over every policy value and request value. */
  maxSteps: number;
}

/** About 0.2 s of matching in the worst case on the machines we measured (bench: worstAdversarialMs). */
export const DEFAULT_LIMITS: ComplexityLimits = Object.freeze({ maxSteps: 10_000_000 });

/** Why a question is refused: the policy that costs most, and a line saying why. */
export interface ComplexityProblem {
  policy: string;
  message: string;
}

/** Where a policy value is matched: which request values, and whether ARN by ARN segment only. */
type Place = 'resource' | 'action' | 'principal' | 'condition' | 'other';

/** The problem with `simulation`, or undefined when every pattern is cheap enough to match. */
export function checkComplexity(
  simulation: SimulationInput,
  limits: ComplexityLimits,
): ComplexityProblem | undefined {
  const { request } = simulation;
  const context = Object.values(request.contextVariables).flatMap((v) => (Array.isArray(v) ? v : [v]));
  const all = [request.principal, request.action, request.resource.resource, ...context];
  const textsAt: Record<Place, { texts: string[]; whole: boolean }> = {
    // Resource elements are matched ARN segment by ARN segment (resource/resource.js).
    resource: { texts: [request.resource.resource], whole: false },
    action: { texts: [request.action], whole: true },
    principal: { texts: [request.principal], whole: true },
    condition: { texts: context, whole: true },
    other: { texts: all, whole: true },
  };
  const policies: NamedPolicy[] = [
    ...simulation.identityPolicies,
    ...(simulation.permissionBoundaryPolicies ?? []),
    ...(simulation.resourcePolicy ? [{ name: 'resource policy', policy: simulation.resourcePolicy }] : []),
  ];
  const longest = all.reduce((max, t) => Math.max(max, t.length), 0);
  let bound = 0;
  for (const { policy } of policies)
    for (const { value } of patternValues(policy))
      bound += placements(longest, starCount(value), limits.maxSteps);
  if (bound <= limits.maxSteps) return undefined;
  let total = 0;
  let worst = { policy: '', steps: -1, stars: 0 };
  for (const { name, policy } of policies) {
    let steps = 0;
    let stars = 0;
    for (const { value, place } of patternValues(policy)) {
      const { texts, whole } = textsAt[place];
      const cost = valueCost(value, texts, limits.maxSteps, whole);
      steps = Math.min(steps + cost, Number.MAX_VALUE);
      if (cost > 0) stars = Math.max(stars, starCount(value));
    }
    total = Math.min(total + steps, Number.MAX_VALUE);
    if (steps > worst.steps || (steps === worst.steps && stars > worst.stars))
      worst = { policy: name, steps, stars };
  }
  if (total <= limits.maxSteps) return undefined;
  return {
    policy: worst.policy,
    message: `matching its wildcards (up to ${worst.stars} * in one value) against values of up to ${longest} characters would take more than ${limits.maxSteps} steps`,
  };
}

/** Every string value of a document holding two or more `*` (one `*` matches in linear time), with where it is matched. */
function patternValues(document: PolicyDocument): { value: string; place: Place }[] {
  const out: { value: string; place: Place }[] = [];
  const walk = (value: unknown, place: Place): void => {
    if (typeof value === 'string') {
      if (starCount(value) >= 2) out.push({ value, place });
    } else if (Array.isArray(value)) value.forEach((v) => walk(v, place));
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach((v) => walk(v, place));
  };
  const places: Record<string, Place> = {
    Resource: 'resource',
    NotResource: 'resource',
    Action: 'action',
    NotAction: 'action',
    Principal: 'principal',
    NotPrincipal: 'principal',
    Condition: 'condition',
  };
  // Documents come as IAM holds them: check the shape instead of trusting the type.
  const { Statement, ...rest } = document as { Statement?: unknown };
  walk(rest, 'other');
  for (const statement of Array.isArray(Statement) ? Statement : [Statement]) {
    if (typeof statement !== 'object' || statement === null) {
      walk(statement, 'other');
      continue;
    }
    for (const [key, value] of Object.entries(statement as Record<string, unknown>))
      walk(value, places[key] ?? 'other');
  }
  return out;
}

function starCount(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) === 42) n++;
  return n;
}

/** The steps to match every pattern against every text (capped just past `cap`). */
export function matchingSteps(patterns: readonly string[], texts: readonly string[], cap: number): number {
  // A quick upper bound first: every pattern against the longest text, whole.
  const longest = texts.reduce((max, t) => Math.max(max, t.length), 0);
  let bound = 0;
  for (const pattern of patterns) {
    bound += placements(longest, starCount(pattern), cap);
    if (bound > cap) break;
  }
  if (bound <= cap) return bound;
  let steps = 0;
  for (const pattern of patterns) {
    if (starCount(pattern) < 2) continue;
    steps += valueCost(pattern, texts, cap, true);
    if (steps > cap) return steps;
  }
  return steps;
}

/**
 * An IAM wildcard match in linear time (`*` any run, `?` one character), for our own filters: no
 * backtracking, whatever the pattern. Both sides compared as given (lower-case them for a match
 * ignoring case, on ASCII text only).
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * The steps to match `pattern` against each text, whole (string conditions; unless `whole` is false)
 * and segment by segment when both are ARNs (Resource elements, ARN conditions). Capped at `cap`.
 */
function valueCost(pattern: string, texts: readonly string[], cap: number, whole: boolean): number {
  const patternSegments = arnSegments(pattern);
  let cost = 0;
  for (const text of texts) {
    // A Resource value that is not an ARN (`*`, or a short one) is matched whole too.
    if (whole || !patternSegments) cost += segmentCost(pattern, text, cap);
    const textSegments = patternSegments ? arnSegments(text) : undefined;
    if (patternSegments && textSegments) {
      // Segment by segment, in order: the first segment that does not match ends the comparison.
      for (let i = 0; i < patternSegments.length; i++) {
        const segment = patternSegments[i] ?? '';
        const against = textSegments[i] ?? '';
        cost += segmentCost(segment, against, cap);
        if (i < 5 && !globMatch(segment.toLowerCase(), against.toLowerCase())) break;
      }
    }
    if (cost > cap) return cost;
  }
  return cost;
}

/** An ARN's six parts (the last one holds the rest, colons included), or undefined for another value. */
function arnSegments(value: string): string[] | undefined {
  if (!/^arn:/i.test(value)) return undefined;
  const parts = value.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * An anchored pattern fails at once unless its literal start matches the text's (`?` matches any
 * character); then backtracking over s stars explores at most C(L + s, s) placements.
 */
function segmentCost(pattern: string, text: string, cap: number): number {
  const stars = starCount(pattern);
  if (stars < 2) return 0;
  const prefix = pattern.slice(0, pattern.indexOf('*'));
  if (prefix.length > text.length) return 0;
  for (let i = 0; i < prefix.length; i++) {
    const p = prefix[i] ?? '';
    if (p !== '?' && p.toLowerCase() !== (text[i] ?? '').toLowerCase()) return 0;
  }
  return placements(text.length, stars, cap);
}

/** C(L + s, s) for s ≥ 2 (else 0), as a running product stopped once past the cap. */
function placements(length: number, stars: number, cap: number): number {
  if (stars < 2) return 0;
  let steps = 1;
  for (let k = 1; k <= stars; k++) {
    steps = (steps * (length + k)) / k;
    if (steps > cap) return cap + 1;
  }
  return steps;
}
