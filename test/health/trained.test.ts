// A net trained by BPTT at K = 1 to fit the chaotic logistic map (r = 3.9) inherits its chaos: its
// own Lyapunov exponent is positive and close to the true map's, and the BPTT gradient norm grows
// with K at about that rate, so the label turns to exploding and the gradient becomes noise. The
// same net trained on the periodic r = 3.2 keeps bounded gradients.
import { beforeAll, describe, expect, it } from 'vitest';
import { type CellResult, runCell } from '../../src/experiment/cell.js';
import { resolveConfig } from '../../src/experiment/config.js';
import { type Diagnosis, buildCellNet, diagnose } from '../../src/health/diagnose.js';

const Ks = Array.from({ length: 48 }, (_, i) => i + 1);

function train(r: string): { res: CellResult; d: Diagnosis } {
  // Measured: 16,16 tanh with Adam at lr 3e-3 reaches a test nmse of about 3e-5 within 4e6 applications (~1.5 s).
  const cfg = resolveConfig({ task: 'logistic', 'task.r': r, K: '1', hidden: '16,16', activation: 'tanh', budget: '4e6', target: '0', lr: '3e-3', seed: '1' });
  const res = runCell(cfg);
  const { task, net } = buildCellNet(cfg);
  const d = diagnose(task, net, res.theta, { Ks, samples: 256, snr: { batches: 16, batch: 16 }, lyapunov: { steps: 2000, burnin: 100, samples: 64 }, seed: 2 });
  return { res, d };
}

/** Least-squares slope of ln(values) against K over lo <= K <= hi. */
function logSlope(d: Diagnosis, key: 'grad_norm', lo: number, hi: number): number {
  const pts = d.rows.filter((r) => r.K >= lo && r.K <= hi).map((r) => [r.K, Math.log(r[key])]);
  const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length;
  const my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of pts) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxy / sxx;
}

describe('a net trained on logistic r = 3.9', () => {
  let chaotic: { res: CellResult; d: Diagnosis };
  let periodic: { res: CellResult; d: Diagnosis };
  beforeAll(() => {
    chaotic = train('3.9');
    periodic = train('3.2');
  });

  it('fits the map well', () => {
    expect(chaotic.res.eval.test_nmse).toBeLessThan(1e-4);
    expect(chaotic.res.eval.onestep_nmse).toBeLessThan(1e-4);
  });

  it('has a positive Lyapunov exponent close to the true map (about 0.49)', () => {
    const lnet = chaotic.d.rows[0].lyap_net;
    const ltask = chaotic.d.rows[0].lyap_task;
    expect(ltask).toBeGreaterThan(0.45);
    expect(ltask).toBeLessThan(0.53);
    expect(lnet).toBeGreaterThan(0);
    expect(Math.abs(lnet - ltask)).toBeLessThan(0.05);
    // Along its own rollouts, ln sigma_max(J_{K-1}...J_0) / K measures the same exponent.
    expect(Math.abs(chaotic.d.rows[47].jac_cum_rate - lnet)).toBeLessThan(0.05);
  });

  it('its BPTT gradient norm grows with K at about that rate', () => {
    const lnet = chaotic.d.rows[0].lyap_net;
    // Once the rollout error has saturated (K >= 12 for an error of 1e-3 growing at 0.5 per step)
    // the loss stops growing and the gradient grows like the adjoint, exp(lambda K). (Before that
    // the error grows too, and the slope is about 2 lambda.) The norm of a sum over samples leans
    // to the samples that stretch most, so the slope sits a little above lambda: measured 1.05-1.2 lambda.
    const slope = logSlope(chaotic.d, 'grad_norm', 12, 40);
    expect(slope).toBeGreaterThan(0.8 * lnet);
    expect(slope).toBeLessThan(1.3 * lnet);
    expect(logSlope(chaotic.d, 'grad_norm', 1, 8)).toBeGreaterThan(slope);
    expect(chaotic.d.rows[47].grad_norm / chaotic.d.rows[15].grad_norm).toBeGreaterThan(Math.exp(0.8 * lnet * 32));
  });

  it('its health turns from healthy at K = 1 to exploding, at the K the thresholds predict', () => {
    const rows = chaotic.d.rows;
    expect(rows[0].label).toBe('healthy');
    for (const r of rows.filter((x) => x.K >= 16)) expect(r.label).toBe('exploding');
    // ln(100) / lambda: about K = 9.
    const first = rows.find((r) => r.label === 'exploding')!.K;
    expect(first).toBeGreaterThanOrEqual(5);
    expect(first).toBeLessThanOrEqual(12);
  });

  it('its minibatch gradients blow up with K and their mean drowns in noise; r = 3.2 stays bounded', () => {
    const c = chaotic.d.rows;
    const p = periodic.d.rows;
    expect(periodic.d.rows[0].lyap_net).toBeLessThan(0);
    expect(periodic.d.rows[0].lyap_task).toBeLessThan(0);
    // Whole-batch gradient norm: exponential in K for the chaotic net, bounded for the periodic one.
    const cMax = Math.max(...c.map((r) => r.grad_norm));
    const pMax = Math.max(...p.map((r) => r.grad_norm));
    expect(cMax).toBeGreaterThan(1e8);
    expect(pMax).toBeLessThan(10);
    // SNR at large K: noise level for the chaotic net (about 1/sqrt(M) to 1/2 with heavy tails).
    const tail = (rows: typeof c) => rows.filter((r) => r.K >= 24).map((r) => r.snr);
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    expect(median(tail(c))).toBeLessThan(0.5);
    // ... and lower than the periodic net's (measured medians 0.24 against 0.52, seeds fixed).
    expect(median(tail(c))).toBeLessThan(median(tail(p)));
  });
});
