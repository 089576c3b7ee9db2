/**
 * No module-level mutable state in shared/core: the same selectors as eslint.config.mjs's rule, run
 * on every core file, and shown to catch what they are for (a cache Map, a counter) in a probe file.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import selectors from '../../eslint.module-state.json';

const ROOT = join(__dirname, '../..');
const CORE = join(ROOT, 'shared/core');

function coreFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? coreFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** ESLint with only the module-state rule (no type information needed). */
function linter(): ESLint {
  return new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        linterOptions: { reportUnusedDisableDirectives: 'off' },
        languageOptions: { parser: tseslint.parser },
        rules: { 'no-restricted-syntax': ['error', ...selectors] },
      },
    ],
  });
}

async function problems(code: string): Promise<string[]> {
  const [result] = await linter().lintText(code, { filePath: join(CORE, 'probe.ts') });
  return (result?.messages ?? []).map((m) => m.message);
}

describe('module-level state in shared/core', () => {
  it('is absent from every core file', async () => {
    const results = await linter().lintFiles(coreFiles(CORE));
    const found = results.flatMap((r) =>
      r.messages.map((m) => `${relative(ROOT, r.filePath)}:${m.line} ${m.message}`),
    );
    expect(results.length).toBeGreaterThan(30);
    expect(found).toEqual([]);
  }, 180_000);

  it.each([
    [
      'a module-level cache Map',
      'const answers = new Map<string, number>();\nexport const get = (k: string) => answers.get(k);',
    ],
    ['an exported module-level Set', 'export const held = new Set<string>();'],
    ['a module-level counter', 'let misses = 0;\nexport const count = () => ++misses;'],
    ['a mutable static field', 'export class Memo {\n  static answers = new Map();\n}'],
  ])('is caught: %s', async (_name, code) => {
    expect(await problems(code)).toHaveLength(1);
  });

  it('lets constants, frozen data and instances built inside functions through', async () => {
    const code = [
      'const LIMIT = 20_000;',
      "const KEYS: readonly string[] = Object.freeze(['a']);",
      'export function memo() {\n  const answers = new Map<string, number>();\n  return answers;\n}',
      'export class Memo {\n  private readonly answers = new Map<string, number>();\n}',
    ].join('\n');
    expect(await problems(code)).toEqual([]);
  });
});
