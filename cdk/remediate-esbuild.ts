/**
 * The esbuild build of the remediate function's code, run by the bundling hook
 * (`node --import tsx cdk/remediate-esbuild.ts <asset dir>`, see remediate-bundling.ts): esbuild's
 * JS API, because code splitting needs `--outdir` (NodejsFunction always passes `--outfile`) and the
 * two corrections below need plugins.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as esbuild from 'esbuild';
import {
  BUNDLE_DIR,
  BUNDLE_FILE,
  CHUNK_NAMES,
  LAZY_MODULES,
  PROJECT_ROOT,
  REMEDIATE_ENTRY,
  REQUIRE_BANNER,
} from './remediate-bundling';

/** zod's schema builders, as the core calls them: `z.object(...)` on `import * as z from './schema'`. */
export const ZOD_SCHEMA_BUILDERS = [
  '_default',
  'array',
  'boolean',
  'date',
  'extend',
  'literal',
  'nullish',
  'number',
  'object',
  'optional',
  'record',
  'string',
  'union',
  'unknown',
] as const;

const ZOD_BUILDER_CALL = new RegExp(`\\bz\\.(${ZOD_SCHEMA_BUILDERS.join('|')})\\(`, 'g');

/**
 * zod marks its builders free of side effects (`@__NO_SIDE_EFFECTS__`), but esbuild honours that
 * mark only inside the module that declares the function (evanw/esbuild#4369). So every top-level
 * schema stayed in the bundle and was built at each cold start, including the CLI's snapshot and
 * author schemas that the Lambda never uses. Marking each builder call `@__PURE__` in our own
 * sources lets esbuild drop an unused schema. Only builders: `z.parse` and its kin throw on bad input
 * and are never marked.
 */
export const zodBuildersArePure: esbuild.Plugin = {
  name: 'zod-builders-are-pure',
  setup(build) {
    const ownSources = new RegExp(`^${escapeRegExp(PROJECT_ROOT)}[\\\\/](shared|functions)[\\\\/].*\\.ts$`);
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (!ownSources.test(args.path)) return undefined;
      const source = fs.readFileSync(args.path, 'utf8');
      return { contents: source.replace(ZOD_BUILDER_CALL, '/* @__PURE__ */ z.$1('), loader: 'ts' };
    });
  },
};

/** What the bundle has instead of pino's transport module. */
const NO_TRANSPORT = `module.exports = function transport() {
  throw new Error('pino transports are not bundled: the function logs to stdout synchronously');
};`;

/**
 * pino loads its transport module (worker-thread transports, through thread-stream) when it loads,
 * and `worker_threads` for the `isMainThread` flag that decides whether asynchronous destinations are
 * flushed on exit. The function logs synchronously to stdout from Lambda's main thread (house style:
 * no transports in Lambda), so the bundle gets a transport that throws if ever called and a main
 * thread flag that is constant, and a cold start loads neither thread-stream nor `worker_threads`.
 */
