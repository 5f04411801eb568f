/** Number formatting for terminal tables (CSV and JSON keep full precision). */

/** Three significant digits; exponent form outside [1e-3, 1e5); NaN/Inf spelled out. */
export function fmt(x: number, digits = 3): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) return x.toExponential(digits - 1).replace('e+', 'e');
  return String(Number(x.toPrecision(digits)));
}

/** A cost in network applications: 2.00e7 style above 1e5, plain below. */
export function fmtCost(x: number): string {
  return Number.isFinite(x) && Math.abs(x) < 1e5 ? String(Math.round(x)) : fmt(x);
}

/** Milliseconds as "850 ms" or "12.3 s". */
export function fmtMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
