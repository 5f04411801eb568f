/**
 * The report's key series for the terminal (`kstep summarize`): per optimizer (or variant) and K, a
 * sparkline of the median training nmse against cost (the curves of the loss-vs-cost chart, pooled
 * over seeds and the other axes), all on one shared log scale so that the lines compare.
 */
import { short } from './svg.js';
import type { CurvePoints, ResultsData } from './data.js';
import { designOf, groupCells, key } from './design.js';
import { costRange, curveBand, logGrid } from './stats.js';

const BARS = '▁▂▃▄▅▆▇█';

/** Sparklines of the median loss-vs-cost curves; '' when the folder has no curves. */
export function curveSparklines(data: ResultsData, width = 32): string {
  const range = costRange(data.curves.values());
  if (!range) return '';
  const d = designOf(data);
  const grid = logGrid(range[0], range[1], width);
  const groups = groupCells(d, data.cells, (p) => key(p.arm, p.K));
  const lines: { label: string; median: number[]; n: number }[] = [];
  for (const arm of d.arms)
    for (const K of d.Ks) {
      const cells = groups.get(key(arm, K)) ?? [];
      const curves = cells.map((c) => data.curves.get(c.id)).filter((c): c is CurvePoints => c !== undefined && c.cost.length > 0);
      if (curves.length) lines.push({ label: `${arm} K=${K}`, median: curveBand(curves, grid).median, n: curves.length });
    }
  if (lines.length === 0) return '';
  const logs = lines.flatMap((l) => l.median.filter((v) => v > 0 && Number.isFinite(v)).map(Math.log10));
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  const bar = (v: number) => {
    if (!(v > 0) || !Number.isFinite(v)) return '·';
    return BARS[hi > lo ? Math.round(((Math.log10(v) - lo) / (hi - lo)) * (BARS.length - 1)) : 0];
  };
  const w = Math.max(...lines.map((l) => l.label.length));
  const out = [
    `Median train nmse against cost (log-log, cost ${short(range[0])}..${short(range[1])}; one scale: ▁ ${short(10 ** lo)} .. █ ${short(10 ** hi)}), over seeds${d.cols.length > 1 ? ` and ${d.colKey}` : ''}:`,
  ];
  for (const l of lines) out.push(`  ${l.label.padEnd(w)}  ${l.median.map(bar).join('')}  -> ${short(l.median[l.median.length - 1])}  (${l.n} cells)`);
  return `${out.join('\n')}\n`;
}
