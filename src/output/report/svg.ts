/**
 * SVG primitives for the report, as strings: scales (linear, log10 with decade ticks, log2 at given
 * values), axes with ticks, tick labels and axis titles, polylines with gaps, legends. Coordinates are
 * written with one decimal to keep the page small. Text is escaped here and nowhere else.
 */
import { GRID, INK } from './palette.js';

export const FONT = 11;
/** The legend's font size (page.ts: svg .legend). */
export const LEGEND_FONT = 11.5;

/** Escapes text for HTML/SVG content and attribute values. */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A coordinate: one decimal, no trailing zero. */
export function n(x: number): string {
  return String(Math.round(x * 10) / 10);
}

/** Attributes from an object; undefined values are left out. */
export function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(v as string | number)}"`)
    .join('');
}

const SUP: Record<string, string> = { '-': '\u207b', '0': '\u2070', '1': '\u00b9', '2': '\u00b2', '3': '\u00b3', '4': '\u2074', '5': '\u2075', '6': '\u2076', '7': '\u2077', '8': '\u2078', '9': '\u2079' };

/** 10^k as 10⁻³ (1 and 10 plainly). */
export function pow10Label(k: number): string {
  if (k === 0) return '1';
  if (k === 1) return '10';
  return `10${String(k)
    .split('')
    .map((c) => SUP[c] ?? c)
    .join('')}`;
}

/** A number in 2 significant digits for annotations: 0.12, 3.7e-3, 2e6, inf. */
export function short(x: number): string {
  if (Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 0.01 && a < 1000) return String(Number(x.toPrecision(2)));
  return x.toExponential(1).replace('e+', 'e').replace('.0e', 'e');
}

export interface Tick {
  value: number;
  /** '' for a minor tick (a mark, no label). */
  label: string;
}

export interface Scale {
  log: boolean;
  lo: number;
  hi: number;
  r0: number;
  r1: number;
  map(v: number): number;
  ticks: Tick[];
}

/** [10^floor, 10^ceil] around the finite positive values; `fallback` when there are none. */
export function decadeDomain(values: Iterable<number>, fallback: [number, number] = [0.1, 1]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values)
    if (v > 0 && Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  if (lo > hi) return fallback;
  let a = Math.floor(Math.log10(lo) + 1e-9);
  let b = Math.ceil(Math.log10(hi) - 1e-9);
  if (b <= a) b = a + 1;
  return [10 ** a, 10 ** b];
}

/** Decade ticks (every few decades on wide ranges) with minor ticks at 2..9 on narrow ones. */
export function logTicks(lo: number, hi: number): Tick[] {
  const a = Math.ceil(Math.log10(lo) - 1e-9);
  const b = Math.floor(Math.log10(hi) + 1e-9);
  const span = b - a;
  const out: Tick[] = [];
  if (span < 1) {
    // Less than a decade: 1-2-5 steps, labelled plainly.
    for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++)
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** k;
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push({ value: v, label: short(v) });
      }
    return out;
  }
  const step = Math.max(1, Math.ceil(span / 6));
  for (let k = a; k <= b; k++) {
    if ((k - a) % step === 0) out.push({ value: 10 ** k, label: pow10Label(k) });
    else out.push({ value: 10 ** k, label: '' });
    if (span <= 4)
      for (let m = 2; m <= 9; m++) {
        const v = m * 10 ** k;
        if (v <= hi * (1 + 1e-9)) out.push({ value: v, label: '' });
      }
  }
  for (let m = 2; m <= 9 && span <= 4; m++) {
    const v = m * 10 ** (a - 1);
    if (v >= lo * (1 - 1e-9)) out.push({ value: v, label: '' });
  }
  return out;
}

export function logScale(lo: number, hi: number, r0: number, r1: number, ticks?: Tick[]): Scale {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  const map = (v: number) => r0 + ((Math.log10(v) - a) / (b - a || 1)) * (r1 - r0);
  return { log: true, lo, hi, r0, r1, map, ticks: ticks ?? logTicks(lo, hi) };
}

/** A log scale whose ticks are exactly the given values (K = 1, 4, 16). */
export function valuesLogScale(values: readonly number[], r0: number, r1: number, pad = 0.08): Scale {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  const w = b - a || 1;
  return logScale(10 ** (a - pad * w), 10 ** (b + pad * w), r0, r1, values.map((v) => ({ value: v, label: String(v) })));
}

