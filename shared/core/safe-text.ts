/**
 * Text from events, policies and accounts is shown to people (terminals, email subjects and bodies).
 * C0 and C1 control characters and Unicode bidi controls could rewrite what they see (ANSI escapes,
 * fake lines, reversed ARNs), so they are shown escaped, as `\u001b`, never passed through.
 */

/** C0 (including newline and tab), DEL, C1, and the bidi embedding, override, isolate and mark characters. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The string with every unsafe character replaced by its `\uXXXX` escape. */
export function safeText(value: string): string {
  return value.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A deep copy of `value` with every string (keys included) passed through {@link safeText}. */
export function safeStrings<T>(value: T): T {
  if (typeof value === 'string') return safeText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => safeStrings(v)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [safeText(k), safeStrings(v)])) as T;
  }
  return value;
}

/**
 * JSON for a terminal: JSON.stringify already escapes C0 controls, but not C1 or bidi characters;
 * those become `\uXXXX` escapes too, which JSON readers decode back to the same string.
 */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
