// erfc against mpmath at 50 digits (test/fixtures/stats.json): the normal tail of the Wilcoxon test.
import { describe, expect, it } from 'vitest';
import { erfc } from '../../src/stats/erfc.js';
import { fixture, relClose } from './fixture.js';

describe('erfc', () => {
  it.each(fixture.erfc.map((c) => [c.x, c.erfc]))('erfc(%s) = %s to 4e-15 relative', (x, want) => {
    expect(relClose(erfc(x), want, 4e-15), `${erfc(x)}`).toBe(true);
    expect(relClose(erfc(-x), 2 - want, 4e-15)).toBe(true);
  });

  it('is 0 at +inf, 2 at -inf, NaN at NaN', () => {
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erfc(NaN)).toBeNaN();
  });
});
