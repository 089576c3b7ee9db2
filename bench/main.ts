/**
 * `npm run bench [-- --json] [-- --latency MS] [-- --only PART,...] [-- --scan-jobs N]`: asset size, cold start, calls and time per event (also
 * under a fixed per-call latency, with the critical path), a 10,000-job scan and the offline core.
 * Prints a table and one JSON object (only the JSON with --json); progress goes to stderr. Starts its
 * own moto server (test/support), or reuses GT_MOTO_ENDPOINT.
 */
import { cpus, totalmem } from 'node:os';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import startMoto, { stopMotoServer } from '../test/support/moto-global-setup';
import { resetMoto } from '../test/support/moto-reset';
import { measureAdversarial } from './adversarial';
import { parseArgs, UsageError } from './args';
import { buildAsset, measureAsset } from './asset';
import { measureCheck } from './check';
import { measureColdStart } from './cold-start';
import { measureHandler } from './handler';
import { measureScan } from './scan';
import { round } from './stats';

const log = (message: string): void => {
  process.stderr.write(`bench: ${message}\n`);
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const result: Record<string, unknown> = {
    machine: {
      nproc: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGiB: round(totalmem() / 2 ** 30),
      node: process.version,
    },
  };
  const { only } = args;
  if (only.has('asset') || only.has('cold-start')) {
    log('cdk synth with bundling ...');
    const asset = buildAsset();
    if (only.has('asset')) Object.assign(result, measureAsset(asset));
    if (only.has('cold-start')) {
      log('cold starts (11 interleaved runs each) ...');
      Object.assign(result, measureColdStart(asset));
    }
    rmSync(dirname(dirname(asset.dir)), { recursive: true, force: true });
  }
  if (only.has('check')) {
    log('checkJob on a 1,000-role snapshot ...');
    Object.assign(result, await measureCheck());
  }
  if (only.has('adversarial')) {
    log('adversarial policies (bounded work per event) ...');
    Object.assign(result, await measureAdversarial());
  }
  if (only.has('handler') || only.has('scan')) {
    log('starting moto ...');
    await startMoto();
    try {
      if (only.has('handler')) {
        log(`handler (latency ${args.latencyMs} ms per call) ...`);
        Object.assign(result, await measureHandler(args.latencyMs));
        await resetMoto();
      }
      if (only.has('scan')) {
        log(`scan of ${args.scanJobs.toLocaleString('en')} jobs ...`);
        Object.assign(result, await measureScan(args.scanJobs));
      }
    } finally {
      await stopMotoServer();
    }
  }
  result.benchSeconds = round((Date.now() - started) / 1000);
  if (!args.json) {
    for (const [key, value] of Object.entries(result))
      process.stdout.write(`${key.padEnd(20)} ${JSON.stringify(value)}\n`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
