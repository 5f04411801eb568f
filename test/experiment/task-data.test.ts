// Data files end to end, through bin/kstep.js and the compiled dist/ (npm test builds first), and
// in process: a file written from the built-in rotation's own draws trains exactly like the
// built-in task, malformed files are refused before anything is written with the row and column
// named, a cell's K, curriculum and set sizes must fit the file, the metrics that need the true
// map are empty, worker threads read the file, and --resume and merge refuse an edited file.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { horizonFor, selectPairs } from '../../src/core/pairs.js';
import { derive } from '../../src/core/rng.js';
import { recordedPairs } from '../../src/core/tasks.js';
import { runCell } from '../../src/experiment/cell.js';
import { resolveConfig } from '../../src/experiment/config.js';
import { loadTaskModule } from '../../src/experiment/task-module.js';
import { parseCsv } from '../../src/output/csv.js';
import { pairsCsv, writePairs } from './data-helpers.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin/kstep.js');

function kstep(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function readCsv(file: string): Record<string, string>[] {
  const { header, rows } = parseCsv(readFileSync(file, 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

const tmp = () => mkdtempSync(join(tmpdir(), 'kstep-data-'));

describe('a data file written from the built-in rotation at K = 8 (same draws, split column)', () => {
  const cell = { K: 8, train: 128, test: 96, val: 48, activation: 'tanh', hidden: '16' };

  it('trains exactly like the built-in task, in process: bptt with minibatches, adam, ga, cmaes', async () => {
    const dir = tmp();
    // Named rotation.csv: its streams are data/rotation, as the built-in's, so minibatches match too.
    writePairs(join(dir, 'rotation.csv'), { Ks: [8], train: cell.train, test: cell.test, val: cell.val, seed: 3 });
    const task = await loadTaskModule(`data:${join(dir, 'rotation.csv')}`);
    for (const opt of [{ optimizer: 'bptt', batch: 32 }, { optimizer: 'bptt', lr: 0.01 }, { optimizer: 'ga', batch: 64 }, { optimizer: 'cmaes' }]) {
      const common = { ...cell, ...opt, budget: 2e5, seed: 3 };
      const a = runCell(resolveConfig({ ...common, task: 'rotation' }));
      const b = runCell(resolveConfig({ ...common, task }));
      expect(Math.abs(b.eval.test_nmse - a.eval.test_nmse), opt.optimizer).toBeLessThanOrEqual(1e-12);
      expect(Math.abs(b.eval.train_nmse - a.eval.train_nmse)).toBeLessThanOrEqual(1e-12);
      // The rows marked val are the built-in's validation set.
      expect(Math.abs(b.eval.val_nmse - a.eval.val_nmse)).toBeLessThanOrEqual(1e-12);
      expect(Number.isFinite(b.eval.val_nmse)).toBe(true);
      expect(b.cost).toBe(a.cost);
      // Not vacuous: finite numbers after many steps, from a net that moved.
      expect(Number.isFinite(a.eval.test_nmse)).toBe(true);
      expect(a.iterations).toBeGreaterThan(5);
      expect(a.eval.train_nmse).not.toBe(a.curve[0].nmse);
      expect(b.eval.extrap_nmse).toBeNaN();
      expect(b.eval.onestep_nmse).toBeNaN();
    }
  });

  it('through kstep run: the same test nmse to 1e-12', () => {
    const dir = tmp();
    writePairs(join(dir, 'rotation.csv'), { Ks: [8], train: cell.train, test: cell.test, val: cell.val, seed: 2 });
    const args = ['--K', '8', '--train', '128', '--test', '96', '--val', '48', '--batch', '32', '--hidden', '16', '--budget', '2e5', '--seed', '2', '--json'];
    const a = kstep(['run', '--task', 'rotation', ...args]);
    const b = kstep(['run', '--task', 'data:./rotation.csv', ...args], dir);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const [ja, jb] = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
    expect(Math.abs(jb.test_nmse - ja.test_nmse)).toBeLessThanOrEqual(1e-12);
    expect(jb.extrap_nmse).toBeNull();
    expect(jb.onestep_nmse).toBeNull();
  });
});

describe('several horizons and the seeded split', () => {
  it('a ramp trains on the horizons present (the largest at or below the scheduled K)', async () => {
    const dir = tmp();
    writePairs(join(dir, 'multi.csv'), { Ks: [2, 4, 8], train: 40, test: 20, val: 10, kColumn: true });
    const task = await loadTaskModule(`data:${join(dir, 'multi.csv')}`);
    const p = recordedPairs(task)!;
    expect([1, 2, 3, 4, 5, 7, 8, 9].map((k) => horizonFor(p, k))).toEqual([2, 2, 2, 4, 4, 4, 8, 8]);
    const r = runCell(resolveConfig({ task, K: 8, train: 40, test: 20, val: 10, curriculum: 'ramp', K0: 1, hidden: '8', budget: 5e4 }));
    expect(r.status).not.toBe('error');
    expect(Number.isFinite(r.eval.val_nmse)).toBe(true);
    const mixed = runCell(resolveConfig({ task, K: 8, train: 40, test: 20, val: 10, curriculum: 'mixed', hidden: '8', budget: 5e4 }));
    expect(Number.isFinite(mixed.eval.test_nmse)).toBe(true);
  });

  it('without a split column, train, test and val are disjoint rows drawn by the seed; val moves no train or test row', async () => {
    const dir = tmp();
    writePairs(join(dir, 'nosplit.csv'), { Ks: [8], train: 30, test: 30, split: false });
    const task = await loadTaskModule(`data:${join(dir, 'nosplit.csv')}`);
    const p = recordedPairs(task)!;
    const need = { K: 8, train: 25, test: 20, val: 0, curriculum: 'none' as const };
    const a = selectPairs(p, need, derive(1, 'data/nosplit'));
    const again = selectPairs(p, need, derive(1, 'data/nosplit'));
    const other = selectPairs(p, need, derive(2, 'data/nosplit'));
    expect(again.test.x0).toEqual(a.test.x0);
    expect(other.test.x0).not.toEqual(a.test.x0);
    const rows = (x: Float64Array) => new Set(Array.from({ length: x.length / 2 }, (_, i) => `${x[2 * i]},${x[2 * i + 1]}`));
    const tr = rows(a.train.get(8)!.x0);
    const te = rows(a.test.x0);
    expect(tr.size + te.size).toBe(45);
    expect([...te].some((r) => tr.has(r))).toBe(false);
    expect(a.val).toBeUndefined();
    const withVal = selectPairs(p, { ...need, val: 12 }, derive(1, 'data/nosplit'));
    expect(withVal.train.get(8)!.x0).toEqual(a.train.get(8)!.x0);
    expect(withVal.test.x0).toEqual(a.test.x0);
    const va = rows(withVal.val!.x0);
    expect(va.size).toBe(12);
    expect([...va].some((r) => tr.has(r) || te.has(r))).toBe(false);
  });
});

// Each: the file's text and what the one stderr line must say.
const rotationText = pairsCsv({ Ks: [8], train: 5, test: 5 });
const malformed: [string, string, RegExp][] = [
  ['empty file', '', /empty file/],
  ['header only', 'x0_1,x0_2,y_1,y_2\n', /no rows after the header/],
  ['blank header', '\n1,2,3,4\n', /row 1 \(the header\) is empty/],
  ['duplicate header', 'x0_1,x0_2,y_1,y_2,x0_1\n1,2,3,4,5\n', /row 1 \(the header\), column 5: duplicate column 'x0_1' \(also column 1\)/],
  ['missing x0 column', 'x0_1,x0_3,y_1,y_2,y_3\n1,2,3,4,5\n', /row 1 \(the header\): missing column x0_2/],
  ['no y columns', 'x0_1,x0_2\n1,2\n', /missing column y_1/],
  ['D differs between x0 and y', 'x0_1,x0_2,y_1\n1,2,3\n', /x0 has D = 2 .* but y has 1/],
  ['unknown column', 'x0_1,y_1,z\n1,2,3\n', /column 3: unknown column 'z'/],
  ['non-numeric value', 'x0_1,x0_2,y_1,y_2\n1,2,3,4\n1,2,3,abc\n', /row 3, column y_2: 'abc' is not a number/],
  ['non-finite value', 'x0_1,x0_2,y_1,y_2\n1,2,3,4\n1,NaN,3,4\n', /row 3, column x0_2: NaN is not finite/],
  ['infinite value', 'x0_1,x0_2,y_1,y_2\n-Infinity,2,3,4\n', /row 2, column x0_1: -Infinity is not finite/],
  ['overflowing value', 'x0_1,x0_2,y_1,y_2\n1,2,1e999,4\n', /row 2, column y_1: 1e999 is not finite/],
  ['empty value', 'x0_1,x0_2,y_1,y_2\n1,,3,4\n', /row 2, column x0_2: empty value/],
  ['too few fields', 'x0_1,x0_2,y_1,y_2\n1,2,3,4\n1,2,3\n', /row 3: has 3 fields, the header has 4/],
  ['non-integer K', 'x0_1,y_1,K\n1,2,8\n1,2,2.5\n', /row 3, column K: '2.5' is not a positive integer/],
  ['K of zero', 'x0_1,y_1,K\n1,2,0\n', /row 2, column K: '0' is not a positive integer/],
  ['split other than train/test/val', 'x0_1,y_1,split\n1,2,train\n1,2,validation\n', /row 3, column split: 'validation' must be train, test or val/],
  ['hex number', rotationText.replace(/\n[^,]+,/, '\n0x10,'), /row 2, column x0_1: '0x10' is not a number/],
];

describe('malformed data files: exit 2, one line naming the row and column, no stack, nothing written', () => {
  for (const [what, text, message] of malformed) {
    it(what, () => {
      const dir = tmp();
      writeFileSync(join(dir, 'bad.csv'), text);
      const r = kstep(['sweep', 'quick', 'task=data:./bad.csv', 'K=8', '--out', join(dir, 'out'), '--quiet'], dir);
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^kstep: task data:\.\/bad\.csv: /);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(dir, 'out'))).toBe(false);
      expect(readdirSync(dir)).toEqual(['bad.csv']);
    });
  }
});

describe("a cell's K, curriculum and sizes must fit the file (exit 2, one line, nothing written)", () => {
  const dir = tmp();
  writePairs(join(dir, 'multi.csv'), { Ks: [2, 4, 8], train: 50, test: 30, kColumn: true });
  writePairs(join(dir, 'one.csv'), { Ks: [8], train: 50, test: 30, kColumn: true });
  writePairs(join(dir, 'nosplit.csv'), { Ks: [8], train: 50, test: 30, split: false });
  const cases: [string, string[], RegExp][] = [
    ['K not present', ['task=data:./multi.csv', 'K=16'], /^kstep: override K=16: 16 is not a horizon of data file .*multi\.csv \(K present: 2, 4, 8\)/],
    ['a curriculum with one K', ['task=data:./one.csv', 'K=8', 'curriculum=ramp'], /^kstep: override curriculum=ramp: ramp trains on horizons shorter than K = 8, and data file .*one\.csv has only K = 8/],
    ['mixed with no shorter K', ['task=data:./multi.csv', 'K=2', 'curriculum=mixed'], /^kstep: override curriculum=mixed: mixed .* none below 2 \(K present: 2, 4, 8\)/],
    ['more training rows than the file has', ['task=data:./multi.csv', 'K=8', 'train=60'], /^kstep: override train=60: asks for 60 training pairs, data file .*multi\.csv has 50 rows marked train at K = 8 /],
    ['more test rows than the file has', ['task=data:./multi.csv', 'K=8', 'test=31'], /^kstep: override test=31: asks for 31 test pairs, data file .*multi\.csv has 30 rows marked test at K = 8 /],
    ['more validation rows than the file marks val', ['task=data:./multi.csv', 'K=8', 'val=5'], /^kstep: override val=5: asks for 5 validation pairs, data file .*multi\.csv has 0 rows marked val at K = 8 \(mark rows val in its split column, or set val=0: no validation set\)/],
    ['without a split column: train + test + val rows', ['task=data:./nosplit.csv', 'K=8', 'val=10'], /^kstep: override val=10: train \+ test \+ val = 90 pairs asked for, data file .*nosplit\.csv has 80 rows \(set val=0 for no validation set\)/],
    ['a ramp needs its training rows at the shorter horizons too', ['task=data:./multi.csv', 'K=8', 'train=51', 'curriculum=ramp'], /^kstep: override train=51: asks for 51 training pairs, .* has 50 rows marked train at K = 2 /],
  ];
  for (const [what, args, message] of cases) {
    it(what, () => {
      const sizes = ['train=50', 'test=30'].filter((d) => !args.some((a) => a.split('=')[0] === d.split('=')[0]));
      const r = kstep(['sweep', 'quick', ...sizes, ...args, '--out', join(dir, 'out'), '--quiet'], dir);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(message);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    });
  }

  it('kstep run refuses the same way, and health, lyapunov and gradcheck refuse a data task with why', () => {
    const r = kstep(['run', '--task', 'data:./one.csv', '--K', '4'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd()).toMatch(/^kstep: K: 4 is not a horizon of data file .*one\.csv \(K present: 8\)$/);
    for (const cmd of ['health', 'lyapunov', 'gradcheck']) {
      const h = kstep([cmd, '--task', 'data:./one.csv'], dir);
      expect(h.code, cmd).toBe(2);
      expect(h.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(h.stderr).toMatch(new RegExp(`kstep ${cmd} draws fresh states and targets from the task's true map`));
    }
  });
});

describe('a sweep on a data task', () => {
  it('on 2 worker threads: the same cells as in process, one-step, extrapolation and health columns empty, the file in manifest.json', () => {
    const dir = tmp();
    writePairs(join(dir, 'multi.csv'), { Ks: [2, 4, 8], train: 64, test: 32, val: 16, kColumn: true });
    const exp = { name: 'data-sweep', fixed: { task: 'data:multi.csv', train: 64, test: 32, val: 16, hidden: [8], budget: 3e4, K0: 2 }, grid: { K: [4, 8], curriculum: ['none', 'ramp'], seed: [0, 1] }, health: true };
    writeFileSync(join(dir, 'exp.json'), JSON.stringify(exp));
    const a = kstep(['sweep', join(dir, 'exp.json'), '--out', join(dir, 'w2'), '--workers', '2', '--quiet'], root);
    expect(a.code, a.stderr).toBe(0);
    const b = kstep(['sweep', join(dir, 'exp.json'), '--out', join(dir, 'w0'), '--workers', '0', '--quiet'], root);
    expect(b.code, b.stderr).toBe(0);
    const strip = (f: string) => readFileSync(f, 'utf8').replace(/,\d+\r?\n/g, '\n');
    expect(strip(join(dir, 'w2', 'cells.csv'))).toBe(strip(join(dir, 'w0', 'cells.csv')));
    const cells = readCsv(join(dir, 'w2', 'cells.csv'));
    expect(cells).toHaveLength(8);
    for (const c of cells) {
      expect(c.status, c.error).not.toBe('error');
      expect(c.task).toBe(`data:${join(dir, 'multi.csv')}`);
      expect(Number(c.test_nmse)).toBeGreaterThan(0);
      for (const col of ['extrap_nmse', 'onestep_nmse', 'lyap_task', 'snr_start', 'lyap_net_end']) expect(c[col], col).toBe('');
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'w2', 'manifest.json'), 'utf8'));
    expect(manifest.modules).toEqual([{ path: `data:${join(dir, 'multi.csv')}`, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
  });

  it('--resume and merge refuse the data file once it changed', () => {
    const dir = tmp();
    const file = join(dir, 'pairs.csv');
    writePairs(file, { Ks: [4], train: 40, test: 20 });
    const args = ['sweep', 'quick', `task=data:${file}`, 'K=4', 'train=40', 'test=20', 'val=0', 'hidden=8', 'seed=0,1', 'budget=2e4', '--workers', '0', '--quiet'];
    expect(kstep([...args, '--shard', '0/2', '--out', join(dir, 's0')]).code).toBe(0);
    expect(kstep([...args, '--shard', '1/2', '--out', join(dir, 's1')]).code).toBe(0);
    expect(kstep([...args, '--shard', '0/2', '--out', join(dir, 's0'), '--resume']).code).toBe(0);
    const ok = kstep(['merge', join(dir, 's0'), join(dir, 's1'), '--out', join(dir, 'merged')]);
    expect(ok.code, ok.stderr).toBe(0);

    appendFileSync(file, '0.5,0.5,0.1,0.1,train\n');
    const cellsBefore = readFileSync(join(dir, 's0', 'cells.csv'), 'utf8');
    const resume = kstep([...args, '--shard', '0/2', '--out', join(dir, 's0'), '--resume']);
    expect(resume.code).toBe(2);
    expect(resume.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(resume.stderr).toMatch(/^kstep: --resume: data file .*pairs\.csv changed since .*s0 was written \(sha256 [0-9a-f]{12}\.\.\. then, [0-9a-f]{12}\.\.\. now\)/);
    expect(readFileSync(join(dir, 's0', 'cells.csv'), 'utf8')).toBe(cellsBefore);
    const merge = kstep(['merge', join(dir, 's0'), join(dir, 's1'), '--out', join(dir, 'merged2')]);
    expect(merge.code).toBe(2);
    expect(merge.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(merge.stderr).toMatch(/data file .*pairs\.csv changed since/);
    expect(existsSync(join(dir, 'merged2'))).toBe(false);
  });
});

describe('examples/duffing-pairs.mjs', () => {
  it('writes a data file from a system kstep does not have, and kstep run trains on it', () => {
    const dir = tmp();
    const gen = spawnSync(process.execPath, [join(root, 'examples/duffing-pairs.mjs'), join(dir, 'duffing.csv'), '400', '2,4,8'], { encoding: 'utf8' });
    expect(gen.status, gen.stderr).toBe(0);
    const r = kstep(['run', '--task', 'data:duffing.csv', '--K', '8', '--train', '256', '--test', '128', '--val', '16', '--hidden', '32,32', '--budget', '1e6', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.status).not.toBe('diverged');
    expect(j.test_nmse).toBeLessThan(0.5);
    expect(j.onestep_nmse).toBeNull();
  });
});
