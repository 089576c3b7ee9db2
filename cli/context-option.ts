/** `--context key=value` (repeatable): condition-key values the user knows, for `check`, `fix` and `scan`. */
import { InputError } from './input-files';

/** A condition key: `prefix:Name`, or `prefix:Name/tag-key` (e.g. aws:ResourceTag/team). */
const CONDITION_KEY = /^[A-Za-z][A-Za-z0-9-]*:[A-Za-z][A-Za-z0-9_.-]*(\/[^=\s][^=]*)?$/;

/** Commander's collector: each `--context` adds one pair. */
export function collectContext(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * The pairs as condition-key values; undefined when none were given. Throws an InputError (exit 2)
 * naming the flag for a pair that is not `key=value` with a condition key, or a key given twice
 * with different values.
 */
export function parseContextOption(
  pairs: readonly string[] | undefined,
  flag = '--context',
): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const key = at < 0 ? pair.trim() : pair.slice(0, at).trim();
    if (at < 0 || !CONDITION_KEY.test(key)) {
      throw new InputError(
        `${flag}: "${pair}" is not key=value with a condition key such as aws:PrincipalOrgID=o-abc123 or aws:ResourceTag/team=labeling`,
      );
    }
    const value = pair.slice(at + 1);
    if (key in context && context[key] !== value)
      throw new InputError(`${flag}: ${key} is given twice, as "${context[key]}" and "${value}"`);
    context[key] = value;
  }
  return context;
}
