/** Shared by the core tests: the error measure used against every reference. */

/** max |a - b| / max |b|: relative to the reference's scale, so tiny entries do not dominate. */
export function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}
