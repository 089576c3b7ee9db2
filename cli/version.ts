/** The CLI's version, from package.json: `--version`, and the tool version in SARIF. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The version in package.json (cli/ under ts-node or tsx, dist/cli/ when built). */
export function packageVersion(): string {
  for (const dir of [join(__dirname, '..'), join(__dirname, '..', '..')]) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'gt-permissions-remediator' && pkg.version) return pkg.version;
    } catch {
      // not this directory
    }
  }
  return 'unknown';
}
