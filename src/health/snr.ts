/**
 * Signal-to-noise ratio of the BPTT gradient across minibatches, as a function of K.
 *
 * For M disjoint minibatches of b initial states (the same states at every K), g_m is the exact
 * gradient of the terminal loss on minibatch m, g = mean_m g_m, and
 *
 *   snr(K) = ||g|| / (1/M) sum_m ||g_m - g||.
 *
 * Metz et al. (2021, "Gradients are Not All You Need", section 3) show that when the unrolled
 * dynamics are chaotic the per-sample gradients grow like exp(lambda K) in random directions, so
 * the variance swamps the mean and snr collapses with K; for contracting dynamics it stays flat.
 * snr ~ 1/sqrt(M) means the average over M minibatches is pure noise.
 */
import type { Net } from '../core/mlp.js';
import { Dataset } from '../core/objective.js';
import { derive } from '../core/rng.js';
import { Rollout } from '../core/rollout.js';
import type { TaskInstance } from '../core/tasks.js';

export interface SnrOptions {
  /** Number of minibatches M. */
  batches: number;
  /** Minibatch size b. */
  batch: number;
  /** Seed of the initial states. */
  seed: number | string;
}

export const snrDefaults: SnrOptions = { batches: 16, batch: 16, seed: 1 };

export interface SnrPoint {
  K: number;
  /** ||mean_m g_m|| / mean_m ||g_m - mean||. */
  snr: number;
  /** ||mean_m g_m||. */
  mean_norm: number;
  /** mean_m ||g_m - mean||. */
  deviation: number;
  /** mean_m ||g_m||. */
  batch_norm: number;
}

/** snr at each K (any order, duplicates allowed) for the net at theta on fresh states of the task. */
export function gradientSnr(task: TaskInstance, net: Net, theta: Float64Array, Ks: readonly number[], opts: Partial<SnrOptions> = {}): SnrPoint[] {
  const { batches: M, batch: b, seed } = { ...snrDefaults, ...opts };
  if (!(M >= 2)) throw new Error(`gradientSnr: needs at least 2 minibatches, got ${M}`);
  const D = task.D;
  const Kmax = Math.max(...Ks);
  const data = new Dataset(task, M * b, Kmax, derive(seed, `snr/${task.name}`));
  const rollout = new Rollout(net);
  const P = net.nParams;
  const G = new Float64Array(M * P);
  const mean = new Float64Array(P);
  return Ks.map((K) => {
    const x = data.states[0];
    const y = data.states[K];
    for (let m = 0; m < M; m++) {
      const lo = m * b * D;
      const hi = lo + b * D;
      rollout.lossAndGrad(theta, x.subarray(lo, hi), y.subarray(lo, hi), b, K, G.subarray(m * P, (m + 1) * P));
    }
    mean.fill(0);
    for (let m = 0; m < M; m++) for (let i = 0; i < P; i++) mean[i] += G[m * P + i] / M;
    let dev = 0;
    let bn = 0;
    for (let m = 0; m < M; m++) {
      let d2 = 0;
      let n2 = 0;
      for (let i = 0; i < P; i++) {
        const g = G[m * P + i];
        d2 += (g - mean[i]) ** 2;
        n2 += g * g;
      }
      dev += Math.sqrt(d2) / M;
      bn += Math.sqrt(n2) / M;
    }
    let mn = 0;
    for (let i = 0; i < P; i++) mn += mean[i] * mean[i];
    mn = Math.sqrt(mn);
    return { K, snr: mn / dev, mean_norm: mn, deviation: dev, batch_norm: bn };
  });
}
