/**
 * Loss against cost, log-log: the training nmse of each optimizer (or variant) against the cost spent
 * (network applications), median over seeds with the interquartile band, small multiples with K
 * across and the activation (design.ts `col`) down. Curves are resampled on one log-spaced cost grid
 * (stats.ts) before the medians, so seeds with different checkpoints are compared at equal cost.
 * The dotted line is the target nmse.
 *
 * Marks: per panel and arm, a `data-mark="median"` path (data-series = arm, data-n = seeds,
 * data-points = vertices drawn) and, with two or more seeds, a `data-mark="band"` path.
 */
import type { Chart } from './chart.js';
import type { CurvePoints, ResultsData } from './data.js';
import { type Design, colLabel, groupCells, key } from './design.js';
import { lineStyle, MUTED } from './palette.js';
import { smallMultiples, stackFacets } from './panels.js';
import { type Band, costRange, curveBand, logGrid } from './stats.js';
import { type LegendItem, attrs, bandPath, decadeDomain, linePath, logScale, n, svg } from './svg.js';

const WIDTH = 1180;
export const GRID_POINTS = 48;

export interface CurveGroup {
  facet: string;
  col: string;
  arm: string;
  K: number;
  band: Band;
}

/** The cost grid and the median/IQR curve of every (facet, col, arm, K) that has curves. */
export function curveGroups(data: ResultsData, d: Design): { grid: number[]; groups: Map<string, CurveGroup> } | undefined {
  const range = costRange(data.curves.values());
  if (!range) return undefined;
  const grid = logGrid(range[0], range[1], GRID_POINTS);
  const groups = new Map<string, CurveGroup>();
  const cells = groupCells(d, data.cells, (p) => key(p.facet, p.col, p.arm, p.K));
  for (const [k, cs] of cells) {
    const curves = cs.map((c) => data.curves.get(c.id)).filter((c): c is CurvePoints => c !== undefined && c.cost.length > 0);
    if (curves.length === 0) continue;
    const [facet, col, arm, K] = k.split('\u0000');
    groups.set(k, { facet, col, arm, K: Number(K), band: curveBand(curves, grid) });
  }
  return { grid, groups };
}

export function curvesChart(data: ResultsData, d: Design): Chart | undefined {
  const cg = curveGroups(data, d);
  if (!cg || cg.groups.size === 0) return undefined;
  const { grid, groups } = cg;
  const values: number[] = [];
  for (const g of groups.values()) values.push(...g.band.q25, ...g.band.q75, ...g.band.median);
  const target = targetValue(data);
  // The target line sits inside the plot, not on its frame.
  if (target !== undefined) values.push(target * 0.9);
  const [ylo, yhi] = decadeDomain(values);
  const [xlo, xhi] = [grid[0], grid[grid.length - 1]];
  const styles = new Map(d.arms.map((a, i) => [a, lineStyle(i)]));

  const items: LegendItem[] = d.arms.map((a) => ({ label: a, color: styles.get(a)!.color, dash: styles.get(a)!.dash, kind: 'band' }));
  if (target !== undefined) items.push({ label: `target nmse ${target}`, color: MUTED, dash: '2 3', width: 1.5 });
  const stack = stackFacets(items, WIDTH, d.facets, (facet, y) =>
    smallMultiples({
      rows: d.cols.length,
      cols: d.Ks.length,
      width: WIDTH,
      top: y,
      xScale: (r0, r1) => logScale(xlo, xhi, r0, r1),
      yScale: (r0, r1) => logScale(ylo, yhi, r0, r1),
      title: (r, c) => `K = ${d.Ks[c]} · ${colLabel(d, d.cols[r])}`,
      panelAttrs: (r, c) => attrs({ 'data-panel': 'curves', 'data-k': d.Ks[c], 'data-col': d.cols[r], 'data-facet': facet }),
      xTitle: 'cost (network applications, log scale)',
      yTitle: 'train nmse (log)',
      draw: (r, c, xs, ys) => {
        const out: string[] = [];
        if (target !== undefined && target >= ylo && target <= yhi)
          out.push(`<path d="M${n(xs.r0)} ${n(ys.map(target))}H${n(xs.r1)}" stroke="${MUTED}" stroke-width="1.5" stroke-dasharray="2 3" data-mark="target"/>`);
        const lines: string[] = [];
        for (const arm of d.arms) {
          const g = groups.get(key(facet, d.cols[r], arm, d.Ks[c]));
          if (!g) continue;
          const st = styles.get(arm)!;
          const at = { 'data-series': arm, 'data-k': g.K, 'data-col': g.col, 'data-facet': facet, 'data-n': g.band.n };
          if (g.band.n >= 2) {
            const bd = bandPath(grid, g.band.q25, g.band.q75, xs, ys);
            out.push(`<path${attrs({ 'data-mark': 'band', ...at })} d="${bd}" fill="${st.color}" fill-opacity="0.18" stroke="none"/>`);
          }
          const line = linePath(grid, g.band.median, xs, ys);
          lines.push(
            `<path${attrs({ 'data-mark': 'median', ...at, 'data-points': line.points })} d="${line.d}" fill="none" stroke="${st.color}" stroke-width="2"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''} stroke-linejoin="round"/>`,
          );
        }
        return out.join('') + lines.join('');
      },
    }),
  );
  const seeds = Math.max(...[...groups.values()].map((g) => g.band.n));
  const spread = seeds > 1 ? `median over ${seeds} seeds (line) and interquartile range (band)` : 'one seed';
  const caption =
    `Training nmse against the cost spent, ${spread}, every optimizer with the same budget. Curves are resampled step-wise on ` +
    `${GRID_POINTS} log-spaced costs (the last value is carried forward once a run stops at the target or the budget).`;
  return {
    id: 'curves',
    title: 'Loss against cost (equal budget)',
    caption,
    svg: svg(WIDTH, stack.height, stack.body, 'Training nmse against cost, median and interquartile band per optimizer, one panel per K and activation', { 'data-chart': 'curves' }),
  };
}

/** The experiment's target nmse, when it is one number. */
export function targetValue(data: ResultsData): number | undefined {
  const spec = data.manifest?.spec as { fixed?: Record<string, unknown> } | undefined;
  const t = spec?.fixed?.target;
  return typeof t === 'number' && t > 0 ? t : undefined;
}
