/**
 * Where this kstep is installed: the folder of its package.json (above src/ under vitest, above
 * dist/src/ when built) and the launcher in it. Jobs submitted to a cluster run this same install.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Package {
  root: string;
  version: string;
}

function findPackage(): Package | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'kstep' && pkg.version) return { root: dir, version: pkg.version };
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

const found = findPackage();

/** kstep's version ('unknown' outside its package). */
export const installedVersion = found?.version ?? 'unknown';

/** The absolute path of bin/kstep.js, the launcher of the compiled CLI. */
export function launcherPath(): string {
  if (!found) throw new Error('kstep: cannot find its own package.json above ' + fileURLToPath(import.meta.url));
  return join(found.root, 'bin', 'kstep.js');
}
