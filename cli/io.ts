/** Where the CLI writes and how it asks; injectable so tests need no terminal. */
import { confirm } from './prompt';

/** The CLI's output streams and its yes/no question. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Asks a yes/no question (default: readline on the terminal); rejects with InterruptedError on Ctrl-C. */
  confirm?: (question: string) => Promise<boolean>;
  /** Whether a question can be asked (default: stdin is a terminal). */
  interactive?: boolean;
}

/** The process's stdout and stderr, asking on the terminal. */
export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** Asks through `io`, or on the terminal. */
export function ask(io: Io, question: string): Promise<boolean> {
  return io.confirm ? io.confirm(question) : confirm(question);
}

/** True when `io` can ask a question. */
export function canAsk(io: Io): boolean {
  return io.interactive ?? process.stdin.isTTY === true;
}
