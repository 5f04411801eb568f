// Bad inputs that would cost unbounded memory or compute, through the compiled CLI as child processes:
// each must be refused before any work starts, with exit code 2, exactly one line on stderr naming the
// numbers, no stack frame, within a few seconds, and without creating or changing any file.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, TINY, kstep, requireBuild, tmp, writeJson } from '../experiment/helpers.js';

const BIN = join(ROOT, 'bin', 'kstep.js');
/** A refusal happens before any work: well under this, even on a busy machine. */
const TIMEOUT_MS = 15_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  ms: number;
}

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'], timeout: TIMEOUT_MS, killSignal: 'SIGKILL' });
    let stderr = '';
    p.stderr!.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, stderr, ms: performance.now() - t0 }));
  });
}

/** Every file under dir with a hash of its bytes and its mtime. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        out[`${relative(dir, p)}/`] = 'dir';
        walk(p);
      } else out[relative(dir, p)] = `${createHash('sha256').update(readFileSync(p)).digest('hex')} ${st.mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

let work: string;
let resumeDir: string;

beforeAll(async () => {
  requireBuild();
  work = tmp('kstep-adversarial-');
  writeJson(join(work, 'tiny.json'), TINY);
  writeJson(join(work, 'huge-k.json'), { ...TINY, name: 'hugek', budget: 1e15, grid: { ...TINY.grid, K: [1, 100000] }, fixed: { hidden: [8], train: 4000 } });
  writeJson(join(work, 'step.json'), { ...TINY, name: 'step', optimizers: { ga: { population: 5000, parents: 2 } } });
  writeJson(join(work, 'variant.json'), { ...TINY, name: 'variant', grid: { K: [1, 3], seed: [0] }, variants: { plain: {}, big: { optimizer: 'es', population: 10000 } } });
  writeJson(join(work, 'long.json'), { ...TINY, name: 'long', description: 'x'.repeat(10_001) });
  // A finished folder whose rows were then damaged: a refused --resume must leave it as it is.
  resumeDir = join(work, 'done');
  const r = await kstep(['sweep', join(work, 'tiny.json'), '--workers', '2', '--out', resumeDir, '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  const cells = join(resumeDir, 'cells.csv');
  const lines = readFileSync(cells, 'utf8').split('\r\n');
  lines[4] = lines[4].replace(/,(reached|budget),/, ',$1,abc,');
  writeFileSync(cells, `${lines.join('\r\n')}torn,row`);
});

const cases: { name: string; args: string[]; env?: NodeJS.ProcessEnv; stderr: RegExp }[] = [
  { name: 'run: huge K (100000) with a small budget', args: ['run', '--K', '100000', '--hidden', '8', '--budget', '2e4', '--memory', 'full'], stderr: /needs 9\.\d GB of memory \(limit 4\.0 GB\)/ },
  { name: 'run: huge K checkpointed, still refused for its budget', args: ['run', '--K', '100000', '--hidden', '8', '--budget', '2e4'], stderr: /one bptt step costs 7\.68e7, more than the budget 2\.00e4/ },
  { name: 'run: --memory of an unknown mode', args: ['run', '--memory', 'half'], stderr: /--memory: expected one of full, sqrt, auto, got 'half'/ },
  { name: 'run: huge K with the default net', args: ['run', '--K', '100000', '--memory', 'full'], stderr: /needs \d+\.\d GB of memory/ },
  { name: 'run: huge hidden (99999999) is out of the key\'s range', args: ['run', '--hidden', '99999999'], stderr: /hidden: must be <= 4096/ },
  { name: 'run: wide and long within the key ranges', args: ['run', '--hidden', '4096,4096', '--K', '2000', '--budget', '1e12', '--memory', 'full'], stderr: /needs [\d.]+ (GB|TB) of memory/ },
  { name: 'run: huge hidden with a small budget', args: ['run', '--hidden', '4096,4096,4096,4096,4096,4096,4096,4096', '--K', '4', '--budget', '1e3'], stderr: /needs [\d.]+ GB of memory/ },
  { name: 'run: huge training and test sets', args: ['run', '--train', '1000000', '--test', '1000000', '--K', '200'], stderr: /needs [\d.]+ GB of memory/ },
  { name: 'run: GA population x n too big', args: ['run', '--optimizer', 'ga', '--population', '10000', '--hidden', '512,512', '--K', '1', '--budget', '1e15'], stderr: /needs [\d.]+ (GB|TB) of memory/ },
  { name: 'run: CMA-ES full covariance of 15000 parameters', args: ['run', '--optimizer', 'cmaes', '--diagonal', 'off', '--hidden', '3000', '--K', '1', '--budget', '1e12'], stderr: /needs [\d.]+ GB of memory/ },
  { name: 'run: one BPTT step costs more than the budget', args: ['run', '--K', '64', '--budget', '1000'], stderr: /one bptt step costs 4\.92e4, more than the budget 1000/ },
  { name: 'run: one ES step (P = 10000) costs more than the budget', args: ['run', '--optimizer', 'es', '--population', '10000', '--budget', '1e6'], stderr: /one es step costs [\d.e]+, more than the budget 1\.00e6/ },
  { name: 'run: a memory limit of 1 MB refuses the default cell', args: ['run'], env: { KSTEP_MEMORY_LIMIT: '1MB' }, stderr: /needs \d+ MB of memory \(limit 1 MB\)/ },
  { name: 'run: a malformed memory limit', args: ['run', '--K', '1'], env: { KSTEP_MEMORY_LIMIT: 'lots' }, stderr: /KSTEP_MEMORY_LIMIT: expected a positive size/ },
  { name: 'sweep: one cell of huge K in the grid', args: ['sweep', 'huge-k.json'], stderr: /cell: needs [\d.]+ GB of memory/ },
  { name: 'sweep: huge K by an override of a built-in study', args: ['sweep', 'quick', 'K=1,100000', 'train=4000'], stderr: /cell: needs [\d.]+ GB of memory/ },
  { name: 'sweep --dry-run: the check runs at validation', args: ['sweep', 'quick', 'K=100000', 'train=4000', '--dry-run'], stderr: /cell: needs [\d.]+ GB of memory/ },
  { name: 'sweep: a GA generation costs more than the budget', args: ['sweep', 'step.json'], stderr: /cell: one ga step costs [\d.e]+, more than the budget 2\.00e4/ },
  { name: 'sweep: a budget below one step by override', args: ['sweep', 'quick', 'budget=10'], stderr: /cell: one bptt step costs \d+, more than the budget 10/ },
  { name: 'sweep: a variant whose step costs more than the budget', args: ['sweep', 'variant.json'], stderr: /cell: one es step costs/ },
  { name: 'sweep: a description longer than 10000 characters', args: ['sweep', 'long.json'], stderr: /description: expected at most 10000 characters.*got a string of 10001 characters/ },
  { name: 'sweep --resume over damaged rows, with a cell too big', args: ['sweep', 'tiny.json', '--resume', '--out', 'done', 'K=1,100000', 'hidden=[4000,4000]', 'train=4000', 'budget=1e15'], stderr: /cell: needs [\d.]+ (GB|TB) of memory/ },
  { name: 'sweep --resume over damaged rows, under a limit of 1 kB', args: ['sweep', 'tiny.json', '--resume', '--out', 'done'], env: { KSTEP_MEMORY_LIMIT: '1kB' }, stderr: /cell: needs [\d.]+ kB of memory \(limit 1 kB\)/ },
];

describe('refused before any work: exit 2, one line, no stack, bounded time, nothing written', () => {
  it('has at least 12 cases', () => expect(cases.length).toBeGreaterThanOrEqual(12));

  for (const c of cases)
    it(c.name, async () => {
      const before = snapshot(work);
      const r = await cli(c.args, work, c.env);
      expect(r.signal, `killed after ${TIMEOUT_MS} ms`).toBeNull();
      expect(r.ms).toBeLessThan(TIMEOUT_MS);
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines, r.stderr).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(lines[0]).toMatch(/^kstep: /);
      expect(lines[0]).toMatch(c.stderr);
      expect(lines[0].length).toBeLessThan(400);
      expect(snapshot(work)).toEqual(before);
      expect(existsSync(join(work, 'results'))).toBe(false);
    });
});
