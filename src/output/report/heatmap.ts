/**
 * The headline heatmap: rows K, columns activation (design.ts), one panel per optimizer (or variant),
 * colour = median test nmse over seeds on a log scale (viridis), each cell annotated with the median
 * and reached-target/seeds (its tooltip: the 95% interval of the median and, for a tuned arm, the
 * values chosen). Cells with diverged seeds are hatched and outlined in vermillion and say
 * how many diverged. One block of panels per facet.
 *
 * Marks: every cell is a `<g data-mark="cell">` with data-k, data-col, data-arm, data-facet, data-n
 * (seeds), data-reached, data-diverged; the hatch of diverged cells is a `data-mark="diverged"` rect.
 */
import { chosenText } from '../layout.js';
import { type SummaryRow, shownRows } from '../summary.js';
import type { ResultsData } from './data.js';
import { type Design, key, placeOf } from './design.js';
import { targetValue } from './curves.js';
import { ALERT, INK, textOn, viridis } from './palette.js';
import type { Chart } from './chart.js';
import { attrs, defs, esc, logScale, n, short, svg, text, textWidth } from './svg.js';

const WIDTH = 1180;

export function heatmapChart(data: ResultsData, d: Design): Chart | undefined {
  const rows = shownRows(data.summary);
  if (rows.length === 0) return undefined;
  const byPlace = new Map<string, SummaryRow>();
  for (const r of rows) {
    const p = placeOf(d, { desc: r.config });
    const k = key(p.facet, p.arm, p.K, p.col);
    if (!byPlace.has(k)) byPlace.set(k, r);
  }
  // The colour scale spans the medians exactly (log), so the whole palette is used.
  const finite = rows.map((r) => r.test_nmse_median).filter((v) => v > 0 && Number.isFinite(v));
  let lo = finite.length ? Math.min(...finite) : 0.1;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (hi / lo < 1.5) [lo, hi] = [lo / 1.25, hi * 1.25];
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  const colour = (v: number) => viridis((Math.log10(v) - a) / (b - a));

  // Geometry: cells as wide as fits (56..92 px), panels wrap onto more rows when they must.
  const labelW = 30;
  const gap = 20;
  const nCols = d.cols.length;
  const colLabelMax = Math.max(...d.cols.map((c) => textWidth(shortCol(d, c), 10.5))) + 8;
  let cellW = Math.floor((WIDTH - d.arms.length * (labelW + gap)) / (d.arms.length * nCols));
  cellW = Math.max(Math.max(56, Math.min(colLabelMax, 120)), Math.min(136, cellW));
  const cellH = cellW >= 120 ? 50 : cellW >= 90 ? 46 : 40;
  const panelW = labelW + nCols * cellW;
  const perRow = Math.max(1, Math.min(d.arms.length, Math.floor((WIDTH + gap) / (panelW + gap))));
  const headH = 40;
  const panelH = headH + d.Ks.length * cellH;

  const body: string[] = [defs()];
  let y = 0;
  for (const facet of d.facets) {
    if (facet) {
      body.push(text(0, y + 14, facet, { class: 'facet' }));
      y += 22;
    }
    d.arms.forEach((arm, i) => {
      const px = (i % perRow) * (panelW + gap);
      const py = y + Math.floor(i / perRow) * (panelH + 16);
      const x0 = px + labelW;
      const y0 = py + headH;
      body.push(text(x0 + (nCols * cellW) / 2, py + 13, arm, { 'text-anchor': 'middle', class: 'panel-title' }));
      d.cols.forEach((c, j) => body.push(text(x0 + (j + 0.5) * cellW, py + 32, shortCol(d, c), { 'text-anchor': 'middle', class: 'tick' })));
      body.push(text(px + 2, py + 32, 'K', { class: 'tick', 'font-weight': 'bold' }));
      d.Ks.forEach((K, r) => {
        body.push(text(x0 - 8, y0 + r * cellH + cellH / 2 + 4, String(K), { 'text-anchor': 'end', class: 'tick' }));
        d.cols.forEach((c, j) => {
          const row = byPlace.get(key(facet, arm, K, c));
          if (!row) return;
          body.push(cell(row, x0 + j * cellW, y0 + r * cellH, cellW, cellH, colour, { facet, arm, K, col: c }));
        });
      });
    });
    y += Math.ceil(d.arms.length / perRow) * (panelH + 16);
  }

  // Colour bar and the diverged mark.
  const barW = 300;
  const barX = 16;
  const barY = y + 8;
  const stops: string[] = [];
  for (let i = 0; i <= 10; i++) stops.push(`<stop offset="${i / 10}" stop-color="${viridis(i / 10)}"/>`);
  body.push(`<defs><linearGradient id="viridis-bar">${stops.join('')}</linearGradient></defs>`);
  body.push(`<rect x="${barX}" y="${n(barY)}" width="${barW}" height="12" fill="url(#viridis-bar)" stroke="${INK}" stroke-width="0.5"/>`);
  const bar = logScale(lo, hi, barX, barX + barW);
  const ticks = bar.ticks.filter((t) => t.label);
  for (const t of ticks) {
    body.push(`<path d="M${n(bar.map(t.value))} ${n(barY + 12)}v4" stroke="${INK}"/>`);
    body.push(text(bar.map(t.value), barY + 28, t.label, { 'text-anchor': 'middle', class: 'tick' }));
  }
  body.push(text(barX + barW + 14, barY + 10, 'median test nmse over seeds (log scale; 1 = no better than predicting the mean)', { class: 'legend' }));
  const hx = barX + barW + 14;
  body.push(`<rect x="${hx}" y="${n(barY + 18)}" width="24" height="14" fill="url(#hatch)" stroke="${ALERT}" stroke-width="2"/>`);
  body.push(text(hx + 32, barY + 29, '✕n: n seeds diverged; !n: n cells failed with an error; grey: no finite result', { class: 'legend' }));
  const height = barY + 40;
  const label = 'Median test nmse by K and activation, one panel per optimizer';
  const caption =
    `Each cell: median test nmse over seeds (colour, log scale from ${short(lo)} to ${short(hi)}) and reached target / seeds. ` +
    `Target: train nmse <= ${targetValue(data) ?? 'the experiment target'} within the same cost budget for every optimizer.`;
  return { id: 'heatmap', title: 'Where each optimizer succeeds', caption, svg: svg(WIDTH, height, body.join(''), label, { 'data-chart': 'heatmap' }) };
}

