/** Shared pieces of the sweep tests: temp folders, the CLI as a child process, CSV comparisons. */
import { type SpawnOptions, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../src/errors.js';
import { parseRecord, splitRecords } from '../../src/output/csv.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/kstep.js', import.meta.url));

/** The sweep tests run compiled workers: `npm test` builds first (or run `npx tsc -p .`). */
export function requireBuild(): void {
  for (const f of ['dist/src/cli.js', 'dist/src/experiment/worker.js', 'dist/src/commands/sweep.js'])
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: build first (npx tsc -p .)`);
}

export function tmp(prefix = 'kstep-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/kstep.js args...` (the compiled CLI) in `cwd`. */
export function kstep(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; onSpawn?: (p: ReturnType<typeof spawn>) => void } = {}): Promise<CliResult> {
  const so: SpawnOptions = { cwd: opts.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] };
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], so);
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d) => (stdout += d));
    p.stderr!.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    opts.onSpawn?.(p);
  });
}

/** A CSV's text without its wall_ms column (the one column that is a timing). */
export function withoutWallMs(text: string): string {
  const { records } = splitRecords(text);
  const header = parseRecord(records[0]);
  const i = header.indexOf('wall_ms');
  if (i < 0) return text;
  return records
    .map((r) => {
      const f = parseRecord(r);
      f.splice(i, 1);
      return JSON.stringify(f);
    })
    .join('\n');
}

export const RESULT_FILES = ['cells.csv', 'curves.csv', 'adjoints.csv', 'summary.csv'];

/** The result files of a folder, wall_ms removed, for byte comparisons. */
export function resultBytes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of RESULT_FILES) out[f] = withoutWallMs(readFileSync(join(dir, f), 'utf8'));
  return out;
}

/** A tiny experiment: 2 K x 2 activations x 2 optimizers x 2 seeds, a budget of milliseconds per cell. */
export const TINY = {
  name: 'tiny',
  seed: 0,
  budget: 2e4,
  grid: { K: [1, 3], activation: ['tanh', 'relu'], optimizer: ['bptt', 'ga'], seed: [0, 1] },
  fixed: { hidden: [6], train: 16, test: 16 },
  optimizers: { ga: { population: 8, parents: 2 } },
};

export function writeJson(file: string, obj: unknown): string {
  writeFileSync(file, typeof obj === 'string' ? obj : JSON.stringify(obj, null, 2));
  return file;
}

/** The UsageError that fn throws (anything else, or nothing, fails the test). */
export function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error('expected a UsageError');
}

/** The UsageError that an async fn rejects with. */
export async function usageErrorAsync(fn: () => Promise<unknown>): Promise<UsageError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error('expected a UsageError');
}
