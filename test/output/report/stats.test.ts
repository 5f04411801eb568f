// Medians over seeds and the resampling of curves on a common cost grid.
import { describe, expect, it } from 'vitest';
import { band, costRange, curveBand, finiteMedian, logGrid, mergeIdentical, quartiles, stepAt } from '../../../src/output/report/stats.js';

describe('logGrid', () => {
  it('spaces points equally in log, ends exact', () => {
    const g = logGrid(10, 1e4, 4);
    expect(g[0]).toBe(10);
    expect(g[3]).toBe(1e4);
    expect(g[1]).toBeCloseTo(100, 10);
    expect(g[2]).toBeCloseTo(1000, 9);
    expect(logGrid(5, 5, 10)).toEqual([5]);
  });
});

describe('stepAt: step-wise, last value carried forward', () => {
  const xs = [0, 10, 100];
  const ys = [1, 0.5, 0.1];
  it('takes the last value at or before x', () => {
    expect(stepAt(xs, ys, 0)).toBe(1);
    expect(stepAt(xs, ys, 9.99)).toBe(1);
    expect(stepAt(xs, ys, 10)).toBe(0.5);
    expect(stepAt(xs, ys, 99)).toBe(0.5);
    expect(stepAt(xs, ys, 1e9)).toBe(0.1);
  });
  it('is NaN before the first point and for an empty curve', () => {
    expect(stepAt([5], [1], 4)).toBeNaN();
    expect(stepAt([], [], 4)).toBeNaN();
  });
});

describe('quartiles and bands', () => {
  it('use numpy interpolation and count NaN as the worst value', () => {
    expect(quartiles([1, 2, 3, 4])).toEqual([1.75, 2.5, 3.25]);
    expect(quartiles([1, NaN, NaN])).toEqual([Infinity, Infinity, Infinity]);
    expect(quartiles([1, 2, NaN])[1]).toBe(2);
  });

  it('band skips series that are too short', () => {
    const b = band([[1, 2, 3], [3, 4], [5, 6, 7]], 3);
    expect(b.median).toEqual([3, 4, 5]);
    expect(b.q25[2]).toBe(4);
    expect(b.n).toBe(3);
  });

  it('curveBand compares curves with different checkpoints at equal cost', () => {
    // a stops early (target reached) at 0.01 and keeps it; b and c have other checkpoints.
    const a = { cost: [0, 10, 100], nmse: [1, 0.1, 0.01] };
    const b = { cost: [0, 30, 300, 3000], nmse: [1, 0.5, 0.2, 0.05] };
    const c = { cost: [0, 1000], nmse: [2, NaN] };
    const grid = [10, 100, 1000, 3000];
    const r = curveBand([a, b, c], grid);
    // at 10: a 0.1, b 1, c 2; at 100: 0.01, 0.5, 2; at 1000: 0.01, 0.2, inf; at 3000: 0.01, 0.05, inf
    expect(r.median).toEqual([1, 0.5, 0.2, 0.05]);
    expect(r.q75[3]).toBe(Infinity);
    expect(r.q25[0]).toBeCloseTo(0.55, 12);
  });

  it('costRange takes the smallest positive and the largest finite cost', () => {
    expect(costRange([{ cost: [0, 5, 50] }, { cost: [0, 2, Infinity] }])).toEqual([2, 50]);
    expect(costRange([{ cost: [0] }])).toBeUndefined();
  });

  it('finiteMedian ignores non-finite values', () => {
    expect(finiteMedian([1, NaN, 3, Infinity])).toBe(2);
    expect(finiteMedian([NaN])).toBeNaN();
  });
});

describe('mergeIdentical', () => {
  it('merges items with bit-identical values, keeping first-appearance order', () => {
    const items = [
      { arm: 'bptt', v: [1, 2] },
      { arm: 'ga', v: [1, 2] },
      { arm: 'es', v: [1, 2.0000001] },
      { arm: 'cmaes', v: [1, 2] },
    ];
    const m = mergeIdentical(items, (x) => x.arm, (x) => x.v);
    expect(m.map((x) => x.arms)).toEqual([['bptt', 'ga', 'cmaes'], ['es']]);
  });
});
