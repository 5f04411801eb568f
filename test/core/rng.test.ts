// Seeded streams: reproducible, independent per purpose, and with the right distributions.
import { describe, expect, it } from 'vitest';
import { Rng, derive } from '../../src/core/rng.js';

const N = 100_000;

function draws(rng: Rng, n: number, f: (r: Rng) => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f(rng);
  return out;
}

function meanVar(x: Float64Array): { mean: number; variance: number } {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let s = 0;
  for (const v of x) s += (v - m) ** 2;
  return { mean: m, variance: s / (x.length - 1) };
}

function correlation(a: Float64Array, b: Float64Array): number {
  const ma = meanVar(a);
  const mb = meanVar(b);
  let c = 0;
  for (let i = 0; i < a.length; i++) c += (a[i] - ma.mean) * (b[i] - mb.mean);
  return c / (a.length - 1) / Math.sqrt(ma.variance * mb.variance);
}

describe('Rng', () => {
  it('the same id gives the same stream, whatever mix of draws', () => {
    const mix = (r: Rng) => [r.uniform(), r.normal(), r.between(-3, 5), r.int(17), r.normal(), r.normal(), r.uniform()];
    const a = new Rng('cell-7');
    const b = new Rng('cell-7');
    for (let i = 0; i < 100; i++) expect(mix(a)).toEqual(mix(b));
  });

  it('different ids give different streams', () => {
    const a = draws(new Rng('a'), 100, (r) => r.uniform());
    const b = draws(new Rng('b'), 100, (r) => r.uniform());
    for (let i = 0; i < 100; i++) expect(a[i]).not.toBe(b[i]);
  });

  it('derive(seed, key) is a pure function of (seed, key) and differs across keys and seeds', () => {
    const first = (r: Rng) => Array.from(draws(r, 20, (q) => q.uniform()));
    expect(first(derive(1, 'init'))).toEqual(first(derive(1, 'init')));
    expect(first(derive(1, 'init'))).toEqual(first(new Rng('kstep:1').derive('init')));
    const init = first(derive(1, 'init'));
    for (const other of [derive(1, 'data'), derive(2, 'init'), derive('1x', 'init'), derive(1, 'init/x')]) {
      const o = first(other);
      expect(o.filter((v, i) => v === init[i])).toHaveLength(0);
    }
  });

  it('derived streams are uncorrelated with each other and with their parent', () => {
    const parent = new Rng('root');
    const a = draws(parent.derive('init'), N, (r) => r.normal());
    const b = draws(parent.derive('data'), N, (r) => r.normal());
    const p = draws(new Rng('root'), N, (r) => r.normal());
    // Standard error of a sample correlation of independent series is 1/sqrt(N) = 0.0032.
    expect(Math.abs(correlation(a, b))).toBeLessThan(0.015);
    expect(Math.abs(correlation(a, p))).toBeLessThan(0.015);
    // Lag-1 autocorrelation within one stream.
    expect(Math.abs(correlation(a.subarray(0, N - 1), a.subarray(1)))).toBeLessThan(0.015);
  });

  it('normal() has mean 0 and variance 1 (1e5 draws, ~6 standard errors)', () => {
    const { mean, variance } = meanVar(draws(new Rng('normal'), N, (r) => r.normal()));
    expect(Math.abs(mean)).toBeLessThan(6 / Math.sqrt(N));
    expect(Math.abs(variance - 1)).toBeLessThan(6 * Math.sqrt(2 / N));
  });

  it('normal() has Gaussian tails: P(|z| > 2) = 0.0455, P(|z| > 3) = 0.0027', () => {
    const z = draws(new Rng('tails'), N, (r) => r.normal());
    const frac = (c: number) => z.filter((v) => Math.abs(v) > c).length / N;
    expect(Math.abs(frac(2) - 0.0455)).toBeLessThan(6 * Math.sqrt((0.0455 * 0.9545) / N));
    expect(Math.abs(frac(3) - 0.0027)).toBeLessThan(6 * Math.sqrt((0.0027 * 0.9973) / N));
  });

  it('uniform() is on [0, 1) with mean 1/2, variance 1/12, and more than 32 bits', () => {
    const u = draws(new Rng('uniform'), N, (r) => r.uniform());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const { mean, variance } = meanVar(u);
    expect(Math.abs(mean - 0.5)).toBeLessThan(6 * Math.sqrt(1 / 12 / N));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
    // A 32-bit generator would give only multiples of 2^-32.
    expect(u.filter((v) => !Number.isInteger(v * 2 ** 32)).length).toBeGreaterThan(N * 0.99);
  });

  it('between(lo, hi) and int(n) stay in range and cover it', () => {
    const r = new Rng('ranges');
    const b = draws(r, 10_000, (q) => q.between(-2, 3));
    expect(Math.min(...b)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...b)).toBeLessThan(3);
    expect(Math.abs(meanVar(b).mean - 0.5)).toBeLessThan(0.1);
    const counts = new Array(7).fill(0);
    let outside = 0;
    for (let i = 0; i < 70_000; i++) {
      const k = r.int(7);
      if (Number.isInteger(k) && k >= 0 && k < 7) counts[k]++;
      else outside++;
    }
    expect(outside).toBe(0);
    // Each bucket expects 10000 with standard deviation ~93.
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(600);
  });

  it('fillNormal(out, scale) fills every entry with N(0, scale^2)', () => {
    const out = new Float64Array(N).fill(NaN);
    const ret = new Rng('fill').fillNormal(out, 3);
    expect(ret).toBe(out);
    const { mean, variance } = meanVar(out);
    expect(out.every(Number.isFinite)).toBe(true);
    expect(Math.abs(mean)).toBeLessThan((6 * 3) / Math.sqrt(N));
    expect(Math.abs(variance / 9 - 1)).toBeLessThan(6 * Math.sqrt(2 / N));
  });
});
