// Checkpointed BPTT (memory sqrt) against full storage: the same gradient, adjoint norms and input
// adjoint bit for bit, for every window, segment remainder and net shape; and the memory it keeps.
import { describe, expect, it } from 'vitest';
import { Net, initParams } from '../../src/core/mlp.js';
import { Rng } from '../../src/core/rng.js';
import { AUTO_FULL_BYTES, type MemoryMode, Rollout, segmentLength, storedDoubles } from '../../src/core/rollout.js';

function setup(spec: { D: number; features: string; hidden: number[]; activation: string; residual: boolean }, seed: string, gain = 0.9) {
  const net = new Net(spec);
  const rng = new Rng(seed);
  const theta = initParams(net, 'xavier', gain, rng.derive('init'));
  return { net, theta, rng };
}

/** Loss, gradient, adjoint norms and dL/do_{K-window} of one pass. */
function pass(r: Rollout, theta: Float64Array, x0: Float64Array, y: Float64Array, B: number, K: number, window: number) {
  const grad = new Float64Array(r.net.nParams).fill(7);
  const oK = Float64Array.from(r.forward(theta, x0, B, K, true));
  let loss = 0;
  const aK = new Float64Array(oK.length);
  for (let k = 0; k < oK.length; k++) {
    loss += (oK[k] - y[k]) ** 2;
    aK[k] = (2 * (oK[k] - y[k])) / oK.length;
  }
  const a0 = Float64Array.from(r.backward(theta, aK, grad, window));
  return { loss, oK, grad, norms: Float64Array.from(r.adjointNorms.subarray(0, K + 1)), a0 };
}

const nets = [
  { D: 2, features: 'identity', hidden: [8, 8], activation: 'tanh', residual: false },
  { D: 3, features: 'fourier', hidden: [5], activation: 'gelu', residual: true },
  { D: 2, features: 'poly2', hidden: [4, 3, 6], activation: 'elu', residual: false },
  { D: 2, features: 'identity', hidden: [], activation: 'identity', residual: true },
];

