// The worker pool: results stream back, a cell that throws becomes an error row and the sweep goes
// on, --fail-fast stops, an abort stops; numbers do not depend on the worker.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Cell } from '../../src/experiment/grid.js';
import { type Outcome, runPool } from '../../src/experiment/pool.js';
import { parseExperiment } from '../../src/experiment/spec.js';
import { type Experiment, prepareExperiment, runSweep } from '../../src/experiment/sweep.js';
import { parseCsv } from '../../src/output/csv.js';
import { TINY, requireBuild, tmp } from './helpers.js';

beforeAll(requireBuild);

function tiny(overrides: Record<string, unknown> = {}): Experiment {
  return prepareExperiment(parseExperiment({ ...TINY, ...overrides }));
}

/** The experiment with cell `i` broken so that runCell throws inside the worker. */
function withBrokenCell(exp: Experiment, i: number): Experiment {
  const cells = exp.cells.map((c) => (c.index === i ? { ...c, config: { ...c.config, task: 'no-such-task' } } : c));
  return { ...exp, cells };
}

const quiet = { log: () => {}, progress: 'none' as const };

describe('runPool', () => {
  it('returns every cell once, with the same numbers on 0, 1 and 2 workers', async () => {
    const exp = tiny();
    const runs: Map<number, Outcome>[] = [];
    for (const workers of [0, 1, 2]) {
      const got = new Map<number, Outcome>();
      const end = await runPool(exp.cells, { workers }, (cell, out) => {
        expect(got.has(cell.index)).toBe(false);
        got.set(cell.index, out);
      });
      expect(end).toBe('done');
      expect(got.size).toBe(exp.cells.length);
      runs.push(got);
    }
    const strip = (o: Outcome) => (o.type === 'done' ? { ...o.result, wall_ms: 0 } : o);
    for (const c of exp.cells) {
      expect(strip(runs[1].get(c.index)!)).toEqual(strip(runs[0].get(c.index)!));
      expect(strip(runs[2].get(c.index)!)).toEqual(strip(runs[0].get(c.index)!));
    }
  });

  it('a cell that throws is an error outcome with its message; the others run', async () => {
    const exp = withBrokenCell(tiny(), 3);
    const outs: [Cell, Outcome][] = [];
    const end = await runPool(exp.cells, { workers: 2 }, (c, o) => outs.push([c, o]));
    expect(end).toBe('done');
    expect(outs).toHaveLength(16);
    const errors = outs.filter(([, o]) => o.type === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0][0].index).toBe(3);
    expect(errors[0][1].type === 'error' && errors[0][1].message).toContain("unknown value 'no-such-task'");
  });

  it('failFast stops at the first error', async () => {
    const exp = withBrokenCell(tiny(), 0);
    let n = 0;
    const end = await runPool(exp.cells, { workers: 1, failFast: true }, () => n++);
    expect(end).toBe('failed');
    expect(n).toBe(1);
  });

  it('an exception of the caller (e.g. a full disk) stops the pool and rejects', async () => {
    const exp = tiny();
    await expect(
      runPool(exp.cells, { workers: 2 }, () => {
        throw new Error('ENOSPC');
      }),
    ).rejects.toThrow('ENOSPC');
  });

  it('an aborted signal stops dispatching', async () => {
    const exp = tiny();
    const ac = new AbortController();
    let n = 0;
    const end = await runPool(exp.cells, { workers: 1, signal: ac.signal }, () => {
      if (++n === 2) ac.abort();
    });
    expect(end).toBe('aborted');
    expect(n).toBe(2);
  });
});

describe('runSweep with a failing cell', () => {
  it('writes the error row (status error, its message) and finishes the others', async () => {
    const out = join(tmp(), 'r');
    const logs: string[] = [];
    const report = await runSweep(withBrokenCell(tiny(), 5), { workers: 2, out, log: (s) => logs.push(s), progress: 'lines' });
    expect(report.end).toBe('done');
    expect(report.errors).toBe(1);
    expect(logs.some((l) => l.startsWith('error in cell') && l.includes('no-such-task'))).toBe(true);
    const { header, rows } = parseCsv(readFileSync(join(out, 'cells.csv'), 'utf8'));
    expect(rows).toHaveLength(16);
    const status = header.indexOf('status');
    const bad = rows.filter((r) => r[status] === 'error');
    expect(bad).toHaveLength(1);
    expect(bad[0][header.indexOf('error')]).toContain('no-such-task');
    expect(bad[0][header.indexOf('test_nmse')]).toBe('');
    const summary = parseCsv(readFileSync(join(out, 'summary.csv'), 'utf8'));
    expect(summary.rows.map((r) => r[summary.header.indexOf('errors')]).filter((e) => e !== '0')).toEqual(['1']);
  });

  it('with failFast stops, leaves the rows written so far, and no summary', async () => {
    const out = join(tmp(), 'r');
    const report = await runSweep(withBrokenCell(tiny(), 2), { workers: 1, out, failFast: true, ...quiet });
    expect(report.end).toBe('failed');
    const { rows } = parseCsv(readFileSync(join(out, 'cells.csv'), 'utf8'));
    expect(rows).toHaveLength(3);
    expect(report.summary).toBeUndefined();
  });
});
