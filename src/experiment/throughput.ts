/**
 * Network applications per second of this net at this K and batch, on this thread, now: what the
 * budget of `kstep advise` is sized from. It is measured, not assumed, because it depends on the
 * machine, its load and the net's width. The state values do not change the arithmetic, so the
 * initial states are drawn from a stream of their own (no task data is needed: a data-file task
 * has no sampler to spare).
 */
import { derive } from '../core/rng.js';
import { Rollout } from '../core/rollout.js';
import { assemble } from '../core/setup.js';
import type { CellConfig } from './config.js';

export interface Throughput {
  /** Cost units per second of BPTT gradients (3 B K per call). */
  gradient: number;
  /** Cost units per second of forward losses (B K per call). */
  forward: number;
  /** The smaller of the two: what a cell of either kind can count on. */
  rate: number;
  /** Samples per call (the cell's batch, or its training set). */
  B: number;
  /** Wall milliseconds the measurement took. */
  ms: number;
}

function timeCalls(seconds: number, call: () => void): number {
  call(); // warm-up: the first call compiles and allocates
  const t0 = performance.now();
  let n = 0;
  do {
    call();
    n++;
  } while (performance.now() - t0 < seconds * 1000 || n < 2);
  return n / ((performance.now() - t0) / 1000);
}

/** Measures for about `seconds` in all, split between gradients and forward passes. */
export function measureThroughput(cfg: CellConfig, seconds = 1.5): Throughput {
  const t0 = performance.now();
  const { net, task, theta0 } = assemble(cfg);
  const theta = theta0();
  const B = cfg.batch > 0 ? cfg.batch : cfg.train;
  const rng = derive(cfg.seed, 'advise/throughput');
  const x0 = new Float64Array(B * task.D);
  for (let i = 0; i < x0.length; i++) x0[i] = rng.normal();
  const y = new Float64Array(B * task.D);
  const rollout = new Rollout(net);
  const grad = new Float64Array(net.nParams);
  const K = cfg.K;
  // A feature map without a vjp allows no gradient: the forward rate alone, over the whole time.
  const differentiable = net.phi.vjp !== undefined;
  const gradient = differentiable ? 3 * B * K * timeCalls(seconds / 2, () => rollout.lossAndGrad(theta, x0, y, B, K, grad)) : NaN;
  const forward = B * K * timeCalls(differentiable ? seconds / 2 : seconds, () => rollout.loss(theta, x0, y, B, K));
  return { gradient, forward, rate: differentiable ? Math.min(gradient, forward) : forward, B, ms: performance.now() - t0 };
}
