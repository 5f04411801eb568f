// The core against an independent autodiff: PyTorch 1.13, float64 (test/fixtures/gradients.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Net } from '../../src/core/mlp.js';
import { Rollout } from '../../src/core/rollout.js';
import { maxRel } from './helpers.js';

interface Case {
  activation: string;
  K: number;
  residual: boolean;
  hidden: number[];
  D: number;
  batch: number;
  W: number[][][];
  b: number[][];
  x0: number[][];
  y: number[][];
  loss: number;
  oK: number[][];
  dW: number[][][];
  db: number[][];
  adjoint_norms: number[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/gradients.json', import.meta.url), 'utf8')) as { cases: Case[] };

/** The reference's per-layer W[in][out], b[out] laid out as kstep's flat vector. */
function flatten(net: Net, W: number[][][], b: number[][]): Float64Array {
  const theta = new Float64Array(net.nParams);
  W.forEach((Wl, l) => theta.set(Wl.flat(), net.wOff[l]));
  b.forEach((bl, l) => theta.set(bl, net.bOff[l]));
  return theta;
}

describe('rollout agrees with PyTorch autograd (float64)', () => {
  it('covers every activation', () => {
    expect(new Set(fixture.cases.map((c) => c.activation)).size).toBe(10);
  });

  for (const c of fixture.cases) {
    it(`${c.activation} K=${c.K}${c.residual ? ' residual' : ''}`, () => {
      const net = new Net({ D: c.D, features: 'identity', hidden: c.hidden, activation: c.activation, residual: c.residual });
      const theta = flatten(net, c.W, c.b);
      const x0 = Float64Array.from(c.x0.flat());
      const y = Float64Array.from(c.y.flat());
      const rollout = new Rollout(net);
      const grad = new Float64Array(net.nParams);
      const loss = rollout.lossAndGrad(theta, x0, y, c.batch, c.K, grad);
      expect(Math.abs(loss - c.loss) / c.loss).toBeLessThan(1e-10);
      expect(maxRel(rollout.state(c.K), c.oK.flat())).toBeLessThan(1e-10);
      expect(maxRel(grad, flatten(net, c.dW, c.db))).toBeLessThan(1e-10);
      expect(maxRel(rollout.adjointNorms.subarray(0, c.K + 1), c.adjoint_norms)).toBeLessThan(1e-10);
      // The forward-only path computes the same loss.
      expect(rollout.loss(theta, x0, y, c.batch, c.K)).toBe(loss);
    });
  }
});
