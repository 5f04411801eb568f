// The rollout's exact gradient against central finite differences (gradCheck, h = 1e-6) on every
// activation x every task x K in {1, 4, 16} x {identity, fourier} features x residual off/on.
// Parametrised over the registries, so a new activation or task is checked automatically.
import { describe, expect, it } from 'vitest';
import { activationNames, getActivation } from '../../src/core/activations.js';
import { gradCheck } from '../../src/core/gradcheck.js';
import { Net, initParams } from '../../src/core/mlp.js';
import { Rng } from '../../src/core/rng.js';
import { Rollout } from '../../src/core/rollout.js';
import { makeTask, taskNames } from '../../src/core/tasks.js';

const B = 4;
const HIDDEN = [6, 5];

/** Initial states from the task's sampler and targets f^K(x0) from its true step. */
function taskData(task: string, K: number) {
  const inst = makeTask(task);
  const D = inst.D;
  const rng = new Rng(`gradcheck/data/${task}`);
  const x0 = new Float64Array(B * D);
  for (let s = 0; s < B; s++) inst.sample(rng, x0, s * D);
  const y = Float64Array.from(x0);
  for (let t = 0; t < K; t++) for (let s = 0; s < B; s++) inst.step(y, s * D, y, s * D);
  return { D, x0, y };
}

/** Xavier weights and N(0, 0.1^2) biases, so no ReLU pre-activation is exactly 0. */
function params(net: Net, seed: string): Float64Array {
  const rng = new Rng(seed);
  const theta = initParams(net, 'xavier', 1, rng.derive('init'));
  const br = rng.derive('bias');
  for (let l = 0; l < net.L; l++) for (let j = 0; j < net.sizes[l + 1]; j++) theta[net.bOff[l] + j] = 0.1 * br.normal();
  return theta;
}

/**
 * min |z| over every hidden pre-activation of the rollout, by a naive forward written from the
 * documented layout (W_l row-major [fan_in][fan_out], then b_l; identity or fourier features).
 */
function minAbsPreactivation(net: Net, theta: Float64Array, x0: Float64Array, K: number, act: (x: number) => number): number {
  const { D, features, residual } = net.spec;
  const sizes = net.sizes;
  let min = Infinity;
  for (let s = 0; s < B; s++) {
    let o = Array.from(x0.subarray(s * D, (s + 1) * D));
    for (let t = 0; t < K; t++) {
      let h = features === 'fourier' ? [...o, ...o.map(Math.sin), ...o.map(Math.cos)] : [...o];
      let off = 0;
      for (let l = 1; l < sizes.length; l++) {
        const [nin, nout] = [sizes[l - 1], sizes[l]];
        const z = Array.from({ length: nout }, (_, j) => h.reduce((acc, v, i) => acc + v * theta[off + i * nout + j], theta[off + nin * nout + j]));
        off += nin * nout + nout;
        if (l < sizes.length - 1) {
          for (const v of z) min = Math.min(min, Math.abs(v));
          h = z.map(act);
        } else h = z;
      }
      o = residual ? h.map((v, d) => v + o[d]) : h;
    }
  }
  return min;
}

/**
 * The parameters of a case. For activations with a kink, a finite difference that moves a
 * pre-activation across 0 measures the jump, not the derivative: take the first seed whose
 * pre-activations all stay 1e-4 away from 0 (100 times the perturbation h).
 */
function caseParams(net: Net, name: string, x0: Float64Array, K: number): Float64Array {
  const act = getActivation(net.spec.activation);
  for (let attempt = 0; attempt < 50; attempt++) {
    const theta = params(net, attempt === 0 ? name : `${name}#${attempt}`);
    if (!act.kink || minAbsPreactivation(net, theta, x0, K, act.f) > 1e-4) return theta;
  }
  throw new Error(`no seed keeps ${name} away from the kink`);
}

const cases = activationNames.flatMap((activation) =>
  taskNames.flatMap((task) =>
    [1, 4, 16].flatMap((K) =>
      ['identity', 'fourier'].flatMap((features) => [false, true].map((residual) => ({ activation, task, K, features, residual }))),
    ),
  ),
);

