// Pascanu's sufficient condition: the bound on ||J_t||, its tightness on a net built so that the
// bound is attained, vanishing labels when it holds, and the flip when the weights are scaled past it.
import { describe, expect, it } from 'vitest';
import { Net, initParams } from '../../src/core/mlp.js';
import { Rng } from '../../src/core/rng.js';
import { makeTask } from '../../src/core/tasks.js';
import { diagnose } from '../../src/health/diagnose.js';
import { jacobianProfile, summarizeProfile } from '../../src/health/jacobian.js';
import { featureJacobianNorm, pascanuBound } from '../../src/health/pascanu.js';

describe('layer norms', () => {
  it('an orthogonal init has norm 1 (times the gain)', () => {
    const net = new Net({ D: 2, features: 'identity', hidden: [16, 8], activation: 'tanh', residual: false });
    const theta = initParams(net, 'orthogonal', 1.7, new Rng('pascanu:orth'));
    const b = pascanuBound(net, theta);
    for (const n of b.layerNorms) expect(n).toBeCloseTo(1.7, 10);
    expect(b.bound).toBeCloseTo(1.7 ** 3, 9);
  });
});

describe('||J_phi||', () => {
  const net = (features: string, D = 2) => new Net({ D, features, hidden: [4], activation: 'tanh', residual: false });
  it('identity: 1; fourier: sqrt 2 at every state', () => {
    const states = new Rng('pascanu:phi').fillNormal(new Float64Array(20), 2);
    expect(featureJacobianNorm(net('identity'), states)).toBeCloseTo(1, 12);
    expect(featureJacobianNorm(net('fourier'), states)).toBeCloseTo(Math.SQRT2, 12);
  });
  it('poly2 grows with the state: 1 at the origin, sqrt(1 + 4 x^2 + ...) away from it', () => {
    expect(featureJacobianNorm(net('poly2', 1), new Float64Array(1))).toBeCloseTo(1, 12);
    // D = 1: phi = [x, x^2], J_phi = [1, 2x]^T, norm sqrt(1 + 4x^2).
    expect(featureJacobianNorm(net('poly2', 1), Float64Array.from([0.5, -3]))).toBeCloseTo(Math.sqrt(37), 12);
  });
});

/** A random net with every weight matrix scaled by one factor so that its Pascanu bound is `bound`. */
function scaledNet(task: string, features: string, activation: string, bound: number, residual = false) {
  const D = makeTask(task).D;
  const net = new Net({ D, features, hidden: [16, 16], activation, residual });
  const theta = initParams(net, 'xavier', 1, new Rng(`pascanu:${task}:${activation}`));
  const b0 = pascanuBound(net, theta).bound;
  const f = (bound / b0) ** (1 / net.L);
  for (let l = 0; l < net.L; l++) for (let i = net.wOff[l]; i < net.bOff[l]; i++) theta[i] *= f;
  return { net, theta };
}

/**
 * A net on which the bound is attained: one hidden layer, W_1 = g U (U with orthonormal rows),
 * W_2 = g U^T R(phi), zero biases (sigmoid: b_2 centres the output so the origin is fixed). At
 * the origin J = gamma g^2 R(phi) = bound x a rotation, so small states spiral in or out at
 * exactly the bound per step.
 */
function spiralNet(activation: string, bound: number, H = 8, phi = 0.5) {
  const net = new Net({ D: 2, features: 'identity', hidden: [H], activation, residual: false });
  const theta = initParams(net, 'orthogonal', 1, new Rng('pascanu:spiral'));
  const g = Math.sqrt(bound / net.act.gamma);
  const [c, s] = [Math.cos(phi), Math.sin(phi)];
  const [w1, w2] = net.wOff;
  for (let j = 0; j < H; j++) {
    const [u0, u1] = [theta[w1 + j], theta[w1 + H + j]];
    theta[w1 + j] = g * u0;
    theta[w1 + H + j] = g * u1;
    theta[w2 + 2 * j] = g * (u0 * c - u1 * s);
    theta[w2 + 2 * j + 1] = g * (u0 * s + u1 * c);
  }
  if (activation === 'sigmoid') {
    for (let k = 0; k < 2; k++) {
      let sum = 0;
      for (let j = 0; j < H; j++) sum += theta[w2 + 2 * j + k];
      theta[net.bOff[1] + k] = -0.5 * sum;
    }
  }
  return { net, theta };
}

/** Multiplies every weight matrix (not the biases) by f; sigmoid output biases follow W_2. */
function scaleWeights(net: Net, theta: Float64Array, f: number): Float64Array {
  const out = Float64Array.from(theta);
  for (let l = 0; l < net.L; l++) for (let i = net.wOff[l]; i < net.bOff[l]; i++) out[i] *= f;
  if (net.spec.activation === 'sigmoid') for (let k = net.bOff[net.L - 1]; k < net.nParams; k++) out[k] *= f;
  return out;
}

const fast = { samples: 64, snr: { batches: 4, batch: 8 }, lyapunov: { steps: 300, burnin: 50, samples: 8 } };

