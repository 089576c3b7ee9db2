/**
 * Renders the README's example email and report JSON from the bundled example (examples/) through
 * the real code (checkJob + buildNotification) and writes them between the README's marker comments.
 * Run after changing the renderer: `npx tsx scripts/render-examples.ts` (test/unit/readme-examples
 * fails while README.md differs from this output).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildNotification,
  checkJob,
  DEFAULT_CORE_OPTIONS,
  inventoryFromSnapshot,
  parseLabelingJobInput,
} from '../shared/core';
import { REASON } from '../shared/core/render';

/** Repository root. */
export const ROOT = join(__dirname, '..');

/** The dry-run parameter name of a default deployment (stack GtPermissionsRemediator). */
const PARAMETER = '/GtPermissionsRemediator/dry-run';

/** The README blocks, by marker name (`<!-- example:NAME:start -->` ... `<!-- example:NAME:end -->`). */
export type Examples = Record<'email' | 'report' | 'reasons', string>;

function readJson(...path: string[]): unknown {
  return JSON.parse(readFileSync(join(ROOT, ...path), 'utf8')) as unknown;
}

/** The example job checked against the example snapshot, as a fresh deployment (dry-run) reports it. */
export async function renderExamples(): Promise<Examples> {
  const event = readJson('examples', 'events', 'create-labeling-job.json') as { time: string };
  const parsed = parseLabelingJobInput(event);
  if (parsed.kind !== 'request') throw new Error(`the example event does not parse: ${parsed.kind}`);
  const inventory = inventoryFromSnapshot(
    readJson('examples', 'snapshot', 'iam.json'),
    readJson('examples', 'snapshot', 'lambda.json'),
  );
  // The event's own time: the rendering does not depend on the day the script runs.
  const report = await checkJob(parsed.request, inventory, {
    core: DEFAULT_CORE_OPTIONS,
    dryRun: true,
    now: new Date(event.time),
  });
  const mail = buildNotification(report, PARAMETER);
  const attributes = Object.entries(mail.attributes)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return {
    email: fence('', `Subject: ${mail.subject}\nMessage attributes: ${attributes}\n\n${mail.body.trimEnd()}`),
    report: fence('json', JSON.stringify(report, null, 2)),
    reasons: [
      '| Reason | Meaning |',
      '| --- | --- |',
      ...Object.entries(REASON).map(
        ([code, meaning]) => `| \`${code}\` | ${meaning.replace(/\|/g, '\\|')} |`,
      ),
    ].join('\n'),
  };
}

function fence(language: string, text: string): string {
  return `\`\`\`${language}\n${text}\n\`\`\``;
}

/** `readme` with each marked block replaced by its example; throws when a marker pair is missing. */
export function applyExamples(readme: string, examples: Examples): string {
  let text = readme;
  for (const [name, block] of Object.entries(examples)) {
    const start = `<!-- example:${name}:start -->`;
    const end = `<!-- example:${name}:end -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md lacks the markers ${start} ... ${end}`);
    text = `${text.slice(0, from + start.length)}\n${block}\n${text.slice(to)}`;
  }
  return text;
}

async function main(): Promise<void> {
  const path = join(ROOT, 'README.md');
  const before = readFileSync(path, 'utf8');
  const after = applyExamples(before, await renderExamples());
  if (after !== before) writeFileSync(path, after);
  process.stdout.write(
    after === before ? 'README.md examples are up to date\n' : 'README.md examples rewritten\n',
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`render-examples: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
