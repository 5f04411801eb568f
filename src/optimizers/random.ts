/**
 * Random search around the initial network: every step draws `population` candidates
 * theta0 + sigma * eps, eps ~ N(0, I), always around theta0 (not around the best), and keeps the
 * best ever seen. Pure random search in the sense of Rastrigin (1963) / Bergstra & Bengio (2012),
 * here as the baseline every optimizer must beat at equal cost.
 *
 * Cost: exactly `population` objective.loss calls per step, plus one when the objective's K or
 * minibatch changed since the last step and the incumbent (the best point so far, `solution()`) is
 * measured again, so that it is only ever compared with candidates on the same batch. theta0
 * itself is never evaluated. StepResult.loss and diverged follow the common rule of `Evaluations`
 * (population.ts).
 *
 * Default sigma = 0.3: the best of 0.03, 0.1, 0.3 on rotation at K = 4 with the default net and
 * budget (test nmse 0.25-0.30 on seeds 1-3; it does not solve the task, and is not meant to).
 */
import type { Rng } from '../core/rng.js';
import { Evaluations, finiteStats, readOptions } from './population.js';
import { MAX_POPULATION, type ObjectiveLike, type Optimizer, type OptimizerEntry, type OptionSpec, type OptionValue, type StepResult } from './types.js';

const options: readonly OptionSpec[] = [
  { name: 'population', kind: 'int', default: 64, min: 1, max: MAX_POPULATION, help: 'candidates drawn (and evaluated) per step' },
  { name: 'sigma', kind: 'number', default: 0.3, min: 0, minExclusive: true, help: 'std of the Gaussian perturbation of theta0' },
];

class RandomSearch implements Optimizer {
  private readonly theta0: Float64Array;
  private readonly cand: Float64Array;
  private readonly losses: Float64Array;
  private readonly evals: Evaluations;

  constructor(
    theta0: Float64Array,
    private readonly o: { population: number; sigma: number },
    private readonly rng: Rng,
  ) {
    this.theta0 = Float64Array.from(theta0);
    this.cand = new Float64Array(theta0.length);
    this.losses = new Float64Array(o.population);
    this.evals = new Evaluations(theta0, true);
  }

  step(objective: ObjectiveLike): StepResult {
    const { theta0, cand, losses, evals, rng } = this;
    const { population: P, sigma } = this.o;
    const n = theta0.length;
    evals.begin(objective);
    for (let k = 0; k < P; k++) {
      for (let i = 0; i < n; i++) cand[i] = theta0[i] + sigma * rng.normal();
      losses[k] = evals.evaluate(objective, cand);
    }
    const s = finiteStats(losses);
    return evals.result({ pop_best: s.min, pop_mean: s.mean, sigma });
  }

  solution(): Float64Array {
    return this.evals.best;
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