describe('the bound holds for every step of every rollout', () => {
  const cases: [string, string, string, boolean][] = [
    ['rotation', 'identity', 'tanh', false],
    ['rotation', 'identity', 'sigmoid', false],
    ['pendulum', 'fourier', 'gelu', false],
    ['lorenz', 'identity', 'relu', true],
    ['logistic', 'poly2', 'silu', false],
  ];
  it.each(cases)('%s %s %s residual=%s: sigma_max(J_t) <= bound', (task, features, act, residual) => {
    const { net, theta } = scaledNet(task, features, act, 3, residual);
    const d = diagnose(makeTask(task), net, theta, { ...fast, Ks: [1, 8, 32], lyapunov: false });
    for (const r of d.rows) {
      expect(r.jac_max).toBeLessThanOrEqual(d.pascanu.bound * (1 + 1e-9));
      expect(r.adjoint_step).toBeLessThanOrEqual(d.pascanu.bound * (1 + 1e-9));
    }
  });
});

describe("Pascanu's sufficient condition: tanh and sigmoid", () => {
  for (const act of ['tanh', 'sigmoid']) {
    it.each([
      ['rotation', 'identity'],
      ['pendulum', 'fourier'],
      ['lorenz', 'identity'],
    ])(`${act} on %s (%s features), bound 0.9: vanishing, and the decay respects the bound`, (task, features) => {
      const { net, theta } = scaledNet(task, features, act, 0.9);
      const d = diagnose(makeTask(task), net, theta, { ...fast, Ks: [1, 4, 16, 64] });
      expect(d.pascanu.bound).toBeCloseTo(0.9, 10);
      expect(d.pascanu.vanishes).toBe(true);
      for (const r of d.rows) {
        expect(r.adjoint_step).toBeLessThanOrEqual(0.9);
        expect(r.adjoint_ratio).toBeLessThanOrEqual(0.9 ** r.K);
        expect(r.jac_max).toBeLessThanOrEqual(0.9);
        if (r.K >= 16) expect(r.label).toBe('vanishing');
      }
      expect(d.lyapunov.net!.exponents[0]).toBeLessThanOrEqual(Math.log(0.9));
    });

    it(`${act}, a net that attains the bound: decay = bound per step; scaling the weights past 1/gamma flips the label`, () => {
      const { net, theta } = spiralNet(act, 0.8);
      const task = makeTask('rotation');
      const d = diagnose(task, net, theta, { ...fast, Ks: [16, 32, 64] });
      expect(d.pascanu.bound).toBeCloseTo(0.8, 10);
      // The exponent of the net is ln(bound): the bound is tight.
      for (const e of d.lyapunov.net!.exponents) expect(e).toBeCloseTo(Math.log(0.8), 3);
      for (const r of d.rows) {
        // 0.8^32 = 8e-4: past the 1e-2 threshold (0.8^16 = 0.028 is not, even at the bound).
        if (r.K >= 32) expect(r.label).toBe('vanishing');
        expect(r.adjoint_step).toBeLessThanOrEqual(0.8);
        expect(r.adjoint_step).toBeGreaterThan(0.7);
      }
      expect(d.rows[2].adjoint_step).toBeGreaterThan(0.78);
      // Scale both weight matrices by s: the bound becomes 0.8 s^2. Past s^2 = 1/0.8 the condition
      // fails; at s^2 = 1.5 / 0.8 the origin repels, orbits settle on an invariant closed curve, and
      // the adjoint neither vanishes nor explodes.
      const s = Math.sqrt(1.5 / 0.8);
      const flipped = diagnose(task, net, scaleWeights(net, theta, s), { ...fast, Ks: [16, 32, 64] });
      expect(flipped.pascanu.bound).toBeCloseTo(1.5, 10);
      expect(flipped.pascanu.vanishes).toBe(false);
      expect(Math.abs(flipped.lyapunov.net!.exponents[0])).toBeLessThan(0.01);
      for (const r of flipped.rows) {
        expect(r.label).toBe('healthy');
        expect(r.adjoint_step).toBeGreaterThan(0.9);
      }
    });
  }

  it('the flip happens at bound 1: just below vanishes at K = 64, just above does not', () => {
    const task = makeTask('rotation');
    const below = spiralNet('tanh', 0.9);
    const above = spiralNet('tanh', 1.1);
    const at = (n: ReturnType<typeof spiralNet>) => diagnose(task, n.net, n.theta, { ...fast, Ks: [64], lyapunov: false }).rows[0];
    expect(at(below).label).toBe('vanishing');
    expect(at(above).label).toBe('healthy');
  });

  it('the per-step Jacobian norm along the rollout approaches the bound as states shrink', () => {
    const { net, theta } = spiralNet('tanh', 0.7);
    const x0 = new Rng('pascanu:small').fillNormal(new Float64Array(16), 1e-3);
    const p = summarizeProfile(jacobianProfile(net, theta, x0, 8, 20));
    expect(p.sigma).toBeCloseTo(0.7, 5);
    expect(p.cumRate).toBeCloseTo(Math.log(0.7), 5);
  });
});
