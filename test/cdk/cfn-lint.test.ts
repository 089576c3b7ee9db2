import { spawnSync, type SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from './stack-fixture';

const CFN_LINT = path.join(REPO_ROOT, '.venv', 'bin', 'cfn-lint');
const CDK = path.join(REPO_ROOT, 'node_modules', '.bin', 'cdk');
const TEMPLATE = 'GtPermissionsRemediator.template.json';

/**
 * W3005 "dependency already enforced by a GetAtt": aws-cdk-lib always adds DependsOn from a Lambda
 * function to its role (and the role's default policy); the role's half duplicates the GetAtt. Harmless.
 */
const IGNORED_CHECKS = ['W3005'];

/** The pinned cfn-lint lives in <repo>/.venv; the shared script creates it when it is missing. */
function ensureCfnLint(): void {
  if (fs.existsSync(CFN_LINT)) return;
  const setup = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-venv.sh')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (setup.status !== 0 || !fs.existsSync(CFN_LINT)) {
    throw new Error(`scripts/ensure-venv.sh did not provide ${CFN_LINT} (exit ${String(setup.status)})`);
  }
}

function describeRun(run: SpawnSyncReturns<string>): string {
  return `exit ${String(run.status)}\n${run.stdout}\n${run.stderr}`;
}

/** `cdk synth` exactly as a user runs it (cdk.json app, no network needed), into `outdir`: every template. */
function synthWithCli(outdir: string, context: Record<string, string>): string[] {
  const contextArgs = Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  const run = spawnSync(CDK, ['synth', '--quiet', '--output', outdir, ...contextArgs], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`cdk synth failed: ${describeRun(run)}`);
  const written = fs.readdirSync(outdir).filter((name) => name.endsWith('.template.json'));
  if (!written.includes(TEMPLATE)) throw new Error(`cdk synth wrote no ${TEMPLATE}: ${written.join(', ')}`);
  return written.map((name) => path.join(outdir, name));
}

describe('synthesized template', () => {
  let workDir: string;
  const templates: string[] = [];

  beforeAll(() => {
    ensureCfnLint();
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-remediate-cfn-lint-'));
    templates.push(...synthWithCli(path.join(workDir, 'defaults'), {}));
    // Organisation mode: the home stack and the standalone forwarder and member role templates.
    const organization = synthWithCli(path.join(workDir, 'organization'), {
      organization: 'o-a1b2c3d4e5',
      accounts: '111111111111,222222222222',
      homeRegion: 'eu-west-1',
    });
    expect(organization.map((file) => path.basename(file)).sort()).toEqual([
      'GtPermissionsRemediator.template.json',
      'GtPermissionsRemediatorForwarder.template.json',
      'GtPermissionsRemediatorMember.template.json',
    ]);
    templates.push(...organization);
    templates.push(
      ...synthWithCli(path.join(workDir, 'everything'), {
        notificationEmail: 'ops@example.com',
        managedRolePatterns: 'arn:aws:iam::123456789012:role/labeling-*',
        managedRoleTag: 'gt-remediate=yes',
        strategy: 's3-read',
        createTrail: 'true',
        emailOutcomes: 'blocked,error',
      }),
    );
  }, 600_000);

  afterAll(() => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('passes cfn-lint without errors or warnings: defaults, every option set, and the organisation templates', () => {
    const run = spawnSync(
      CFN_LINT,
      ['--format', 'parseable', '--ignore-checks', ...IGNORED_CHECKS, '--', ...templates],
      { encoding: 'utf8' },
    );
    expect(run.stdout).toBe('');
    expect(run.status).toBe(0);
  });
});
