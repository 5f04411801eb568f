/**
 * Gradient norm ||dL/dθ|| and gradient SNR against K, from health.csv (sweeps that record per-K
 * diagnostics; the chart is left out without it). One column of panels per activation (design.ts
 * `col`), the gradient norm above, the SNR below, one colour per optimizer (or variant):
 *
 * - dashed: the initial network diagnosed at K = 1, 2, 4, ... (phase start; median over seeds; cells
 *   with the same seed share their initial network, so each seed counts once per K);
 * - solid: the trained network diagnosed at the K it was trained for (phase end, rows whose K is the
 *   cell's K; median over seeds);
 * - grey reference: exp(λ₁ (K - K₀)) through the initial gradient norm at the smallest K, λ₁ the
 *   maximal Lyapunov exponent of the initial net (dashed) and of the true map (dotted), per step:
 *   the growth (λ₁ > 0) or decay (λ₁ < 0) that the dynamics alone would impose on the adjoint.
 *
 * Marks: `data-mark="health"` paths with data-series (arm), data-metric (grad_norm | snr),
 * data-phase, data-n (seeds), data-points; reference lines are `data-mark="reference"` with
 * data-series lyap_net | lyap_task.
 */
import type { Chart } from './chart.js';
import type { HealthRecord, ResultsData } from './data.js';
import { type Design, colLabel, key, placeOf } from './design.js';
import { lineStyle, MUTED } from './palette.js';
import { smallMultiples, stackFacets } from './panels.js';
import { finiteMedian, mergeIdentical } from './stats.js';
import { type LegendItem, type Scale, attrs, decadeDomain, linePath, logScale, n, short, svg, text, valuesLogScale } from './svg.js';

const WIDTH = 1180;
export const METRICS = [
  { name: 'grad_norm', title: '||dL/dθ|| (log)' },
  { name: 'snr', title: 'gradient SNR (log)' },
] as const;
type Metric = (typeof METRICS)[number]['name'];

export interface HealthSeries {
  facet: string;
  col: string;
  arm: string;
  phase: 'start' | 'end';
  metric: Metric;
  Ks: number[];
  median: number[];
  /** Seeds behind the series. */
  n: number;
}

export interface HealthReference {
  facet: string;
  col: string;
  which: 'lyap_net' | 'lyap_task';
  lambda: number;
  K0: number;
  g0: number;
}

/** The series and reference lines of the chart, from health.csv joined with cells.csv. */
export function healthSeries(data: ResultsData, d: Design): { series: HealthSeries[]; refs: HealthReference[]; Ks: number[] } | undefined {
  if (!data.health || data.health.length === 0) return undefined;
  const cells = new Map(data.cells.map((c) => [c.id, c]));
  // (facet, col, arm, phase, metric) -> K -> values; start rows deduplicated by seed.
  const acc = new Map<string, { seeds: Set<string>; byK: Map<number, number[]> }>();
  const seen = new Set<string>();
  const startRows = new Map<string, HealthRecord[]>();
  const allKs = new Set<number>();
  for (const h of data.health) {
    const c = cells.get(h.cell_id);
    if (!c || !Number.isFinite(h.K)) continue;
    const p = placeOf(d, c);
    const seed = c.desc.seed ?? '';
    if (h.phase === 'start') {
      const id = key(p.facet, p.col, p.arm, seed, h.K);
      if (seen.has(id)) continue;
      seen.add(id);
      const sk = key(p.facet, p.col);
      if (!startRows.has(sk)) startRows.set(sk, []);
      startRows.get(sk)!.push(h);
    } else if (h.phase !== 'end' || h.K !== p.K) continue;
    allKs.add(h.K);
    for (const m of METRICS) {
      const k = key(p.facet, p.col, p.arm, h.phase, m.name);
      let a = acc.get(k);
      if (!a) acc.set(k, (a = { seeds: new Set(), byK: new Map() }));
      a.seeds.add(seed);
      if (!a.byK.has(h.K)) a.byK.set(h.K, []);
      a.byK.get(h.K)!.push(h[m.name]);
    }
  }
  const series: HealthSeries[] = [];
  for (const [k, a] of acc) {
    const [facet, col, arm, phase, metric] = k.split('\u0000');
    const Ks = [...a.byK.keys()].sort((x, y) => x - y);
    series.push({ facet, col, arm, phase: phase as 'start' | 'end', metric: metric as Metric, Ks, median: Ks.map((K) => finiteMedian(a.byK.get(K)!)), n: a.seeds.size });
  }
  const refs: HealthReference[] = [];
  for (const [sk, rows] of startRows) {
    const [facet, col] = sk.split('\u0000');
    const K0 = Math.min(...rows.map((r) => r.K));
    const g0 = finiteMedian(rows.filter((r) => r.K === K0).map((r) => r.grad_norm));
    for (const which of ['lyap_net', 'lyap_task'] as const) {
      const lambda = finiteMedian(rows.map((r) => r[which]));
      if (Number.isFinite(lambda) && g0 > 0) refs.push({ facet, col, which, lambda, K0, g0 });
    }
  }
  return { series, refs, Ks: [...allKs].sort((x, y) => x - y) };
}

function refPath(r: HealthReference, xs: Scale, ys: Scale): string {
  const pts: string[] = [];
  const a = Math.log(xs.lo);
  const b = Math.log(xs.hi);
  for (let i = 0; i <= 40; i++) {
    const K = Math.exp(a + ((b - a) * i) / 40);
    const v = r.g0 * Math.exp(r.lambda * (K - r.K0));
    if (!(v > 0) || !Number.isFinite(v)) continue;
    // Clamp far outside the plot so that the clipped line keeps its direction.
    const y = Math.max(ys.r1 - 2000, Math.min(ys.r0 + 2000, ys.map(v)));
    pts.push(`${n(xs.map(K))} ${n(y)}`);
  }
  return pts.length ? `M${pts.join('L')}` : '';
}

