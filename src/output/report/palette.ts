/**
 * Colour-blind-safe colours: Okabe & Ito (2008) for lines, viridis (matplotlib) for the heatmap.
 * Lines beyond the palette's length repeat its colours with a dash pattern, so every series stays
 * distinguishable in greyscale print as well.
 */

/** Okabe-Ito, ordered for lines on white (yellow, the weakest on white, last; black reserved). */
export const OKABE_ITO = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442'] as const;

export const INK = '#222222';
export const MUTED = '#666666';
export const GRID = '#e3e3e3';
/** The mark of diverged cells (vermillion: absent from viridis). */
export const ALERT = '#D55E00';

const DASHES = ['', '6 3', '2 2', '8 3 2 3'];

export interface LineStyle {
  color: string;
  /** stroke-dasharray, '' for solid. */
  dash: string;
}

/** The style of the i-th series. */
export function lineStyle(i: number): LineStyle {
  const n = OKABE_ITO.length;
  return { color: OKABE_ITO[i % n], dash: DASHES[Math.floor(i / n) % DASHES.length] };
}

/** matplotlib's viridis at 0, 0.1, ..., 1. */
const VIRIDIS = ['#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c', '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725'];

function rgb(hex: string): [number, number, number] {
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}

function hex(c: readonly number[]): string {
  return `#${c.map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('')}`;
}

/** Viridis at u in [0, 1] (clamped), interpolated between its stops. */
export function viridis(u: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(u) ? u : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = rgb(VIRIDIS[i]);
  const b = rgb(VIRIDIS[i + 1]);
  return hex(a.map((v, k) => v + (b[k] - v) * f));
}

/** Black or white, whichever reads better on the background colour. */
export function textOn(background: string): string {
  const [r, g, b] = rgb(background).map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return lum > 0.22 ? '#000000' : '#ffffff';
}
