// One-step Jacobians from the rollout's reverse pass against central differences of the forward
// pass; the small-matrix spectra against closed forms; the cumulative product against direct products.
import { describe, expect, it } from 'vitest';
import { Net, initParams } from '../../src/core/mlp.js';
import { Rng } from '../../src/core/rng.js';
import { Rollout } from '../../src/core/rollout.js';
import { spectralNorm } from '../../src/core/linalg.js';
import { NetJacobian, jacobianProfile, matMul, spectralRadius, summarizeProfile } from '../../src/health/jacobian.js';

function randomNet(D: number, activation: string, features: string, residual: boolean, seed: string) {
  const net = new Net({ D, features, hidden: [7, 5], activation, residual });
  const rng = new Rng(`jacobian:${seed}`);
  const theta = initParams(net, 'xavier', 1.3, rng);
  for (let l = 0; l < net.L; l++) for (let j = 0; j < net.sizes[l + 1]; j++) theta[net.bOff[l] + j] = 0.2 * rng.normal();
  return { net, theta, rng };
}

/** Central differences of N at each state: J[s][i][j] ~ (N(x + h e_j) - N(x - h e_j))_i / 2h. */
function finiteDifference(net: Net, theta: Float64Array, x: Float64Array, B: number, h = 1e-6): Float64Array {
  const D = net.spec.D;
  const r = new Rollout(net);
  const J = new Float64Array(B * D * D);
  for (let j = 0; j < D; j++) {
    const xp = Float64Array.from(x);
    const xm = Float64Array.from(x);
    for (let s = 0; s < B; s++) {
      xp[s * D + j] += h;
      xm[s * D + j] -= h;
    }
    const fp = Float64Array.from(r.forward(theta, xp, B, 1, false));
    const fm = Float64Array.from(r.forward(theta, xm, B, 1, false));
    for (let s = 0; s < B; s++) for (let i = 0; i < D; i++) J[s * D * D + i * D + j] = (fp[s * D + i] - fm[s * D + i]) / (2 * h);
  }
  return J;
}

describe('NetJacobian: exact one-step Jacobians', () => {
  const cases: [number, string, string, boolean][] = [
    [1, 'tanh', 'identity', false],
    [2, 'tanh', 'identity', true],
    [2, 'sigmoid', 'fourier', false],
    [3, 'gelu', 'poly2', false],
    [3, 'silu', 'fourier', true],
    [2, 'elu', 'poly2', true],
  ];
  it.each(cases)('D=%i %s features=%s residual=%s agrees with central differences', (D, act, features, residual) => {
    const { net, theta, rng } = randomNet(D, act, features, residual, `${D}${act}${features}${residual}`);
    const B = 5;
    const x = rng.fillNormal(new Float64Array(B * D), 0.8);
    const J = new Float64Array(B * D * D);
    const next = new Float64Array(B * D);
    new NetJacobian(net, theta).at(x, B, J, next);
    const fd = finiteDifference(net, theta, x, B);
    let err = 0;
    let scale = 0;
    for (let k = 0; k < J.length; k++) {
      err = Math.max(err, Math.abs(J[k] - fd[k]));
      scale = Math.max(scale, Math.abs(fd[k]));
    }
    expect(err / scale).toBeLessThan(1e-7);
    // next = N(x), the same as a forward pass.
    const o1 = new Rollout(net).forward(theta, x, B, 1, false);
    for (let k = 0; k < B * D; k++) expect(next[k]).toBe(o1[k]);
  });

  it('next may alias the states (in-place advance)', () => {
    const { net, theta, rng } = randomNet(2, 'tanh', 'identity', false, 'alias');
    const x = rng.fillNormal(new Float64Array(6));
    const expected = Float64Array.from(new Rollout(net).forward(theta, x, 3, 1, false));
    new NetJacobian(net, theta).at(x, 3, new Float64Array(12), x);
    expect(Array.from(x)).toEqual(Array.from(expected));
  });
});

