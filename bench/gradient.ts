/**
 * The BPTT workloads: one gradient (Rollout.lossAndGrad) of W1 or W2, and W1's forward pass with the
 * states stored for the reverse pass (Rollout.forward with store), the forward third of a gradient.
 * flops of a forward = 2 B K sum_l(fan_in fan_out); a gradient counts 3 x forward, the cost model of
 * docs/ARCHITECTURE.md.
 */
import type { KernelName } from '../src/core/kernel-set.js';
import type { Rollout } from '../src/core/rollout.js';
import { type Budget, measure } from './harness.js';
import type { ForwardResult, GradResult } from './results.js';
import { type Setup, type Shape, rolloutOn, setup } from './setup.js';

export interface GradientRun {
  res: GradResult;
  /** The net, weights and data the gradient ran on, and its rollout, for the workloads that share them. */
  s: Setup;
  rollout: Rollout;
}

export function gradientWorkload(name: string, shape: Shape, kernels: KernelName, budget: Budget): GradientRun {
  const { batch: B, K } = shape;
  const s = setup(shape);
  // Every step stored, as PyTorch's autograd does (W2's activations would make `auto` checkpoint).
  const rollout = rolloutOn(s.net, kernels, 'full');
  const grad = new Float64Array(s.net.nParams);
  let loss = NaN;
  const t = measure(() => {
    loss = rollout.lossAndGrad(s.theta, s.x0, s.y, B, K, grad);
  }, budget);
  if (!Number.isFinite(loss)) throw new Error(`${name}: loss is ${loss}`);
  return {
    s,
    rollout,
    res: {
      workload: name,
      kind: 'gradient',
      kernels,
      hidden: [...shape.hidden],
      batch: B,
      K,
      nParams: s.net.nParams,
      reps: t.reps,
      median_ms: t.medianMs,
      min_ms: t.minMs,
      gflops: (3 * s.forwardFlops) / (t.medianMs * 1e-3) / 1e9,
      ns_per_application: (t.medianMs * 1e6) / (B * K),
      loss,
    },
  };
}

/** `<name>-fwd`: the forward pass of a gradient run's net and batch, states stored as BPTT stores them. */
export function forwardStoreWorkload(name: string, shape: Shape, run: GradientRun, budget: Budget): ForwardResult {
  const { batch: B, K } = shape;
  const t = measure(() => void run.rollout.forward(run.s.theta, run.s.x0, B, K, true), budget);
  return {
    workload: `${name}-fwd`,
    kind: 'forward-store',
    kernels: run.res.kernels,
    hidden: [...shape.hidden],
    batch: B,
    K,
    reps: t.reps,
    median_ms: t.medianMs,
    min_ms: t.minMs,
    gflops: run.s.forwardFlops / (t.medianMs * 1e-3) / 1e9,
    ns_per_application: (t.medianMs * 1e6) / (B * K),
  };
}
