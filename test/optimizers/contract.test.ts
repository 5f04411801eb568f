/**
 * The optimizer contract under a changing objective (types.ts, population.ts): with a K curriculum
 * or minibatches every step may measure another K or batch, and
 * - StepResult.loss is the lowest finite loss the step measured (NaN if none), for every optimizer;
 * - an incumbent (ga, cmaes, random) is the best point measured on the current K and batch, and
 *   its loss there is known: never a loss from another K or batch;
 * - es's solution is its mean, measured last in the step; bptt's loss is the one of its gradient.
 */
import { describe, expect, test } from 'vitest';
import { Net, initParams } from '../../src/core/mlp.js';
import { type Curriculum, Objective } from '../../src/core/objective.js';
import { Rng } from '../../src/core/rng.js';
import { makeTask } from '../../src/core/tasks.js';
import type { ObjectiveLike } from '../../src/optimizers/types.js';
import { create } from './helpers.js';

interface Call {
  batch: number;
  loss: number;
}

/** Passes every call through to a real objective and logs which batch each loss was measured on. */
class Logged implements ObjectiveLike {
  readonly log: Call[] = [];

  constructor(readonly inner: Objective) {}

  get nParams(): number {
    return this.inner.nParams;
  }

  get batchId(): number {
    return this.inner.batchId;
  }

  loss(theta: Float64Array): number {
    return this.note(this.inner.loss(theta));
  }

  lossAndGrad(theta: Float64Array, grad: Float64Array, window?: number): number {
    return this.note(this.inner.lossAndGrad(theta, grad, window));
  }

  private note(loss: number): number {
    this.log.push({ batch: this.inner.batchId, loss });
    return loss;
  }
}

const settings: { name: string; curriculum: Curriculum; batch: number }[] = [
  { name: 'ramp curriculum, whole batch', curriculum: 'ramp', batch: 0 },
  { name: 'no curriculum, minibatches of 8', curriculum: 'none', batch: 8 },
  { name: 'mixed curriculum, minibatches of 8', curriculum: 'mixed', batch: 8 },
];

const optimizers = {
  bptt: { lr: 0.01 },
  ga: { population: 6, parents: 2, elite: 2, sigma: 0.05 },
  es: { population: 8, sigma: 0.05, lr: 0.02 },
  cmaes: { sigma: 0.05, population: 6 },
  random: { population: 6, sigma: 0.3 },
} as const;

const STEPS = 40;

function minFinite(calls: Call[]): number {
  const finite = calls.map((c) => c.loss).filter(Number.isFinite);
  return finite.length > 0 ? Math.min(...finite) : NaN;
}

describe.each(settings)('$name', ({ curriculum, batch }) => {
  test.each(Object.keys(optimizers) as (keyof typeof optimizers)[])('%s', (name) => {
    const task = makeTask('rotation');
    const net = new Net({ D: 2, features: 'identity', hidden: [6], activation: 'tanh', residual: false });
    const inner = new Objective(task, net, { K: 6, train: 32, test: 8, batch, curriculum, K0: 1 }, new Rng('contract/data'));
    const obj = new Logged(inner);
    const opt = create(name, initParams(net, 'xavier', 1, new Rng('contract/init')), optimizers[name]);
    const batches = new Set<number>();
    let incumbentChecks = 0;
    for (let s = 0; s < STEPS; s++) {
      inner.beginStep(s / STEPS);
      batches.add(inner.batchId);
      const first = obj.log.length;
      const res = opt.step(obj);
      const step = obj.log.slice(first);
      expect(step.every((c) => c.batch === inner.batchId)).toBe(true);
      // One meaning of StepResult.loss for all.
      expect(res.loss).toBe(minFinite(step));
      const now = inner.loss(opt.solution());
      if (name === 'es') {
        expect(now).toBe(step.at(-1)!.loss);
      } else if (name === 'bptt') {
        expect(res.loss).toBe(step[0].loss);
        expect(step).toHaveLength(1);
      } else {
        // The incumbent is the best point measured on this K and batch, and was measured on them.
        const sameBatch = obj.log.filter((c) => c.batch === inner.batchId);
        expect(now).toBe(minFinite(sameBatch));
        incumbentChecks++;
      }
    }
    // The schedule really changed the K or the batch, more than once.
    expect(batches.size).toBeGreaterThan(3);
    if (name !== 'es' && name !== 'bptt') expect(incumbentChecks).toBe(STEPS);
  });
});
