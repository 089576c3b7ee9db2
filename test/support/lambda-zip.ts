/** Zip archives built with fflate: a tiny Lambda deployment package, and a directory's zipped size. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync, type Zippable } from 'fflate';

const handlerSource = 'exports.handler = async () => ({ ok: true });\n';
// Fixed timestamp (local midnight, 1980-01-01: the earliest DOS date) so the same input always gives the same bytes.
const FIXED_MTIME = new Date(1980, 0, 1);

/** A zip archive holding one file, index.js, whose `handler` export returns `{ ok: true }`. */
export function tinyLambdaZip(): Uint8Array {
  return zipSync({ 'index.js': new TextEncoder().encode(handlerSource) }, { level: 0, mtime: FIXED_MTIME });
}

/** Every file under `dir` as a zip archive (deflate level 6, what `zip -r` and CDK's asset zips use). */
export function zipDirectory(dir: string): Uint8Array {
  const files: Zippable = {};
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(dir, path).split('\\').join('/')] = readFileSync(path);
    }
  };
  walk(dir);
  return zipSync(files, { level: 6, mtime: FIXED_MTIME });
}
