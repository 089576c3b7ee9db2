import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BUNDLE_DIR, EVALUATOR_SERVICES, SERVICE_DATA_KINDS, iamDataDir } from '../../cdk/remediate-bundling';
import { buildStack } from './stack-fixture';

/** Every file under `dir`, relative, with `/` separators, sorted. */
function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

function sizeOf(dir: string, files: string[]): number {
  return files.reduce((total, file) => total + fs.statSync(path.join(dir, file)).size, 0);
}

describe('remediate function asset', () => {
  let workDir: string;
  let assetDir: string;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-remediate-asset-'));
    const { template } = buildStack({ bundle: true, outdir: path.join(workDir, 'cdk.out') });
    const functions = Object.values(
      template.findResources('AWS::Lambda::Function') as Record<
        string,
        { Metadata?: Record<string, string> }
      >,
    );
    const assetPath = functions[0]?.Metadata?.['aws:asset:path'];
    if (!assetPath) throw new Error('the function has no aws:asset:path metadata');
    assetDir = path.join(workDir, 'cdk.out', assetPath);
  });

  afterAll(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('holds the bundle two folders down and the evaluator data at its root, nothing else', () => {
    const topLevelData = fs
      .readdirSync(iamDataDir())
      .filter((name) => name.endsWith('.json'))
      .map((name) => `data/${name}`);
    const serviceData = SERVICE_DATA_KINDS.flatMap((kind) =>
      EVALUATOR_SERVICES.map((service) => `data/${kind}/${service}.json`),
    );
    const expected = [
      `${BUNDLE_DIR}/index.js`,
      `${BUNDLE_DIR}/index.js.map`,
      ...topLevelData,
      ...serviceData,
    ].sort();
    expect(listFiles(assetDir)).toEqual(expected);
  });

  it('evaluates a policy when run alone, outside the repository and its node_modules', () => {
    const isolated = path.join(workDir, 'isolated', 'task');
    fs.cpSync(assetDir, isolated, { recursive: true });
    const script = [
      `require('./${BUNDLE_DIR}/index.js').selfTest().then(`,
      '  (ok) => { process.stdout.write(String(ok)); process.exitCode = ok ? 0 : 1; },',
      '  (error) => { console.error(error); process.exitCode = 2; },',
      ');',
    ].join('\n');
    const run = spawnSync(process.execPath, ['-e', script], {
      cwd: isolated,
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '--enable-source-maps', LAMBDA_TASK_ROOT: isolated },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('true');
    expect(run.status).toBe(0);
  });

  it('stays far below the Lambda package limits', () => {
    const files = listFiles(assetDir);
    const bytes = sizeOf(assetDir, files);
    expect(bytes).toBeLessThan(20 * 1024 * 1024);
  });
});
