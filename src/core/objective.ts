/**
 * The objective of one cell: it owns the data (a fixed training set of initial states, a test set,
 * the true trajectories that give the targets), counts cost, and schedules which K and which
 * minibatch each optimizer step sees. Optimizers only see `loss(theta)` and `lossAndGrad(theta)`.
 *
 * Evaluation (`evaluate`) uses its own rollout and is not charged: metrics are measured, not bought.
 * A third set of initial states, the validation set (`val`), is only ever evaluated: choices between
 * settings (tuning) are made on it, so that the test set stays untouched by them.
 *
 * A task with a true map gives trajectories (Dataset); a data task gives recorded pairs at the
 * horizons of its file (pairs.ts), and then the curriculum trains at the horizons present and the
 * metrics that need the true map (one-step, extrapolation) are NaN: not available.
 */
import type { Net } from './mlp.js';
import { type PairSet, type RecordedPairs, horizonFor, selectPairs } from './pairs.js';
import type { Rng } from './rng.js';
import { type MemoryMode, Rollout, mse } from './rollout.js';
import type { TaskInstance } from './tasks.js';

export const curriculumNames = ['none', 'ramp', 'mixed'] as const;
export type Curriculum = (typeof curriculumNames)[number];

export interface ObjectiveOptions {
  /** The K the loss is defined at (the cell's K). */
  K: number;
  /** Training, test and validation set sizes (initial states; val 0: no validation set). */
  train: number;
  test: number;
  val: number;
  /** Minibatch size per step; 0 or >= train uses the whole training set. */
  batch: number;
  /**
   * Schedule of the step's K over training progress p in [0, 1]: `none` always K; `ramp` grows
   * geometrically from K0 to K over the first 80% of the budget; `mixed` samples, per step, K
   * uniformly from [1, ramp(p)] or (with probability 1/2) from [1, K] (Zaremba & Sutskever 2014).
   */
  curriculum: Curriculum;
  K0: number;
  /** How the stored passes keep their steps (rollout.ts); every mode gives the same bits. Default auto. */
  memory?: MemoryMode;
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
export function targetVariance(y: Float64Array | readonly Float64Array[], D: number): number {
  // Several parts are one set of samples in order, summed exactly as their concatenation would be.
  const parts = y instanceof Float64Array ? [y] : y;
  const B = parts.reduce((n, p) => n + p.length, 0) / D;
  let total = 0;
  for (let d = 0; d < D; d++) {
    let m = 0;
    for (const p of parts) for (let s = 0, n = p.length / D; s < n; s++) m += p[s * D + d];
    m /= B;
    let v = 0;
    for (const p of parts) for (let s = 0, n = p.length / D; s < n; s++) v += (p[s * D + d] - m) ** 2;
    total += v / B;
  }
  return total / D;
}

/** Samples per batch of the one-step evaluation: bounds its memory whatever test K is. */
export const ONESTEP_CHUNK = 4096;

export interface Evaluation {
  train_nmse: number;
  /** nmse at K on the validation set: what choices between settings are made on (NaN without one). */
  val_nmse: number;
  test_nmse: number;
  /** Test nmse when the net is rolled out 2K steps against f^{2K}: does it keep working past K? NaN for a data task. */
  extrap_nmse: number;
  /** nmse of one application N(phi(o)) against f(o) on the test trajectories' states. NaN for a data task. */
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
  /** The trajectories of a task with a true map; undefined for recorded pairs. */
  readonly trainSet?: Dataset;
  readonly testSet?: Dataset;
  /** The validation pairs at K (undefined when val is 0). */
  private readonly valAtK?: PairSet;
  /** Training pairs by horizon (every k in 0..K for trajectories, the horizons used for recorded pairs). */
  private readonly trainAt = new Map<number, PairSet>();
  private readonly testAtK: PairSet;
  private readonly recorded?: RecordedPairs;
  private readonly x0: Float64Array;
  private readonly y: Float64Array;
  private readonly variance = new Map<number, number>();
  private readonly schedule: Rng;
  private perm: Int32Array | undefined;

