/**
 * The objective of one cell: it owns the data (a fixed training set of initial states, a test set,
 * the true trajectories that give the targets), counts cost, and schedules which K and which
 * minibatch each optimizer step sees. Optimizers only see `loss(theta)` and `lossAndGrad(theta)`.
 *
 * Evaluation (`evaluate`) uses its own rollout and is not charged: metrics are measured, not bought.
 */
import type { Net } from './mlp.js';
import type { Rng } from './rng.js';
import { Rollout, mse } from './rollout.js';
import type { TaskInstance } from './tasks.js';

export const curriculumNames = ['none', 'ramp', 'mixed'] as const;
export type Curriculum = (typeof curriculumNames)[number];

export interface ObjectiveOptions {
  /** The K the loss is defined at (the cell's K). */
  K: number;
  /** Training and test set sizes (initial states). */
  train: number;
  test: number;
  /** Minibatch size per step; 0 or >= train uses the whole training set. */
  batch: number;
  /**
   * Schedule of the step's K over training progress p in [0, 1]: `none` always K; `ramp` grows
   * geometrically from K0 to K over the first 80% of the budget; `mixed` samples, per step, K
   * uniformly from [1, ramp(p)] or (with probability 1/2) from [1, K] (Zaremba & Sutskever 2014).
   */
  curriculum: Curriculum;
  K0: number;
}

/** A set of initial states and the true trajectory from each, steps 0..T. */
export class Dataset {
  /** states[t] is B x D: f^t applied to the initial states. */
  readonly states: Float64Array[];

  constructor(task: TaskInstance, readonly size: number, T: number, rng: Rng) {
    const D = task.D;
    const x0 = new Float64Array(size * D);
    for (let s = 0; s < size; s++) task.sample(rng, x0, s * D);
    this.states = [x0];
    for (let t = 1; t <= T; t++) {
      const prev = this.states[t - 1];
      const next = new Float64Array(size * D);
      for (let s = 0; s < size; s++) task.step(prev, s * D, next, s * D);
      this.states.push(next);
    }
  }
}

/** Mean over state dimensions of the per-dimension variance across samples: nmse's denominator. */
export function targetVariance(y: Float64Array, D: number): number {
  const B = y.length / D;
  let total = 0;
  for (let d = 0; d < D; d++) {
    let m = 0;
    for (let s = 0; s < B; s++) m += y[s * D + d];
    m /= B;
    let v = 0;
    for (let s = 0; s < B; s++) v += (y[s * D + d] - m) ** 2;
    total += v / B;
  }
  return total / D;
}

export interface Evaluation {
  train_nmse: number;
  test_nmse: number;
  /** Test nmse when the net is rolled out 2K steps against f^{2K}: does it keep working past K? */
  extrap_nmse: number;
  /** nmse of one application N(phi(o)) against f(o) on the test trajectories' states. */
  onestep_nmse: number;
}

export class Objective {
  readonly nParams: number;
  readonly D: number;
  /** K and batch chosen by the last beginStep. */
  K: number;
  B: number;
  /** Changes whenever beginStep moves to another K or draws another minibatch (ObjectiveLike). */
  batchId = 0;
  private readonly rollout: Rollout;
  private readonly evalRollout: Rollout;
  readonly trainSet: Dataset;
  readonly testSet: Dataset;
  private readonly x0: Float64Array;
  private readonly y: Float64Array;
  private readonly variance: number[];
  private readonly schedule: Rng;
  private perm: Int32Array | undefined;

  constructor(
    readonly task: TaskInstance,
    readonly net: Net,
    readonly opts: ObjectiveOptions,
    /** Draws the data sets and (separately) minibatches and curriculum Ks. */
    rng: Rng,
  ) {
    this.nParams = net.nParams;
    this.D = task.D;
    this.trainSet = new Dataset(task, opts.train, opts.K, rng.derive('train'));
    this.testSet = new Dataset(task, opts.test, 2 * opts.K, rng.derive('test'));
    this.rollout = new Rollout(net);
    this.evalRollout = new Rollout(net);
    this.K = opts.K;
    this.B = this.batchSize();
    this.x0 = new Float64Array(this.B * this.D);
    this.y = new Float64Array(this.B * this.D);
    this.variance = this.trainSet.states.map((s) => targetVariance(s, this.D));
    this.schedule = rng.derive('schedule');
    this.select(this.K);
  }

  /** Network applications charged so far. */
  get cost(): number {
    return this.rollout.cost;
  }

