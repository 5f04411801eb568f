// The health pivot of summarize and the end-of-sweep tables, from cells.csv and health.csv tables:
// which arm, which columns, medians over seeds, the sweep and diagonal views, and their rendering.
import { describe, expect, it } from 'vitest';
import { healthColumns } from '../../src/health/diagnose.js';
import { type CellsTable, summarize, summarizeHealth } from '../../src/output/summary.js';
import { healthPivotTables, renderTables } from '../../src/output/tables.js';

const cellsHeader = ['cell_id', 'variant', 'task.r', 'K', 'activation', 'optimizer', 'seed', 'status', 'test_nmse', 'health_start', 'health_end'];
const healthHeader = ['cell_id', 'phase', ...healthColumns];

/** Cells: variants ga (first, not BPTT) and bptt, r in {3.2, 3.9}, trained K in {1, 4}, seeds 0..2. */
function fixture(): { cells: CellsTable; health: CellsTable } {
  const cells: string[][] = [];
  const health: string[][] = [];
  for (const variant of ['ga', 'bptt'])
    for (const r of ['3.2', '3.9'])
      for (const K of [1, 4])
        for (const seed of [0, 1, 2]) {
          const id = `${variant}-${r}-${K}-${seed}`;
          cells.push([id, variant, r, String(K), 'tanh', variant, String(seed), 'reached', '0.001', 'healthy', 'healthy']);
          const chaotic = r === '3.9';
          for (const phase of ['start', 'end'])
            for (const k of [1, 2, 4, 8]) {
              // End of the K=1 nets: snr = seed + 1 at every K for r = 3.2; 10^-k-ish for r = 3.9.
              const snr = phase === 'start' ? 99 : chaotic ? (seed + 1) / 10 ** k : seed + 1 + K;
              const gn = chaotic ? Math.exp(0.5 * k) : 1;
              const v: Record<string, string> = {
                K: String(k),
                snr: String(snr),
                grad_norm: String(gn),
                lyap_net: chaotic ? String(0.4 + seed / 100 - (K > 1 ? 1 : 0)) : '-1',
                lyap_task: chaotic ? '0.49' : '-0.92',
                label: 'healthy',
              };
              health.push([id, phase, ...healthColumns.map((c) => v[c] ?? '0')]);
            }
        }
  return { cells: { header: cellsHeader, rows: cells }, health: { header: healthHeader, rows: health } };
}

describe('summarizeHealth', () => {
  it('takes the first BPTT arm, columns the varying descriptors, medians over seeds at the end', () => {
    const { cells, health } = fixture();
    const h = summarizeHealth(cells, health)!;
    expect(h.views.map((v) => v.kind)).toEqual(['sweep', 'diagonal']);
    const [sweep, diag] = h.views;
    expect(sweep.arm).toBe('bptt');
    expect(sweep.trainK).toBe(1);
    expect(sweep.columns).toEqual(['task.r=3.2', 'task.r=3.9']);
    expect(sweep.rows.map((r) => r.K)).toEqual([1, 2, 4, 8]);
    // r = 3.2, K=1 nets: snr = seed + 2, median over seeds 0..2 = 3; r = 3.9: median (seed+1)/10^k = 2/10^k.
    expect(sweep.rows.map((r) => r.points[0]!.snr)).toEqual([3, 3, 3, 3]);
    expect(sweep.rows.map((r) => r.points[1]!.snr)).toEqual([0.2, 0.02, 2 / 1e4, 2 / 1e8]);
    expect(sweep.rows[3].points[1]!.grad_norm).toBeCloseTo(Math.exp(4));
    expect(sweep.rows[0].points[0]!.n).toBe(3);
    expect(sweep.lyapNet[0]).toBe(-1);
    expect(sweep.lyapNet[1]).toBeCloseTo(0.41);
    expect(sweep.lyapTask).toEqual([-0.92, 0.49]);
    // Diagonal: rows trained K 1 and 4, each diagnosed at its own K.
    expect(diag.rows.map((r) => r.K)).toEqual([1, 4]);
    expect(diag.rows[1].points[0]!.snr).toBe(6);
    expect(diag.rows[1].points[1]!.lyap_net).toBeCloseTo(-0.59);
  });

  it('falls back to the first arm without BPTT, and to the activation as the column', () => {
    const { cells, health } = fixture();
    const only = (t: CellsTable) => ({ ...t, rows: t.rows.filter((r) => r[1] === 'ga' && r[2] === '3.2' && r[3] === '1') });
    const h = summarizeHealth(only(cells), health)!;
    expect(h.views).toHaveLength(1);
    expect(h.views[0].arm).toBe('ga');
    expect(h.views[0].columns).toEqual(['tanh']);
    // Nothing in health.csv for these cells: no pivot.
    expect(summarizeHealth(only(cells), { header: healthHeader, rows: [] })).toBeUndefined();
  });

  it('renders the pivots with the Lyapunov rows, after the other tables', () => {
    const { cells, health } = fixture();
    const summary = { ...summarize(cells), health: summarizeHealth(cells, health) };
    const text = healthPivotTables(summary, { color: false });
    expect(text).toContain('Gradient health of the nets trained by bptt at K=1, diagnosed at each K: median over seeds of gradient SNR / ||grad||');
    expect(text).toContain('task.r=3.9');
    expect(text).toContain('2.0e-4 / 7.4');
    expect(text).toMatch(/lyap net\s+│ -1\s+│ 0.41/);
    expect(text).toMatch(/lyap task\s+│ -0.92\s+│ 0.49/);
    expect(text).toContain('3 / 1 / -1');
    const all = renderTables(summary, { color: false });
    expect(all.indexOf('Gradient health of the nets')).toBeGreaterThan(all.indexOf('Median test nmse'));
    expect(renderTables({ ...summary, health: undefined }, { color: false })).not.toContain('Gradient health of the nets');
  });
});
