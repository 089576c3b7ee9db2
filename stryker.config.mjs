// Mutation testing of the safety-critical files (`npm run test:mutation`; long: run outside .ci/run).
// scripts/test-mutation.ts starts one moto server for every mutant's run (GT_MOTO_ENDPOINT), so the
// integration tests reuse it instead of starting their own; one runner at a time because some
// integration suites reset moto.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { configFile: 'jest.mutation.config.js', enableFindRelatedTests: false },
  coverageAnalysis: 'perTest',
  concurrency: 1,
  timeoutMS: 60_000,
  dryRunTimeoutMinutes: 40,
  checkers: [],
  ignoreStatic: true,
  mutate: [
    'shared/core/verify-event.ts',
    'shared/core/role-guards.ts',
    'shared/core/patch-documents.ts',
    'shared/core/prove.ts',
    'shared/core/proof-memo.ts',
    'shared/core/simulation-memo.ts',
    'shared/core/question-memo.ts',
    'shared/apply-changes.ts',
    'shared/core/report-changes.ts',
    'shared/aws/member-account.ts',
  ],
  ignorePatterns: ['.venv', 'cdk.out', 'dist', '.bench', 'reports', 'coverage'],
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
};
