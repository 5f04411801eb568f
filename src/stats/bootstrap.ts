/**
 * Percentile-bootstrap confidence interval of the median, as scipy.stats.bootstrap(...,
 * method='percentile') computes it: draw `resamples` resamples of size n with replacement, take the
 * median of each, and return numpy.percentile's linear interpolation of those medians at alpha and
 * 1 - alpha, alpha = (1 - level) / 2 (here `quantile` of the sorted medians). The draws differ from
 * SciPy's (its own random stream), so the tests hold the interval to the exact one: the bootstrap
 * median has a closed-form distribution, and with enough resamples the percentile interval is the pair
 * of its atoms where the CDF crosses alpha and 1 - alpha (test/fixtures/make_stats.py).
 *
 * A resample is drawn as counts of each sorted value (n draws from `rng.int(n)`), so it comes out
 * sorted without a sort; its median is `quantile(resample, 0.5)`, the same as `median`. Because the
 * values are sorted first, the interval depends only on the multiset of values and the stream.
 * +Infinity is a value like any other (a diverged run: the worst); a median between a finite value and
 * +Infinity is +Infinity.
 */
import type { Rng } from '../core/rng.js';
import { quantile } from './quantile.js';

export interface BootstrapOptions {
  /** Confidence level, in (0, 1). Default 0.95. */
  level?: number;
  /** Number of resamples, a positive integer. Default 9999 (SciPy's). */
  resamples?: number;
}

/** [lo, hi] of the median of `values` (finite or +Infinity); [NaN, NaN] for no values (no draws then). */
export function bootstrapMedianCI(values: readonly number[], rng: Rng, opts: BootstrapOptions = {}): [number, number] {
  const level = opts.level ?? 0.95;
  const resamples = opts.resamples ?? 9999;
  if (!(level > 0 && level < 1)) throw new Error(`bootstrapMedianCI: level must be in (0, 1), got ${level}`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`bootstrapMedianCI: resamples must be a positive integer, got ${resamples}`);
  for (const x of values) {
    if (!(x > -Infinity)) throw new Error(`bootstrapMedianCI: values must be finite or +Infinity, got ${x}`);
  }
  const n = values.length;
  if (n === 0) return [NaN, NaN];
  const sorted = Float64Array.from(values).sort();
  const counts = new Int32Array(n);
  const resample = new Float64Array(n);
  const medians = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[rng.int(n)]++;
    let k = 0;
    for (let j = 0; j < n; j++) for (let c = counts[j]; c > 0; c--) resample[k++] = sorted[j];
    medians[b] = quantile(resample, 0.5);
  }
  medians.sort();
  const alpha = (1 - level) / 2;
  return [quantile(medians, alpha), quantile(medians, 1 - alpha)];
}