  /** The cost of one forward pass of the current step's batch: B K. */
  get forwardCost(): number {
    return this.B * this.K;
  }

  /**
   * Chooses the K and the minibatch for the next optimizer step; every evaluation in that step
   * (all members of a population) sees the same ones. `progress` is the fraction of budget used.
   */
  beginStep(progress: number): void {
    const { K, K0, curriculum } = this.opts;
    let k = K;
    if (curriculum !== 'none') {
      const p = Math.min(1, progress / 0.8);
      const ramp = Math.max(1, Math.min(K, Math.round(K0 * (K / K0) ** p)));
      if (curriculum === 'ramp') k = ramp;
      else k = 1 + this.schedule.int(this.schedule.uniform() < 0.5 ? K : ramp);
    }
    this.select(k);
  }

  /** Loss on the current batch at the current K, forward only. */
  loss(theta: Float64Array): number {
    return this.rollout.loss(theta, this.x0, this.y, this.B, this.K);
  }

  lossAndGrad(theta: Float64Array, grad: Float64Array, window?: number): number {
    return this.rollout.lossAndGrad(theta, this.x0, this.y, this.B, this.K, grad, window);
  }

  /** A training loss at the current step's K as nmse. */
  nmse(loss: number): number {
    return loss / this.variance[this.K];
  }

  /** Gradient norm and adjoint profile of theta on the whole training set at the cell's K, uncharged. */
  probe(theta: Float64Array): { loss: number; gradNorm: number; adjoints: Float64Array } {
    const { K, train } = this.opts;
    const r = this.evalRollout;
    const grad = new Float64Array(this.nParams);
    const loss = r.lossAndGrad(theta, this.trainSet.states[0], this.trainSet.states[K], train, K, grad);
    let sq = 0;
    for (let i = 0; i < grad.length; i++) sq += grad[i] * grad[i];
    return { loss, gradNorm: Math.sqrt(sq), adjoints: Float64Array.from(r.adjointNorms.subarray(0, K + 1)) };
  }

  /** Train, test, extrapolation and one-step nmse of theta, uncharged. */
  evaluate(theta: Float64Array): Evaluation {
    const { K, train, test } = this.opts;
    const r = this.evalRollout;
    const D = this.D;
    const tr = this.trainSet.states;
    const te = this.testSet.states;
    const at = (set: Float64Array[], n: number, k: number) => this.nmseOf(theta, set, n, k);
    // One step from every state the true test trajectories visit before K.
    const from = new Float64Array(test * K * D);
    const to = new Float64Array(test * K * D);
    for (let t = 0; t < K; t++) {
      from.set(te[t], t * test * D);
      to.set(te[t + 1], t * test * D);
    }
    const onestep = mse(r.forward(theta, from, test * K, 1, false), to) / targetVariance(to, D);
    return {
      train_nmse: at(tr, train, K),
      test_nmse: at(te, test, K),
      extrap_nmse: at(te, test, 2 * K),
      onestep_nmse: onestep,
    };
  }

  /** nmse of theta on the whole training set at the cell's K, uncharged. */
  trainNmse(theta: Float64Array): number {
    return this.nmseOf(theta, this.trainSet.states, this.opts.train, this.opts.K);
  }

  private nmseOf(theta: Float64Array, set: Float64Array[], n: number, k: number): number {
    return mse(this.evalRollout.forward(theta, set[0], n, k, false), set[k]) / targetVariance(set[k], this.D);
  }

  private batchSize(): number {
    const { batch, train } = this.opts;
    return batch > 0 && batch < train ? batch : train;
  }

  private select(k: number): void {
    if (k !== this.K || this.B !== this.opts.train) this.batchId++;
    this.K = k;
    const { train } = this.opts;
    const D = this.D;
    const x = this.trainSet.states[0];
    const y = this.trainSet.states[k];
    if (this.B === train) {
      this.x0.set(x);
      this.y.set(y);
      return;
    }
    // A fresh minibatch without replacement (partial Fisher-Yates on an index permutation).
    const idx = this.perm ?? (this.perm = Int32Array.from({ length: train }, (_, i) => i));
    for (let s = 0; s < this.B; s++) {
      const j = s + this.schedule.int(train - s);
      const tmp = idx[s];
      idx[s] = idx[j];
      idx[j] = tmp;
      const src = idx[s] * D;
      for (let d = 0; d < D; d++) {
        this.x0[s * D + d] = x[src + d];
        this.y[s * D + d] = y[src + d];
      }
    }
  }
}
