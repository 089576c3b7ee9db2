/** The CLI's failures that are not bad input: an AWS call failed (exit 3), or the person pressed Ctrl-C (exit 130). */
import { describeError } from '../shared/aws/errors';

/** An AWS call failed (credentials included); the CLI prints the message on one line and exits 3. */
export class AwsFailureError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AwsFailureError';
  }

  /** Wraps an SDK (or flow) error; its message is flattened to one line. */
  static from(error: unknown): AwsFailureError {
    if (error instanceof AwsFailureError) return error;
    return new AwsFailureError(`AWS call failed: ${oneLineText(describeError(error))}`, { cause: error });
  }
}

/** Ctrl-C (or end of input) at a prompt; the CLI exits 130 and has changed nothing. */
export class InterruptedError extends Error {
  constructor() {
    super('interrupted; nothing changed');
    this.name = 'InterruptedError';
  }
}

/** Collapses line breaks and runs of spaces: every CLI error is one line. */
export function oneLineText(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
