// SVG primitives: scales, ticks, escaping, lines with gaps, the palettes.
import { describe, expect, it } from 'vitest';
import { OKABE_ITO, lineStyle, textOn, viridis } from '../../../src/output/report/palette.js';
import { bandPath, decadeDomain, esc, linePath, linearScale, logScale, logTicks, pow10Label, short, valuesLogScale } from '../../../src/output/report/svg.js';

describe('scales and ticks', () => {
  it('decadeDomain rounds out to whole decades around the positive finite values', () => {
    expect(decadeDomain([0.003, 0.2, NaN, Infinity, 0, -1])).toEqual([1e-3, 1]);
    expect(decadeDomain([1])).toEqual([1, 10]);
    expect(decadeDomain([])).toEqual([0.1, 1]);
  });

  it('log ticks: labelled decades, minor ticks on narrow ranges, every few decades on wide ones', () => {
    const t = logTicks(1e-3, 1);
    expect(t.filter((x) => x.label).map((x) => x.label)).toEqual(['10⁻³', '10⁻²', '10⁻¹', '1']);
    expect(t.filter((x) => !x.label).length).toBe(3 * 8);
    const wide = logTicks(1e-26, 1).filter((x) => x.label);
    expect(wide.length).toBeLessThanOrEqual(7);
    expect(wide[0].label).toBe('10⁻²⁶');
    expect(logTicks(0.2, 0.9).map((x) => x.label)).toEqual(['0.2', '0.5']);
  });

  it('log scales map decades to equal distances', () => {
    const s = logScale(1e-2, 1e2, 0, 400);
    expect(s.map(1e-2)).toBe(0);
    expect(s.map(1)).toBeCloseTo(200, 10);
    expect(s.map(1e2)).toBe(400);
    const k = valuesLogScale([1, 4, 16], 0, 100);
    expect(k.ticks.map((t) => t.label)).toEqual(['1', '4', '16']);
    expect(k.map(4) - k.map(1)).toBeCloseTo(k.map(16) - k.map(4), 10);
  });

  it('labels', () => {
    expect(pow10Label(0)).toBe('1');
    expect(pow10Label(1)).toBe('10');
    expect(pow10Label(6)).toBe('10⁶');
    expect(short(0.0037)).toBe('3.7e-3');
    expect(short(0.25)).toBe('0.25');
    expect(short(3e6)).toBe('3e6');
    expect(short(NaN)).toBe('–');
    expect(short(Infinity)).toBe('∞');
    expect(esc(`<a b="c">&'`)).toBe('&lt;a b=&quot;c&quot;&gt;&amp;&#39;');
  });
});

describe('lines', () => {
  const x = linearScale(0, 3, 0, 30);
  const y = logScale(0.1, 10, 100, 0);
  it('break at values a log scale cannot place, and count the vertices drawn', () => {
    const l = linePath([0, 1, 2, 3], [1, 0, NaN, 10], x, y);
    expect(l.points).toBe(2);
    expect(l.d).toBe('M0 50M30 0');
    expect(linePath([0, 1], [1, 1], x, y).d).toBe('M0 50L10 50');
  });
  it('bands are clamped into the plot and closed', () => {
    const d = bandPath([0, 1], [0.01, 1], [Infinity, 2], x, y);
    expect(d.startsWith('M0 0L10 ')).toBe(true);
    expect(d.endsWith('Z')).toBe(true);
  });
});

describe('palettes', () => {
  it('Okabe-Ito for lines, dashes after the colours run out', () => {
    expect(lineStyle(0)).toEqual({ color: OKABE_ITO[0], dash: '' });
    expect(lineStyle(OKABE_ITO.length).color).toBe(OKABE_ITO[0]);
    expect(lineStyle(OKABE_ITO.length).dash).not.toBe('');
  });
  it('viridis ends and text contrast', () => {
    expect(viridis(0)).toBe('#440154');
    expect(viridis(1)).toBe('#fde725');
    expect(viridis(2)).toBe('#fde725');
    expect(textOn(viridis(0))).toBe('#ffffff');
    expect(textOn(viridis(1))).toBe('#000000');
  });
});
