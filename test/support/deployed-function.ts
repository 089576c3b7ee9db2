/**
 * Runs the deployed function's bundle from cdk.out in a child Node process, as Lambda would: the
 * handler named by the deployed configuration, the deployed environment variables and nothing from
 * this repository (no node_modules, no ts). Events go in on stdin, one JSON line each, and are
 * handled one at a time (reserved concurrency 1); results come back as JSON lines on fd 3, so the
 * function's pino logs on stdout stay apart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** What the handler returned, or the error it threw. */
export type Invocation =
  { ok: true; value: unknown } | { ok: false; error: { name: string; message: string } };

/** How to start the function. */
export interface FunctionLaunch {
  /** The asset folder (the function's code root, LAMBDA_TASK_ROOT). */
  codeDir: string;
  /** The deployed Handler setting, e.g. `dist/esm/index.handler`. */
  handler: string;
  functionName: string;
  /** The deployed environment variables (GetFunctionConfiguration). */
  environment: Record<string, string>;
  /** Where AWS calls go (the recording proxy). */
  endpoint: string;
  region: string;
  /** The credentials Lambda would hand the function for its role (fake; the proxy maps them to the role). */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

/** A running function process. */
export interface FunctionProcess {
  invoke: (event: unknown) => Promise<Invocation>;
  /** The pino lines the function wrote so far, parsed. */
  logs: () => Record<string, unknown>[];
  stop: () => Promise<void>;
}

// Node's `-e` has no file, so the bundle is imported by absolute URL (argv[1]) and its export by name (argv[2]).
const RUNNER = `
import { createInterface } from 'node:readline';
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [file, exportName] = process.argv.slice(1);
const handler = (await import(pathToFileURL(file).href))[exportName];
for await (const line of createInterface({ input: process.stdin })) {
  let out;
  try {
    out = { ok: true, value: await handler(JSON.parse(line)) };
  } catch (error) {
    out = { ok: false, error: { name: error?.name ?? 'Error', message: String(error?.message ?? error) } };
  }
  writeSync(3, JSON.stringify(out) + '\\n');
}
`;

/** Starts the function process; `invoke` resolves with each event's result in order. */
export function startDeployedFunction(launch: FunctionLaunch): FunctionProcess {
  const dot = launch.handler.lastIndexOf('.');
  const file = join(launch.codeDir, `${launch.handler.slice(0, dot)}.mjs`);
  const exportName = launch.handler.slice(dot + 1);
  const env: Record<string, string> = {
    ...launch.environment,
    // What the Lambda runtime adds to every function's environment (the parts the code can see).
    AWS_REGION: launch.region,
    AWS_DEFAULT_REGION: launch.region,
    AWS_LAMBDA_FUNCTION_NAME: launch.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    LAMBDA_TASK_ROOT: launch.codeDir,
    AWS_ACCESS_KEY_ID: launch.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: launch.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: launch.credentials.sessionToken,
    // The emulator instead of AWS, through the recording proxy.
    AWS_ENDPOINT_URL: launch.endpoint,
    PATH: process.env.PATH ?? '',
    // This toolchain's Node is older than Lambda's 22, and the SDK would warn about it on stderr.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const child: ChildProcess = spawn(
    process.execPath,
    ['--input-type=module', '-e', RUNNER, file, exportName],
    {
      cwd: launch.codeDir,
      env,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    },
  );
  const logLines: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout as Readable }).on('line', (line) => logLines.push(line));
  (child.stderr as Readable).on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const waiting: ((result: Invocation) => void)[] = [];
  createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => {
    waiting.shift()?.(JSON.parse(line) as Invocation);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  void exited.then(() => {
    for (const fail of waiting.splice(0))
      fail({ ok: false, error: { name: 'ProcessExited', message: stderr.join('').slice(-2000) } });
  });

  return {
    invoke: (event) =>
      new Promise<Invocation>((done) => {
        waiting.push(done);
        child.stdin?.write(`${JSON.stringify(event)}\n`);
      }),
    logs: () =>
      logLines.flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [{ msg: line }];
        }
      }),
    stop: async () => {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
