/**
 * The reference workload every rollout benchmark runs, and bench/torch_reference.py mirrors: task
 * rotation (D = 2), identity features, a tanh MLP [2, ...hidden, 2] with xavier weights, terminal MSE
 * after K applications, all drawn from seeded streams.
 */
import { type KernelName, makeKernels } from '../src/core/kernel-set.js';
import { Net, initParams } from '../src/core/mlp.js';
import { derive } from '../src/core/rng.js';
import { type MemoryMode, Rollout } from '../src/core/rollout.js';
import { makeTask } from '../src/core/tasks.js';

export const SEED = 1;

/** Standard deviation of the benchmark's biases (see setup). */
export const BIAS_SD = 0.2;

/** A net shape, batch and horizon. */
export interface Shape {
  hidden: readonly number[];
  batch: number;
  K: number;
  /** The hidden layers' activation; tanh (COMMON) unless given. */
  activation?: string;
}

/** W1, the everyday cell; its stored forward pass and the GA generation run on the same net and batch. */
export const W1: Shape = { hidden: [32, 32], batch: 64, K: 64 };
/** W2, wide and long: seconds per gradient. */
export const W2: Shape = { hidden: [128, 128], batch: 256, K: 512 };
/** W1 with relu: an activation that runs in JavaScript on both kernel sets (only tanh has a WebAssembly version). */
export const W1_RELU: Shape = { ...W1, activation: 'relu' };

/** What every workload shares, reported with the figures. */
export const COMMON = {
  task: 'rotation',
  D: 2,
  features: 'identity',
  activation: 'tanh',
  residual: false,
  init: 'xavier',
  bias_sd: BIAS_SD,
  loss: 'terminal MSE',
  seed: SEED,
} as const;

export interface Setup {
  net: Net;
  theta: Float64Array;
  x0: Float64Array;
  y: Float64Array;
  /** Multiply-adds x 2 of one forward pass over the batch and the K steps. */
  forwardFlops: number;
}

/**
 * Rotation targets y = f^K(x0) and the initialised net. The biases are drawn from N(0, BIAS_SD^2)
 * rather than left at zero: with zero biases the freshly initialised net contracts every state to
 * about 1e-74 within 64 steps (1e-240 at K = 512), so 95-99% of the tanh calls would take Math.tanh's
 * fast path for tiny arguments (about 3 ns instead of 8.5 ns) and the timing would describe no network
 * anyone trains. With these biases the states stay O(0.3) for all K.
 */
export function setup({ hidden, batch: B, K, activation = COMMON.activation }: Shape): Setup {
  const task = makeTask(COMMON.task);
  const D = task.D;
  const net = new Net({ D, features: COMMON.features, hidden: [...hidden], activation, residual: COMMON.residual });
  const theta = initParams(net, COMMON.init, 1, derive(SEED, `bench/init/${hidden.join(',')}`));
  const biasRng = derive(SEED, `bench/bias/${hidden.join(',')}`);
  for (let l = 1; l <= net.L; l++) {
    for (let j = 0; j < net.sizes[l]; j++) theta[net.bOff[l - 1] + j] = BIAS_SD * biasRng.normal();
  }
  const rng = derive(SEED, `bench/data/${B}`);
  const x0 = new Float64Array(B * D);
  const y = new Float64Array(B * D);
  for (let s = 0; s < B; s++) task.sample(rng, x0, s * D);
  y.set(x0);
  for (let t = 0; t < K; t++) for (let s = 0; s < B; s++) task.step(y, s * D, y, s * D);
  let macs = 0;
  for (let l = 1; l <= net.L; l++) macs += net.sizes[l - 1] * net.sizes[l];
  return { net, theta, x0, y, forwardFlops: 2 * B * K * macs };
}

/** A rollout of the net on the given kernel set. */
export function rolloutOn(net: Net, kernels: KernelName, memory: MemoryMode = 'auto'): Rollout {
  return new Rollout(net, memory, makeKernels(net.nParams, kernels));
}
