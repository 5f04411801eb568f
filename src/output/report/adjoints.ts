/**
 * Adjoint profiles: ||dL/do_t|| against the step t (log scale), small multiples with K across and
 * the activation (design.ts `col`) down, like the loss curves; in each panel one colour per
 * optimizer (or variant), dashed at initialisation and solid after training, median over seeds point
 * by point. A profile that falls from t = K to t = 0 is vanishing, one that rises is exploding.
 *
 * Marks: per panel, arm and phase a `data-mark="adjoint"` path with data-series (the arm; arms whose
 * median profiles are identical share one black path: data-series lists them, data-arms counts them), data-k,
 * data-phase, data-n (seeds) and data-points (vertices drawn: the t whose median is finite and
 * positive).
 */
import type { Chart } from './chart.js';
import type { ResultsData } from './data.js';
import { type Design, colLabel, groupCells, key } from './design.js';
import { lineStyle } from './palette.js';
import { smallMultiples, stackFacets } from './panels.js';
import { type Band, band, mergeIdentical } from './stats.js';
import { type LegendItem, type Tick, attrs, decadeDomain, linePath, linearScale, logScale, svg } from './svg.js';

const WIDTH = 1180;
export const PHASES = ['start', 'end'] as const;
const START_DASH = '4 3';

export interface AdjointGroup {
  facet: string;
  arm: string;
  col: string;
  K: number;
  phase: (typeof PHASES)[number];
  band: Band;
}

/** Median profiles per (facet, arm, col, K, phase), over the seeds that have one. */
export function adjointGroups(data: ResultsData, d: Design): AdjointGroup[] {
  const out: AdjointGroup[] = [];
  const cells = groupCells(d, data.cells, (p) => key(p.facet, p.arm, p.col, p.K));
  for (const [k, cs] of cells) {
    const [facet, arm, col, K] = k.split('\u0000');
    for (const phase of PHASES) {
      const profiles = cs.map((c) => data.adjoints.get(c.id)?.[phase]).filter((p): p is number[] => p !== undefined && p.length > 0);
      if (profiles.length === 0) continue;
      out.push({ facet, arm, col, K: Number(K), phase, band: band(profiles, Number(K) + 1) });
    }
  }
  return out;
}

export function adjointsChart(data: ResultsData, d: Design): Chart | undefined {
  if (data.adjoints.size === 0) return undefined;
  const groups = adjointGroups(data, d);
  if (groups.length === 0) return undefined;
  const index = new Map(groups.map((g) => [key(g.facet, g.arm, g.col, g.K, g.phase), g]));
  const [ylo, yhi] = decadeDomain(groups.flatMap((g) => g.band.median));
  const styles = new Map(d.arms.map((a, i) => [a, lineStyle(i)]));
  const items: LegendItem[] = d.arms.map((a) => ({ label: a, color: styles.get(a)!.color }));
  items.push({ label: 'after training (solid)', color: '#222222', width: 2 }, { label: 'initial network (dashed; black when several share it)', color: '#222222', dash: START_DASH, width: 1.5 });
  const stack = stackFacets(items, WIDTH, d.facets, (facet, y) =>
    smallMultiples({
      rows: d.cols.length,
      cols: d.Ks.length,
      width: WIDTH,
      top: y,
      // Each panel's t runs over its own K.
      xScale: (r0, r1, c) => linearScale(0, d.Ks[c], r0, r1, stepTicks(d.Ks[c])),
      yScale: (r0, r1) => logScale(ylo, yhi, r0, r1),
      title: (r, c) => `K = ${d.Ks[c]} · ${colLabel(d, d.cols[r])}`,
      panelAttrs: (r, c) => attrs({ 'data-panel': 'adjoints', 'data-k': d.Ks[c], 'data-col': d.cols[r], 'data-facet': facet }),
      xTitle: 'step t (t = 0: the first application; t = K: the output the loss sees)',
      yTitle: '||dL/do_t|| (log)',
      draw: (r, c, xs, ys) => {
        const out: string[] = [];
        const K = d.Ks[c];
        const ts = Array.from({ length: K + 1 }, (_, t) => t);
        for (const phase of PHASES) {
          const present = d.arms.map((arm) => index.get(key(facet, arm, d.cols[r], K, phase))).filter((g): g is AdjointGroup => g !== undefined);
          for (const { arms, item: g } of mergeIdentical(present, (x) => x.arm, (x) => [x.band.n, ...x.band.median])) {
            const st = arms.length > 1 ? { color: '#222222', dash: '' } : styles.get(arms[0])!;
            const line = linePath(ts, g.band.median, xs, ys);
            const dash = phase === 'start' ? START_DASH : st.dash;
            out.push(
              `<path${attrs({ 'data-mark': 'adjoint', 'data-series': arms.join(','), 'data-arms': arms.length, 'data-k': K, 'data-phase': phase, 'data-col': g.col, 'data-facet': facet, 'data-n': g.band.n, 'data-points': line.points })} d="${line.d}" fill="none" stroke="${st.color}" stroke-width="${phase === 'start' ? 1.5 : 2}"${dash ? ` stroke-dasharray="${dash}"` : ''} stroke-linejoin="round"/>`,
            );
          }
        }
        return out.join('');
      },
    }),
  );
  const caption =
    'The adjoint a_t = dL/do_t carries the loss gradient back from the output (t = K) to the first step (t = 0); median over seeds. ' +
    'A line falling towards t = 0 is a vanishing gradient, a rising one an exploding gradient. Dashed: the initial network ' +
    '(black when several optimizers start from the same one); solid: the trained network.';
  return {
    id: 'adjoints',
    title: 'Adjoint profiles ||dL/do_t||',
    caption,
    svg: svg(WIDTH, stack.height, stack.body, 'Adjoint norm against step t, per K and activation, at initialisation and after training', { 'data-chart': 'adjoints' }),
  };
}

/** Ticks of the t axis: every step up to K = 8, else 0, K/4, K/2, 3K/4 and K (rounded). */
export function stepTicks(K: number): Tick[] {
  const ts = K <= 8 ? Array.from({ length: K + 1 }, (_, t) => t) : [...new Set([0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * K)))];
  return ts.map((t) => ({ value: t, label: String(t) }));
}
