// Per-K diagnostics: the rows a sweep writes to health.csv, their determinism and their edge cases.
import { describe, expect, it } from 'vitest';
import { Net, initParams } from '../../src/core/mlp.js';
import { derive } from '../../src/core/rng.js';
import { makeTask } from '../../src/core/tasks.js';
import { resolveConfig } from '../../src/experiment/config.js';
import { healthLabels } from '../../src/health/classify.js';
import { buildCellNet, cellHealthRows, diagnose, healthColumns, powersUpTo } from '../../src/health/diagnose.js';

const small = { samples: 32, snr: { batches: 4, batch: 4 }, lyapunov: { steps: 100, burnin: 10, samples: 4 } };

describe('cellHealthRows', () => {
  const cfg = resolveConfig({ task: 'rotation', K: '12', hidden: '8', seed: '5' });
  const { net } = buildCellNet(cfg);
  const theta = initParams(net, cfg.init, cfg.gain, derive(cfg.seed, 'init'));

  it('one row per K = 1, 2, 4, 8 and the cell K, with the health.csv columns in order', () => {
    const rows = cellHealthRows(cfg, theta, small);
    expect(rows.map((r) => r.K)).toEqual([1, 2, 4, 8, 12]);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual([...healthColumns]);
      expect(healthLabels).toContain(r.label);
      for (const k of healthColumns) if (k !== 'label') expect(typeof r[k]).toBe('number');
      expect(r.lyap_task).toBeCloseTo(Math.log(0.95), 8);
    }
  });

  it('is a pure function of the cell and theta', () => {
    expect(cellHealthRows(cfg, theta, small)).toEqual(cellHealthRows(cfg, theta, small));
  });

  it('Ks: [cfg.K] gives the single row for cells.csv', () => {
    const [row] = cellHealthRows(cfg, theta, { ...small, Ks: [cfg.K] });
    expect(row.K).toBe(12);
    expect(row).toEqual(cellHealthRows(cfg, theta, small)[4]);
  });

  it('refuses a theta of the wrong length', () => {
    expect(() => cellHealthRows(cfg, new Float64Array(3), small)).toThrow(/theta has 3 entries/);
  });

  it('powersUpTo', () => {
    expect(powersUpTo(1)).toEqual([1]);
    expect(powersUpTo(8)).toEqual([1, 2, 4, 8]);
    expect(powersUpTo(20)).toEqual([1, 2, 4, 8, 16, 20]);
  });
});

describe('diagnose', () => {
  it('a net whose rollout overflows gives nan rows, not an exception', () => {
    const net = new Net({ D: 2, features: 'identity', hidden: [8], activation: 'relu', residual: false });
    const theta = initParams(net, 'he', 1e4, derive(1, 'init'));
    const d = diagnose(makeTask('rotation'), net, theta, { ...small, Ks: [1, 200] });
    expect(d.rows[1].label).toBe('nonfinite');
    expect(Number.isFinite(d.rows[1].grad_norm)).toBe(false);
    expect(d.rows[0].label).not.toBe('nonfinite');
  });

  it('skips the exponents when lyapunov is false', () => {
    const cfg = resolveConfig({ task: 'logistic', hidden: '4' });
    const { task, net } = buildCellNet(cfg);
    const d = diagnose(task, net, initParams(net, 'xavier', 1, derive(1, 'init')), { ...small, Ks: [2], lyapunov: false });
    expect(d.rows[0].lyap_net).toBeNaN();
    expect(d.rows[0].lyap_task).toBeNaN();
    expect(d.lyapunov.net).toBeUndefined();
  });

  it('refuses K < 1 and a net of another dimension', () => {
    const net = new Net({ D: 2, features: 'identity', hidden: [4], activation: 'tanh', residual: false });
    const theta = new Float64Array(net.nParams);
    expect(() => diagnose(makeTask('rotation'), net, theta, { ...small, Ks: [0] })).toThrow(/positive integer/);
    expect(() => diagnose(makeTask('logistic'), net, theta, small)).toThrow(/D = 2/);
  });
});
