// Holm's step-down adjustment against a worked example and the textbook formula coded in Python
// (test/fixtures/make_stats.py; statsmodels is not in Debian 12).
import { describe, expect, it } from 'vitest';
import { holm } from '../../src/stats/holm.js';
import { fixture, relClose } from './fixture.js';

describe('holm', () => {
  it('worked example: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1, running maximum, input order', () => {
    // 0.02, 0.03, 0.06, 0.04 -> 0.02, 0.03, 0.06, 0.06.
    const got = holm([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 15));
  });

  it.each(fixture.holm.map((c) => [c.name, c]))('%s', (_, c) => {
    const got = holm(c.p);
    expect(got.length).toBe(c.adjusted.length);
    got.forEach((x, i) => expect(relClose(x, c.adjusted[i], 1e-12), `${i}: ${x} vs ${c.adjusted[i]}`).toBe(true));
  });

  it('is monotone in p, never below p, capped at 1', () => {
    for (const c of fixture.holm) {
      const a = holm(c.p);
      for (let i = 0; i < a.length; i++) {
        expect(a[i]).toBeGreaterThanOrEqual(c.p[i]);
        expect(a[i]).toBeLessThanOrEqual(1);
        for (let j = 0; j < a.length; j++) if (c.p[i] <= c.p[j]) expect(a[i]).toBeLessThanOrEqual(a[j]);
      }
    }
  });

  it('refuses p-values outside [0, 1] and NaN', () => {
    expect(() => holm([0.1, NaN])).toThrow('holm: p-values must be in [0, 1], got NaN');
    expect(() => holm([1.5])).toThrow('holm: p-values must be in [0, 1], got 1.5');
  });
});
