// Who beats whom: the paired comparisons against SciPy (test/fixtures/compare.json, made by
// test/fixtures/make_compare.py), and the rules for diverged cells, ties and orientation.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareArms, comparePair, logDifferences } from '../../src/output/compare.js';
import type { CellObs, SummaryRow } from '../../src/output/summary.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/compare.json', import.meta.url), 'utf8')) as {
  arms: Record<string, (number | 'inf')[]>;
  comparisons: { a: string; b: string; n: number; winsA: number; winsB: number; medianRatio: number; p: number; pHolm: number }[];
};

const cellsOf = (values: readonly number[], seeds = values.map((_, i) => String(i))): CellObs[] =>
  values.map((test, i) => ({ id: `c${i}`, seed: seeds[i], status: Number.isFinite(test) ? 'budget' : 'diverged', test, val: NaN, onestep: NaN, lyap_task: NaN, cost: 1 }));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) / 2;
  return (s[Math.floor(h)] + s[Math.ceil(h)]) / 2;
}

/** A shown summary row of one arm at K = 4, tanh, with these per-seed test nmse. */
function armRow(arm: string, values: number[], extra: Record<string, string> = {}): SummaryRow {
  return {
    kind: 'config',
    config: { K: '4', activation: 'tanh', optimizer: arm, ...extra },
    seeds: values.length,
    test_nmse_median: median(values),
    cells: cellsOf(values),
  } as SummaryRow;
}

describe('who beats whom against SciPy', () => {
  const arms = Object.fromEntries(Object.entries(fixture.arms).map(([k, v]) => [k, v.map((x) => (x === 'inf' ? Infinity : x))]));
  const families = compareArms(
    Object.entries(arms).map(([name, v]) => armRow(name, v)),
    [],
  );

  it('one family (K = 4, tanh) with the three pairs, A the arm with the lower median', () => {
    expect(families).toHaveLength(1);
    expect(families[0]).toMatchObject({ K: '4', activation: 'tanh', facet: '' });
    expect(families[0].rows.map((r) => [r.a, r.b])).toEqual(fixture.comparisons.map((c) => [c.a, c.b]));
  });

  it('wins, the median ratio, Wilcoxon p and Holm p as SciPy computes them', () => {
    for (const [i, want] of fixture.comparisons.entries()) {
      const got = families[0].rows[i];
      expect(got.n).toBe(want.n);
      expect([got.winsA, got.winsB, got.ties]).toEqual([want.winsA, want.winsB, want.n - want.winsA - want.winsB]);
      expect(got.medianRatio).toBeCloseTo(want.medianRatio, 14);
      expect(got.p).toBeCloseTo(want.p, 12);
      expect(got.pHolm).toBeCloseTo(want.pHolm, 12);
    }
  });
});

describe('the rules of the paired test', () => {
  it('a diverged cell against a finite one is an infinite difference; two diverged cells a tie', () => {
    const d = logDifferences([1e-3, Infinity, Infinity, 1e-2], [1e-2, 1e-3, Infinity, 1e-4]);
    expect(d[0]).toBeCloseTo(-1, 12);
    expect(d[3]).toBeCloseTo(2, 12);
    expect(d[1]).toBe(Infinity);
    expect(d[2]).toBe(0);
  });

  it('pairs by seed, not by position; seeds one arm lacks are left out', () => {
    const a = cellsOf([1, 2, 3], ['0', '1', '2']);
    const b = cellsOf([30, 10, 99], ['2', '0', '7']);
    const c = comparePair('a', a, 'b', b);
    expect(c.n).toBe(2);
    expect([c.winsA, c.winsB]).toEqual([2, 0]);
    // seed 0: 1/10, seed 2: 3/30
    expect(c.medianRatio).toBeCloseTo(0.1, 14);
  });

  it('A is the arm ahead on the paired seeds, even when the other has the lower median', () => {
    // bptt's median is 3 against ga's 4, but ga is lower on 4 of the 5 seeds (ratio bptt/ga 1.5).
    const [f] = compareArms([armRow('bptt', [3, 3, 3, 20, 20]), armRow('ga', [2, 2, 4, 4, 4])], []);
    expect(f.rows[0]).toMatchObject({ a: 'ga', b: 'bptt', winsA: 4, winsB: 1 });
    expect(f.rows[0].medianRatio).toBeCloseTo(2 / 3, 14);
  });

  it('two arms that diverged on every seed: all ties, ratio 1, p = 1', () => {
    const c = comparePair('a', cellsOf([Infinity, Infinity]), 'b', cellsOf([Infinity, Infinity]));
    expect(c).toMatchObject({ winsA: 0, winsB: 0, ties: 2, medianRatio: 1, p: 1 });
  });

  it('families are per facet, K and activation; a configuration with one arm has none', () => {
    const rows = [
      armRow('bptt', [1, 2], { 'task.r': '3.2' }),
      armRow('ga', [2, 3], { 'task.r': '3.2' }),
      armRow('bptt', [1, 2], { 'task.r': '3.9' }),
      armRow('ga', [2, 3], { 'task.r': '3.9' }),
      { ...armRow('bptt', [1, 2]), config: { K: '8', activation: 'tanh', optimizer: 'bptt', 'task.r': '3.9' } } as SummaryRow,
    ];
    const f = compareArms(rows, ['task.r']);
    expect(f.map((x) => `${x.facet} K=${x.K}`)).toEqual(['task.r=3.2 K=4', 'task.r=3.9 K=4']);
  });
});
