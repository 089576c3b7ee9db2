/** The built CLI as a person runs it: no SDK Node-version warning, exit 3 with one line for AWS failures. */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'gt-remediate.js');
const EVENT = join(ROOT, 'examples', 'events', 'create-labeling-job.json');

/** An environment with no AWS settings from the machine running the tests. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_')) env[key] = value;
  return {
    ...env,
    AWS_CONFIG_FILE: join(ROOT, 'no-such-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(ROOT, 'no-such-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

function spawn(
  args: string[],
  env: NodeJS.ProcessEnv,
  command = [BIN],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...command, ...args], { cwd: ROOT, env }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

beforeAll(() => {
  // Build from the current sources: the spawned CLI is dist/.
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
}, 180_000);

describe('bin/gt-remediate.js live commands', () => {
  it('exit 3 with one line, and no report, when there are no credentials', async () => {
    const { status, stdout, stderr } = await spawn(
      ['check', '--live', '--event', EVENT],
      cleanEnv({ AWS_REGION: 'us-east-1' }),
    );
    expect(status).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'gt-remediate: AWS call failed: CredentialsProviderError: Could not load credentials from any providers\n',
    );
  });

  it('exit 3 with one line when the endpoint is unreachable, and no NodeVersionSupportWarning', async () => {
    const env = cleanEnv({
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
    });
    const { status, stdout, stderr } = await spawn(['fix', '--live', '--event', EVENT, '--yes'], env);
    expect(status).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^gt-remediate: AWS call failed: .*ECONNREFUSED.*\n$/);
    expect(stderr).not.toContain('NodeVersionSupportWarning');
  });

  it('a profile that does not exist is an AWS failure too', async () => {
    const { status, stderr } = await spawn(
      ['scan', '--live', '--profile', 'nobody', '--region', 'us-east-1'],
      cleanEnv({}),
    );
    expect(status).toBe(3);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^gt-remediate: AWS call failed: CredentialsProviderError: /);
  });

  it('(control) the same SDK client without the launcher does warn on Node < 22', async () => {
    const major = Number(process.versions.node.split('.')[0]);
    const script = "new (require('@aws-sdk/client-iam').IAMClient)({ region: 'us-east-1' })";
    const { stderr } = await spawn([], cleanEnv({}), ['-e', script]);
    if (major < 22) expect(stderr).toContain('NodeVersionSupportWarning');
    else expect(stderr).not.toContain('NodeVersionSupportWarning');
  });

  it('keeps the "did you mean" suggestion on the one error line', async () => {
    const { status, stderr } = await spawn(['chek'], cleanEnv({}));
    expect(status).toBe(2);
    expect(stderr).toBe("gt-remediate: unknown command 'chek' (Did you mean check?)\n");
  });
});
