import { createRequire } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Module-level mutable state in shared/core (test/unit/module-state.test.ts lints with the same selectors). */
const MODULE_STATE_SELECTORS = createRequire(import.meta.url)('./eslint.module-state.json');

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'cdk.out/',
      '.venv/',
      'coverage/',
      'bin/',
      'scripts/*.js',
      'eslint.config.mjs',
      'jest.config.js',
      'jest.mutation.config.js',
      'stryker.config.mjs',
      '.stryker-tmp/',
      'reports/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // State is owned, never module-level (STYLE.md): a cache that decides an answer belongs to an
    // instance someone built and passed in (shared/core/evaluator/memo.ts).
    files: ['shared/core/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...MODULE_STATE_SELECTORS],
    },
  },
);
