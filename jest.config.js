/** Four projects: pure unit tests, integration tests against moto server, the deployed stacks in moto, and CDK assertions. */
// Transpile only: `npm test` type-checks everything once with tsc before jest runs.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json' }];
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/moto-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/moto-global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
    },
    {
      // The synthesized stacks created in moto's CloudFormation and the deployed asset driven there.
      ...common,
      displayName: 'deployed',
      testMatch: ['<rootDir>/test/deployed/**/*.test.ts'],
      globalSetup: '<rootDir>/test/deployed/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/moto-global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
    },
    {
      ...common,
      displayName: 'cdk',
      testMatch: ['<rootDir>/test/cdk/**/*.test.ts'],
    },
  ],
  testTimeout: 60000,
  // One moto server serves every integration file and some suites reset it: run files one at a time
  // (what jest does on a 2-core machine anyway), so a reset never lands in another file's test.
  maxWorkers: 1,
};
