// The Wilcoxon signed-rank test against scipy.stats.wilcoxon (SciPy 1.10.1, test/fixtures/stats.json):
// statistics exactly, p-values to 1e-12 relative, the same choice of exact or normal.
import { describe, expect, it } from 'vitest';
import { wilcoxon } from '../../src/stats/wilcoxon.js';
import { fixture, relClose } from './fixture.js';

describe('wilcoxon against SciPy', () => {
  it.each(fixture.wilcoxon.map((c) => [c.name, c]))('%s', (_, c) => {
    const r = wilcoxon(c.d);
    expect({ n: r.n, wPlus: r.wPlus, wMinus: r.wMinus, statistic: r.statistic, method: r.method }).toEqual({
      n: c.n,
      wPlus: c.wPlus,
      wMinus: c.wMinus,
      statistic: c.statistic,
      method: c.method,
    });
    expect(relClose(r.p, c.p, 1e-12), `p ${r.p} vs SciPy ${c.p}`).toBe(true);
  });

  it('covers exact and normal cases, each n = 1..25 exactly, p-values down to 1e-34', () => {
    const exactN = new Set(fixture.wilcoxon.filter((c) => c.method === 'exact').map((c) => c.n));
    for (let n = 1; n <= 25; n++) expect(exactN.has(n)).toBe(true);
    expect(fixture.wilcoxon.some((c) => c.method === 'normal' && c.n <= 25)).toBe(true);
    expect(Math.min(...fixture.wilcoxon.map((c) => c.p))).toBeLessThan(1e-30);
  });
});

describe('wilcoxon by hand', () => {
  it('n = 0 (no differences, or only zeros) gives p = 1', () => {
    expect(wilcoxon([])).toEqual({ n: 0, wPlus: 0, wMinus: 0, statistic: 0, p: 1, method: 'exact' });
    expect(wilcoxon([0, -0, 0])).toEqual({ n: 0, wPlus: 0, wMinus: 0, statistic: 0, p: 1, method: 'exact' });
  });

  it('three positive differences: p = 2 / 2^3', () => {
    // W+ = 6, W- = 0; of the 8 sign patterns only all-positive and all-negative reach min = 0.
    expect(wilcoxon([0.1, 0.2, 0.3])).toMatchObject({ wPlus: 6, wMinus: 0, statistic: 0, p: 0.25, method: 'exact' });
  });

  it('does not depend on the order of the differences', () => {
    const d = fixture.wilcoxon.find((c) => c.name === 'normal n=60 ties')!.d;
    expect(wilcoxon([...d].reverse())).toEqual(wilcoxon(d));
  });

  it('refuses NaN', () => {
    expect(() => wilcoxon([1, NaN, 2])).toThrow('wilcoxon: a difference is NaN');
  });
});
