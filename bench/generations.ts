/**
 * Generations per second of the population methods on W1's net and batch: one `step` of the GA and
 * of CMA-ES as the cell runner calls it (the registry's optimizers with their default options, the
 * GA's population set to P_GA), on an objective that evaluates every candidate with Rollout.loss
 * (forward only) on W1's fixed batch. What a generation costs besides its forward passes (sampling,
 * ranking, CMA-ES's update) is included: that is what a cell pays.
 */
import type { KernelName } from '../src/core/kernel-set.js';
import { derive } from '../src/core/rng.js';
import { getOptimizer } from '../src/optimizers/index.js';
import type { ObjectiveLike, OptionValue } from '../src/optimizers/types.js';
import { type Budget, measure } from './harness.js';
import type { ForwardResult, GaVsBpttForward, GenerationResult, GradResult } from './results.js';
import { SEED, type Shape, rolloutOn, setup } from './setup.js';

/** Population of the GA workload. */
export const P_GA = 64;

export function generationWorkload(optimizer: 'ga' | 'cmaes', shape: Shape, kernels: KernelName, budget: Budget): GenerationResult {
  const { batch: B, K } = shape;
  const s = setup(shape);
  const rollout = rolloutOn(s.net, kernels);
  let evals = 0;
  const objective: ObjectiveLike = {
    nParams: s.net.nParams,
    batchId: 0,
    loss(theta) {
      evals++;
      return rollout.loss(theta, s.x0, s.y, B, K);
    },
    lossAndGrad() {
      throw new Error('a population method asked for a gradient');
    },
  };
  const entry = getOptimizer(optimizer);
  const opts: Record<string, OptionValue> = Object.fromEntries(entry.options.map((o) => [o.name, o.default]));
  if (optimizer === 'ga') opts.population = P_GA;
  const opt = entry.create(s.theta, opts, derive(SEED, `bench/${optimizer}`));
  // The first generation evaluates what later ones carry over (the GA's elites): warm-up takes it.
  let calls = 0;
  const t = measure(() => {
    const before = evals;
    opt.step(objective);
    calls = evals - before;
  }, budget);
  return {
    workload: optimizer === 'ga' ? 'GA-gen' : 'CMAES-gen',
    kind: 'generation',
    kernels,
    hidden: [...shape.hidden],
    batch: B,
    K,
    evaluations: calls,
    reps: t.reps,
    median_ms: t.medianMs,
    min_ms: t.minMs,
    generations_per_s: 1e3 / t.medianMs,
    ns_per_application: (t.medianMs * 1e6) / (calls * B * K),
  };
}

/** The GA's forward passes per network application against W1's stored forward and a third of its gradient. */
export function gaVsBpttForward(ga: GenerationResult, fwdStore: ForwardResult, w1: GradResult): GaVsBpttForward {
  return {
    ga_ns_per_application: ga.ns_per_application,
    w1_forward_store_ns_per_application: fwdStore.ns_per_application,
    w1_gradient_third_ns_per_application: w1.ns_per_application / 3,
    ratio_vs_forward_store: ga.ns_per_application / fwdStore.ns_per_application,
    ratio_vs_forward_store_of_mins: ga.min_ms / ga.evaluations / fwdStore.min_ms,
    ratio_vs_gradient_third: ga.ns_per_application / (w1.ns_per_application / 3),
  };
}