describe('memory sqrt against memory full', () => {
  it.each(nets.map((n, i) => [i, n] as const))('net %i: gradient, adjoint norms and input adjoint bit for bit', (i, spec) => {
    const { net, theta, rng } = setup(spec, `ckpt/${i}`);
    const full = new Rollout(net, 'full');
    const sqrt = new Rollout(net, 'sqrt');
    // K = 1 (one segment), perfect squares, remainders of every size, K just past a square.
    for (const K of [1, 2, 3, 4, 5, 8, 9, 10, 15, 16, 17, 50]) {
      const B = 1 + (K % 4);
      const x0 = rng.fillNormal(new Float64Array(B * spec.D), 0.5);
      const y = rng.fillNormal(new Float64Array(B * spec.D), 0.5);
      for (const window of new Set([K, 1, 2, Math.ceil(K / 2), K - 1, 3 * K])) {
        if (window < 1) continue;
        const a = pass(full, theta, x0, y, B, K, window);
        const b = pass(sqrt, theta, x0, y, B, K, window);
        expect(b.oK).toEqual(a.oK);
        expect(b.loss).toBe(a.loss);
        expect(b.grad).toEqual(a.grad);
        expect(b.norms).toEqual(a.norms);
        expect(b.a0).toEqual(a.a0);
      }
    }
    expect(sqrt.cost).toBe(full.cost);
  });

  it('a second backward of one checkpointed forward pass gives the same bits (segments recomputed again)', () => {
    const { net, theta, rng } = setup(nets[0], 'ckpt/again');
    const r = new Rollout(net, 'sqrt');
    const B = 3;
    const K = 23;
    const x0 = rng.fillNormal(new Float64Array(B * 2));
    const aK = rng.fillNormal(new Float64Array(B * 2));
    r.forward(theta, x0, B, K, true);
    const g1 = new Float64Array(net.nParams);
    const g2 = new Float64Array(net.nParams);
    const a1 = Float64Array.from(r.backward(theta, aK, g1));
    const a2 = Float64Array.from(r.backward(theta, aK, g2, 5));
    const a3 = Float64Array.from(r.backward(theta, aK, g2));
    expect(a3).toEqual(a1);
    expect(g2).toEqual(g1);
    const ref = new Rollout(net, 'full');
    ref.forward(theta, x0, B, K, true);
    expect(Float64Array.from(ref.backward(theta, aK, new Float64Array(net.nParams), 5))).toEqual(a2);
  });

  it('lossAndGrad and the forward-only loss agree across modes, with buffers reused over (B, K)', () => {
    const { net, theta, rng } = setup(nets[1], 'ckpt/reuse');
    const modes: MemoryMode[] = ['full', 'sqrt', 'auto'];
    const rs = modes.map((m) => new Rollout(net, m));
    for (const [B, K] of [[3, 30], [7, 12], [2, 40], [3, 5], [9, 1]]) {
      const x0 = rng.fillNormal(new Float64Array(B * 3), 0.5);
      const y = rng.fillNormal(new Float64Array(B * 3), 0.5);
      const out = rs.map((r) => {
        const g = new Float64Array(net.nParams);
        return { loss: r.lossAndGrad(theta, x0, y, B, K, g), g, n: Float64Array.from(r.adjointNorms.subarray(0, K + 1)), f: r.loss(theta, x0, y, B, K) };
      });
      for (const o of out.slice(1)) {
        expect(o.loss).toBe(out[0].loss);
        expect(o.f).toBe(out[0].loss);
        expect(o.g).toEqual(out[0].g);
        expect(o.n).toEqual(out[0].n);
      }
    }
  });

  it('state(t) needs every step stored', () => {
    const { net, theta } = setup(nets[0], 'ckpt/state');
    const r = new Rollout(net, 'sqrt');
    r.forward(theta, new Float64Array(4), 2, 9, true);
    expect(() => r.state(3)).toThrow('state(3) needs every step stored (memory full); this pass kept checkpoints only');
  });
});

describe('memory kept', () => {
  it('segments: K with full storage, ceil(sqrt(K)) checkpointed; auto switches above AUTO_FULL_BYTES', () => {
    expect(segmentLength('full', 16384, 1000)).toBe(16384);
    expect(segmentLength('sqrt', 16384, 1000)).toBe(128);
    expect(segmentLength('sqrt', 17, 1000)).toBe(5);
    const step = 1024;
    const kMax = AUTO_FULL_BYTES / (8 * step);
    expect(segmentLength('auto', kMax, step)).toBe(kMax);
    expect(segmentLength('auto', kMax + 1, step)).toBe(Math.ceil(Math.sqrt(kMax + 1)));
  });

  it('the buffers a stored pass allocates are what storedDoubles says, and sqrt keeps < 1/20 of full at K = 4096', () => {
    const spec = nets[0];
    const { net, theta, rng } = setup(spec, 'ckpt/mem');
    const B = 4;
    const K = 4096;
    const x0 = rng.fillNormal(new Float64Array(B * 2), 0.5);
    const y = rng.fillNormal(new Float64Array(B * 2), 0.5);
    const stepDoubles = B * (2 + 2 * 8 + 2 * 8);
    // Besides the stored pass: two gradient rows of the widest layer, two adjoints, K + 1 norms.
    const extra = 2 * B * 8 + 2 * B * 2 + (K + 1);
    const used: Record<string, number> = {};
    for (const mode of ['full', 'sqrt'] as const) {
      const r = new Rollout(net, mode);
      r.lossAndGrad(theta, x0, y, B, K, new Float64Array(net.nParams));
      used[mode] = r.bufferDoubles();
      expect(used[mode]).toBe(storedDoubles(mode, K, B * 2, stepDoubles) + extra);
    }
    expect(used.sqrt).toBeLessThan(used.full / 20);
  });
});
