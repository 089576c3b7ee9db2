/** Three projects: pure unit tests, integration tests against moto server, and CDK assertions. */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: true }];
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
      globalSetup: '<rootDir>/test/integration/moto-global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/moto-global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/integration/jest-setup.ts'],
    },
    {
      ...common,
      displayName: 'cdk',
      testMatch: ['<rootDir>/test/cdk/**/*.test.ts'],
    },
  ],
  testTimeout: 60000,
};
