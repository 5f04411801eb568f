// Health labels from adjoint profiles: synthetic profiles with known rates, thresholds, NaN, and
// real profiles from a rollout built to vanish or explode.
import { describe, expect, it } from 'vitest';
import { Net } from '../../src/core/mlp.js';
import { Rng } from '../../src/core/rng.js';
import { Rollout } from '../../src/core/rollout.js';
import {
  EXPLODING_RATIO,
  LYAPUNOV_TOLERANCE,
  VANISHING_RATIO,
  classifyHealth,
  healthLabels,
  labelRate,
  lyapunovRegime,
  rateThreshold,
  summarizeAdjoints,
} from '../../src/health/classify.js';

/** norms[t] = c q^(K - t), t = 0..K: the adjoint grows by q per step backwards. */
const geometric = (K: number, q: number, c = 0.37) => Array.from({ length: K + 1 }, (_, t) => c * q ** (K - t));

describe('summarizeAdjoints', () => {
  it('labels are healthy, vanishing, exploding, nonfinite', () => {
    expect([...healthLabels]).toEqual(['healthy', 'vanishing', 'exploding', 'nonfinite']);
    expect(VANISHING_RATIO).toBe(1e-2);
    expect(EXPLODING_RATIO).toBe(1e2);
  });

  it('geometric decay is vanishing, with ratio q^K and rate ln q', () => {
    const s = summarizeAdjoints(geometric(16, 0.5));
    expect(s.label).toBe('vanishing');
    expect(s.ratio).toBeCloseTo(0.5 ** 16, 18);
    expect(s.rate).toBeCloseTo(Math.log(0.5), 12);
  });

  it('geometric growth is exploding, with ratio q^K and rate ln q', () => {
    const s = summarizeAdjoints(geometric(16, 1.5));
    expect(s.label).toBe('exploding');
    expect(s.ratio / 1.5 ** 16).toBeCloseTo(1, 12);
    expect(s.rate).toBeCloseTo(Math.log(1.5), 12);
  });

  it('a flat profile is healthy with ratio 1 and rate 0', () => {
    const s = summarizeAdjoints(new Array(9).fill(2.5));
    expect(s).toEqual({ ratio: 1, rate: 0, label: 'healthy' });
  });

  it('mild decay or growth within two decades is healthy', () => {
    expect(summarizeAdjoints(geometric(8, 0.7)).label).toBe('healthy'); // 0.7^8 = 0.058
    expect(summarizeAdjoints(geometric(8, 1.6)).label).toBe('healthy'); // 1.6^8 = 43
  });

  it('only the end points count: a dip in the middle is not vanishing', () => {
    expect(summarizeAdjoints([1, 1e-6, 1e-9, 1e-6, 1]).label).toBe('healthy');
  });

  it('thresholds: ratio exactly 1e-2 or 1e2 is healthy; beyond them is not', () => {
    expect(summarizeAdjoints([0.01, 1]).label).toBe('healthy');
    expect(summarizeAdjoints([0.0099, 1]).label).toBe('vanishing');
    expect(summarizeAdjoints([100, 1]).label).toBe('healthy');
    expect(summarizeAdjoints([101, 1]).label).toBe('exploding');
  });

  it('the rate is per step: same ratio over more steps is a slower rate', () => {
    const a = summarizeAdjoints(geometric(4, 0.1));
    const b = summarizeAdjoints(geometric(8, Math.sqrt(0.1)));
    expect(a.ratio).toBeCloseTo(b.ratio, 15);
    expect(b.rate).toBeCloseTo(a.rate / 2, 12);
  });

  it.each([
    ['NaN in the middle', [1, NaN, 1]],
    ['NaN at t = 0', [NaN, 1, 1]],
    ['Infinity at t = K', [1, 1, Infinity]],
    ['-Infinity', [1, -Infinity, 1]],
  ])('%s is nonfinite with NaN ratio and rate', (_name, norms) => {
    const s = summarizeAdjoints(norms);
    expect(s.label).toBe('nonfinite');
    expect(s.ratio).toBeNaN();
    expect(s.rate).toBeNaN();
  });

  it('a zero terminal adjoint (perfect fit) carries no signal: healthy, NaN ratio', () => {
    const s = summarizeAdjoints([0, 0, 0]);
    expect(s.label).toBe('healthy');
    expect(s.ratio).toBeNaN();
  });

  it('accepts a Float64Array', () => {
    expect(summarizeAdjoints(Float64Array.from(geometric(10, 0.3))).label).toBe('vanishing');
  });
});

