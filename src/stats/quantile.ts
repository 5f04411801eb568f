/**
 * The one quantile and the one median of kstep: numpy's default linear interpolation between order
 * statistics. summary.csv, the report's bands and the bootstrap intervals all use these.
 */

/** Quantile of ascending `sorted` with linear interpolation between order statistics (numpy's default); NaN for no values. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  if (lo === hi) return sorted[lo];
  const a = sorted[lo];
  const b = sorted[hi];
  // Equal ends (including inf, inf: inf - inf would be NaN) need no interpolation; towards an
  // infinite end the interpolation is infinite, as in numpy.
  if (a === b) return a;
  return a + (b - a) * (h - lo);
}

/** Median: the mean of the two middle values for an even count; NaN for no values. */
export function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}
