// Sweeps end to end through the CLI on a tiny grid: byte-identical CSVs (apart from wall_ms) across
// runs, worker counts, shards merged, and an interrupted-then-resumed sweep; the results folder.
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, splitRecords } from '../../src/output/csv.js';
import { HEALTH_RESULT_COLUMNS } from '../../src/output/summary.js';
import { RESULT_FILES, TINY, kstep, requireBuild, resultBytes, tmp, writeJson } from './helpers.js';

beforeAll(requireBuild);

let spec: string;
let reference: string;
let refBytes: Record<string, string>;

beforeAll(async () => {
  const dir = tmp('kstep-sweep-');
  spec = writeJson(join(dir, 'tiny.json'), TINY);
  reference = join(dir, 'ref');
  const r = await kstep(['sweep', spec, '--workers', '2', '--out', reference]);
  expect(r.code, r.stderr).toBe(0);
  refBytes = resultBytes(reference);
});

function rowsOf(dir: string, file = 'cells.csv') {
  return parseCsv(readFileSync(join(dir, file), 'utf8'));
}

describe('kstep sweep', () => {
  it('writes the five files, one row per cell, and prints the pivots', async () => {
    for (const f of [...RESULT_FILES, 'manifest.json']) expect(existsSync(join(reference, f))).toBe(true);
    const cells = rowsOf(reference);
    expect(cells.rows).toHaveLength(16);
    expect(cells.header.slice(0, 6)).toEqual(['cell_id', 'task', 'task.rho', 'task.theta', 'K', 'activation']);
    // The health columns are there (empty) without the health option: one schema for every sweep.
    expect(cells.header.slice(-10)).toEqual(['adjoint_ratio_end', 'health_end', ...HEALTH_RESULT_COLUMNS, 'wall_ms']);
    const ids = cells.rows.map((r) => r[0]);
    expect(new Set(ids).size).toBe(16);
    // Every cell has its curve and its adjoint profiles (K + 1 norms at start and at end).
    const curves = rowsOf(reference, 'curves.csv');
    const adj = rowsOf(reference, 'adjoints.csv');
    expect(curves.header).toEqual(['cell_id', 'cost', 'nmse']);
    expect(adj.header).toEqual(['cell_id', 'phase', 't', 'norm']);
    const K = cells.header.indexOf('K');
    for (const row of cells.rows) {
      expect(curves.rows.filter((c) => c[0] === row[0]).length).toBeGreaterThan(1);
      expect(adj.rows.filter((c) => c[0] === row[0]).length).toBe(2 * (Number(row[K]) + 1));
    }
    const summary = rowsOf(reference, 'summary.csv');
    expect(summary.rows).toHaveLength(8);
    const manifest = JSON.parse(readFileSync(join(reference, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ experiment: 'tiny', cells: 16, grid_cells: 16, shard: null, node: process.version });
    expect(manifest.spec.grid.K).toEqual([1, 3]);
  });

  it('gives the same bytes on a second run, and with 1 worker instead of 2', async () => {
    const dir = tmp('kstep-sweep-');
    const a = await kstep(['sweep', spec, '--workers', '2', '--out', join(dir, 'again'), '--quiet']);
    const b = await kstep(['sweep', spec, '--workers', '1', '--out', join(dir, 'one'), '--quiet']);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(resultBytes(join(dir, 'again'))).toEqual(refBytes);
    expect(resultBytes(join(dir, 'one'))).toEqual(refBytes);
    // The tables on stdout are the same too.
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('Median test nmse');
  });

  it('gives the same bytes with checkpointed BPTT (--memory sqrt) and with full storage', async () => {
    const dir = tmp('kstep-memory-');
    for (const memory of ['sqrt', 'full']) {
      const r = await kstep(['sweep', spec, '--workers', '2', '--memory', memory, '--out', join(dir, memory), '--quiet']);
      expect(r.code, r.stderr).toBe(0);
      expect(resultBytes(join(dir, memory))).toEqual(refBytes);
    }
    const bad = await kstep(['sweep', spec, '--memory', 'half', '--out', join(dir, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("kstep: --memory: expected one of full, sqrt, auto, got 'half'\n");
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  it('shards 0/3, 1/3, 2/3 merged give the bytes of one run', async () => {
    const dir = tmp('kstep-shard-');
    const shards = [0, 1, 2].map((i) => join(dir, `s${i}`));
    const runs = await Promise.all(shards.map((out, i) => kstep(['sweep', spec, '--shard', `${i}/3`, '--workers', '1', '--out', out, '--quiet'])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(shards.map((s) => rowsOf(s).rows.length)).toEqual([6, 5, 5]);
    const m = await kstep(['merge', ...shards, '--out', join(dir, 'merged')]);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stderr).toContain('merged 16 of 16 cells');
    expect(resultBytes(join(dir, 'merged'))).toEqual(refBytes);
  });

  it('merge of an incomplete set writes what it has and exits 1', async () => {
    const dir = tmp('kstep-shard-');
    const r = await kstep(['sweep', spec, '--shard', '1/2', '--workers', '1', '--out', join(dir, 's1'), '--quiet']);
    expect(r.code).toBe(0);
    const m = await kstep(['merge', join(dir, 's1'), '--out', join(dir, 'merged')]);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('8 cells missing');
    expect(rowsOf(join(dir, 'merged')).rows).toHaveLength(8);
  });

  it('merge refuses folders of different specs (exit 2, nothing written)', async () => {
    const dir = tmp('kstep-shard-');
    const other = writeJson(join(dir, 'other.json'), { ...TINY, budget: 1e4 });
    const a = await kstep(['sweep', other, 'K=1', 'seed=0', '--workers', '1', '--out', join(dir, 'a'), '--quiet']);
    expect(a.code).toBe(0);
    const m = await kstep(['merge', reference, join(dir, 'a'), '--out', join(dir, 'merged')]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('spec differs');
    expect(existsSync(join(dir, 'merged'))).toBe(false);
  });

  it('summarize prints the same tables from the CSVs alone, and --json', async () => {
    const fresh = await kstep(['sweep', spec, '--workers', '2', '--out', join(tmp(), 'r'), '--quiet']);
    const s = await kstep(['summarize', reference]);
    expect(s.code, s.stderr).toBe(0);
    // The sweep's tables, again (summarize may print more after them: the curves' sparklines).
    expect(s.stdout.startsWith(fresh.stdout)).toBe(true);
    const j = await kstep(['summarize', reference, '--json']);
    const parsed = JSON.parse(j.stdout);
    expect(parsed.summary).toHaveLength(8);
    expect(parsed.summary[0]).toHaveProperty('test_nmse_median');
    const missing = await kstep(['summarize', join(tmp(), 'nothing')]);
    expect(missing.code).toBe(2);
  });

  it('a folder of another spec is replaced only with --force; --resume of a different spec is refused', async () => {
    const dir = tmp('kstep-sweep-');
    const out = join(dir, 'r');
    expect((await kstep(['sweep', spec, 'K=1', '--workers', '1', '--out', out, '--quiet'])).code).toBe(0);
    const refused = await kstep(['sweep', spec, 'K=3', '--resume', '--workers', '1', '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--resume');
    expect(rowsOf(out).rows).toHaveLength(8);
    expect((await kstep(['sweep', spec, '--workers', '2', '--out', out, '--quiet'])).code).toBe(2);
    expect(rowsOf(out).rows).toHaveLength(8);
    expect((await kstep(['sweep', spec, '--workers', '2', '--out', out, '--quiet', '--force'])).code).toBe(0);
    expect(resultBytes(out)).toEqual(refBytes);
  });

  it('--resume of a finished folder runs nothing and keeps the bytes', async () => {
    const out = join(tmp(), 'r');
    expect((await kstep(['sweep', spec, '--workers', '2', '--out', out, '--quiet'])).code).toBe(0);
    const r = await kstep(['sweep', spec, '--resume', '--workers', '2', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('16 of 16 cells already done');
    expect(r.stderr).toContain('0 cells to run');
    expect(resultBytes(out)).toEqual(refBytes);
  });

  it('--dry-run lists the cells and writes nothing', async () => {
    const dir = tmp('kstep-sweep-');
    const r = await kstep(['sweep', spec, '--dry-run'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('tiny: 16 of 16 cells');
    expect(readdirSync(dir)).toEqual([]);
    const j = await kstep(['sweep', spec, '--dry-run', '--json', '--shard', '0/4'], { cwd: dir });
    expect(JSON.parse(j.stdout).cells).toHaveLength(4);
  });

  it('writes results/<name>/ under the working directory by default', async () => {
    const dir = tmp('kstep-sweep-');
    const r = await kstep(['sweep', spec, 'K=1', 'activation=tanh', '--workers', '1', '--quiet'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(join(dir, 'results', 'tiny', 'cells.csv')).isFile()).toBe(true);
  });
});

describe('interrupted sweeps and --resume', () => {
  it('a torn last line and rows of an unfinished cell are dropped and the cell run again', async () => {
    const dir = tmp('kstep-resume-');
    const out = join(dir, 'r');
    // A run that "crashed": the first 5 cells' rows, then a cell whose curve block was written but
    // whose cells.csv row was torn halfway.
    expect((await kstep(['sweep', spec, '--workers', '1', '--out', out, '--quiet'])).code).toBe(0);
    const cut = (file: string, keepIds: Set<string>, tornFrom?: string) => {
      const text = readFileSync(join(out, file), 'utf8');
      const { records } = splitRecords(text);
      const kept = [records[0], ...records.slice(1).filter((r) => keepIds.has(r.slice(0, r.indexOf(','))))];
      let body = `${kept.join('\r\n')}\r\n`;
      if (tornFrom) body += tornFrom.slice(0, Math.floor(tornFrom.length / 2));
      writeFileSync(join(out, file), body);
    };
    const rows = splitRecords(readFileSync(join(out, 'cells.csv'), 'utf8')).records.slice(1);
    const done = new Set(rows.slice(0, 5).map((r) => r.slice(0, r.indexOf(','))));
    const torn = rows[5];
    cut('curves.csv', new Set([...done, torn.slice(0, torn.indexOf(','))]));
    cut('adjoints.csv', done, 'cdeadbeef0000,start,0,1.5');
    cut('cells.csv', done, torn);
    const r = await kstep(['sweep', spec, '--resume', '--workers', '2', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('dropped a torn last line of cells.csv, adjoints.csv');
    expect(r.stderr).toContain('5 of 16 cells already done');
    expect(resultBytes(out)).toEqual(refBytes);
  });

  it('rows holding values a sweep never writes (abc in a metric, an unknown label, a bad curve) are run again', async () => {
    const dir = tmp('kstep-invalid-');
    const out = join(dir, 'r');
    expect((await kstep(['sweep', spec, '--workers', '2', '--out', out, '--quiet'])).code).toBe(0);
    const edit = (file: string, row: number, column: string, value: string) => {
      const { header, rows } = rowsOf(out, file);
      const text = readFileSync(join(out, file), 'utf8').split('\r\n');
      // The edited field is a number or a label: no quoting, so the raw line splits at its commas there.
      const original = text[row + 1];
      const oldField = rows[row][header.indexOf(column)];
      const at = original.split(',').indexOf(oldField);
      expect(at, `${file} row ${row} ${column}`).toBeGreaterThanOrEqual(0);
      const parts = original.split(',');
      parts[at] = value;
      text[row + 1] = parts.join(',');
      writeFileSync(join(out, file), text.join('\r\n'));
      return rows[row][0];
    };
    // Middle rows: a metric that is no number, an unknown health label, a curve cost that is no number.
    const a = edit('cells.csv', 3, 'test_nmse', 'abc');
    const b = edit('cells.csv', 7, 'health_end', 'weird');
    const { rows: curveRows } = rowsOf(out, 'curves.csv');
    const cIndex = curveRows.findIndex((r) => r[0] !== a && r[0] !== b);
    const c = edit('curves.csv', cIndex, 'nmse', '1.2.3');
    const r = await kstep(['sweep', spec, '--resume', '--workers', '2', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.includes('again'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/resume: running 3 cells again whose rows hold invalid values \(cell c[0-9a-f]{12}: /);
    expect(r.stderr).toContain('13 of 16 cells already done');
    expect(resultBytes(out)).toEqual(refBytes);
  });

  it('SIGINT halfway, then --resume: the same rows as an uninterrupted run, no duplicate or torn rows', async () => {
    const dir = tmp('kstep-sigint-');
    // Slower cells so that the interrupt lands mid-sweep.
    const slow = writeJson(join(dir, 'slow.json'), { ...TINY, name: 'slow', budget: 3e5 });
    const out = join(dir, 'int');
    const full = join(dir, 'full');
    const ref = await kstep(['sweep', slow, '--workers', '2', '--out', full, '--quiet']);
    expect(ref.code, ref.stderr).toBe(0);
    const interrupted = await kstep(['sweep', slow, '--workers', '2', '--out', out], {
      onSpawn: (p) => {
        const timer = setInterval(() => {
          const f = join(out, 'cells.csv');
          if (existsSync(f) && splitRecords(readFileSync(f, 'utf8')).records.length >= 1 + 6) {
            clearInterval(timer);
            p.kill('SIGINT');
          }
        }, 5);
      },
    });
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(interrupted.stderr).toContain('--resume');
    const partial = rowsOf(out).rows.length;
    expect(partial).toBeGreaterThanOrEqual(6);
    expect(partial).toBeLessThan(16);
    expect(existsSync(join(out, 'summary.csv'))).toBe(false);
    const resumed = await kstep(['sweep', slow, '--resume', '--workers', '2', '--out', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`${partial} of 16 cells already done`);
    expect(sameAsFull(out, full)).toBe(true);
  });
});

function sameAsFull(out: string, full: string): boolean {
  const a = resultBytes(out);
  const b = resultBytes(full);
  expect(a).toEqual(b);
  const ids = parseCsv(readFileSync(join(out, 'cells.csv'), 'utf8')).rows.map((r) => r[0]);
  expect(new Set(ids).size).toBe(ids.length);
  expect(readFileSync(join(out, 'cells.csv'), 'utf8').endsWith('\r\n')).toBe(true);
  return true;
}
