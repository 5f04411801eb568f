// Tuning's choice: made on the validation set, never on the test set; its tie and divergence rules;
// the tuned rows of summary.csv and the rows the tables show.
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/output/csv.js';
import { shownRows, summarize, summaryCsv } from '../../src/output/summary.js';
import { chooseSetting, medianOrInf } from '../../src/output/tuning.js';

const header = ['cell_id', 'tune', 'K', 'optimizer', 'lr', 'sigma', 'seed', 'status', 'error', 'train_nmse', 'val_nmse', 'test_nmse', 'cost_to_target', 'cost', 'wall_ms'];

/** A cells.csv row: [id, tune, K, optimizer, lr, sigma, seed, status, val, test, cost]. */
function row(id: string, tune: string, K: string, optimizer: string, lr: string, sigma: string, seed: string, status: string, val: string, test: string, cost = '1000'): string[] {
  return [id, tune, K, optimizer, lr, sigma, seed, status, '', '0.5', val, test, '', cost, '1'];
}

describe('chooseSetting', () => {
  it('takes the lowest median validation nmse', () => {
    expect(chooseSetting([[0.3, 0.2, 0.4], [0.1, 0.5, 0.2], [0.25, 0.3, 0.35]])).toBe(1);
  });

  it('a tie goes to the setting listed first', () => {
    expect(chooseSetting([[0.2, 0.1], [0.1, 0.2], [0.05, 0.25]])).toBe(0);
    expect(chooseSetting([[0.3], [0.2], [0.2]])).toBe(1);
  });

  it('a non-finite value (diverged, failed) counts as +inf: mostly diverged settings lose', () => {
    expect(medianOrInf([NaN, 0.1, Infinity])).toBe(Infinity);
    expect(medianOrInf([NaN, 0.1, 0.3])).toBeCloseTo(0.3, 15);
    expect(chooseSetting([[NaN, 1e-6, NaN], [0.9, 0.8, 0.95]])).toBe(1);
    // Every setting diverged: the first listed.
    expect(chooseSetting([[NaN, NaN], [Infinity, NaN]])).toBe(0);
  });
});

describe('the tuned rows of the summary', () => {
  // bptt at K = 4 tuned over lr: lr 0.001 is the better one on validation and the worse on test,
  // lr 0.01 the reverse. GA is not tuned.
  const rows = [
    row('a1', 'lr', '4', 'bptt', '0.001', '', '0', 'budget', '0.010', '0.30'),
    row('a2', 'lr', '4', 'bptt', '0.001', '', '1', 'budget', '0.020', '0.40'),
    row('a3', 'lr', '4', 'bptt', '0.001', '', '2', 'budget', '0.030', '0.50'),
    row('b1', 'lr', '4', 'bptt', '0.01', '', '0', 'budget', '0.100', '0.01'),
    row('b2', 'lr', '4', 'bptt', '0.01', '', '1', 'budget', '0.200', '0.02'),
    row('b3', 'lr', '4', 'bptt', '0.01', '', '2', 'budget', '0.300', '0.03', '3000'),
    row('g1', '', '4', 'ga', '', '0.02', '0', 'budget', '0.5', '0.5'),
    row('g2', '', '4', 'ga', '', '0.02', '1', 'budget', '0.6', '0.6'),
  ];
  const s = summarize({ header, rows });

  it('chooses on validation, never on test: the setting with the worse test nmse is chosen', () => {
    const tuned = s.rows.filter((r) => r.kind === 'tuned');
    expect(tuned).toHaveLength(1);
    expect(tuned[0].config.lr).toBe('0.001');
    expect(tuned[0].val_nmse_median).toBeCloseTo(0.02, 15);
    // It reports the chosen setting's test nmse (0.4), not the better test nmse of lr 0.01 (0.02).
    expect(tuned[0].test_nmse_median).toBeCloseTo(0.4, 15);
    expect(tuned[0].cells.map((c) => c.id)).toEqual(['a1', 'a2', 'a3']);
  });

  it('a tuned row follows its settings, with the settings tried and their total cost', () => {
    expect(s.rows.map((r) => `${r.kind}:${r.config.optimizer}:${r.config.lr}`)).toEqual(['config:bptt:0.001', 'config:bptt:0.01', 'tuned:bptt:0.001', 'config:ga:']);
    const tuned = s.rows[2];
    expect(tuned.settings).toBe(2);
    expect(tuned.cost_total).toBe(1000 * 5 + 3000);
    expect(s.rows[0].cost_total).toBe(3000);
  });

  it('the tables show the tuned row in place of its settings, and untuned rows as they are', () => {
    expect(shownRows(s).map((r) => `${r.kind}:${r.config.optimizer}`)).toEqual(['tuned:bptt', 'config:ga']);
  });

  it('summary.csv has the kind column first and the tuned row with its chosen lr', () => {
    const back = parseCsv(summaryCsv(s));
    const kind = back.header.indexOf('kind');
    const lr = back.header.indexOf('lr');
    expect(kind).toBe(0);
    expect(back.rows.map((r) => [r[kind], r[lr]])).toEqual([
      ['config', '0.001'],
      ['config', '0.01'],
      ['tuned', '0.001'],
      ['config', ''],
    ]);
    expect(back.rows[2][back.header.indexOf('settings')]).toBe('2');
  });

  it('groups of different K (or any other descriptor) are chosen separately', () => {
    const more = [...rows, ...rows.slice(0, 6).map((r) => [`k${r[0]}`, r[1], '8', ...r.slice(3, 10), r[0].startsWith('a') ? '0.9' : '0.1', ...r.slice(11)])];
    const t = summarize({ header, rows: more }).rows.filter((r) => r.kind === 'tuned');
    expect(t.map((r) => `${r.config.K}:${r.config.lr}`)).toEqual(['4:0.001', '8:0.01']);
  });

  it('a diverged seed counts as +inf on validation', () => {
    const div = rows.map((r) => (r[0] === 'a1' || r[0] === 'a2' ? row(r[0], 'lr', '4', 'bptt', '0.001', '', r[6], 'diverged', '', '') : r));
    const t = summarize({ header, rows: div }).rows.find((r) => r.kind === 'tuned')!;
    expect(t.config.lr).toBe('0.01');
  });
});