  constructor(
    readonly task: TaskInstance,
    readonly net: Net,
    readonly opts: ObjectiveOptions,
    /** Draws the data sets and (separately) minibatches and curriculum Ks. */
    rng: Rng,
    /** A data task's pairs, in place of trajectories of the task's true map. */
    recorded?: RecordedPairs,
  ) {
    this.nParams = net.nParams;
    this.D = task.D;
    if (recorded) {
      this.recorded = recorded;
      const sel = selectPairs(recorded, opts, rng);
      for (const [k, set] of sel.train) this.trainAt.set(k, set);
      this.testAtK = sel.test;
      this.valAtK = sel.val;
    } else {
      this.trainSet = new Dataset(task, opts.train, opts.K, rng.derive('train'));
      this.testSet = new Dataset(task, opts.test, 2 * opts.K, rng.derive('test'));
      const tr = this.trainSet.states;
      for (let k = 0; k <= opts.K; k++) this.trainAt.set(k, { size: opts.train, x0: tr[0], y: tr[k] });
      this.testAtK = { size: opts.test, x0: this.testSet.states[0], y: this.testSet.states[opts.K] };
      // A stream of its own: drawing the validation set moves no draw of the training or test set.
      if (opts.val > 0) {
        const v = new Dataset(task, opts.val, opts.K, rng.derive('val')).states;
        this.valAtK = { size: opts.val, x0: v[0], y: v[opts.K] };
      }
    }
    for (const [k, set] of this.trainAt) this.variance.set(k, targetVariance(set.y, this.D));
    this.rollout = new Rollout(net, opts.memory);
    this.evalRollout = new Rollout(net, opts.memory);
    this.K = opts.K;
    this.B = this.batchSize();
    this.x0 = new Float64Array(this.B * this.D);
    this.y = new Float64Array(this.B * this.D);
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
      if (this.recorded) k = horizonFor(this.recorded, k);
    }
    this.select(k);
  }

  /** Float64 values the training and evaluation rollouts hold now. */
  bufferDoubles(): number {
    return this.rollout.bufferDoubles() + this.evalRollout.bufferDoubles();
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
    return loss / this.variance.get(this.K)!;
  }

  /** Gradient norm and adjoint profile of theta on the whole training set at the cell's K, uncharged. */
  probe(theta: Float64Array): { loss: number; gradNorm: number; adjoints: Float64Array } {
    const { K, train } = this.opts;
    const r = this.evalRollout;
    const grad = new Float64Array(this.nParams);
    const set = this.trainAt.get(K)!;
    const loss = r.lossAndGrad(theta, set.x0, set.y, train, K, grad);
    let sq = 0;
    for (let i = 0; i < grad.length; i++) sq += grad[i] * grad[i];
    return { loss, gradNorm: Math.sqrt(sq), adjoints: Float64Array.from(r.adjointNorms.subarray(0, K + 1)) };
  }

  /**
   * Train, validation, test, extrapolation and one-step nmse of theta, uncharged (validation NaN
   * without a validation set, the last two NaN for recorded pairs).
   */
  evaluate(theta: Float64Array): Evaluation {
    const { K, test } = this.opts;
    const r = this.evalRollout;
    const D = this.D;
    const train_nmse = this.trainNmse(theta);
    const val_nmse = this.valAtK ? this.nmseOf(theta, this.valAtK, K) : NaN;
    const test_nmse = this.nmseOf(theta, this.testAtK, K);
    if (!this.testSet) return { train_nmse, val_nmse, test_nmse, extrap_nmse: NaN, onestep_nmse: NaN };
    const te = this.testSet.states;
    // One step from every state the true test trajectories visit before K, a few steps' states per
    // batch. A sample's result does not depend on its batch, and the squared errors are summed in
    // the order of one batch of all test K states, so chunking changes no bit.
    const steps = Math.max(1, Math.floor(ONESTEP_CHUNK / test));
    const from = new Float64Array(Math.min(K, steps) * test * D);
    let sum = 0;
    for (let t0 = 0; t0 < K; t0 += steps) {
      const n = Math.min(steps, K - t0);
      for (let u = 0; u < n; u++) from.set(te[t0 + u], u * test * D);
      const o = r.forward(theta, from, n * test, 1, false);
      for (let u = 0; u < n; u++) {
        const y = te[t0 + u + 1];
        for (let k = 0, at = u * test * D; k < y.length; k++) {
          const e = o[at + k] - y[k];
          sum += e * e;
        }
      }
    }
    const onestep = sum / (test * K * D) / targetVariance(te.slice(1, K + 1), D);
    return {
      train_nmse,
      val_nmse,
      test_nmse,
      extrap_nmse: this.nmseOf(theta, { size: test, x0: te[0], y: te[2 * K] }, 2 * K),
      onestep_nmse: onestep,
    };
  }

  /** nmse of theta on the whole training set at the cell's K, uncharged. */
  trainNmse(theta: Float64Array): number {
    return this.nmseOf(theta, this.trainAt.get(this.opts.K)!, this.opts.K);
  }

  private nmseOf(theta: Float64Array, set: PairSet, k: number): number {
    return mse(this.evalRollout.forward(theta, set.x0, set.size, k, false), set.y) / targetVariance(set.y, this.D);
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
    const { x0: x, y } = this.trainAt.get(k)!;
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