describe('rates, thresholds and the Lyapunov fallback', () => {
  it('the per-step threshold is ln(100) / K: 0.288 at K = 16, 0.072 at K = 64', () => {
    expect(rateThreshold(16)).toBeCloseTo(Math.log(100) / 16, 15);
    expect(rateThreshold(16)).toBeCloseTo(0.2878, 4);
    expect(rateThreshold(64)).toBeCloseTo(0.0720, 4);
  });

  it('labelRate compares rate K with +- ln(100)', () => {
    expect(labelRate(-0.3, 16)).toBe('vanishing'); // -4.8 < -4.605
    expect(labelRate(-0.28, 16)).toBe('healthy'); // -4.48
    expect(labelRate(0.3, 16)).toBe('exploding');
    expect(labelRate(0.28, 16)).toBe('healthy');
    expect(labelRate(0.1, 64)).toBe('exploding'); // the same rate explodes over more steps
    expect(labelRate(0.1, 8)).toBe('healthy');
    expect(labelRate(NaN, 8)).toBe('nonfinite');
  });

  it('lyapunovRegime: contracting below -0.001, expanding above 0.001, neutral between (LYAPUNOV_TOLERANCE)', () => {
    expect(LYAPUNOV_TOLERANCE).toBe(1e-3);
    // Just either side of -0.001 and +0.001: a tolerance moved to 0.0005 or 0.002 changes a label.
    expect(lyapunovRegime(-0.0011)).toBe('contracting');
    expect(lyapunovRegime(-0.0009)).toBe('neutral');
    expect(lyapunovRegime(-0.001)).toBe('neutral');
    expect(lyapunovRegime(0)).toBe('neutral');
    expect(lyapunovRegime(0.001)).toBe('neutral');
    expect(lyapunovRegime(0.0009)).toBe('neutral');
    expect(lyapunovRegime(0.0011)).toBe('expanding');
    // Lorenz at dt = 0.01 (0.009 per step) is expanding, as documented.
    expect(lyapunovRegime(0.009)).toBe('expanding');
    expect(lyapunovRegime(NaN)).toBe('nonfinite');
  });

  it('classifyHealth: non-finite wins, then the measured rate, then lambda_1, else healthy', () => {
    expect(classifyHealth({ K: 16, rate: 0, finite: false })).toBe('nonfinite');
    expect(classifyHealth({ K: 16, rate: -0.5, lyapunov: 0.5 })).toBe('vanishing');
    expect(classifyHealth({ K: 16, rate: NaN, lyapunov: 0.5 })).toBe('exploding');
    expect(classifyHealth({ K: 16, lyapunov: -0.5 })).toBe('vanishing');
    expect(classifyHealth({ K: 4, lyapunov: -0.5 })).toBe('healthy');
    expect(classifyHealth({ K: 16, lyapunov: Infinity })).toBe('nonfinite');
    expect(classifyHealth({ K: 16 })).toBe('healthy');
  });

  it('a zero terminal adjoint falls back on lambda_1 when it is given', () => {
    expect(summarizeAdjoints([0, 0, 0, 0, 0], 2).label).toBe('exploding'); // 2 * 4 = 8 > 4.6
    expect(summarizeAdjoints([0, 0, 0, 0, 0], -2).label).toBe('vanishing');
    expect(summarizeAdjoints([0, 0, 0, 0, 0], 0.1).label).toBe('healthy');
    // A measured ratio is not overridden by lambda_1.
    expect(summarizeAdjoints(geometric(16, 0.5), 3).label).toBe('vanishing');
  });
});

describe('labels of real rollouts', () => {
  // A linear net o_{t+1} = o_t W: a_t = a_{t+1} W^T, so with W = q R(phi) the profile is exactly q^(K-t).
  function profile(q: number, K: number): Float64Array {
    const net = new Net({ D: 2, features: 'identity', hidden: [], activation: 'identity', residual: false });
    const [c, s] = [q * Math.cos(1.1), q * Math.sin(1.1)];
    const theta = new Float64Array([c, -s, s, c, 0, 0]);
    const rng = new Rng('classify/real');
    const x0 = rng.fillNormal(new Float64Array(6));
    const y = rng.fillNormal(new Float64Array(6));
    const r = new Rollout(net);
    r.lossAndGrad(theta, x0, y, 3, K, new Float64Array(6));
    return r.adjointNorms.subarray(0, K + 1);
  }

  it('spectral radius 1.5 over 16 steps is exploding at rate ln 1.5', () => {
    const s = summarizeAdjoints(profile(1.5, 16));
    expect(s.label).toBe('exploding');
    expect(s.rate).toBeCloseTo(Math.log(1.5), 10);
  });

  it('spectral radius 0.6 over 16 steps is vanishing at rate ln 0.6', () => {
    const s = summarizeAdjoints(profile(0.6, 16));
    expect(s.label).toBe('vanishing');
    expect(s.rate).toBeCloseTo(Math.log(0.6), 10);
  });

  it('an orthogonal map is healthy at rate 0', () => {
    const s = summarizeAdjoints(profile(1, 64));
    expect(s.label).toBe('healthy');
    expect(s.rate).toBeCloseTo(0, 10);
  });
});
