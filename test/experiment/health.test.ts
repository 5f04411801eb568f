// Sweeps with the experiment option `health`: the option's validation, health.csv (written as cells
// finish, rewritten in canonical order, byte-identical across workers, shards merged and resumed
// sweeps), cells.csv's health columns (the same columns with the option off), and the health pivot
// printed by summarize from the CSVs alone.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { healthDefaults, healthKs } from '../../src/experiment/health-option.js';
import { applyOverrides } from '../../src/experiment/overrides.js';
import { parseExperiment } from '../../src/experiment/spec.js';
import { buildCell } from '../../src/experiment/cell.js';
import { resolveConfig } from '../../src/experiment/config.js';
import { diagnoseCell, diagnoseStart } from '../../src/experiment/cell-health.js';
import { healthColumns } from '../../src/health/diagnose.js';
import { parseCsv, splitRecords } from '../../src/output/csv.js';
import { HEALTH_RESULT_COLUMNS } from '../../src/output/summary.js';
import { TINY, kstep, requireBuild, tmp, usageError, withoutWallMs, writeJson } from './helpers.js';

describe('the health option', () => {
  const base = { name: 'x', grid: { K: [1, 4] } };

  it('is off by default; true gives the defaults; an object overrides some fields; Ks are sorted', () => {
    expect(parseExperiment(base).spec.health).toBeUndefined();
    expect(parseExperiment({ ...base, health: false }).spec.health).toBeUndefined();
    expect(parseExperiment({ ...base, health: true }).spec.health).toEqual(healthDefaults);
    const h = parseExperiment({ ...base, health: { K: [8, 1, 64], snr_batches: 64, lyapunov_steps: 0 } }).spec.health;
    expect(h).toEqual({ ...healthDefaults, K: [1, 8, 64], snr_batches: 64, lyapunov_steps: 0 });
    // Fields in a fixed order, so that manifests compare byte for byte.
    expect(Object.keys(h!)).toEqual(['K', 'samples', 'snr_batches', 'snr_batch', 'lyapunov_steps', 'lyapunov_samples']);
  });

  it.each([
    [{ health: 'yes' }, 'health', 'expected true, false or an object'],
    [{ health: 1 }, 'health', 'expected true, false or an object'],
    [{ health: { K: [] } }, 'health.K', 'non-empty'],
    [{ health: { K: 4 } }, 'health.K', 'list of Ks'],
    [{ health: { K: [1, 0] } }, 'health.K[1]', 'integer K >= 1'],
    [{ health: { K: [1, 2.5] } }, 'health.K[1]', 'integer K >= 1'],
    [{ health: { K: [2, 2] } }, 'health.K[1]', 'duplicate'],
    [{ health: { snr_batches: 1 } }, 'health.snr_batches', 'integer >= 2'],
    [{ health: { samples: '64' } }, 'health.samples', 'integer >= 2'],
    [{ health: { lyapunov_steps: -1 } }, 'health.lyapunov_steps', 'integer >= 0'],
    [{ health: { snr: 16 } }, 'health.snr', 'unknown key (allowed: K, samples, snr_batches'],
  ])('refuses %j with the field %s', (extra, field, message) => {
    const e = usageError(() => parseExperiment({ ...base, ...extra }));
    expect(e.field).toBe(field);
    expect(e.message).toContain(message);
  });

  it('takes overrides health=true|false and health.<field>=value', () => {
    const parsed = parseExperiment(base);
    expect(applyOverrides(parsed, ['health=true']).spec.health).toEqual(healthDefaults);
    expect(applyOverrides(parsed, ['health.K=1,2,4', 'health.snr_batches=64']).spec.health).toEqual({ ...healthDefaults, K: [1, 2, 4], snr_batches: 64 });
    const on = parseExperiment({ ...base, health: { snr_batches: 8 } });
    expect(applyOverrides(on, ['health=false']).spec.health).toBeUndefined();
    expect(applyOverrides(on, ['health=true']).spec.health).toEqual({ ...healthDefaults, snr_batches: 8 });
    expect(usageError(() => applyOverrides(parsed, ['health=maybe'])).field).toBe('override health=maybe');
    expect(usageError(() => applyOverrides(parsed, ['health.bogus=1'])).message).toContain('unknown health field');
    expect(usageError(() => applyOverrides(parsed, ['health.snr_batches=4,8'])).message).toContain('one value');
    expect(usageError(() => applyOverrides(parsed, ['health.K=0'])).message).toContain('integer K >= 1');
  });

  it('checks a field by one rule, in the file and in an override alike', () => {
    const parsed = parseExperiment(base);
    for (const [file, override] of [
      [{ samples: 1 }, 'health.samples=1'],
      [{ samples: 2_000_000 }, 'health.samples=2000000'],
      [{ K: [1, 0] }, 'health.K=1,0'],
      [{ lyapunov_steps: 1.5 }, 'health.lyapunov_steps=1.5'],
    ] as const) {
      // What was expected, without the field and the value given.
      const expected = (e: UsageError) => e.message.slice(e.field.length + 2).split(', got ')[0];
      const fromFile = usageError(() => parseExperiment({ ...base, health: file }));
      const fromOverride = usageError(() => applyOverrides(parsed, [override]));
      expect(expected(fromOverride)).toBe(expected(fromFile));
    }
    expect(usageError(() => applyOverrides(parsed, ['health.samples=2000000'])).message).toContain('expected at most 1000000');
  });

  it('diagnoses at the listed Ks plus the cell K, or at 1, 2, 4, ... up to the cell K', () => {
    expect(healthKs(3, { ...healthDefaults, K: [1, 2, 4] })).toEqual([1, 2, 3, 4]);
    expect(healthKs(4, { ...healthDefaults, K: [1, 2, 4] })).toEqual([1, 2, 4]);
    expect(healthKs(12, healthDefaults)).toEqual([1, 2, 4, 8, 12]);
  });

  it('does not change the cells or their ids', async () => {
    const { expandGrid } = await import('../../src/experiment/grid.js');
    const off = expandGrid(parseExperiment({ ...base, grid: { K: [1, 4], seed: [0, 1] } }));
    const on = expandGrid(parseExperiment({ ...base, grid: { K: [1, 4], seed: [0, 1] }, health: true }));
    expect(on.map((c) => c.id)).toEqual(off.map((c) => c.id));
    expect(on.map((c) => c.key)).toEqual(off.map((c) => c.key));
  });
});