export const pinoWithoutTransports: esbuild.Plugin = {
  name: 'pino-without-transports',
  setup(build) {
    const pinoFile = /[\\/]node_modules[\\/]pino[\\/](pino|lib[\\/]tools)\.js$/;
    build.onResolve({ filter: /^(\.\/(lib\/)?transport|worker_threads)$/ }, (args) => {
      if (!pinoFile.test(args.importer)) return undefined;
      return {
        path: args.path === 'worker_threads' ? 'main-thread' : 'no-transport',
        namespace: 'pino-stub',
      };
    });
    build.onLoad({ filter: /.*/, namespace: 'pino-stub' }, (args) => ({
      contents: args.path === 'main-thread' ? 'module.exports = { isMainThread: true };' : NO_TRANSPORT,
      loader: 'js',
    }));
  },
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Pass 1: minified ES modules split into chunks in `<assetDir>/dist/esm/`. Code reached only through
 * a dynamic `import()` becomes a chunk of its own; the chunks the entry imports statically hold code
 * that both sides share. The source maps are artifacts for symbolicating a stack trace.
 */
export function splitBuildOptions(assetDir: string): esbuild.BuildOptions {
  return {
    entryPoints: { [path.basename(BUNDLE_FILE, '.mjs')]: REMEDIATE_ENTRY },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    splitting: true,
    outdir: path.join(assetDir, BUNDLE_DIR),
    chunkNames: CHUNK_NAMES,
    outExtension: { '.js': '.mjs' },
    banner: { js: REQUIRE_BANNER },
    external: [...LAZY_MODULES],
    metafile: true,
    logLevel: 'warning',
    plugins: [zodBuildersArePure, pinoWithoutTransports],
  };
}

/**
 * Packages whose dynamic imports stay files loaded on first use: the SDK's credential chain beyond
 * the environment variables Lambda sets (shared config files, SSO, web identity, container and
 * instance metadata, with the nested STS, SSO and sign-in clients), the STS client of member-role
 * sessions, and the browser user-agent parser. Each is a world of its own: it is called with plain
 * values and returns plain values (credentials, a client), never objects of the entry's SDK code.
 */
const SEPARATE_ON_FIRST_USE =
  /node_modules\/(@aws-sdk\/(credential-provider-[\w-]+|nested-clients|client-sts)|@smithy\/credential-provider-imds|bowser)\//;

/**
 * Pass 2: the entry with every chunk it imports statically inlined, so a cold start reads, compiles
 * and links one module instead of a dozen (about 0.7 ms each). Dynamic imports of
 * {@link SEPARATE_ON_FIRST_USE} stay `import()`s of their pass-1 chunk; those chunks keep importing
 * the pass-1 shared chunks, so on first use they bring their own instance of that shared SDK code,
 * apart from the entry's. Any other dynamic import (the SDK's event-stream codec, which works on the
 * entry's own schema objects) is inlined, to keep a single instance.
 */
function inlineStartupOptions(bundleDir: string, separate: ReadonlySet<string>): esbuild.BuildOptions {
  const entry = path.join(bundleDir, BUNDLE_FILE);
  return {
    entryPoints: [entry],
    outfile: entry,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: [...LAZY_MODULES],
    logLevel: 'warning',
    plugins: [
      {
        name: 'separate-on-first-use',
        setup(build) {
          build.onResolve({ filter: /^\.\// }, (args) =>
            args.kind === 'dynamic-import' && separate.has(path.basename(args.path))
              ? { path: args.path, external: true }
              : undefined,
          );
        },
      },
    ],
  };
}

/** Builds the bundle into `<assetDir>/dist/esm/`: the entry, and the chunks loaded on first use. */
export async function buildRemediateBundle(assetDir: string): Promise<void> {
  const bundleDir = path.join(assetDir, BUNDLE_DIR);
  const { metafile } = await esbuild.build(splitBuildOptions(assetDir));
  const outputs = Object.entries(metafile?.outputs ?? {}).map(([file, output]) => ({
    name: path.basename(file),
    output,
  }));
  const separate = new Set(
    outputs
      .filter(({ output }) => SEPARATE_ON_FIRST_USE.test(output.entryPoint ?? ''))
      .map(({ name }) => name),
  );
  await esbuild.build(inlineStartupOptions(bundleDir, separate));
  // Keep the separate chunks and what they import; the rest is inlined in the entry now.
  const keep = new Set([BUNDLE_FILE]);
  const byName = new Map(outputs.map(({ name, output }) => [name, output]));
  const visit = (name: string): void => {
    if (keep.has(name)) return;
    keep.add(name);
    for (const imported of byName.get(name)?.imports ?? [])
      if (!imported.external) visit(path.basename(imported.path));
  };
  separate.forEach(visit);
  for (const { name } of outputs) {
    const code = name.replace(/\.map$/, '');
    if (!keep.has(code)) fs.rmSync(path.join(bundleDir, name), { force: true });
  }
}

/** Builds the bundle into the asset folder given as the first argument. */
async function main(): Promise<void> {
  const assetDir = process.argv[2];
  if (!assetDir) throw new Error('usage: remediate-esbuild.ts <asset dir>');
  await buildRemediateBundle(assetDir);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
