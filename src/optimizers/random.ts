/**
 * Random search around the initial network: every step draws `population` candidates
 * theta0 + sigma * eps, eps ~ N(0, I), always around theta0 (not around the best), and keeps the
 * best ever seen. Pure random search in the sense of Rastrigin (1963) / Bergstra & Bengio (2012),
 * here as the baseline every optimizer must beat at equal cost.
 *
 * Cost: exactly `population` objective.loss calls per step. theta0 itself is never evaluated.
 * Reported loss: the best-so-far loss, which is the loss of `solution()` (best ever seen). It was
 * measured on the batch of the step that found it, so it is exact with the default whole-batch
 * objective and stale with minibatches or a K curriculum.
 * diverged: every candidate of the step is NaN/Inf and no finite candidate was ever seen.
 *
 * Default sigma = 0.3: the best of 0.03, 0.1, 0.3 on rotation at K = 4 with the default net and
 * budget (test nmse 0.25-0.30 on seeds 1-3; it does not solve the task, and is not meant to).
 */
import type { Rng } from '../core/rng.js';
import { BestSoFar, finiteStats, readOptions } from './population.js';
import type { ObjectiveLike, Optimizer, OptimizerEntry, OptionSpec, OptionValue, StepResult } from './types.js';

const options: readonly OptionSpec[] = [
  { name: 'population', kind: 'int', default: 64, min: 1, help: 'candidates drawn (and evaluated) per step' },
  { name: 'sigma', kind: 'number', default: 0.3, min: 0, help: 'std of the Gaussian perturbation of theta0' },
];

class RandomSearch implements Optimizer {
  private readonly theta0: Float64Array;
  private readonly cand: Float64Array;
  private readonly losses: Float64Array;
  private readonly best: BestSoFar;

  constructor(
    theta0: Float64Array,
    private readonly o: { population: number; sigma: number },
    private readonly rng: Rng,
  ) {
    this.theta0 = Float64Array.from(theta0);
    this.cand = new Float64Array(theta0.length);
    this.losses = new Float64Array(o.population);
    this.best = new BestSoFar(theta0);
  }

  step(objective: ObjectiveLike): StepResult {
    const { theta0, cand, losses, best, rng } = this;
    const { population: P, sigma } = this.o;
    const n = theta0.length;
    for (let k = 0; k < P; k++) {
      for (let i = 0; i < n; i++) cand[i] = theta0[i] + sigma * rng.normal();
      losses[k] = objective.loss(cand);
      best.offer(cand, losses[k]);
    }
    const s = finiteStats(losses);
    return {
      loss: best.reported,
      nonfinite: P - s.finite,
      diverged: s.finite === 0 && !best.found,
      metrics: { pop_best: s.min, pop_mean: s.mean, sigma },
    };
  }

  solution(): Float64Array {
    return this.best.theta;
  }
}

export const random: OptimizerEntry = {
  name: 'random',
  help: 'random search: Gaussian samples around the initial network, keep the best (the baseline)',
  cite: 'Rastrigin 1963; Bergstra & Bengio 2012 (random search as the baseline)',
  options,
  create(theta0: Float64Array, opts: Readonly<Record<string, OptionValue>>, rng: Rng): Optimizer {
    const v = readOptions(options, opts);
    return new RandomSearch(theta0, { population: Number(v.population), sigma: Number(v.sigma) }, rng);
  },
};
