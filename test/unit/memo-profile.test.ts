/**
 * The wildcard profile (evaluator/names.ts) skips a regular expression when a pattern's literal run
 * is missing from the text. The shortcut must give exactly the bits the regular expressions give:
 * checked against running every expression, on ASCII and on characters where lower-casing and
 * case-insensitive matching disagree (final sigma, Kelvin sign, dotless i).
 */
import fc from 'fast-check';
import { matcher, resourcePart } from '../../shared/core/evaluator/tables';
import { profile } from '../../shared/core/evaluator/names';

/** Every comparison, every expression: the profile as it was before the shortcut, decoded to one number per pair. */
function reference(patterns: string[], values: string[]): number[] {
  const out: number[] = [];
  for (const t of patterns.map(matcher)) {
    for (const s of values) {
      const part = resourcePart(s);
      out.push(
        (t.value === s ? 32 : 0) |
          (t.lower === s.toLowerCase() ? 16 : 0) |
          (t.whole.test(s) ? 8 : 0) |
          (t.wholeFolded.test(s) ? 4 : 0) |
          (part !== undefined && t.part?.test(part) ? 2 : 0) |
          (part !== undefined && t.partFolded?.test(part) ? 1 : 0),
      );
    }
  }
  return out;
}

/** The profile's sparse text back to one number per pair. */
function decode(text: string): number[] {
  if (text === '') return [];
  const [count = '0', ...pairs] = text.split(',');
  const out = Array<number>(Number(count)).fill(0);
  for (const pair of pairs) {
    const [at = '0', bits = '0'] = pair.split(':');
    out[Number(at)] = Number(bits);
  }
  return out;
}

const char = fc.constantFrom(
  'a',
  'A',
  'b',
  'job',
  '-',
  '/',
  ':',
  '*',
  '?',
  'σ',
  'ς',
  'Σ',
  '\u212a',
  'k',
  'ı',
  'I',
);
const text = fc.array(char, { maxLength: 8 }).map((cs) => cs.join(''));
const arnLike = fc.tuple(text, text).map(([a, b]) => `arn:aws:s3:::${a}/${b}`);

describe('wildcard profile', () => {
  it('gives the bits of every regular expression, with the literal-run shortcut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(text, arnLike), { minLength: 1, maxLength: 4 }),
        fc.array(fc.oneof(text, arnLike), { minLength: 1, maxLength: 3 }),
        (patterns, values) => {
          expect(decode(profile(patterns.map(matcher), values))).toEqual(reference(patterns, values));
        },
      ),
      { numRuns: 2000, seed: 1204 },
    );
  });

  it('runs the expression where lower-casing disagrees with case-insensitive matching', () => {
    // /σ/i matches ς, though 'ς'.toLowerCase() does not hold 'σ'
    expect(decode(profile([matcher('*σ*')], ['ς']))).toEqual(reference(['*σ*'], ['ς']));
    expect(reference(['*σ*'], ['ς'])[0]).toBe(4);
  });
});