describe.each(activationNames)('gradient of %s agrees with central differences', (activation) => {
  it.each(cases.filter((c) => c.activation === activation))(
    '$task K=$K $features residual=$residual',
    ({ task, K, features, residual }) => {
      const { D, x0, y } = taskData(task, K);
      const net = new Net({ D, features, hidden: HIDDEN, activation, residual });
      const theta = caseParams(net, `gradcheck/${activation}/${task}/${features}/${residual}`, x0, K);
      const res = gradCheck(new Rollout(net), theta, x0, y, B, K, 1e-6);
      expect(Number.isFinite(res.loss)).toBe(true);
      // A zero gradient would pass trivially; make sure there is something to compare.
      expect(Math.hypot(...res.grad)).toBeGreaterThan(1e-8);
      expect(res.relError).toBeLessThan(1e-6);
    },
  );
});

describe('gradCheck itself', () => {
  it('reports a large error for a wrong gradient (it can fail)', () => {
    const { D, x0, y } = taskData('rotation', 4);
    const net = new Net({ D, features: 'identity', hidden: HIDDEN, activation: 'tanh', residual: false });
    const theta = params(net, 'gradcheck/self');
    const r = new Rollout(net);
    // A rollout whose reverse pass drops the first step's contribution: truncation by one step.
    const lying = Object.create(r) as Rollout;
    lying.lossAndGrad = (th, a, b, n, k, g) => r.lossAndGrad(th, a, b, n, k, g, k - 1);
    expect(gradCheck(lying, theta, x0, y, B, 4).relError).toBeGreaterThan(1e-3);
    expect(gradCheck(r, theta, x0, y, B, 4).relError).toBeLessThan(1e-6);
  });

  it('gradient and finite differences against closed forms, with the step h max(1, |theta_i|)', () => {
    // D = 1, no hidden layer, identity activation, K = 2: o_2 = (x w + b) w + b = x w^2 + b (w + 1).
    // With p = o_2 - y and one sample, L = p^2 is a quartic in w and a quadratic in b, so
    //   dL/dw = 2 p (2 x w + b),  dL/db = 2 p (w + 1),
    // and the central difference with step s is exact up to its s^2 term: for a quartic
    //   (L(w + s) - L(w - s)) / 2s = L'(w) + s^2 L'''(w) / 6,  with L''' = 6 p' p'' = 12 x (2 x w + b),
    // and for b (quadratic) it is L'(b) exactly.
    const net = new Net({ D: 1, features: 'identity', hidden: [], activation: 'identity', residual: false });
    const [w, b, x, y] = [5, 0.3, 0.7, -0.4];
    const h = 1e-3;
    const res = gradCheck(new Rollout(net), Float64Array.from([w, b]), Float64Array.of(x), Float64Array.of(y), 1, 2, h);
    const p = x * w * w + b * (w + 1) - y;
    expect(res.loss).toBeCloseTo(p * p, 12);
    expect(res.grad[0]).toBeCloseTo(2 * p * (2 * x * w + b), 10);
    expect(res.grad[1]).toBeCloseTo(2 * p * (w + 1), 10);
    const s = h * Math.max(1, Math.abs(w)); // 5h: the step scales with |w| = 5
    const fdW = 2 * p * (2 * x * w + b) + (s * s * 12 * x * (2 * x * w + b)) / 6;
    // The s^2 term is 2.6e-4 here; with step h instead of 5h it would be 1.0e-5.
    expect(Math.abs(res.fd[0] - fdW)).toBeLessThan(1e-7);
    expect(Math.abs(res.fd[1] - 2 * p * (w + 1))).toBeLessThan(1e-7);
    // relError is ||g - fd|| / max(||g||, ||fd||), and here it sees the s^2 term.
    const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));
    expect(res.relError).toBeCloseTo(Math.hypot(res.grad[0] - res.fd[0], res.grad[1] - res.fd[1]) / Math.max(norm(res.grad), norm(res.fd)), 15);
    expect(res.relError).toBeGreaterThan(5e-7);
  });
});
