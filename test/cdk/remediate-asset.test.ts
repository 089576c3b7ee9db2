import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  BUNDLE_DIR,
  BUNDLE_FILE,
  EVALUATOR_SERVICES,
  LAZY_MODULES,
  SERVICE_DATA_KINDS,
  iamDataDir,
  startupModules,
} from '../../cdk/remediate-bundling';
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
    // Every service's actions (the envelope proof expands any action a role names), the evaluator's services' rest
    const serviceData = [
      ...fs.readdirSync(path.join(iamDataDir(), 'actions')).map((name) => `data/actions/${name}`),
      ...SERVICE_DATA_KINDS.filter((kind) => kind !== 'actions').flatMap((kind) =>
        EVALUATOR_SERVICES.map((service) => `data/${kind}/${service}.json`),
      ),
    ];
    const expected = [
      ...LAZY_MODULES.flatMap((name) => [
        `node_modules/${name}/index.js`,
        `node_modules/${name}/package.json`,
      ]),
      ...topLevelData,
      ...serviceData,
    ].sort();
    const files = listFiles(assetDir);
    const bundle = files.filter((file) => file.startsWith(`${BUNDLE_DIR}/`));
    expect(files.filter((file) => !bundle.includes(file))).toEqual(expected);
    // The bundle folder: the entry and its chunks beside it, each with its source map.
    expect(bundle).toContain(`${BUNDLE_DIR}/${BUNDLE_FILE}`);
    for (const file of bundle) expect(file).toMatch(/^dist\/esm\/[\w-]+\.mjs(\.map)?$/);
    const code = bundle.filter((file) => file.endsWith('.mjs'));
    expect(bundle.filter((file) => file.endsWith('.map'))).toEqual(code.map((file) => `${file}.map`));
  });

  it('loads the SDK credential chain beyond environment variables on first use, not at cold start', () => {
    // Given the bundle's chunks, and what a cold start loads: the entry and the chunks it imports statically
    const bundleDir = path.join(assetDir, BUNDLE_DIR);
    const chunks = fs.readdirSync(bundleDir).filter((file) => file.endsWith('.mjs'));
    const startup = startupModules(bundleDir);
    // (one module: the chunks the entry shares with them are inlined in it)
    expect(startup).toEqual([BUNDLE_FILE]);
    const codeOf = (files: string[]) =>
      files.map((file) => fs.readFileSync(path.join(bundleDir, file), 'utf8')).join('\n');
    const lazy = codeOf(chunks.filter((file) => !startup.includes(file)));
    const atStartup = codeOf(startup);
    // Then the shared-config, process, SSO, web-identity and container providers are in lazy chunks only
    const providers = [
      'credential_process',
      'sso_start_url',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    ];
    for (const marker of providers) {
      expect(lazy).toContain(marker);
      expect(atStartup).not.toContain(marker);
    }
    // And the environment provider, which Lambda's credentials use, loads with the entry
    expect(atStartup).toContain('AWS_SECRET_ACCESS_KEY');
  });

  /** Runs `script` (an ES module) in a copy of the asset outside the repository and its node_modules. */
  function runIsolated(name: string, script: string) {
    const isolated = path.join(workDir, name, 'task');
    fs.cpSync(assetDir, isolated, { recursive: true });
    return spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: isolated,
      // The SDK warns on Node < 22 (this toolchain); Lambda runs Node 22.
      env: {
        PATH: process.env.PATH ?? '',
        LAMBDA_TASK_ROOT: isolated,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
  }

  it('evaluates a policy when run alone, outside the repository and its node_modules', () => {
    const run = runIsolated(
      'isolated',
      [
        `const { selfTest } = await import('./${BUNDLE_DIR}/${BUNDLE_FILE}');`,
        'const ok = await selfTest();',
        'process.stdout.write(String(ok)); process.exitCode = ok ? 0 : 1;',
      ].join('\n'),
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('true');
    expect(run.status).toBe(0);
  });

  it("leaves out pino's worker-thread transports and the CLI's snapshot schemas", () => {
    // Given all the bundle's code
    const bundleDir = path.join(assetDir, BUNDLE_DIR);
    const code = fs
      .readdirSync(bundleDir)
      .filter((file) => file.endsWith('.mjs'))
      .map((file) => fs.readFileSync(path.join(bundleDir, file), 'utf8'))
      .join('\n');
    // Then thread-stream (pino's transport worker) is not in it, and pino's transport stub is
    expect(code).not.toContain('the worker thread exited');
    expect(code).toContain('pino transports are not bundled');
    // And neither are the schemas of `gt-remediate --snapshot` (the account authorisation details)
    expect(code).not.toContain('RoleDetailList');
    // While the event schema, which every invocation parses, is
    expect(code).toContain('AWS API Call via CloudTrail');
  });

  it('loads the SageMaker client on first use from the asset, not from the bundle', () => {
    // Given the bundle, which leaves the SageMaker client out (it is required on first use)
    const bundleDir = path.join(assetDir, BUNDLE_DIR);
    for (const file of fs.readdirSync(bundleDir).filter((name) => name.endsWith('.mjs')))
      expect(fs.readFileSync(path.join(bundleDir, file), 'utf8')).not.toContain('DescribeLabelingJobRequest');
    // When the bundle's own require resolves it, as shared/aws/sagemaker.ts does on first use
    const run = runIsolated(
      'lazy',
      [
        "import { createRequire } from 'node:module';",
        `const url = new URL('./${BUNDLE_DIR}/${BUNDLE_FILE}', 'file://' + process.cwd() + '/');`,
        'await import(url.href);',
        "const sdk = createRequire(url)('@aws-sdk/client-sagemaker');",
        "const client = new sdk.SageMakerClient({ region: 'us-east-1' });",
        "const command = new sdk.DescribeLabelingJobCommand({ LabelingJobName: 'job' });",
        "process.stdout.write(typeof client.send + ' ' + command.input.LabelingJobName);",
      ].join('\n'),
    );
    // Then the asset's own copy of the client answers, outside the repository's node_modules
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('function job');
  });

  it('stays far below the Lambda package limits', () => {
    const files = listFiles(assetDir);
    const bytes = sizeOf(assetDir, files);
    expect(bytes).toBeLessThan(20 * 1024 * 1024);
  });
});
