/** Command-line options of `npm run bench`. */

/** Parsed options. */
export interface BenchArgs {
  json: boolean;
  latencyMs: number;
}

/** Bad usage: main prints the message on one line and exits 2. */
export class UsageError extends Error {}

/** Parses `[--json] [--latency MS]`. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { json: false, latencyMs: 50 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') args.json = true;
    else if (arg === '--latency') {
      const value = argv[++i];
      const ms = Number(value);
      if (value === undefined || !/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(ms)) {
        throw new UsageError(`--latency needs a number of milliseconds ≥ 0, got ${value ?? 'nothing'}`);
      }
      args.latencyMs = ms;
    } else throw new UsageError(`unknown option ${arg}; usage: npm run bench -- [--json] [--latency MS]`);
  }
  return args;
}
