/**
 * Jest globalSetup for the integration project: starts moto server on a free loopback port and
 * points the AWS SDK at it through the environment (AWS_ENDPOINT_URL), which jest passes on to the
 * test workers. Set GT_MOTO_ENDPOINT to reuse a moto server that is already running.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

declare global {
  /** The moto server started by globalSetup, for globalTeardown to stop. */
  var __GT_MOTO_SERVER__: ChildProcess | undefined;
}

const repoRoot = resolve(__dirname, '..', '..');
const venv = join(repoRoot, '.venv');
const logFile = join(venv, 'moto-server.log');
const startupTimeoutMs = 60_000;

/** Start (or reuse) moto server and export the emulator's endpoint and fake credentials. */
export default async function globalSetup(): Promise<void> {
  const reuse = process.env.GT_MOTO_ENDPOINT;
  if (reuse) {
    exportEnvironment(reuse.replace(/\/+$/, ''));
    return;
  }
  ensureVenv();
  const port = await findFreePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = startMotoServer(port);
  globalThis.__GT_MOTO_SERVER__ = child;
  try {
    await waitUntilReady(endpoint, child);
  } catch (error) {
    await stopMotoServer();
    throw error;
  }
  exportEnvironment(endpoint);
}

/** Stop the moto server started by globalSetup: SIGTERM, then SIGKILL after 5 s. No-op when reused. */
export async function stopMotoServer(): Promise<void> {
  const child = globalThis.__GT_MOTO_SERVER__;
  globalThis.__GT_MOTO_SERVER__ = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((done) => {
    timer = setTimeout(() => done('timeout'), 5_000);
  });
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

function ensureVenv(): void {
  const script = join(repoRoot, 'scripts', 'ensure-venv.sh');
  const result = spawnSync('bash', [script], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.error) throw new Error(`cannot run ${script}`, { cause: result.error });
  if (result.status !== 0) throw new Error(`${script} failed with exit status ${String(result.status)}`);
}

function findFreePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? done(port) : fail(new Error('no free port on 127.0.0.1'))));
    });
  });
}

function startMotoServer(port: number): ChildProcess {
  const binary = join(venv, 'bin', 'moto_server');
  if (!existsSync(binary)) throw new Error(`${binary} is missing; run scripts/ensure-venv.sh`);
  const log = openSync(logFile, 'w');
  try {
    const child = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], {
      // Loads the AWS managed policies (e.g. AmazonSageMakerGroundTruthExecution) into IAM.
      env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
      stdio: ['ignore', log, log],
    });
    // Never let a crashed or interrupted jest leave the server running. A signal sent to jest
    // alone skips 'exit' handlers, so kill on signals too, then let the default action proceed.
    process.once('exit', () => child.kill('SIGKILL'));
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        child.kill('SIGKILL');
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    }
    // The server must not keep jest alive if teardown never runs.
    child.unref();
    return child;
  } finally {
    closeSync(log);
  }
}

async function waitUntilReady(endpoint: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + startupTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`moto server exited during startup:\n${tailOfLog()}`);
    }
    try {
      await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      return; // Any HTTP answer means the server is listening.
    } catch {
      await new Promise((done) => setTimeout(done, 200));
    }
  }
  throw new Error(`moto server did not answer on ${endpoint} within ${startupTimeoutMs} ms:\n${tailOfLog()}`);
}

function tailOfLog(): string {
  return existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '(no log)';
}

function exportEnvironment(endpoint: string): void {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    MOTO_PORT: new URL(endpoint).port,
    // Test-only noise: the SDK warns on every Node < 22 run; package.json supports Node 20.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
}
