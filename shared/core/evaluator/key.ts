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
  const { principal, action, resource, contextVariables, ...requestRest } = request;
  const { resource: resourceArn, ...resourceRest } = resource;
  const id = (document: PolicyDocument | undefined) => {
    if (document === undefined) return '-';
    const facts = tables.factsOf(document);
    return abstraction ? abstraction.documentId(facts) : facts.id;
  };
  // Each policy as its name and its document's number, and whatever else it carries.
  const named = (list: NamedPolicy[] | undefined) =>
    list?.map(({ name, policy, ...others }) => [name, id(policy), others]) ?? '-';
  const renamed = (v: unknown): unknown =>
    abstraction === undefined
      ? v
      : typeof v === 'string'
        ? abstraction.rename(v)
        : Array.isArray(v)
          ? v.map(renamed)
          : v;
  const context: Record<string, unknown> = abstraction?.context ?? contextVariables;
  const contextPairs: unknown[] = [];
  for (const key in context) contextPairs.push(key, renamed(context[key]));
  // JSON in the order the fields are listed: every field of the input is here (the `...rest` parts
  // hold any field the types gain), and an input built in another order only misses the memo.
  return JSON.stringify([
    abstraction ? 'abstracted' : 'exact',
    abstraction ? abstraction.renamePrincipal(principal) : principal,
    action,
    renamed(resourceArn),
    resourceRest,
    contextPairs,
    requestRest,
    named(identityPolicies),
    id(resourcePolicy),
    named(permissionBoundaryPolicies),
    rest,
    q.knownKeys,
    abstraction?.comparisons ?? '',
  ]);
}
