// Dependencies point down: core knows nothing above it, health and stats build on core alone, and only
// core/setup.ts assembles a task, net, initial parameters and data sets from a configuration.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = new URL('../src/', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The src folders a file imports from (its own folder included), e.g. ['core', 'health']. */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out = new Set<string>();
  for (const m of text.matchAll(/^(?:import|export)[^'"]*from\s+['"](\.[^'"]+)['"]/gm)) {
    const target = relative(src, join(file, '..', m[1]));
    out.add(target.includes('/') ? target.split('/')[0] : target.replace(/\.js$/, ''));
  }
  return [...out];
}

describe('dependency directions', () => {
  it.each([
    ['core', ['core', 'errors']],
    ['health', ['core', 'health']],
    ['stats', ['core', 'stats']],
  ])('src/%s imports only from %j', (folder, allowed) => {
    const bad = files(join(src, folder)).flatMap((f) => importedFolders(f).filter((d) => !allowed.includes(d)).map((d) => `${relative(src, f)} -> ${d}`));
    expect(bad).toEqual([]);
  });

  it('only core/setup.ts builds a Net, draws initial parameters or builds an Objective', () => {
    const offenders = files(src)
      .filter((f) => relative(src, f) !== 'core/setup.ts')
      .filter((f) => /new Net\(|initParams\(\w+,|new Objective\(/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(src, f));
    expect(offenders).toEqual([]);
  });
});
