// Where the labels change: the per-step threshold ln(100)/K against exact exponential profiles, and
// the Lyapunov fallback on a net that fits its task perfectly (so a_K = 0 and there is no ratio).
import { describe, expect, it } from 'vitest';
import { Net } from '../../src/core/mlp.js';
import { makeTask } from '../../src/core/tasks.js';
import { LOG_RATIO_LIMIT, labelRate, rateThreshold } from '../../src/health/classify.js';
import { diagnose } from '../../src/health/diagnose.js';

const small = { samples: 16, snr: { batches: 2, batch: 4 }, lyapunov: { steps: 100, burnin: 0, samples: 4 } };

describe('the level where a label changes', () => {
  it.each([0.5, 0.9, 0.99, 1.01, 1.3])('a per-step factor q = %f changes label exactly after K* = ln(100)/|ln q| steps', (q) => {
    const rate = Math.log(q);
    const Kstar = LOG_RATIO_LIMIT / Math.abs(rate);
    const bad = q < 1 ? 'vanishing' : 'exploding';
    expect(labelRate(rate, Math.floor(Kstar))).toBe('healthy');
    expect(labelRate(rate, Math.floor(Kstar) + 1)).toBe(bad);
    expect(Math.abs(rate)).toBeGreaterThan(rateThreshold(Math.floor(Kstar) + 1));
  });
});

describe('a perfect fit: no adjoint ratio, the label comes from the net\'s exponent', () => {
  // The linear net o -> o W with W = M^T is exactly the rotation task f(o) = M o, M = rho R(theta).
  const task = makeTask('rotation', { rho: 0.95, theta: 0.5 });
  const [a, b] = [0.95 * Math.cos(0.5), 0.95 * Math.sin(0.5)];
  const net = new Net({ D: 2, features: 'identity', hidden: [], activation: 'identity', residual: false });
  const theta = Float64Array.from([a, b, -b, a, 0, 0]);

  it('loss 0, ratio NaN; lambda = ln 0.95 labels K = 64 healthy and K = 128 vanishing', () => {
    const d = diagnose(task, net, theta, { ...small, Ks: [64, 128] });
    for (const r of d.rows) {
      expect(r.loss).toBe(0);
      expect(r.adjoint_ratio).toBeNaN();
      expect(r.lyap_net).toBeCloseTo(Math.log(0.95), 10);
    }
    // 64 ln 0.95 = -3.3 > -4.6; 128 ln 0.95 = -6.6 < -4.6.
    expect(d.rows.map((r) => r.label)).toEqual(['healthy', 'vanishing']);
  });

  it('without exponents a perfect fit is healthy (nothing says otherwise)', () => {
    const d = diagnose(task, net, theta, { ...small, Ks: [128], lyapunov: false });
    expect(d.rows[0].label).toBe('healthy');
  });
});
