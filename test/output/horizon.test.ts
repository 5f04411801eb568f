// The horizon on an expanding map: the prediction's closed form, how it is read off a summary's
// rows, and how it compares with the horizon of a map whose one step is off by a known error.
import { describe, expect, it } from 'vitest';
import { derive } from '../../src/core/rng.js';
import { makeTask } from '../../src/core/tasks.js';
import { taskLyapunov } from '../../src/health/lyapunov.js';
import { HORIZON_TOL, horizons, predictedHorizon } from '../../src/output/horizon.js';
import type { CellObs, SummaryRow } from '../../src/output/summary.js';

describe('predictedHorizon', () => {
  it('is 1 + ln(tol / e) / (2 lambda)', () => {
    expect(predictedHorizon(1e-4, 0.5)).toBeCloseTo(1 + Math.log(100), 12);
    expect(predictedHorizon(1e-2, 0.7)).toBe(1);
    // A factor 100 less one-step error buys ln(100) / (2 lambda) more steps.
    expect(predictedHorizon(1e-8, 0.49) - predictedHorizon(1e-6, 0.49)).toBeCloseTo(Math.log(100) / 0.98, 12);
  });

  it('on the logistic map at r = 3.9 perturbed by eps sin(37 x) per step: right slope, 2 to 5 steps long', () => {
    // The true map f and a "net" g = f + eps sin(37 x): its one-step nmse e is known exactly, and
    // its K-step nmse against f^K is measured on 2000 states of the attractor.
    const task = makeTask('logistic', { r: 3.9 });
    const lambda = taskLyapunov(task, { steps: 2000, samples: 64 })!.exponents[0];
    expect(lambda).toBeGreaterThan(0.45);
    expect(lambda).toBeLessThan(0.55);
    const f = (x: number) => 3.9 * x * (1 - x);
    const rng = derive(1, 'test/horizon');
    const n = 2000;
    const x0 = Array.from({ length: n }, () => {
      let x = rng.between(0.05, 0.95);
      for (let i = 0; i < 100; i++) x = f(x);
      return x;
    });
    const nmse = (a: number[], b: number[]) => {
      const mean = b.reduce((s, v) => s + v, 0) / n;
      const v = b.reduce((s, y) => s + (y - mean) ** 2, 0) / n;
      return a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0) / n / v;
    };
    const measured: number[] = [];
    const predicted: number[] = [];
    for (const eps of [1e-3, 1e-4, 1e-5, 1e-6]) {
      const g = (x: number) => f(x) + eps * Math.sin(37 * x);
      const e = nmse(x0.map(g), x0.map(f));
      let truth = [...x0];
      let net = [...x0];
      let K = 0;
      for (let k = 1; k < 60; k++) {
        truth = truth.map(f);
        net = net.map(g);
        if (nmse(net, truth) >= HORIZON_TOL) break;
        K = k;
      }
      measured.push(K);
      predicted.push(predictedHorizon(e, lambda));
    }
    for (let i = 0; i < 4; i++) {
      expect(predicted[i] - measured[i]).toBeGreaterThan(1.5);
      expect(predicted[i] - measured[i]).toBeLessThan(5);
    }
    // Each factor 10 in eps (100 in e) adds about ln(100) / (2 lambda) = 4.6 steps: measured 3 to 5.
    for (let i = 1; i < 4; i++) expect(measured[i] - measured[i - 1]).toBeGreaterThanOrEqual(3);
  });
});

function row(arm: string, K: number, median: number, onestep: number[], lyap: number): SummaryRow {
  const cells: CellObs[] = onestep.map((o, i) => ({ id: `${arm}${K}${i}`, seed: String(i), status: 'budget', test: median, val: NaN, onestep: o, lyap_task: lyap, cost: 1 }));
  return { kind: 'tuned', config: { K: String(K), activation: 'tanh', optimizer: arm, 'task.r': lyap > 0 ? '3.9' : '3.2' }, test_nmse_median: median, cells } as SummaryRow;
}

describe('horizons', () => {
  it('per arm of an expanding family: the largest K under the tolerance and the prediction from its nets', () => {
    const rows = [
      row('bptt', 1, 1e-3, [1e-3, 2e-3, 3e-3], 0.5),
      row('bptt', 2, 5e-3, [1e-4, 2e-4, 4e-4], 0.5),
      row('bptt', 4, 0.3, [1e-2, 1e-2, 1e-2], 0.5),
      row('ga', 1, 0.02, [0.02, 0.03, 0.04], 0.5),
      row('ga', 2, 0.5, [0.1, 0.1, 0.1], 0.5),
      // A contracting task (lambda < 0) has no horizon.
      row('bptt', 1, 1e-3, [1e-3, 1e-3, 1e-3], -0.9),
    ];
    const h = horizons(rows, ['task.r']);
    expect(h.map((x) => [x.facet, x.arm, x.measured, x.atK])).toEqual([
      ['task.r=3.9', 'bptt', 2, 2],
      ['task.r=3.9', 'ga', undefined, 1],
    ]);
    expect(h[0].onestep).toBe(2e-4);
    expect(h[0].lambda).toBe(0.5);
    expect(h[0].predicted).toBeCloseTo(1 + Math.log(1e-2 / 2e-4), 12);
    expect(h[1].onestep).toBe(0.03);
  });
});
