/**
 * Holm's step-down adjustment of p-values for multiple comparisons: with p sorted ascending,
 * p_(1) <= ... <= p_(m), the adjusted p_(i) = max over j <= i of min(1, (m - j + 1) p_(j)). It controls
 * the family-wise error rate at least as tightly as Bonferroni and is never larger than it.
 */

/** Holm-adjusted p-values, in the order of `p`; monotone in p and capped at 1. */
export function holm(p: readonly number[]): number[] {
  for (const x of p) if (!(x >= 0 && x <= 1)) throw new Error(`holm: p-values must be in [0, 1], got ${x}`);
  const m = p.length;
  // Ties keep input order (a stable sort); their adjusted values come out equal either way.
  const order = p.map((_, i) => i).sort((i, j) => p[i] - p[j]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach((i, j) => {
    running = Math.max(running, Math.min(1, (m - j) * p[i]));
    out[i] = running;
  });
  return out;
}
