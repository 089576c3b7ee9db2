/** The README's example email and report JSON are exactly what the code renders for the bundled example. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyExamples, renderExamples, ROOT } from '../../scripts/render-examples';

describe('README examples', () => {
  it('equal the rendered output (rerun `npx tsx scripts/render-examples.ts` after changing the renderer)', async () => {
    // Given the README as committed
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

    // When its example blocks are rendered again from examples/ through checkJob and buildNotification
    const rendered = applyExamples(readme, await renderExamples());

    // Then nothing changes
    expect(readme).toBe(rendered);
  });

  it('replaces only what lies between the markers, and refuses a README without them', () => {
    const text =
      'a\n<!-- example:email:start -->\nold\n<!-- example:email:end -->\nb\n<!-- example:report:start -->\n<!-- example:report:end -->\n<!-- example:reasons:start -->\n<!-- example:reasons:end -->\n';
    expect(applyExamples(text, { email: 'E', report: 'R', reasons: '' })).toBe(
      'a\n<!-- example:email:start -->\nE\n<!-- example:email:end -->\nb\n<!-- example:report:start -->\nR\n<!-- example:report:end -->\n<!-- example:reasons:start -->\n\n<!-- example:reasons:end -->\n',
    );
    expect(() => applyExamples('no markers', { email: 'E', report: 'R', reasons: '' })).toThrow(
      /lacks the markers/,
    );
  });
});
