/**
 * CMA-ES's sampling and selection, checked from the outside: every candidate and every evaluation
 * of the mean is recorded, so the mirrored pairs, the pairwise selection with its weights, TPA's
 * direction and TPA's bound on the step-size change are verified against the formulas in the
 * header of src/optimizers/cmaes.ts, recomputed here independently.
 */
import { describe, expect, test } from 'vitest';
import type { OptionValue } from '../../src/optimizers/types.js';
import { CountingObjective, create, filled, sphere } from './helpers.js';

/** Runs `steps` steps, recording each step's candidates (the mean, evaluated last, split off). */
function record(n: number, f: (x: Float64Array) => number, options: Record<string, OptionValue>, steps: number) {
  const calls: Float64Array[] = [];
  const obj = new CountingObjective(n, (x) => {
    calls.push(Float64Array.from(x));
    return f(x);
  });
  const opt = create('cmaes', filled(n, 1), { sigma: 0.3, ...options });
  const cands: Float64Array[][] = [];
  const means: Float64Array[] = [filled(n, 1)]; // means[s]: the mean step s sampled around
  const sigmas: number[] = [0.3];
  for (let s = 0; s < steps; s++) {
    const start = calls.length;
    const r = opt.step(obj);
    cands.push(calls.slice(start, -1));
    means.push(calls.at(-1)!);
    sigmas.push(r.metrics!.sigma);
  }
  return { cands, means, sigmas };
}

const sub = (a: Float64Array, b: Float64Array) => a.map((v, i) => v - b[i]);
const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
const norm = (a: Float64Array) => Math.sqrt(dot(a, a));

/** Recombination weights of the tutorial's eq. (49), positive part, for `ranks` ranks. */
function positiveWeights(ranks: number): number[] {
  const mu = Math.floor(ranks / 2);
  const raw = Array.from({ length: mu }, (_, i) => Math.log((ranks + 1) / 2) - Math.log(i + 1));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / sum);
}

describe.each([
  ['full covariance', 10, {}],
  ['sep-CMA', 12, { diagonal: 'on' }],
] as const)('mirrored sampling, %s', (_, n, extra) => {
  const { cands, means } = record(n, sphere, { ...extra }, 8);

  test('candidates come in pairs m +- sigma y about the mean they were drawn around', () => {
    for (let s = 0; s < cands.length; s++) {
      expect(cands[s].length % 2).toBe(0);
      for (let k = 0; k < cands[s].length; k += 2) {
        const a = sub(cands[s][k], means[s]);
        const b = sub(cands[s][k + 1], means[s]);
        for (let i = 0; i < n; i++) expect(a[i] + b[i]).toBeCloseTo(0, 14);
        expect(norm(a)).toBeGreaterThan(0);
      }
    }
  });

  test('the new mean recombines the better of each pair only, with the weights of lambda / 2 ranks', () => {
    for (let s = 0; s < cands.length; s++) {
      const c = cands[s];
      const f = c.map(sphere);
      const winners = [];
      for (let k = 0; k < c.length; k += 2) winners.push(f[k] <= f[k + 1] ? k : k + 1);
      winners.sort((p, q) => f[p] - f[q]);
      const w = positiveWeights(c.length / 2);
      for (let i = 0; i < n; i++) {
        const expected = w.reduce((acc, wi, r) => acc + wi * c[winners[r]][i], 0);
        expect(means[s + 1][i]).toBeCloseTo(expected, 12);
      }
    }
  });

  test("TPA's first pair lies along the last mean shift, the + candidate first", () => {
    for (let s = 1; s < cands.length; s++) {
      const shift = sub(means[s], means[s - 1]);
      const d = sub(cands[s][0], means[s]);
      expect(dot(d, shift) / (norm(d) * norm(shift))).toBeCloseTo(1, 12);
    }
  });
});

test('without mirroring the mean recombines the best mu of all lambda candidates (pycma)', () => {
  const n = 10;
  const { cands, means } = record(n, sphere, { mirrored: false, step_size: 'csa' }, 6);
  for (let s = 0; s < cands.length; s++) {
    const c = cands[s];
    expect(c.length).toBe(10); // 4 + floor(3 ln 10)
    const order = c.map((_, k) => k).sort((p, q) => sphere(c[p]) - sphere(c[q]));
    const w = positiveWeights(c.length);
    for (let i = 0; i < n; i++) expect(means[s + 1][i]).toBeCloseTo(w.reduce((acc, wi, r) => acc + wi * c[order[r]][i], 0), 12);
    // CSA, no mirroring: no candidate is the mirror of another.
    expect(Math.abs(c[0][0] + c[1][0] - 2 * means[s][0])).toBeGreaterThan(1e-6);
  }
});

test('with TPA alone only the first pair is mirrored', () => {
  const { cands, means } = record(10, sphere, { mirrored: false }, 4);
  for (let s = 1; s < cands.length; s++) {
    const [c0, c1, c2, c3] = cands[s];
    expect(c0[3] + c1[3] - 2 * means[s][3]).toBeCloseTo(0, 14);
    expect(Math.abs(c2[3] + c3[3] - 2 * means[s][3])).toBeGreaterThan(1e-6);
  }
});

describe('TPA step size on a linear function f(x) = sum x', () => {
  const n = 16;
  const linear = (x: Float64Array) => x.reduce((a, v) => a + v, 0);
  const steps = 40;
  const { sigmas } = record(n, linear, { diagonal: 'off' }, steps);

  test('never grows faster than exp(s / sqrt(n)) with s <= 1 - 0.7^t allows', () => {
    // s_t = 0.7 s_{t-1} + 0.3 r_t with r_t <= 1 and s_0 = 0; TPA starts at the second step.
    let bound = 0;
    let s = 0;
    for (let t = 1; t < steps; t++) {
      s = 0.7 * s + 0.3;
      bound += s / Math.sqrt(n);
    }
    const growth = Math.log(sigmas.at(-1)! / sigmas[0]);
    expect(growth).toBeLessThanOrEqual(bound + 1e-12);
    // On a slope the step along the last shift wins (nearly) always: close to the bound.
    expect(growth).toBeGreaterThan(0.8 * bound);
  });

  test('cumulative step-size adaptation grows sigma too, but far more slowly in this dimension', () => {
    const csa = record(n, linear, { diagonal: 'off', step_size: 'csa' }, steps).sigmas;
    const growth = Math.log(csa.at(-1)! / csa[0]);
    expect(growth).toBeGreaterThan(0);
    expect(growth).toBeLessThan(Math.log(sigmas.at(-1)! / sigmas[0]));
  });
});