export function healthChart(data: ResultsData, d: Design): Chart | undefined {
  const hs = healthSeries(data, d);
  if (!hs || hs.series.length === 0) return undefined;
  const { series, refs, Ks } = hs;
  const index = new Map(series.map((s) => [key(s.facet, s.col, s.arm, s.phase, s.metric), s]));
  const domains = new Map(METRICS.map((m) => [m.name, decadeDomain(series.filter((s) => s.metric === m.name).flatMap((s) => s.median))]));
  const styles = new Map(d.arms.map((a, i) => [a, lineStyle(i)]));
  const items: LegendItem[] = d.arms.map((a) => ({ label: a, color: styles.get(a)!.color }));
  items.push(
    { label: 'trained, at its own K', color: '#222222', width: 2 },
    { label: 'initial network (black when several share it)', color: '#222222', dash: '5 3', width: 2 },
    { label: '∝ exp(λ₁ K), λ₁ of the initial net', color: MUTED, dash: '7 3', width: 1.5 },
    { label: '∝ exp(λ₁ K), λ₁ of the true map', color: MUTED, dash: '1.5 2.5', width: 1.5 },
  );
  const stack = stackFacets(items, WIDTH, d.facets, (facet, y) =>
    smallMultiples({
      rows: METRICS.length,
      cols: d.cols.length,
      width: WIDTH,
      top: y,
      maxPlotW: 360,
      xScale: (r0, r1) => valuesLogScale(Ks, r0, r1),
      yScale: (r0, r1, row) => {
        const [lo, hi] = domains.get(METRICS[row].name)!;
        return logScale(lo, hi, r0, r1);
      },
      title: (r, c) => `${r === 0 ? 'gradient norm' : 'gradient SNR'} · ${colLabel(d, d.cols[c])}`,
      panelAttrs: (r, c) => attrs({ 'data-panel': 'health', 'data-metric': METRICS[r].name, 'data-col': d.cols[c], 'data-facet': facet }),
      xTitle: 'K (network applications in sequence, log scale)',
      yTitle: (r) => METRICS[r].title,
      draw: (r, c, xs, ys) => {
        const out: string[] = [];
        const metric = METRICS[r].name;
        const col = d.cols[c];
        if (metric === 'grad_norm')
          for (const ref of refs.filter((x) => x.facet === facet && x.col === col)) {
            const dash = ref.which === 'lyap_net' ? '7 3' : '1.5 2.5';
            out.push(
              `<path${attrs({ 'data-mark': 'reference', 'data-series': ref.which, 'data-col': col, 'data-facet': facet, 'data-lambda': ref.lambda })} d="${refPath(ref, xs, ys)}" fill="none" stroke="${MUTED}" stroke-width="1.5" stroke-dasharray="${dash}"/>`,
            );
          }
        for (const phase of ['start', 'end'] as const) {
          const present = d.arms.map((arm) => index.get(key(facet, col, arm, phase, metric))).filter((s): s is HealthSeries => s !== undefined);
          for (const { arms, item: s } of mergeIdentical(present, (x) => x.arm, (x) => [x.n, ...x.Ks, ...x.median])) {
            const st = arms.length > 1 ? { color: '#222222', dash: '' } : styles.get(arms[0])!;
            const line = linePath(s.Ks, s.median, xs, ys);
            const dash = phase === 'start' ? '5 3' : st.dash;
            const series = arms.join(',');
            out.push(
              `<path${attrs({ 'data-mark': 'health', 'data-series': series, 'data-arms': arms.length, 'data-metric': metric, 'data-phase': phase, 'data-col': col, 'data-facet': facet, 'data-n': s.n, 'data-points': line.points })} d="${line.d}" fill="none" stroke="${st.color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} stroke-linejoin="round"/>`,
            );
            // Points mark where the medians are (lines between few Ks hide them).
            for (let i = 0; i < s.Ks.length; i++)
              if (s.median[i] > 0 && Number.isFinite(s.median[i]))
                out.push(
                  `<circle${attrs({ 'data-mark': 'point', 'data-series': series, 'data-metric': metric, 'data-phase': phase, 'data-k': s.Ks[i] })} cx="${n(xs.map(s.Ks[i]))}" cy="${n(ys.map(s.median[i]))}" r="2.6" fill="${phase === 'end' ? st.color : '#ffffff'}" stroke="${st.color}" stroke-width="1.3"/>`,
                );
          }
        }
        if (metric === 'grad_norm') {
          const lam = refs.filter((x) => x.facet === facet && x.col === col);
          const txt = lam.map((x) => `λ₁ ${x.which === 'lyap_net' ? 'net' : 'task'} ${short(x.lambda)}`).join(', ');
          if (txt) out.push(text(xs.r0 + 4, ys.r1 + 12, `${txt} per step`, { class: 'note' }));
        }
        return out.join('');
      },
    }),
  );
  const caption =
    'Gradient norm over the whole batch and gradient signal-to-noise ratio (norm of the mean minibatch gradient over the mean distance of the minibatch gradients from it) against K, median over seeds. ' +
    'The grey lines start at the initial gradient norm and grow or shrink at the maximal Lyapunov exponent λ₁ per step: ' +
    'where the measured norm follows them, the dynamics explain the gradient.';
  return {
    id: 'health',
    title: 'Gradient norm and SNR against K',
    caption,
    svg: svg(WIDTH, stack.height, stack.body, 'Gradient norm and gradient SNR against K, with Lyapunov reference lines', { 'data-chart': 'health' }),
  };
}