describe('spectral radius of small matrices', () => {
  const m = (...v: number[]) => Float64Array.from(v);

  it('D = 1: |a|', () => {
    expect(spectralRadius(m(-3), 0, 1)).toBe(3);
  });

  it('D = 2: diagonal, scaled rotation, Jordan block, zero', () => {
    expect(spectralRadius(m(3, 0, 0, -2), 0, 2)).toBeCloseTo(3, 14);
    const [c, s] = [0.7 * Math.cos(1), 0.7 * Math.sin(1)];
    expect(spectralRadius(m(c, -s, s, c), 0, 2)).toBeCloseTo(0.7, 14);
    // [[1, 5], [0, 1]]: eigenvalues 1, 1 (its norm, (5 + sqrt 29) / 2, is far larger).
    expect(spectralRadius(m(1, 5, 0, 1), 0, 2)).toBeCloseTo(1, 14);
    expect(spectralRadius(m(0, 0, 0, 0), 0, 2)).toBe(0);
  });

  it('D = 3: S Lambda S^-1 with a complex pair of modulus 0.9 and a real -0.5 has radius 0.9', () => {
    const [c, s] = [0.9 * Math.cos(2), 0.9 * Math.sin(2)];
    const L = m(c, -s, 0, s, c, 0, 0, 0, -0.5);
    const [a, b, e] = [2, -1.5, 3];
    const S = m(1, a, b, 0, 1, e, 0, 0, 1);
    const Si = m(1, -a, a * e - b, 0, 1, -e, 0, 0, 1);
    const T = new Float64Array(9);
    const A = new Float64Array(9);
    matMul(S, 0, L, 0, T, 0, 3);
    matMul(T, 0, Si, 0, A, 0, 3);
    expect(spectralRadius(A, 0, 3)).toBeCloseTo(0.9, 10);
    // Non-normal: the norm exceeds the radius.
    expect(spectralNorm(A, 0, 3, 3)).toBeGreaterThan(1);
  });

  it('D = 3, 4: the radius is at most the norm, and the radius of A^2 is the square of A\'s', () => {
    const rng = new Rng('jacobian:spectra');
    for (const D of [3, 4]) {
      for (let rep = 0; rep < 5; rep++) {
        const A = rng.fillNormal(new Float64Array(D * D));
        const A2 = new Float64Array(D * D);
        matMul(A, 0, A, 0, A2, 0, D);
        const r = spectralRadius(A, 0, D);
        expect(r).toBeLessThanOrEqual(spectralNorm(A, 0, D, D) * (1 + 1e-12));
        expect(spectralRadius(A2, 0, D)).toBeCloseTo(r * r, 8);
      }
    }
  });
});

describe('jacobianProfile along a rollout', () => {
  it('a linear rotation net: sigma = radius = rho each step, ln sigma_max of the product = (t + 1) ln rho', () => {
    const net = new Net({ D: 2, features: 'identity', hidden: [], activation: 'identity', residual: false });
    const rho = 0.8;
    const [c, s] = [rho * Math.cos(0.4), rho * Math.sin(0.4)];
    const theta = Float64Array.from([c, s, -s, c, 0.1, -0.2]);
    const x0 = new Rng('jacobian:lin').fillNormal(new Float64Array(8));
    const p = jacobianProfile(net, theta, x0, 4, 6);
    for (let k = 0; k < 6 * 4; k++) {
      expect(p.sigma[k]).toBeCloseTo(rho, 14);
      expect(p.radius[k]).toBeCloseTo(rho, 14);
    }
    for (let t = 0; t < 6; t++) for (let b = 0; b < 4; b++) expect(p.logCum[t * 4 + b]).toBeCloseTo((t + 1) * Math.log(rho), 12);
    const sum = summarizeProfile(p);
    expect(sum.cumRate).toBeCloseTo(Math.log(rho), 12);
    expect(sum.sigma).toBeCloseTo(rho, 12);
  });

  it('the cumulative sigma_max equals that of the explicitly multiplied product', () => {
    const { net, theta, rng } = randomNet(3, 'tanh', 'identity', true, 'cum');
    const B = 3;
    const K = 7;
    const p = jacobianProfile(net, theta, rng.fillNormal(new Float64Array(B * 3)), B, K);
    for (let s = 0; s < B; s++) {
      let P = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
      for (let t = 0; t < K; t++) {
        const next = new Float64Array(9);
        matMul(p.J, (t * B + s) * 9, P, 0, next, 0, 3);
        P = next;
        expect(p.logCum[t * B + s]).toBeCloseTo(Math.log(spectralNorm(P, 0, 3, 3)), 9);
      }
    }
    // The states are the net's own rollout.
    const oK = new Rollout(net).forward(theta, p.states.subarray(0, B * 3), B, K, false);
    expect(Array.from(p.states.subarray(K * B * 3))).toEqual(Array.from(oK));
  });

  it('summaries of prefixes: K = 1 is the first step alone', () => {
    const { net, theta, rng } = randomNet(2, 'sigmoid', 'fourier', false, 'prefix');
    const p = jacobianProfile(net, theta, rng.fillNormal(new Float64Array(10)), 5, 4);
    const s1 = summarizeProfile(p, 1);
    let l = 0;
    for (let b = 0; b < 5; b++) l += Math.log(p.sigma[b]);
    expect(s1.sigma).toBeCloseTo(Math.exp(l / 5), 14);
    expect(s1.perStepSigma).toHaveLength(1);
    expect(summarizeProfile(p, 4).perStepLogCum).toHaveLength(4);
    expect(() => summarizeProfile(p, 5)).toThrow();
  });
});
