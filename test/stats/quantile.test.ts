// The one quantile and median (numpy's linear interpolation).
import { describe, expect, it } from 'vitest';
import { median, quantile } from '../../src/stats/quantile.js';

describe('quantile and median', () => {
  it('interpolates linearly like numpy', () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([5], 0.75)).toBe(5);
    expect(quantile([], 0.5)).toBeNaN();
    expect(quantile([1, Infinity], 0.5)).toBe(Infinity);
    expect(quantile(Float64Array.of(1, 2, 4), 0.75)).toBe(3);
  });

  it('median sorts a copy and averages the two middle values', () => {
    const v = [4, 1, 3, 2];
    expect(median(v)).toBe(2.5);
    expect(v).toEqual([4, 1, 3, 2]);
    expect(median([3, Infinity, 1])).toBe(3);
    expect(median([Infinity, Infinity])).toBe(Infinity);
    expect(median([])).toBeNaN();
  });
});
