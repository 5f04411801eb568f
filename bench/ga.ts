/**
 * The GA workload: one generation of P forward-only evaluations (Rollout.loss) of W1's net and batch,
 * on a population around the initial weights as a GA would hold it (Gaussian mutations, sigma 0.02).
 * Compared per network application with W1's stored forward pass, the forward part of BPTT.
 */
import { derive } from '../src/core/rng.js';
import { Rollout } from '../src/core/rollout.js';
import { type Budget, measure } from './harness.js';
import type { ForwardResult, GaVsBpttForward, GradResult } from './results.js';
import { SEED, type Shape, setup } from './setup.js';

/** Population of the GA workload. */
export const P_GA = 64;

export function gaWorkload(shape: Shape, budget: Budget): ForwardResult {
  const { batch: B, K } = shape;
  const P = P_GA;
  const s = setup(shape);
  const rollout = new Rollout(s.net);
  const rng = derive(SEED, 'bench/population');
  const pop: Float64Array[] = [];
  for (let p = 0; p < P; p++) {
    const th = rng.fillNormal(new Float64Array(s.net.nParams), 0.02);
    for (let i = 0; i < th.length; i++) th[i] += s.theta[i];
    pop.push(th);
  }
  const losses = new Float64Array(P);
  const t = measure(() => {
    for (let p = 0; p < P; p++) losses[p] = rollout.loss(pop[p], s.x0, s.y, B, K);
  }, budget);
  if (!losses.every(Number.isFinite)) throw new Error('GA: a population member has a non-finite loss');
  return {
    workload: 'GA',
    kind: 'ga-generation',
    hidden: [...shape.hidden],
    batch: B,
    K,
    population: P,
    reps: t.reps,
    median_ms: t.medianMs,
    min_ms: t.minMs,
    gflops: (P * s.forwardFlops) / (t.medianMs * 1e-3) / 1e9,
    ns_per_application: (t.medianMs * 1e6) / (P * B * K),
    evals_per_s: P / (t.medianMs * 1e-3),
  };
}

/** GA per application against W1's stored forward and against a third of W1's gradient. */
export function gaVsBpttForward(ga: ForwardResult, fwdStore: ForwardResult, w1: GradResult): GaVsBpttForward {
  return {
    ga_ns_per_application: ga.ns_per_application,
    w1_forward_store_ns_per_application: fwdStore.ns_per_application,
    w1_gradient_third_ns_per_application: w1.ns_per_application / 3,
    ratio_vs_forward_store: ga.ns_per_application / fwdStore.ns_per_application,
    ratio_vs_forward_store_of_mins: ga.min_ms / P_GA / fwdStore.min_ms,
    ratio_vs_gradient_third: ga.ns_per_application / (w1.ns_per_application / 3),
  };
}
