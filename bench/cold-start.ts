/** Cold start: fresh Node processes loading the asset's handler module, interleaved with bare `node -e 0`. */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { Asset } from './asset';
import { median, msSince, round } from './stats';

const RUNS = 11;

function timeNode(args: string[], env: Record<string, string>): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
    encoding: 'utf8',
  });
  const ms = msSince(start);
  if (run.status !== 0)
    throw new Error(`node ${args.join(' ')} failed: ${run.stderr.trim().split('\n')[0] ?? ''}`);
  return ms;
}

/** initMs, bareNodeMs (medians of 11, interleaved), their ratio, with the function's NODE_OPTIONS. */
export function measureColdStart(asset: Asset) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', LAMBDA_TASK_ROOT: asset.dir };
  if (asset.nodeOptions) env.NODE_OPTIONS = asset.nodeOptions;
  // As Lambda's runtime loads an .mjs handler: a dynamic import.
  const load = [
    '--input-type=module',
    '-e',
    `await import(${JSON.stringify(pathToFileURL(asset.entry).href)})`,
  ];
  const bare = ['-e', '0'];
  timeNode(load, env); // warms the page cache; not counted
  timeNode(bare, env);
  const init: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    init.push(timeNode(load, env));
    base.push(timeNode(bare, env));
  }
  const initMs = median(init);
  const bareNodeMs = median(base);
  return {
    initMs: round(initMs),
    bareNodeMs: round(bareNodeMs),
    initRatio: round(initMs / bareNodeMs, 2),
    initRuns: RUNS,
    nodeOptions: asset.nodeOptions,
  };
}
