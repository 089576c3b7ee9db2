import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  BUNDLE_DIR,
  BUNDLE_FILE,
  LAZY_MODULES,
  iamDataDir,
  isBuiltin,
  staticImports,
  startupModules,
} from '../../cdk/remediate-bundling';
import { ENV } from '../../shared/config';
import { SELFTEST_EVENT } from '../../shared/selftest';
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

  it("holds the bundle two folders down and every file of the evaluator's data at its root, nothing else", () => {
    // Every file iam-data can load, byte for byte: the evaluator reads a service's files when it
    // simulates one of its actions, so no subset is safe (test/deployed/evaluator-data.test.ts).
    const dataDir = iamDataDir();
    const data = listFiles(dataDir);
    expect(data).toContain('actions/glue.json');
    const expected = [
      ...LAZY_MODULES.flatMap((name) => [
        `node_modules/${name}/index.js`,
        `node_modules/${name}/package.json`,
      ]),
      ...data.map((file) => `data/${file}`),
    ].sort();
    expect(sizeOf(path.join(assetDir, 'data'), data)).toBe(sizeOf(dataDir, data));
    const files = listFiles(assetDir);
    const bundle = files.filter((file) => file.startsWith(`${BUNDLE_DIR}/`));
    expect(files.filter((file) => !bundle.includes(file))).toEqual(expected);
    // The bundle folder: one module and its source map (an artifact, never loaded)
    expect(bundle).toEqual([`${BUNDLE_DIR}/${BUNDLE_FILE}`, `${BUNDLE_DIR}/${BUNDLE_FILE}.map`]);
  });

  it('loads the SDK credential chain beyond environment variables on first use, not at cold start', () => {
    // Given what a cold start loads: the entry, and what it imports statically
    const bundleDir = path.join(assetDir, BUNDLE_DIR);
    const entry = path.join(bundleDir, BUNDLE_FILE);
    // (one module, importing Node built-ins only: every package is in it or loaded on first use)
    expect(startupModules(bundleDir)).toEqual([BUNDLE_FILE]);
    expect(staticImports(entry).filter((specifier) => !isBuiltin(specifier))).toEqual([]);
    const atStartup = fs.readFileSync(entry, 'utf8');
    const lazy = LAZY_MODULES.map((name) =>
      fs.readFileSync(path.join(assetDir, 'node_modules', name, 'index.js'), 'utf8'),
    ).join('\n');
    // Then the shared-config, process, SSO, web-identity and container providers are in lazy modules only
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
  function runIsolated(name: string, script: string, env: Record<string, string> = {}) {
    const isolated = path.join(workDir, name, 'task');
    fs.cpSync(assetDir, isolated, { recursive: true });
    return spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: isolated,
      // The SDK warns on Node < 22 (this toolchain); Lambda runs Node 22.
      env: {
        PATH: process.env.PATH ?? '',
        LAMBDA_TASK_ROOT: isolated,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
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

  it("leaves out the CLI's snapshot schemas, and keeps zod's English messages", () => {
    // Given the bundle's code
    const code = fs.readFileSync(path.join(assetDir, BUNDLE_DIR, BUNDLE_FILE), 'utf8');
    // Then the schemas of `gt-remediate --snapshot` (the account authorisation details) are not in it:
    // package.json's `sideEffects` lets esbuild drop our modules the function does not use
    expect(code).not.toContain('RoleDetailList');
    // While the event schema, which every invocation parses, is
    expect(code).toContain('AWS API Call via CloudTrail');
    // And so is shared/core/schema.ts's `config(en())`, the one module of ours kept for its side effect
    // (with `sideEffects: false` esbuild drops it and every message reads "Invalid input")
    expect(code).toContain('Too big: expected');
  });

  it('resolves credentials through the lazy credential chain when Lambda sets no key variables', () => {
    // Given a shared config file whose default profile gets its keys from a process, and no key variables
    const dir = path.join(workDir, 'credentials');
    fs.mkdirSync(dir, { recursive: true });
    const marker = path.join(dir, 'process-ran');
    const helper = path.join(dir, 'credentials.cjs');
    fs.writeFileSync(
      helper,
      `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n` +
        "process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: 'AKIAPROCESS', SecretAccessKey: 'secret' }));\n",
    );
    const config = path.join(dir, 'config');
    fs.writeFileSync(config, `[default]\ncredential_process = ${process.execPath} ${helper}\n`);
    // When the bundle's handler answers a self-test event (its first AWS call needs credentials;
    // nothing listens at the endpoint, so the call itself fails)
    const run = runIsolated(
      'credentials',
      [
        `const { handler } = await import('./${BUNDLE_DIR}/${BUNDLE_FILE}');`,
        `await handler(${JSON.stringify({ source: SELFTEST_EVENT.source, 'detail-type': SELFTEST_EVENT.detailType, detail: { nonce: 'n' } })}).catch(() => undefined);`,
      ].join('\n'),
      {
        AWS_CONFIG_FILE: config,
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_MAX_ATTEMPTS: '1',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_LAMBDA_FUNCTION_NAME: 'remediate',
        [ENV.topicArn]: 'arn:aws:sns:us-east-1:111122223333:reports',
        [ENV.dryRunParameterName]: '/remediator/dry-run',
        [ENV.scopeRolePatterns]: 'arn:aws:iam::111122223333:role/*',
      },
    );
    // Then the process provider ran: the entry loaded the ini provider, which loaded its sibling,
    // both from the asset's node_modules
    expect(run.stderr).not.toMatch(/Cannot find (module|package)/);
    expect(fs.existsSync(marker)).toBe(true);
  });

  it('loads the SageMaker client on first use from the asset, not from the bundle', () => {
    // Given the bundle, which leaves the SageMaker client out (it is required on first use)
    expect(fs.readFileSync(path.join(assetDir, BUNDLE_DIR, BUNDLE_FILE), 'utf8')).not.toContain(
      'DescribeLabelingJobRequest',
    );
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