/** Nice linear ticks (1, 2, 5 times a power of ten), about `count` of them. */
export function linearTicks(lo: number, hi: number, count = 5): Tick[] {
  if (!(hi > lo)) return [{ value: lo, label: short(lo) }];
  const raw = (hi - lo) / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: Tick[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push({ value: Number(v.toPrecision(12)), label: String(Number(v.toPrecision(12))) });
  return out;
}

export function linearScale(lo: number, hi: number, r0: number, r1: number, ticks?: Tick[]): Scale {
  const map = (v: number) => r0 + ((v - lo) / (hi - lo || 1)) * (r1 - r0);
  return { log: false, lo, hi, r0, r1, map, ticks: ticks ?? linearTicks(lo, hi) };
}

/** Whether a value can be placed on the scale (positive on a log scale, finite). */
export function placeable(s: Scale, v: number): boolean {
  return Number.isFinite(v) && (!s.log || v > 0);
}

/** A value clamped into the scale's domain (for bands running off the chart). */
export function clampTo(s: Scale, v: number): number {
  if (Number.isNaN(v)) return NaN;
  return Math.min(s.hi, Math.max(s.lo, v));
}

/**
 * A polyline's path data through the placeable points; an unplaceable point breaks the line.
 * Returns the path and the number of vertices drawn.
 */
export function linePath(xs: readonly number[], ys: readonly number[], x: Scale, y: Scale): { d: string; points: number } {
  let d = '';
  let pen = false;
  let points = 0;
  for (let i = 0; i < xs.length; i++) {
    if (!placeable(x, xs[i]) || !placeable(y, ys[i])) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${n(x.map(xs[i]))} ${n(y.map(ys[i]))}`;
    pen = true;
    points++;
  }
  return { d, points };
}

/**
 * A band between two series (lo <= hi), clamped into the y domain, as closed polygons (one per run
 * of placeable points).
 */
export function bandPath(xs: readonly number[], lo: readonly number[], hi: readonly number[], x: Scale, y: Scale): string {
  const runs: number[][] = [];
  let run: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const a = clampTo(y, lo[i]);
    const b = clampTo(y, hi[i]);
    if (placeable(x, xs[i]) && placeable(y, a) && placeable(y, b)) run.push(i);
    else if (run.length) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length) runs.push(run);
  return runs
    .filter((r) => r.length > 1)
    .map((r) => {
      const top = r.map((i) => `${n(x.map(xs[i]))} ${n(y.map(clampTo(y, hi[i])))}`);
      const bottom = [...r].reverse().map((i) => `${n(x.map(xs[i]))} ${n(y.map(clampTo(y, lo[i])))}`);
      return `M${top.join('L')}L${bottom.join('L')}Z`;
    })
    .join('');
}

export function text(x: number, y: number, s: string, a: Record<string, string | number | undefined> = {}): string {
  return `<text x="${n(x)}" y="${n(y)}"${attrs(a)}>${esc(s)}</text>`;
}

export interface AxesOptions {
  /** Tick labels on the x axis (false in all but the bottom row of small multiples). */
  xLabels?: boolean;
  yLabels?: boolean;
  xTitle?: string;
  yTitle?: string;
}

/** Grid lines, the axis lines, ticks, tick labels and axis titles of one plot area. */
export function axes(x: Scale, y: Scale, o: AxesOptions = {}): string {
  const [x0, x1] = [Math.min(x.r0, x.r1), Math.max(x.r0, x.r1)];
  const [y0, y1] = [Math.min(y.r0, y.r1), Math.max(y.r0, y.r1)];
  const out: string[] = [];
  const grid: string[] = [];
  const marks: string[] = [];
  for (const t of x.ticks) {
    if (t.value < x.lo * (1 - 1e-9) || t.value > x.hi * (1 + 1e-9)) continue;
    const px = n(x.map(t.value));
    if (t.label) grid.push(`M${px} ${n(y0)}V${n(y1)}`);
    marks.push(`M${px} ${n(y1)}v${t.label ? 4 : 2.5}`);
    if (t.label && o.xLabels !== false) out.push(text(x.map(t.value), y1 + 14, t.label, { 'text-anchor': 'middle', class: 'tick' }));
  }
  for (const t of y.ticks) {
    if (t.value < y.lo * (1 - 1e-9) || t.value > y.hi * (1 + 1e-9)) continue;
    const py = n(y.map(t.value));
    if (t.label) grid.push(`M${n(x0)} ${py}H${n(x1)}`);
    marks.push(`M${n(x0)} ${py}h${t.label ? -4 : -2.5}`);
    if (t.label && o.yLabels !== false) out.push(text(x0 - 6, y.map(t.value) + 3.5, t.label, { 'text-anchor': 'end', class: 'tick' }));
  }
  const frame = `<path d="M${n(x0)} ${n(y0)}V${n(y1)}H${n(x1)}" fill="none" stroke="${INK}" stroke-width="1"/>`;
  const head = [
    `<path d="${grid.join('')}" stroke="${GRID}" stroke-width="1" fill="none"/>`,
    frame,
    `<path d="${marks.join('')}" stroke="${INK}" stroke-width="1" fill="none"/>`,
  ];
  if (o.xTitle) out.push(text((x0 + x1) / 2, y1 + 30, o.xTitle, { 'text-anchor': 'middle', class: 'axis-title' }));
  if (o.yTitle) out.push(`<text transform="translate(${n(x0 - 44)} ${n((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle" class="axis-title">${esc(o.yTitle)}</text>`);
  return head.join('') + out.join('');
}

export interface LegendItem {
  label: string;
  color: string;
  dash?: string;
  /** line (default), band (a line over a shaded box), swatch (a filled box), hatch (a diverged mark). */
  kind?: 'line' | 'band' | 'swatch' | 'hatch';
  width?: number;
}

/** Approximate width of a text in a sans-serif font (DejaVu Sans / system-ui widths, per character class). */
export function textWidth(s: string, size = FONT): number {
  let em = 0;
  for (const c of s) {
    if (/[ijlI.,:;'|!()[\]\s]/.test(c)) em += 0.3;
    else if (/[ft]/.test(c)) em += 0.4;
    else if (/[mwMW]/.test(c)) em += 0.85;
    else if (/[A-Z]/.test(c)) em += 0.68;
    else em += 0.6;
  }
  return em * size;
}

/** A legend in rows that wrap at maxWidth; returns its markup and height. */
export function legend(items: readonly LegendItem[], x: number, y: number, maxWidth: number): { svg: string; height: number } {
  const parts: string[] = [];
  let cx = x;
  let cy = y;
  const rowH = 16;
  for (const it of items) {
    const w = 26 + textWidth(it.label, LEGEND_FONT) + 18;
    if (cx > x && cx + w > x + maxWidth) {
      cx = x;
      cy += rowH;
    }
    const my = cy + rowH / 2;
    const dash = it.dash ? ` stroke-dasharray="${it.dash}"` : '';
    if (it.kind === 'swatch') parts.push(`<rect x="${n(cx)}" y="${n(my - 5)}" width="20" height="10" fill="${it.color}"/>`);
    else if (it.kind === 'hatch')
      parts.push(`<rect x="${n(cx)}" y="${n(my - 6)}" width="20" height="12" fill="url(#hatch)" stroke="${it.color}" stroke-width="2"/>`);
    else {
      if (it.kind === 'band') parts.push(`<rect x="${n(cx)}" y="${n(my - 5)}" width="20" height="10" fill="${it.color}" fill-opacity="0.2"/>`);
      parts.push(`<path d="M${n(cx)} ${n(my)}h20" stroke="${it.color}" stroke-width="${it.width ?? 2}"${dash}/>`);
    }
    parts.push(text(cx + 26, my + 4, it.label, { class: 'legend' }));
    cx += w;
  }
  return { svg: `<g class="legend">${parts.join('')}</g>`, height: cy - y + rowH };
}

/** Shared definitions: the hatch pattern of diverged cells. */
export function defs(): string {
  return (
    '<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">' +
    '<rect width="6" height="6" fill="#ffffff" fill-opacity="0.25"/><path d="M0 0V6" stroke="#000000" stroke-width="2" stroke-opacity="0.55"/></pattern></defs>'
  );
}

/** An inline SVG of the given viewBox size that scales to the page width. */
export function svg(width: number, height: number, body: string, label: string, a: Record<string, string | number | undefined> = {}): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${n(width)} ${n(height)}" width="${n(width)}" height="${n(height)}" role="img" aria-label="${esc(label)}"` +
    `${attrs(a)} font-family="system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif" font-size="${FONT}" fill="${INK}">` +
    `<title>${esc(label)}</title>${body}</svg>`
  );
}
