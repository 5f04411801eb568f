// The percentile-bootstrap interval of the median against its exact value: the closed-form
// distribution of the bootstrap median (checked by enumeration and by scipy.stats.bootstrap with
// 200000 resamples in test/fixtures/make_stats.py). Each case's resample count keeps the CDF at least
// 6 standard deviations from the levels, so every seed must give exactly the exact atoms.
import { describe, expect, it } from 'vitest';
import { Rng, derive } from '../../src/core/rng.js';
import { bootstrapMedianCI } from '../../src/stats/bootstrap.js';
import { fixture } from './fixture.js';

describe('bootstrapMedianCI against the exact percentile interval', () => {
  it.each(fixture.bootstrap.map((c) => [c.name, c]))('%s', (_, c) => {
    expect(c.scipy).toEqual([c.lo, c.hi]);
    for (const seed of [1, 2, 3]) {
      const ci = bootstrapMedianCI(c.values, derive(seed, 'bootstrap'), { level: c.level, resamples: c.resamples });
      expect(ci, `seed ${seed}`).toEqual([c.lo, c.hi]);
    }
  });

  it('few resamples give a different interval (the comparison can fail)', () => {
    const c = fixture.bootstrap.find((x) => x.name === 'n=20')!;
    const seen = [1, 2, 3, 4, 5].map((s) => bootstrapMedianCI(c.values, derive(s, 'bootstrap'), { resamples: 99 }));
    expect(seen.some(([lo, hi]) => lo !== c.lo || hi !== c.hi)).toBe(true);
  });
});

describe('bootstrapMedianCI', () => {
  const values = [0.3, 0.1, 0.7, 0.2, 0.9, 0.5, 0.4, 0.6];

  it('depends only on the stream and the multiset of values', () => {
    const a = bootstrapMedianCI(values, new Rng('s'), { resamples: 999 });
    expect(bootstrapMedianCI([...values].reverse(), new Rng('s'), { resamples: 999 })).toEqual(a);
    const others = ['t', 'u', 'v', 'w'].map((id) => bootstrapMedianCI(values, new Rng(id), { resamples: 999 }));
    expect(others.some((o) => o[0] !== a[0] || o[1] !== a[1])).toBe(true);
  });

  it('draws n resamples x n indices from the stream and nothing else', () => {
    const rng = new Rng('s');
    bootstrapMedianCI(values, rng, { resamples: 10 });
    const ref = new Rng('s');
    for (let i = 0; i < 10 * values.length; i++) ref.uniform();
    expect(rng.uniform()).toBe(ref.uniform());
  });

  it('degenerate inputs: one value, equal values, no values', () => {
    expect(bootstrapMedianCI([2.5], new Rng('s'))).toEqual([2.5, 2.5]);
    expect(bootstrapMedianCI([Infinity, Infinity], new Rng('s'))).toEqual([Infinity, Infinity]);
    expect(bootstrapMedianCI([], new Rng('s'))).toEqual([NaN, NaN]);
  });

  it('refuses NaN, -Infinity, a level outside (0, 1) and a bad resample count', () => {
    const rng = new Rng('s');
    expect(() => bootstrapMedianCI([1, NaN], rng)).toThrow('bootstrapMedianCI: values must be finite or +Infinity, got NaN');
    expect(() => bootstrapMedianCI([1, -Infinity], rng)).toThrow('bootstrapMedianCI: values must be finite or +Infinity, got -Infinity');
    expect(() => bootstrapMedianCI([1], rng, { level: 1 })).toThrow('bootstrapMedianCI: level must be in (0, 1), got 1');
    expect(() => bootstrapMedianCI([1], rng, { resamples: 0.5 })).toThrow('bootstrapMedianCI: resamples must be a positive integer, got 0.5');
  });
});