// ---- end to end --------------------------------------------------------------------------------

const HEALTH = { K: [1, 2, 4], samples: 16, snr_batches: 4, snr_batch: 4, lyapunov_steps: 20, lyapunov_samples: 2 };
const TINY_HEALTH = { ...TINY, name: 'tinyh', health: HEALTH };
const FILES = ['cells.csv', 'curves.csv', 'adjoints.csv', 'health.csv', 'summary.csv'];

function bytes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of FILES) out[f] = withoutWallMs(readFileSync(join(dir, f), 'utf8'));
  return out;
}

function rowsOf(dir: string, file: string) {
  return parseCsv(readFileSync(join(dir, file), 'utf8'));
}

let spec: string;
let reference: string;
let refBytes: Record<string, string>;
let refStdout: string;

beforeAll(async () => {
  requireBuild();
  const dir = tmp('kstep-health-');
  spec = writeJson(join(dir, 'tinyh.json'), TINY_HEALTH);
  reference = join(dir, 'ref');
  const r = await kstep(['sweep', spec, '--workers', '2', '--out', reference]);
  expect(r.code, r.stderr).toBe(0);
  refBytes = bytes(reference);
  refStdout = r.stdout;
});

describe('kstep sweep with health', () => {
  it('writes health.csv: per cell, phase start then end, one row per K of the list and the cell K', () => {
    const cells = rowsOf(reference, 'cells.csv');
    const health = rowsOf(reference, 'health.csv');
    expect(health.header).toEqual(['cell_id', 'phase', ...healthColumns]);
    const col = (name: string) => cells.header.indexOf(name);
    const hcol = (name: string) => health.header.indexOf(name);
    // Cells in canonical order, each with its block.
    expect([...new Set(health.rows.map((r) => r[0]))]).toEqual(cells.rows.map((r) => r[0]));
    for (const row of cells.rows) {
      const K = Number(row[col('K')]);
      const mine = health.rows.filter((h) => h[0] === row[0]);
      const Ks = K === 3 ? [1, 2, 3, 4] : [1, 2, 4];
      expect(mine.map((h) => `${h[1]}:${h[hcol('K')]}`)).toEqual([...Ks.map((k) => `start:${k}`), ...Ks.map((k) => `end:${k}`)]);
      // cells.csv's health columns are the rows at the cell's own K.
      const atK = (phase: string) => mine.find((h) => h[1] === phase && Number(h[hcol('K')]) === K)!;
      expect(row[col('snr_start')]).toBe(atK('start')[hcol('snr')]);
      expect(row[col('snr_end')]).toBe(atK('end')[hcol('snr')]);
      expect(row[col('lyap_net_start')]).toBe(atK('start')[hcol('lyap_net')]);
      expect(row[col('lyap_net_end')]).toBe(atK('end')[hcol('lyap_net')]);
      expect(row[col('lyap_task')]).toBe(atK('end')[hcol('lyap_task')]);
      expect(row[col('pascanu_bound_start')]).toBe(atK('start')[hcol('pascanu_bound')]);
      expect(row[col('pascanu_bound_end')]).toBe(atK('end')[hcol('pascanu_bound')]);
      expect(Number(row[col('snr_end')])).toBeGreaterThan(0);
      // The start rows depend on the seed and the net only: the same for bptt and ga.
    }
    const startOf = (id: string) => JSON.stringify(health.rows.filter((h) => h[0] === id && h[1] === 'start').map((h) => h.slice(2)));
    const opt = col('optimizer');
    const pairs = new Map<string, string[]>();
    for (const row of cells.rows) {
      const key = [col('K'), col('activation'), col('seed')].map((i) => row[i]).join('/');
      pairs.set(key, [...(pairs.get(key) ?? []), `${row[opt]}=${startOf(row[0])}`]);
    }
    for (const [, v] of pairs) expect(new Set(v.map((s) => s.slice(s.indexOf('=') + 1))).size).toBe(1);
  });

  it('gives the same bytes with 1 worker, with 0 workers (main thread) and on a second run', async () => {
    const dir = tmp('kstep-health-');
    const runs = await Promise.all(
      ['1', '0', '2'].map((w) => kstep(['sweep', spec, '--workers', w, '--out', join(dir, `w${w}`), '--quiet'])),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    for (const w of ['1', '0', '2']) expect(bytes(join(dir, `w${w}`))).toEqual(refBytes);
    expect(runs[0].stdout).toBe(refStdout);
  });

  it('shards 0/3, 1/3, 2/3 merged give the bytes of one run', async () => {
    const dir = tmp('kstep-health-shard-');
    const shards = [0, 1, 2].map((i) => join(dir, `s${i}`));
    const runs = await Promise.all(shards.map((out, i) => kstep(['sweep', spec, '--shard', `${i}/3`, '--workers', '1', '--out', out, '--quiet'])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    for (const s of shards) expect(existsSync(join(s, 'health.csv'))).toBe(true);
    const m = await kstep(['merge', ...shards, '--out', join(dir, 'merged')]);
    expect(m.code, m.stderr).toBe(0);
    expect(bytes(join(dir, 'merged'))).toEqual(refBytes);
  });

  it('--resume drops a torn health line and the health rows of an unfinished cell, and ends with the same bytes', async () => {
    const out = join(tmp('kstep-health-resume-'), 'r');
    expect((await kstep(['sweep', spec, '--workers', '1', '--out', out, '--quiet'])).code).toBe(0);
    const rows = splitRecords(readFileSync(join(out, 'cells.csv'), 'utf8')).records.slice(1);
    const done = new Set(rows.slice(0, 7).map((r) => r.slice(0, r.indexOf(','))));
    const unfinished = rows[7].slice(0, rows[7].indexOf(','));
    const cut = (file: string, keep: Set<string>, torn = '') => {
      const { records } = splitRecords(readFileSync(join(out, file), 'utf8'));
      const kept = [records[0], ...records.slice(1).filter((r) => keep.has(r.slice(0, r.indexOf(','))))];
      writeFileSync(join(out, file), `${kept.join('\r\n')}\r\n${torn}`);
    };
    // The unfinished cell wrote its curves, adjoints and part of its health block, but no cells row.
    cut('curves.csv', new Set([...done, unfinished]));
    cut('adjoints.csv', new Set([...done, unfinished]));
    cut('health.csv', done, `${unfinished},start,1,0.3`);
    cut('cells.csv', done);
    const r = await kstep(['sweep', spec, '--resume', '--workers', '2', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('dropped a torn last line of health.csv');
    expect(r.stderr).toContain('7 of 16 cells already done');
    expect(bytes(out)).toEqual(refBytes);
  });

  it('without health: the same cells.csv columns (health values empty), no health.csv, a stale one removed (--force)', async () => {
    const out = join(tmp('kstep-health-off-'), 'r');
    mkdirSync(out, { recursive: true });
    copyFileSync(join(reference, 'health.csv'), join(out, 'health.csv'));
    const r = await kstep(['sweep', spec, 'health=false', '--workers', '2', '--out', out, '--quiet', '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'health.csv'))).toBe(false);
    const off = rowsOf(out, 'cells.csv');
    const on = rowsOf(reference, 'cells.csv');
    expect(off.header).toEqual(on.header);
    for (const c of HEALTH_RESULT_COLUMNS) {
      const i = off.header.indexOf(c);
      expect(i).toBeGreaterThan(0);
      expect(off.rows.every((row) => row[i] === '')).toBe(true);
    }
    // Training is not affected by the diagnostics: the other columns are the same.
    const strip = (t: { header: string[]; rows: string[][] }) => {
      const drop = new Set(['wall_ms', ...HEALTH_RESULT_COLUMNS].map((c) => t.header.indexOf(c)));
      return t.rows.map((row) => row.filter((_, i) => !drop.has(i)));
    };
    expect(strip(off)).toEqual(strip(on));
    expect(r.stdout).not.toContain('Gradient health of the nets');
  });

  it('summarize prints the health pivot from cells.csv and health.csv alone', async () => {
    const dir = join(tmp('kstep-health-sum-'), 'csvs');
    mkdirSync(dir);
    for (const f of ['cells.csv', 'health.csv']) copyFileSync(join(reference, f), join(dir, f));
    const s = await kstep(['summarize', dir]);
    expect(s.code, s.stderr).toBe(0);
    // The sweep's tables, again (summarize may print more after them).
    expect(s.stdout.startsWith(refStdout)).toBe(true);
    expect(s.stdout).toContain('Gradient health of the nets trained by bptt at K=1, diagnosed at each K');
    expect(s.stdout).toContain('Gradient health of the nets trained by bptt at each K, diagnosed at that K');
    expect(s.stdout).toContain('lyap task');
  });

  it('a malformed health option exits 2 and writes nothing', async () => {
    const dir = tmp('kstep-health-bad-');
    const bad = writeJson(join(dir, 'bad.json'), { ...TINY_HEALTH, health: { K: [0] } });
    const r = await kstep(['sweep', bad, '--workers', '1', '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('health.K[0]');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('start-of-training diagnostics are shared by cells that differ only in optimizer, budget or K', () => {
  const health = { ...healthDefaults, K: [1, 2, 4], samples: 16, snr_batches: 8, snr_batch: 4, lyapunov_steps: 20, lyapunov_samples: 2 };
  const cell = (over: Record<string, unknown>) => resolveConfig({ task: 'logistic', hidden: [4], K: 2, optimizer: 'ga', seed: 3, ...over });
  const fresh = (cfg: ReturnType<typeof cell>) => diagnoseCell(cfg, health, buildCell(cfg).theta0);

  it('returns what a fresh diagnosis of theta0 returns, for every cell', () => {
    for (const over of [{}, { optimizer: 'bptt' }, { budget: 5e4, K: 4 }, { seed: 4 }, { 'task.r': 3.2 }, { gain: 2 }]) {
      expect(diagnoseStart(cell(over), health)).toEqual(fresh(cell(over)));
    }
    // The key separates what matters: another seed, task parameter or gain gives other rows.
    expect(diagnoseStart(cell({ seed: 4 }), health)).not.toEqual(diagnoseStart(cell({}), health));
    expect(diagnoseStart(cell({ 'task.r': 3.2 }), health)).not.toEqual(diagnoseStart(cell({}), health));
    expect(diagnoseStart(cell({ gain: 2 }), health)).not.toEqual(diagnoseStart(cell({}), health));
  });

  it('hands out copies: a caller that edits its rows does not change the next cell', () => {
    const rows = diagnoseStart(cell({}), health);
    const loss = rows[0].loss;
    rows[0].loss = -1;
    expect(diagnoseStart(cell({ optimizer: 'es' }), health)[0].loss).toBe(loss);
  });
});
