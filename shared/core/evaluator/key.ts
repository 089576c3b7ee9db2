/**
 * The memo's key: the whole question (every field of the simulation, the known
 * keys), each policy document standing as the number of its text. A field added to the simulation
 * input is part of the key without anyone listing it.
 */
import type { PolicyDocument } from '../types';
import type { NamedPolicy, Question } from './evaluator';
import type { DocumentFacts, MemoTables } from './tables';

/** How the abstraction layer (names.ts) changes the canonical form; nothing for the exact key. */
export interface KeyAbstraction {
  /** Applied to the principal. */
  renamePrincipal: (value: string) => string;
  /** Applied to the resource and to every context value. */
  rename: (value: string) => string;
  /** The context to key on (without the clock, when no policy names it). */
  context: Record<string, unknown>;
  documentId: (d: DocumentFacts) => number;
  /** How the policies' values compare with the values that were renamed. */
  comparisons: string;
}

/** The key of `q`: exact, or abstracted as `abstraction` says. */
export function canonicalKey(q: Question, tables: MemoTables, abstraction?: KeyAbstraction): string {
  const { request, identityPolicies, resourcePolicy, permissionBoundaryPolicies, ...rest } = q.simulation;
  const id = (document: PolicyDocument) => {
    const facts = tables.factsOf(document);
    return `#${abstraction ? abstraction.documentId(facts) : facts.id}`;
  };
  const named = (list: NamedPolicy[]) => list.map((p) => ({ ...p, policy: id(p.policy) }));
  const renamed = (v: unknown): unknown =>
    abstraction === undefined
      ? v
      : typeof v === 'string'
        ? abstraction.rename(v)
        : Array.isArray(v)
          ? v.map(renamed)
          : v;
  const context = abstraction?.context ?? request.contextVariables;
  const shaped = {
    ...rest,
    request: {
      ...request,
      principal: abstraction ? abstraction.renamePrincipal(request.principal) : request.principal,
      resource: { ...request.resource, resource: renamed(request.resource.resource) },
      contextVariables: Object.fromEntries(Object.entries(context).map(([k, v]) => [k, renamed(v)])),
    },
    identityPolicies: named(identityPolicies),
    ...(resourcePolicy !== undefined ? { resourcePolicy: id(resourcePolicy) } : {}),
    ...(permissionBoundaryPolicies !== undefined
      ? { permissionBoundaryPolicies: named(permissionBoundaryPolicies) }
      : {}),
  };
  // JSON in the order the fields were built: equal inputs built alike have equal keys, and an input
  // built in another order only misses the memo (it never reuses another input's answer).
  return JSON.stringify([
    abstraction ? 'abstracted' : 'exact',
    shaped,
    q.knownKeys,
    abstraction?.comparisons ?? '',
  ]);
}
