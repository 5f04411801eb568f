/**
 * Wilcoxon signed-rank test of paired differences d, two-sided, with SciPy's conventions
 * (scipy.stats.wilcoxon, zero_method='wilcox', correction=False; test/fixtures/make_stats.py):
 * - zero differences are dropped (+0 and -0); n counts the nonzero ones;
 * - the nonzero differences are ranked by magnitude, 1 for the smallest; equal magnitudes share their
 *   average rank; +-Infinity ranks above every finite difference (and +Infinity ties with -Infinity);
 * - W+ and W- are the rank sums of the positive and the negative differences, the statistic is
 *   min(W+, W-);
 * - with n <= 25 and no tied magnitudes the p-value comes from the exact null distribution of W+
 *   (every sign pattern of ranks 1..n equally likely): p = min(1, 2 P(W+ <= statistic));
 * - else from the normal approximation, z = (statistic - n(n+1)/4) / sigma with
 *   sigma^2 = n(n+1)(2n+1)/24 - sum over tie groups of (t^3 - t)/48, p = 2 P(Z > |z|), without
 *   continuity correction (SciPy's default).
 * n = 0 gives p = 1.
 */
import { erfc } from './erfc.js';

export interface WilcoxonResult {
  /** Nonzero differences. */
  n: number;
  wPlus: number;
  wMinus: number;
  /** min(wPlus, wMinus), SciPy's two-sided statistic. */
  statistic: number;
  p: number;
  method: 'exact' | 'normal';
}

/** The exact null distribution is used up to this many nonzero differences (without ties). */
export const EXACT_MAX_N = 25;

const countsByN: Float64Array[] = [];

/**
 * counts[w] = the number of subsets of {1..n} whose sum is w, w = 0..n(n+1)/2: the null distribution
 * of W+ times 2^n. At most 2^25, so every count, every partial sum and their ratio to 2^n are exact.
 */
function signedRankCounts(n: number): Float64Array {
  let c = countsByN[n];
  if (c) return c;
  c = new Float64Array((n * (n + 1)) / 2 + 1);
  c[0] = 1;
  for (let k = 1; k <= n; k++) for (let w = (k * (k + 1)) / 2; w >= k; w--) c[w] += c[w - k];
  countsByN[n] = c;
  return c;
}

function byMagnitude(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  // Not x - y: Infinity - Infinity is NaN.
  return x < y ? -1 : x > y ? 1 : 0;
}

export function wilcoxon(d: readonly number[]): WilcoxonResult {
  for (const x of d) if (Number.isNaN(x)) throw new Error('wilcoxon: a difference is NaN');
  const nz = d.filter((x) => x !== 0).sort(byMagnitude);
  const n = nz.length;
  if (n === 0) return { n: 0, wPlus: 0, wMinus: 0, statistic: 0, p: 1, method: 'exact' };
  let wPlus = 0;
  let wMinus = 0;
  let tieSum = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && Math.abs(nz[j]) === Math.abs(nz[i])) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (nz[k] > 0) wPlus += rank;
      else wMinus += rank;
    }
    const t = j - i;
    tieSum += t * (t * t - 1);
    i = j;
  }
  const statistic = Math.min(wPlus, wMinus);
  if (n <= EXACT_MAX_N && tieSum === 0) {
    const counts = signedRankCounts(n);
    let below = 0;
    for (let w = 0; w <= statistic; w++) below += counts[w];
    return { n, wPlus, wMinus, statistic, p: Math.min(1, (2 * below) / 2 ** n), method: 'exact' };
  }
  // The same operations as SciPy 1.10, so that the two agree to the last bits of z.
  const mean = n * (n + 1) * 0.25;
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1) - 0.5 * tieSum) / 24);
  const z = (statistic - mean) / sd;
  return { n, wPlus, wMinus, statistic, p: erfc(Math.abs(z) * Math.SQRT1_2), method: 'normal' };
}
