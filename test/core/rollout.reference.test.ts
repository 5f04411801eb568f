// The core against an independent autodiff: PyTorch 1.13, float64 (test/fixtures/gradients.json,
// written by test/fixtures/make_gradients.py). The first 36 cases are identity features on one shape;
// the generated ones add fourier and poly2 features, residual nets of every activation and a second
// shape (D = 3, three hidden layers), with targets from the tasks' true maps.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Net } from '../../src/core/mlp.js';
import { Rollout } from '../../src/core/rollout.js';
import { makeTask } from '../../src/core/tasks.js';
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
  /** Absent on the given cases: identity features, random y. */
  features?: string;
  task?: { name: string; params: Record<string, number> };
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
  it('covers every activation, with every feature map, residual or not, and two shapes', () => {
    expect(new Set(fixture.cases.map((c) => c.activation)).size).toBe(10);
    expect(fixture.cases).toHaveLength(36 + 126);
    for (const features of ['identity', 'fourier', 'poly2']) {
      for (const residual of [false, true]) {
        const acts = new Set(fixture.cases.filter((c) => (c.features ?? 'identity') === features && c.residual === residual).map((c) => c.activation));
        expect(acts.size, `${features} residual=${residual}`).toBe(10);
      }
    }
    expect(new Set(fixture.cases.map((c) => `${c.D}:${c.hidden.join(',')}`))).toEqual(new Set(['2:5,4', '3:6,3,4']));
  });

  it('the generated targets are f^K(x0) of kstep\'s tasks (PyTorch re-implementation, to 1e-12)', () => {
    const withTask = fixture.cases.filter((c) => c.task);
    expect(new Set(withTask.map((c) => c.task!.name))).toEqual(new Set(['pendulum', 'rotation', 'lorenz']));
    for (const c of withTask) {
      const task = makeTask(c.task!.name, c.task!.params);
      const y = Float64Array.from(c.x0.flat());
      for (let t = 0; t < c.K; t++) for (let s = 0; s < c.batch; s++) task.step(y, s * c.D, y, s * c.D);
      expect(maxRel(y, c.y.flat()), `${c.task!.name} K=${c.K}`).toBeLessThan(1e-12);
    }
  });

  for (const c of fixture.cases) {
    const features = c.features ?? 'identity';
    const shape = `D=${c.D} hidden=${c.hidden.join(',')}`;
    it(`${c.activation} K=${c.K}${c.residual ? ' residual' : ''} ${features} ${shape}`, () => {
      const net = new Net({ D: c.D, features, hidden: c.hidden, activation: c.activation, residual: c.residual });
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
