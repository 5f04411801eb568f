/**
 * Small multiples: a grid of plot panels with shared scales. Tick labels only on the left column
 * (y) and the bottom row (x), one axis title per axis, a title above every panel. The caller draws
 * the marks of each panel with the panel's scales.
 */
import { type LegendItem, type Scale, axes, esc, legend, n, text } from './svg.js';

export interface GridOptions {
  rows: number;
  cols: number;
  /** The SVG's width (viewBox units). */
  width: number;
  /** Where the grid starts (room for a title and legend above). */
  top: number;
  maxPlotW?: number;
  /** Plot height / plot width. */
  aspect?: number;
  minPlotH?: number;
  maxPlotH?: number;
  /** The x scale of a column (columns may show different ranges). */
  xScale(r0: number, r1: number, col: number): Scale;
  /** The y scale of a row (rows may show different quantities). */
  yScale(r0: number, r1: number, row: number): Scale;
  title(row: number, col: number): string;
  draw(row: number, col: number, x: Scale, y: Scale): string;
  xTitle: string;
  /** One title for the whole grid, or one per row. */
  yTitle: string | ((row: number) => string);
  /** Extra attributes of each panel's group. */
  panelAttrs?(row: number, col: number): string;
}

export function smallMultiples(o: GridOptions): { svg: string; height: number } {
  const left = 62;
  const right = 8;
  const gapX = 18;
  const titleH = 18;
  const gapY = 14;
  const plotW = Math.min(o.maxPlotW ?? 340, (o.width - left - right - (o.cols - 1) * gapX) / o.cols);
  const plotH = Math.max(o.minPlotH ?? 100, Math.min(o.maxPlotH ?? 170, plotW * (o.aspect ?? 0.62)));
  const parts: string[] = [];
  let y = o.top;
  for (let r = 0; r < o.rows; r++) {
    const last = r === o.rows - 1;
    for (let c = 0; c < o.cols; c++) {
      const x0 = left + c * (plotW + gapX);
      const y0 = y + titleH;
      const xs = o.xScale(x0, x0 + plotW, c);
      const ys = o.yScale(y0 + plotH, y0, r);
      const extra = o.panelAttrs ? o.panelAttrs(r, c) : '';
      parts.push(`<g class="panel"${extra}>`);
      parts.push(text(x0 + plotW / 2, y + 12, o.title(r, c), { 'text-anchor': 'middle', class: 'panel-title' }));
      parts.push(axes(xs, ys, { xLabels: last, yLabels: c === 0 }));
      parts.push(`<svg x="${n(x0)}" y="${n(y0)}" width="${n(plotW)}" height="${n(plotH)}" viewBox="${n(x0)} ${n(y0)} ${n(plotW)} ${n(plotH)}" overflow="hidden">`);
      parts.push(o.draw(r, c, xs, ys));
      parts.push('</svg></g>');
    }
    if (typeof o.yTitle === 'function') parts.push(yTitle(o.yTitle(r), y + titleH + plotH / 2));
    y += titleH + plotH + (last ? 20 : gapY);
  }
  const gridW = o.cols * plotW + (o.cols - 1) * gapX;
  parts.push(text(left + gridW / 2, y + 14, o.xTitle, { 'text-anchor': 'middle', class: 'axis-title' }));
  if (typeof o.yTitle === 'string') parts.push(yTitle(o.yTitle, (o.top + y) / 2));
  return { svg: parts.join(''), height: y + 24 };
}

function yTitle(s: string, y: number): string {
  return `<text transform="translate(14 ${n(y)}) rotate(-90)" text-anchor="middle" class="axis-title">${esc(s)}</text>`;
}

/**
 * A legend, then one grid per facet (an extra varying setting), each titled when there are facets,
 * stacked top to bottom. `grid(facet, top)` draws one facet's small multiples starting at `top`.
 */
export function stackFacets(
  items: readonly LegendItem[],
  width: number,
  facets: readonly string[],
  grid: (facet: string, top: number) => { svg: string; height: number },
): { body: string; height: number } {
  const leg = legend(items, 62, 0, width - 62);
  const body = [leg.svg];
  let y = leg.height + 6;
  for (const facet of facets) {
    if (facet) {
      body.push(text(0, y + 14, facet, { class: 'facet' }));
      y += 22;
    }
    const g = grid(facet, y);
    body.push(g.svg);
    y = g.height + 8;
  }
  return { body: body.join(''), height: y };
}
