// Terminal pivots: content, facets, colour only when asked.
import { describe, expect, it } from 'vitest';
import { facetColumns } from '../../src/output/layout.js';
import type { Summary, SummaryRow } from '../../src/output/summary.js';
import { fmt, renderTables, useColor } from '../../src/output/tables.js';

function row(config: Record<string, string>, over: Partial<SummaryRow> = {}): SummaryRow {
  return {
    kind: 'config',
    config,
    seeds: 3,
    test_nmse_median: 0.002,
    test_nmse_ci_lo: 0.001,
    test_nmse_ci_hi: 0.003,
    test_nmse_q25: 0.001,
    test_nmse_q75: 0.003,
    test_nmse_iqr: 0.002,
    success_rate: 2 / 3,
    val_nmse_median: 0.002,
    val_nmse_ci_lo: 0.001,
    val_nmse_ci_hi: 0.003,
    cost_to_target_median: 1000,
    cost_to_target_ci_lo: 900,
    cost_to_target_ci_hi: 1100,
    cost_total: 3e6,
    settings: 1,
    diverged_share: 0,
    errors: 0,
    adjoint_ratio_start_median: 1e-5,
    health_start: 'vanishing',
    adjoint_ratio_end_median: 0.5,
    health_end: 'healthy',
    cells: [],
    ...over,
  };
}

function summary(): Summary {
  const rows: SummaryRow[] = [];
  for (const K of ['1', '16'])
    for (const activation of ['tanh', 'relu'])
      for (const optimizer of ['bptt', 'ga'])
        rows.push(row({ K, activation, optimizer, lr: optimizer === 'bptt' ? '0.003' : '' }, K === '16' && optimizer === 'ga' ? { test_nmse_median: 0.9, success_rate: 0 } : {}));
  return { configColumns: ['K', 'activation', 'optimizer', 'lr'], rows };
}

const ANSI = /\u001b\[/;

describe('tables', () => {
  it('headline: rows K, columns activation x optimizer, median nmse with reached/seeds', () => {
    const out = renderTables(summary(), { color: false });
    expect(out).toContain('Median test nmse');
    expect(out).toContain('2.0e-3 (2/3)');
    expect(out).toContain('0.9 (0/3)');
    expect(out).toMatch(/tanh[\s\S]*relu/);
    expect(out).toMatch(/bptt[\s\S]*ga/);
    expect(out).toContain('BPTT gradient health');
    expect(out).toContain('1.0e-5 vanishing');
    expect(out).toContain('-> 0.5 healthy');
    expect(out).not.toMatch(ANSI);
  });

  it('colours only when asked', () => {
    expect(renderTables(summary(), { color: true })).toMatch(ANSI);
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: false }, {})).toBe(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
  });

  it('a descriptor that varies within one optimizer splits the tables into facets', () => {
    const s = summary();
    expect(facetColumns(s.configColumns, s.rows)).toEqual([]);
    const two: Summary = { configColumns: [...s.configColumns, 'task.r'], rows: [...s.rows.map((r) => ({ ...r, config: { ...r.config, 'task.r': '3.2' } })), ...s.rows.map((r) => ({ ...r, config: { ...r.config, 'task.r': '3.9' } }))] };
    expect(facetColumns(two.configColumns, two.rows)).toEqual(['task.r']);
    const out = renderTables(two, { color: false });
    expect(out).toContain('rows K - task.r=3.2');
    expect(out).toContain('rows K - task.r=3.9');
  });

  it('variants are the columns when there are any', () => {
    const s: Summary = {
      configColumns: ['variant', 'K', 'activation', 'optimizer'],
      rows: ['plain', 'clip'].map((v) => row({ variant: v, K: '64', activation: 'tanh', optimizer: 'bptt' })),
    };
    const out = renderTables(s, { color: false });
    expect(out).toContain('plain');
    expect(out).toContain('clip');
  });

  it('formats numbers in two significant digits', () => {
    expect(fmt(0.12345)).toBe('0.12');
    expect(fmt(3.4e-5)).toBe('3.4e-5');
    expect(fmt(1)).toBe('1');
    expect(fmt(NaN)).toBe('-');
    expect(fmt(Infinity)).toBe('inf');
    expect(fmt(12345)).toBe('1.2e+4');
  });
});

describe('wide pivots', () => {
  it('split the activations over several tables to fit the width', () => {
    const acts = ['tanh', 'sigmoid', 'relu', 'leaky_relu', 'gelu', 'sin'];
    const rows: SummaryRow[] = [];
    for (const K of ['1', '64']) for (const activation of acts) for (const optimizer of ['bptt', 'ga', 'es']) rows.push(row({ K, activation, optimizer }));
    const s: Summary = { configColumns: ['K', 'activation', 'optimizer'], rows };
    const wide = renderTables(s, { color: false, width: 1000 });
    const narrow = renderTables(s, { color: false, width: 120 });
    const widest = (t: string) => Math.max(...t.split('\n').map((l) => l.length));
    expect(widest(wide)).toBeGreaterThan(120);
    expect(widest(narrow)).toBeLessThanOrEqual(120);
    for (const a of acts) expect(narrow).toContain(a);
    expect(narrow.match(/│ 64 │/g)!.length).toBeGreaterThan(wide.match(/│ 64 │/g)!.length);
  });
});
