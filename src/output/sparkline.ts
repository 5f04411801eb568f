/** Log-scale sparklines: one character per point, ▁ at the smallest value, █ at the largest. */

const BARS = '▁▂▃▄▅▆▇█';

/**
 * A sparkline of log10(values), at most `width` characters (downsampled by taking every n-th
 * point, first and last kept). Non-finite or non-positive values show as '·'.
 * Returns the line and the finite range it spans.
 */
export function logSparkline(values: ArrayLike<number>, width = 64): { line: string; min: number; max: number } {
  const n = values.length;
  const idx: number[] = [];
  if (n <= width) for (let i = 0; i < n; i++) idx.push(i);
  else for (let c = 0; c < width; c++) idx.push(Math.round((c * (n - 1)) / (width - 1)));
  const logs = idx.map((i) => (values[i] > 0 && Number.isFinite(values[i]) ? Math.log10(values[i]) : NaN));
  const finite = logs.filter((v) => !Number.isNaN(v));
  const lo = finite.length ? Math.min(...finite) : NaN;
  const hi = finite.length ? Math.max(...finite) : NaN;
  const line = logs
    .map((v) => {
      if (Number.isNaN(v)) return '·';
      const k = hi > lo ? Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1)) : 0;
      return BARS[k];
    })
    .join('');
  return { line, min: 10 ** lo, max: 10 ** hi };
}
