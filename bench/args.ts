/** Command-line options of `npm run bench`. */

/** The measurements, in the order main runs them. */
export const PARTS = ['asset', 'cold-start', 'check', 'handler', 'scan', 'adversarial'] as const;

/** One measurement. */
export type Part = (typeof PARTS)[number];

/** Parsed options. */
export interface BenchArgs {
  json: boolean;
  latencyMs: number;
  /** The parts to run (default: all). `cold-start` needs the asset, which it builds itself. */
  only: ReadonlySet<Part>;
  /** Jobs in the scan measurement (default 10,000). */
  scanJobs: number;
}

/** Bad usage: main prints the message on one line and exits 2. */
export class UsageError extends Error {}

const USAGE = `usage: npm run bench -- [--json] [--latency MS] [--only ${PARTS.join('|')}[,...]] [--scan-jobs N]`;

/** Parses `[--json] [--latency MS] [--only PART[,PART...]] [--scan-jobs N]`. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { json: false, latencyMs: 50, only: new Set(PARTS), scanJobs: 10_000 };
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
    } else if (arg === '--only') {
      const value = argv[++i] ?? '';
      const parts = value.split(',').filter((p) => p !== '');
      const unknown = parts.find((p) => !(PARTS as readonly string[]).includes(p));
      if (parts.length === 0 || unknown !== undefined) {
        throw new UsageError(
          `--only takes ${PARTS.join(', ')} (comma-separated), got ${unknown ?? 'nothing'}`,
        );
      }
      args.only = new Set(parts as Part[]);
    } else if (arg === '--scan-jobs') {
      const value = argv[++i];
      if (value === undefined || !/^[1-9]\d*$/.test(value)) {
        throw new UsageError(`--scan-jobs needs a whole number ≥ 1, got ${value ?? 'nothing'}`);
      }
      args.scanJobs = Number(value);
    } else throw new UsageError(`unknown option ${arg}; ${USAGE}`);
  }
  return args;
}
