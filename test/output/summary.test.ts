// summary.csv: per configuration over seeds.
import { describe, expect, it } from 'vitest';
import { formatRecord, parseCsv } from '../../src/output/csv.js';
import { derive } from '../../src/core/rng.js';
import { bootstrapMedianCI } from '../../src/stats/index.js';
import { dominant, summarize, summaryCsv } from '../../src/output/summary.js';

const header = ['cell_id', 'K', 'optimizer', 'seed', 'status', 'error', 'test_nmse', 'cost_to_target', 'adjoint_ratio_start', 'health_start', 'adjoint_ratio_end', 'health_end', 'wall_ms'];

function table(rows: string[][]) {
  return { header, rows };
}

describe('dominant', () => {
  it('takes the most frequent label, ties to the more severe', () => {
    expect(dominant(['healthy', 'vanishing', 'healthy'])).toBe('healthy');
    expect(dominant(['healthy', 'vanishing'])).toBe('vanishing');
    expect(dominant(['nonfinite', 'exploding'])).toBe('nonfinite');
    expect(dominant([])).toBe('');
  });
});

describe('summarize', () => {
  const rows = [
    ['a1', '4', 'bptt', '0', 'reached', '', '0.001', '1000', '0.5', 'healthy', '0.4', 'healthy', '10'],
    ['a2', '4', 'bptt', '1', 'reached', '', '0.003', '3000', '0.7', 'healthy', '0.2', 'healthy', '11'],
    ['a3', '4', 'bptt', '2', 'budget', '', '0.02', '', '0.001', 'vanishing', '0.3', 'healthy', '12'],
    ['a4', '4', 'bptt', '3', 'diverged', '', '', '', '', 'nonfinite', '', 'nonfinite', '12'],
    ['b1', '4', 'ga', '0', 'error', 'boom', '', '', '', '', '', '', '1'],
    ['b2', '4', 'ga', '1', 'budget', '', '0.5', '', '0.5', 'healthy', '0.5', 'healthy', '9'],
  ];
  const s = summarize(table(rows));

  it('groups by every descriptor but the seed, in order of appearance', () => {
    expect(s.configColumns).toEqual(['K', 'optimizer']);
    expect(s.rows.map((r) => r.config)).toEqual([
      { K: '4', optimizer: 'bptt' },
      { K: '4', optimizer: 'ga' },
    ]);
  });

  it('median and quartiles of test nmse rank a blow-up (NaN) as the worst', () => {
    const r = s.rows[0];
    expect(r.seeds).toBe(4);
    // sorted: 0.001, 0.003, 0.02, inf
    expect(r.test_nmse_median).toBeCloseTo(0.0115, 12);
    expect(r.test_nmse_q25).toBeCloseTo(0.0025, 12);
    expect(r.test_nmse_q75).toBe(Infinity);
    expect(r.success_rate).toBe(0.5);
    expect(r.cost_to_target_median).toBe(2000);
    expect(r.diverged_share).toBe(0.25);
    expect(r.health_start).toBe('healthy');
    expect(r.adjoint_ratio_start_median).toBe(0.5);
  });

  it('error cells count as failures but not in the nmse statistics', () => {
    const r = s.rows[1];
    expect(r.seeds).toBe(2);
    expect(r.errors).toBe(1);
    expect(r.test_nmse_median).toBe(0.5);
    expect(r.success_rate).toBe(0);
    expect(r.cost_to_target_median).toBeNaN();
  });

  it('writes a CSV that reads back with the same values', () => {
    const text = summaryCsv(s);
    const back = parseCsv(text);
    expect(back.header.slice(0, 4)).toEqual(['kind', 'K', 'optimizer', 'seeds']);
    expect(back.rows.map((r) => r[0])).toEqual(['config', 'config']);
    expect(back.rows[0][back.header.indexOf('test_nmse_q75')]).toBe('inf');
    expect(back.rows[1][back.header.indexOf('cost_to_target_median')]).toBe('');
    expect(text.split('\r\n')[1]).toBe(formatRecord(back.rows[0]));
  });

  it('refuses a file that is not a cells.csv', () => {
    expect(() => summarize({ header: ['x', 'y'], rows: [] })).toThrow(/cells.csv/);
  });
});

describe('the bootstrap intervals of the medians', () => {
  const h = ['cell_id', 'K', 'optimizer', 'seed', 'status', 'error', 'val_nmse', 'test_nmse', 'cost_to_target', 'cost', 'wall_ms'];
  const rows = [0, 1, 2, 3, 4, 5, 6].map((i) => [`a${i}`, '4', 'bptt', String(i), i < 3 ? 'reached' : 'budget', '', String(0.01 * (i + 1)), String(0.002 * (i + 1) ** 2), i < 3 ? String(1000 * (i + 1)) : '', '5000', '1']);
  const other = [0, 1, 2].map((i) => [`b${i}`, '4', 'ga', String(i), 'budget', '', '0.5', String(0.3 + i / 10), '', '5000', '1']);
  const [r] = summarize({ header: h, rows }).rows;

  it('come from the stream of the column and the configuration: the same with other rows around', () => {
    const [again] = summarize({ header: h, rows: [...other, ...rows] }).rows.filter((x) => x.config.optimizer === 'bptt');
    expect([again.test_nmse_ci_lo, again.test_nmse_ci_hi, again.val_nmse_ci_lo, again.cost_to_target_ci_hi]).toEqual([r.test_nmse_ci_lo, r.test_nmse_ci_hi, r.val_nmse_ci_lo, r.cost_to_target_ci_hi]);
    const test = rows.map((x) => Number(x[7])).sort((a, b) => a - b);
    const key = JSON.stringify(['4', 'bptt']);
    expect([r.test_nmse_ci_lo, r.test_nmse_ci_hi]).toEqual(bootstrapMedianCI(test, derive('summary', `bootstrap/test_nmse/${key}`), { level: 0.95 }));
  });

  it('bracket the median within the range of the values; cost to target over the cells that reached it', () => {
    expect(r.test_nmse_ci_lo).toBeLessThanOrEqual(r.test_nmse_median);
    expect(r.test_nmse_ci_hi).toBeGreaterThanOrEqual(r.test_nmse_median);
    expect(r.test_nmse_ci_lo).toBeGreaterThanOrEqual(0.002);
    expect(r.test_nmse_ci_hi).toBeLessThanOrEqual(0.098);
    expect(r.val_nmse_median).toBeCloseTo(0.04, 15);
    expect(r.cost_to_target_median).toBe(2000);
    expect(r.cost_to_target_ci_lo).toBeGreaterThanOrEqual(1000);
    expect(r.cost_to_target_ci_hi).toBeLessThanOrEqual(3000);
    expect(r.cost_total).toBe(35000);
  });

  it('are empty without values: no validation set, no cell at the target', () => {
    const [g] = summarize({ header: h, rows: other.map((x) => [...x.slice(0, 6), '', ...x.slice(7)]) }).rows;
    expect(g.val_nmse_median).toBeNaN();
    expect(g.val_nmse_ci_lo).toBeNaN();
    expect(g.cost_to_target_ci_lo).toBeNaN();
  });
});
