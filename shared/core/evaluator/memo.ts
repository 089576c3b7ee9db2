/**
 * The memoizing evaluator: built once per Lambda container, per scan or per CLI run by whoever runs
 * the flow, and passed in. Answers are kept by the canonical form of the whole question (key.ts); the
 * abstraction layer (names.ts), on by default and switchable, lets jobs, roles and clocks that no
 * policy tells apart share one answer. It also owns the proof memo's keys (proof-memo.ts).
 */
import {
  plainEvaluator,
  type Decision,
  type Evaluator,
  type KeySet,
  type Question,
  type Sharing,
} from './evaluator';
import { canonicalKey } from './key';
import { abstractedKey } from './names';
import { MemoTables } from './tables';

/** How the memo is built. */
export interface MemoOptions {
  /** Share answers across job names, role names and clocks no policy tells apart (default true). */
  abstraction?: boolean;
  /** Answers kept; the oldest is dropped first (default 20,000). */
  limit?: number;
}

/** A memoizing evaluator, with its counts (tests and the benchmark). */
export interface MemoizingEvaluator extends Evaluator {
  readonly sharing: Sharing;
  /** Questions answered from the memo, and questions the inner evaluator answered. */
  readonly counts: { readonly hits: number; readonly misses: number };
  /** Whether the abstraction layer is on. */
  readonly abstraction: boolean;
}

/** Memoizes `inner` (default: a plain evaluator). */
export function memoizingEvaluator(
  inner: Evaluator = plainEvaluator(),
  options: MemoOptions = {},
): MemoizingEvaluator {
  const tables = new MemoTables();
  const answers = new Map<string, Promise<Decision>>();
  const limit = options.limit ?? 20_000;
  const abstraction = options.abstraction ?? true;
  const counts = { hits: 0, misses: 0 };
  return {
    abstraction,
    counts,
    sharing: { tables, ...(abstraction ? { proofs: new BoundedKeySet(10_000) } : {}) },
    decide(question: Question): Promise<Decision> {
      const key =
        (abstraction ? abstractedKey(question, tables) : undefined) ?? canonicalKey(question, tables);
      const hit = answers.get(key);
      if (hit !== undefined) {
        counts.hits++;
        return hit;
      }
      counts.misses++;
      const answer = inner.decide(question);
      // A failure is not an answer: the next asker tries again.
      answer.catch(() => answers.get(key) === answer && answers.delete(key));
      if (answers.size >= limit) answers.delete(answers.keys().next().value as string);
      answers.set(key, answer);
      return answer;
    },
  };
}

/** Keys of proofs that held, bounded: when full, it starts again empty. */
class BoundedKeySet implements KeySet {
  private readonly held = new Set<string>();
  readonly counts = { hits: 0, misses: 0 };

  constructor(private readonly limit: number) {}

  has(key: string | undefined): boolean {
    const hit = key !== undefined && this.held.has(key);
    if (hit) this.counts.hits++;
    else this.counts.misses++;
    return hit;
  }

  add(key: string | undefined): void {
    if (key === undefined) return;
    if (this.held.size >= this.limit) this.held.clear();
    this.held.add(key);
  }
}
