/**
 * Statistics over seeds for the charts: medians and quartiles (numpy's linear interpolation, as in
 * summary.csv) point by point, and training curves resampled on a common cost grid.
 *
 * Every cell records its curve at its own checkpoints (8 per decade of its own cost, plus the end),
 * so curves are first resampled on one log-spaced cost grid, step-wise: the value at cost c is the
 * last recorded value at a cost <= c, and after a curve ends (target reached, budget spent) its last
 * value is carried forward. A non-finite value (a blow-up) ranks as the worst, +inf, as in summary.csv.
 */
import { quantile } from '../../stats/quantile.js';

export interface Band {
  median: number[];
  q25: number[];
  q75: number[];
  /** Curves (seeds) each point is over. */
  n: number;
}

/** n points from lo to hi (both > 0), equally spaced in log; [lo] when lo == hi. */
export function logGrid(lo: number, hi: number, n: number): number[] {
  if (!(lo > 0) || !(hi >= lo) || n < 2 || lo === hi) return [lo];
  const a = Math.log(lo);
  const b = Math.log(hi);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(i === 0 ? lo : i === n - 1 ? hi : Math.exp(a + ((b - a) * i) / (n - 1)));
  return out;
}

/** The value of a step-wise curve at x: the last y with xs <= x (xs ascending); NaN before the first. */
export function stepAt(xs: readonly number[], ys: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  if (hi < 0 || !(xs[0] <= x)) return NaN;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return ys[lo];
}

/** Quartiles of values (NaN counted as +inf, the worst); NaN when there are none. */
export function quartiles(values: readonly number[]): [number, number, number] {
  const v = values.map((x) => (Number.isNaN(x) ? Infinity : x)).sort((a, b) => a - b);
  return [quantile(v, 0.25), quantile(v, 0.5), quantile(v, 0.75)];
}

/**
 * Point-wise median and quartiles of several series of equal length (missing entries are skipped;
 * NaN entries count as +inf).
 */
export function band(series: readonly (readonly number[])[], length: number): Band {
  const out: Band = { median: [], q25: [], q75: [], n: series.length };
  for (let i = 0; i < length; i++) {
    const vals: number[] = [];
    for (const s of series) if (i < s.length && s[i] !== undefined) vals.push(s[i]);
    const [a, m, b] = vals.length ? quartiles(vals) : [NaN, NaN, NaN];
    out.q25.push(a);
    out.median.push(m);
    out.q75.push(b);
  }
  return out;
}

/** Curves resampled step-wise on a grid, then their point-wise median and quartiles. */
export function curveBand(curves: readonly { cost: readonly number[]; nmse: readonly number[] }[], grid: readonly number[]): Band {
  const resampled = curves.map((c) => grid.map((x) => stepAt(c.cost, c.nmse, x)));
  return band(resampled, grid.length);
}

/** The smallest positive and the largest finite cost over curves (the grid's ends). */
export function costRange(curves: Iterable<{ cost: readonly number[] }>): [number, number] | undefined {
  let lo = Infinity;
  let hi = 0;
  for (const c of curves)
    for (const x of c.cost) {
      if (x > 0 && x < lo) lo = x;
      if (Number.isFinite(x) && x > hi) hi = x;
    }
  return lo <= hi ? [lo, hi] : undefined;
}

/** Median of the finite values (NaN if none). */
export function finiteMedian(values: readonly number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  return quantile(v, 0.5);
}

/**
 * Items whose values are identical (bit for bit: optimizers that share the initial network have the
 * same start profiles) merged into one, listing the arms it stands for; order of first appearance.
 */
export function mergeIdentical<T>(items: readonly T[], arm: (t: T) => string, values: (t: T) => readonly number[]): { arms: string[]; item: T }[] {
  const out: { arms: string[]; item: T; values: readonly number[] }[] = [];
  for (const it of items) {
    const v = values(it);
    const same = out.find((o) => o.values.length === v.length && o.values.every((x, i) => Object.is(x, v[i])));
    if (same) same.arms.push(arm(it));
    else out.push({ arms: [arm(it)], item: it, values: v });
  }
  return out.map(({ arms, item }) => ({ arms, item }));
}
