/** Small statistics and timing helpers for the benchmark. */

/** The median of `values` (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** `n` rounded to `digits` decimals. */
export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Milliseconds elapsed since `start` (a `process.hrtime.bigint()` reading). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Total of a call counter's values. */
export function totalCalls(counter: ReadonlyMap<string, number>): number {
  return [...counter.values()].reduce((a, b) => a + b, 0);
}

/** A call counter as a plain object sorted by key. */
export function sortedCounts(counter: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...counter].sort(([a], [b]) => a.localeCompare(b)));
}
