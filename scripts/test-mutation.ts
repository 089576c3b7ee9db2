/**
 * `npm run test:mutation`: starts one moto server, runs StrykerJS against it (every mutant's jest run
 * reuses the server through GT_MOTO_ENDPOINT), stops the server. Extra arguments go to stryker,
 * e.g. `npm run test:mutation -- --mutate shared/core/verify-event.ts`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import motoSetup, { stopMotoServer } from '../test/support/moto-global-setup';

async function main(): Promise<number> {
  await motoSetup();
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error('moto server did not start');
  try {
    const stryker = join(__dirname, '..', 'node_modules', '.bin', 'stryker');
    const run = spawnSync(stryker, ['run', ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, GT_MOTO_ENDPOINT: endpoint },
    });
    return run.status ?? 1;
  } finally {
    await stopMotoServer();
  }
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    console.error(`test:mutation: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
