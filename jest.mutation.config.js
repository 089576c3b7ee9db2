/**
 * The unit and integration projects of jest.config.js, for mutation testing (no CDK synth, no
 * deployed stacks). GT_MUTATION_TESTS (comma-separated paths, e.g.
 * `test/unit/verify-and-report.test.ts,test/integration/event-verification.test.ts`) narrows the
 * run to those files for a quick look at one source file; the score of record runs them all.
 */
const base = require('./jest.config.js');
const only = (process.env.GT_MUTATION_TESTS ?? '')
  .split(',')
  .map((p) => p.trim())
  .filter(Boolean);
const projects = base.projects
  .filter((p) => p.displayName === 'unit' || p.displayName === 'integration')
  .map((p) =>
    only.length === 0
      ? p
      : {
          ...p,
          testMatch: only.filter((f) => f.startsWith(`test/${p.displayName}/`)).map((f) => `<rootDir>/${f}`),
        },
  )
  .filter((p) => p.testMatch.length > 0);
module.exports = { ...base, projects };
