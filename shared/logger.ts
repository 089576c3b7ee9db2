/** The pino logger: created once, synchronous stdout (Lambda freezes the process and would lose async lines). */
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** The process-wide logger; `LOG_LEVEL` sets the level (default info). */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino(
    { level, base: { service: 'gt-permissions-remediator' } },
    pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that writes nothing, for tests and the CLI. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
