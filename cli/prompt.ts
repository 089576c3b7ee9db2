/** The yes/no question before `fix` writes: Ctrl-C or end of input is an interruption, not a "no". */
import { createInterface } from 'node:readline';
import { InterruptedError } from './cli-errors';

/** Asks on `output`; resolves true for y/yes, false otherwise; rejects with InterruptedError on Ctrl-C or EOF. */
export function confirm(
  question: string,
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
  terminal?: boolean,
): Promise<boolean> {
  const rl = createInterface({ input, output, ...(terminal === undefined ? {} : { terminal }) });
  return new Promise<boolean>((resolve, reject) => {
    let answered = false;
    // In raw (terminal) mode Ctrl-C reaches readline as a key, not as a signal to the process.
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => {
      if (answered) return;
      output.write('\n');
      reject(new InterruptedError());
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
  });
}
