'use strict';
/** Bench helper: the built Lambda asset (cdk synth, or an esbuild fallback), its size, and cold-start timing. */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

/** Synthesises into a private output dir and returns the remediate function's asset; falls back to esbuild. */
function buildAsset(log) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-bench-cdk-'));
  log('cdk synth (offline) ...');
  const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', out], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (synth.status === 0) {
    const dirs = fs
      .readdirSync(out)
      .filter((d) => d.startsWith('asset.'))
      .map((d) => path.join(out, d));
    for (const dir of dirs) {
      const entry = [path.join(dir, 'dist', 'cjs', 'index.js'), path.join(dir, 'index.js')].find((f) =>
        fs.existsSync(f),
      );
      if (entry && fs.readFileSync(entry, 'utf8').includes('selfTest'))
        return { dir, entry, source: 'cdk synth', tmp: out };
    }
    log('cdk synth produced no remediate asset; falling back to esbuild');
  } else {
    log(
      `cdk synth failed (exit ${synth.status}); falling back to esbuild: ${(synth.stderr || '').trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
  const dir = path.join(out, 'esbuild-asset');
  const entry = path.join(dir, 'index.js');
  require('esbuild').buildSync({
    entryPoints: [path.join(ROOT, 'functions', 'remediate', 'handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    outfile: entry,
  });
  return { dir, entry, source: 'esbuild fallback (code only, no iam-data files)', tmp: out };
}

/** Total bytes of the files under `dir`, and per top-level part (code, source map, data). */
function measureBytes(dir) {
  let total = 0;
  const parts = { code: 0, sourceMap: 0, data: 0 };
  const walk = (d) => {
    for (const name of fs.readdirSync(d)) {
      const p = path.join(d, name);
      const st = fs.statSync(p);
      if (st.isDirectory()) walk(p);
      else {
        total += st.size;
        const rel = path.relative(dir, p);
        if (rel.endsWith('.map')) parts.sourceMap += st.size;
        else if (rel.startsWith('data')) parts.data += st.size;
        else parts.code += st.size;
      }
    }
  };
  walk(dir);
  return { total, parts };
}

/** Size of the asset as a zip (deflate, zip's default level: what CDK uploads is comparable). */
function zippedBytes(dir, tmp) {
  const zipFile = path.join(tmp, 'asset.zip');
  const viaZip = spawnSync('zip', ['-r', '-X', '-q', zipFile, '.'], { cwd: dir });
  if (viaZip.status !== 0) {
    const py = spawnSync('python3', [
      '-c',
      `import shutil; shutil.make_archive(${JSON.stringify(zipFile.replace(/\.zip$/, ''))}, 'zip', ${JSON.stringify(dir)})`,
    ]);
    if (py.status !== 0) throw new Error('neither zip nor python3 could zip the asset');
  }
  return fs.statSync(zipFile).size;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function timeSpawn(args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

/** Median wall time of fresh node processes loading the handler module, and of bare `node -e 0`, interleaved. */
function measureInit(entry, runs) {
  const load = ['-e', `require(${JSON.stringify(entry)})`];
  const bare = ['-e', '0'];
  timeSpawn(load); // warm the page cache; not counted
  timeSpawn(bare);
  const init = [];
  const base = [];
  for (let i = 0; i < runs; i++) {
    init.push(timeSpawn(load));
    base.push(timeSpawn(bare));
  }
  return { initMs: round(median(init)), bareNodeMs: round(median(base)), runs };
}

function round(n, digits = 1) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

module.exports = { buildAsset, measureBytes, zippedBytes, measureInit, median, round };