/** A column value for the narrow heatmap headers: `tanh`, or `r=3.9` for `task.r`. */
function shortCol(d: Design, v: string): string {
  return d.colKey === 'activation' ? v : `${d.colKey.split('.').pop()}=${v}`;
}

function cell(
  r: SummaryRow,
  x: number,
  y: number,
  w: number,
  h: number,
  colour: (v: number) => string,
  at: { facet: string; arm: string; K: number; col: string },
): string {
  const m = r.test_nmse_median;
  const fill = m > 0 && Number.isFinite(m) ? colour(m) : '#bdbdbd';
  const ink = textOn(fill);
  const reached = Math.round(r.success_rate * r.seeds);
  const diverged = Math.round(r.diverged_share * r.seeds);
  const parts = [`<rect x="${n(x + 1)}" y="${n(y + 1)}" width="${n(w - 2)}" height="${n(h - 2)}" fill="${fill}"/>`];
  if (diverged > 0)
    parts.push(
      `<rect data-mark="diverged" data-diverged="${diverged}" x="${n(x + 2.5)}" y="${n(y + 2.5)}" width="${n(w - 5)}" height="${n(h - 5)}" fill="url(#hatch)" stroke="${ALERT}" stroke-width="3"/>`,
    );
  const first = r.errors === r.seeds ? 'error' : short(m);
  parts.push(text(x + w / 2, y + h / 2 - 2, first, { 'text-anchor': 'middle', fill: ink, 'font-weight': 'bold', class: 'cell-value' }));
  const second = `${reached}/${r.seeds}${w >= 100 ? ' reached' : ''}${diverged ? ` ✕${diverged}` : ''}${r.errors && r.errors < r.seeds ? ` !${r.errors}` : ''}`;
  parts.push(text(x + w / 2, y + h / 2 + 11, second, { 'text-anchor': 'middle', fill: ink, class: 'cell-note' }));
  const chosen = chosenText(r);
  const title = `K=${at.K} ${at.col} ${at.arm}${at.facet ? ` ${at.facet}` : ''}${chosen ? ` (tuned: ${chosen})` : ''}: median test nmse ${short(m)} (95% interval ${short(r.test_nmse_ci_lo)}–${short(r.test_nmse_ci_hi)}; IQR ${short(r.test_nmse_q25)}–${short(r.test_nmse_q75)}), reached ${reached}/${r.seeds}, diverged ${diverged}`;
  return (
    `<g${attrs({ 'data-mark': 'cell', 'data-facet': at.facet, 'data-arm': at.arm, 'data-k': at.K, 'data-col': at.col, 'data-n': r.seeds, 'data-reached': reached, 'data-diverged': diverged })}>` +
    `<title>${esc(title)}</title>${parts.join('')}</g>`
  );
}
