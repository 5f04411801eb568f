// The rollout on the WebAssembly kernels against the rollout on the JavaScript kernels: o_K, loss,
// gradient, adjoint norms and the input adjoint, bit for bit, for every activation (tanh runs in
// WebAssembly, the others in JavaScript on the same buffers), every feature map, residual nets,
// truncated windows, both memory modes, batches of every remainder, and a rollout reused across
// layouts (its memory grows: views are re-made). Then the forward-only pass, the one evolutionary
// methods use, and a parameter vector with a NaN.
import { describe, expect, it } from 'vitest';
import { activationNames } from '../../src/core/activations.js';
import { makeKernels } from '../../src/core/kernel-set.js';
import { Net, initParams } from '../../src/core/mlp.js';
import { derive } from '../../src/core/rng.js';
import { type MemoryMode, Rollout } from '../../src/core/rollout.js';

function same(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

function pass(r: Rollout, theta: Float64Array, x0: Float64Array, y: Float64Array, B: number, K: number, window: number) {
  const grad = new Float64Array(r.net.nParams).fill(7);
  const loss = r.lossAndGrad(theta, x0, y, B, K, grad, window);
  const oK = Float64Array.from(r.forward(theta, x0, B, K, true));
  const aK = Float64Array.from(oK, (o, k) => (2 * (o - y[k])) / oK.length);
  const a0 = Float64Array.from(r.backward(theta, aK, new Float64Array(r.net.nParams), window));
  return { loss, oK, grad, norms: Float64Array.from(r.adjointNorms.subarray(0, K + 1)), a0, fwd: r.loss(theta, x0, y, B, K) };
}

const specs = [
  ...activationNames.map((activation) => ({ D: 2, features: 'identity', hidden: [9, 7], activation, residual: false })),
  { D: 3, features: 'fourier', hidden: [6], activation: 'tanh', residual: true },
  { D: 2, features: 'poly2', hidden: [5, 4, 3], activation: 'tanh', residual: false },
  { D: 2, features: 'identity', hidden: [], activation: 'identity', residual: true },
];

describe('rollout: wasm kernels against js kernels', () => {
  it.each(specs.map((s) => [`${s.activation} ${s.features} [${s.hidden.join(',')}]${s.residual ? ' residual' : ''}`, s] as const))('%s', (_name, spec) => {
    const net = new Net(spec);
    const rng = derive(3, `test/rollout-kernels/${_name}`);
    const theta = initParams(net, 'xavier', 1.3, rng.derive('init'));
    for (let l = 1; l <= net.L; l++) for (let j = 0; j < net.sizes[l]; j++) theta[net.bOff[l - 1] + j] = 0.3 * rng.normal();
    for (const memory of ['full', 'sqrt'] as MemoryMode[]) {
      const js = new Rollout(net, memory, makeKernels(net.nParams, 'js'));
      const wasm = new Rollout(net, memory, makeKernels(net.nParams, 'wasm'));
      // growing and shrinking layouts on the same rollouts
      for (const [B, K] of [[1, 1], [3, 5], [67, 9], [2, 17], [8, 40], [5, 3]] as const) {
        const x0 = rng.fillNormal(new Float64Array(B * spec.D), 0.7);
        const y = rng.fillNormal(new Float64Array(B * spec.D), 0.7);
        for (const window of new Set([K, 1, Math.ceil(K / 2)])) {
          const a = pass(js, theta, x0, y, B, K, window);
          const b = pass(wasm, theta, x0, y, B, K, window);
          const where = `${memory} B=${B} K=${K} window=${window}`;
          expect(same(b.oK, a.oK), `o_K ${where}`).toBe(true);
          expect(Object.is(b.loss, a.loss), `loss ${where}`).toBe(true);
          expect(Object.is(b.fwd, a.fwd), `forward-only loss ${where}`).toBe(true);
          expect(same(b.grad, a.grad), `gradient ${where}`).toBe(true);
          expect(same(b.norms, a.norms), `adjoint norms ${where}`).toBe(true);
          expect(same(b.a0, a.a0), `input adjoint ${where}`).toBe(true);
        }
      }
      expect(wasm.cost).toBe(js.cost);
    }
  });

  it('a NaN among the parameters reaches the same outputs on both', () => {
    const net = new Net({ D: 2, features: 'identity', hidden: [6, 6], activation: 'tanh', residual: false });
    const rng = derive(4, 'test/rollout-kernels/nan');
    const theta = initParams(net, 'xavier', 1, rng);
    theta[net.wOff[1] + 3] = NaN;
    const x0 = rng.fillNormal(new Float64Array(10), 0.5);
    const y = rng.fillNormal(new Float64Array(10), 0.5);
    const a = pass(new Rollout(net, 'full', makeKernels(net.nParams, 'js')), theta, x0, y, 5, 4, 4);
    const b = pass(new Rollout(net, 'full', makeKernels(net.nParams, 'wasm')), theta, x0, y, 5, 4, 4);
    expect(Number.isNaN(a.loss)).toBe(true);
    expect(same(b.grad, a.grad)).toBe(true);
    expect(same(b.norms, a.norms)).toBe(true);
  });
});
