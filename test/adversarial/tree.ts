/** Shared pieces of the refusal tests: a folder tree's state, the shape of a refusal, a CLI run with a time bound. */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type CliResult, kstep } from '../experiment/helpers.js';

/** Every entry's kind, size, modification time and content hash: equal before and after means nothing changed. */
export function treeState(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    const st = lstatSync(dir);
    out[rel || '.'] = `dir ${st.mtimeMs}`;
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const s = lstatSync(path);
      if (s.isDirectory()) walk(path, r);
      else out[r] = `${s.isFile() ? 'file' : 'other'} ${s.size} ${s.mtimeMs} ${s.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : ''}`;
    }
  };
  walk(root, '');
  return out;
}

/** A refusal: exit code 2, exactly one line on stderr, no stack frame. */
export function expectRefusal(r: CliResult): void {
  expect(r.signal, `killed: ${r.stderr}`).toBe(null);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.endsWith('\n'), r.stderr).toBe(true);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^kstep: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toMatch(/ {4}at /);
}

/** `kstep args...` in `cwd`, killed (SIGKILL, so a process deaf to SIGINT too) after `ms`. */
export async function kstepWithin(args: string[], cwd: string, ms = 15_000): Promise<CliResult> {
  let timer: NodeJS.Timeout | undefined;
  const r = await kstep(args, { cwd, onSpawn: (p) => (timer = setTimeout(() => p.kill('SIGKILL'), ms)) });
  clearTimeout(timer);
  return r;
}
