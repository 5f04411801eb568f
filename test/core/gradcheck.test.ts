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

  it('the finite differences are (L(theta + h e_i) - L(theta - h e_i)) / 2h with h scaled by max(1, |theta_i|)', () => {
    const { D, x0, y } = taskData('logistic', 2);
    const net = new Net({ D, features: 'identity', hidden: [3], activation: 'sin', residual: false });
    const theta = params(net, 'gradcheck/fd');
    theta[0] = 5; // an entry > 1: its step is 5h
    const res = gradCheck(new Rollout(net), theta, x0, y, B, 2, 1e-4);
    const r = new Rollout(net);
    for (const i of [0, 1, net.nParams - 1]) {
      const step = 1e-4 * Math.max(1, Math.abs(theta[i]));
      const th = Float64Array.from(theta);
      th[i] += step;
      const up = r.loss(th, x0, y, B, 2);
      th[i] = theta[i] - step;
      const down = r.loss(th, x0, y, B, 2);
      expect(res.fd[i]).toBe((up - down) / (2 * step));
    }
  });
});
