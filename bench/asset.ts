/** The remediate function's asset as `cdk synth` builds it: where it is, its size, its runtime flags. */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { BUNDLE_DIR, BUNDLE_FILE, startupModules } from '../cdk/remediate-bundling';
import { buildStack } from '../test/cdk/stack-fixture';
import { zipDirectory } from '../test/support/lambda-zip';

/** The synthesised asset. */
export interface Asset {
  dir: string;
  entry: string;
  nodeOptions: string;
}

/** Synthesises the stack with bundling into a temporary folder (never cdk.out). */
export function buildAsset(): Asset {
  const outdir = join(mkdtempSync(join(tmpdir(), 'gt-bench-cdk-')), 'cdk.out');
  const { template } = buildStack({ bundle: true, outdir });
  const fns = Object.values(
    template.findResources('AWS::Lambda::Function') as Record<
      string,
      {
        Metadata?: Record<string, string>;
        Properties?: { Environment?: { Variables?: Record<string, unknown> } };
      }
    >,
  );
  const assetPath = fns[0]?.Metadata?.['aws:asset:path'];
  if (!assetPath) throw new Error('the function has no aws:asset:path metadata');
  const dir = join(outdir, assetPath);
  const nodeOptions = fns[0]?.Properties?.Environment?.Variables?.NODE_OPTIONS;
  return {
    dir,
    entry: join(dir, BUNDLE_DIR, BUNDLE_FILE),
    nodeOptions: typeof nodeOptions === 'string' ? nodeOptions : '',
  };
}

/**
 * Bytes of the asset, by part: code loaded at cold start (the entry and the chunks it imports
 * statically), code loaded on first use (the other chunks and the modules beside the bundle), source
 * maps, data.
 */
export function measureAsset(asset: Asset) {
  const parts = { code: 0, lazyCode: 0, sourceMap: 0, data: 0 };
  const startup = new Set(startupModules(join(asset.dir, BUNDLE_DIR)).map((f) => join(BUNDLE_DIR, f)));
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      const rel = relative(asset.dir, path);
      const size = statSync(path).size;
      if (rel.endsWith('.map')) parts.sourceMap += size;
      else if (rel.startsWith('data')) parts.data += size;
      else if (startup.has(rel)) parts.code += size;
      else parts.lazyCode += size;
    }
  };
  walk(asset.dir);
  const bundleBytes = parts.code + parts.lazyCode + parts.sourceMap + parts.data;
  return { bundleBytes, bundleZippedBytes: zipDirectory(asset.dir).length, bundleParts: parts };
}
