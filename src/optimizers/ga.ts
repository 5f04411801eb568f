/**
 * Genetic algorithm in the style of Such et al. 2017, "Deep Neuroevolution: Genetic Algorithms Are
 * a Competitive Alternative for Training Deep Neural Networks for Reinforcement Learning"
 * (arXiv:1712.06567), Algorithm 1: truncation selection of the top T as parents, each child is a
 * uniformly chosen parent plus Gaussian noise sigma * eps, and the best E members (elites) pass to
 * the next generation unchanged. Options beyond the paper: sigma decays multiplicatively per
 * generation; crossover (uniform: each gene from one of two parents; blend: BLX-0.0, each gene
 * uniform between the two parents' values, Eshelman & Schaffer 1993) before the mutation; and
 * k-tournament selection from the whole population instead of truncation.
 *
 * Generation 0 is theta0 and P - 1 mutants of it, all evaluated: P objective.loss calls.
 * Every later generation evaluates exactly the P - E new children (P - E calls); the elites keep
 * the loss they were measured with while the objective's K and batch stay the same, and are
 * measured again (E more calls) in a generation whose K or minibatch differs from the last one's,
 * so that parents and children are always ranked on one batch.
 *
 * solution() is the incumbent: the best member measured on the current K and batch (with E >= 1
 * the first elite; with E = 0 the incumbent is measured again, one call, when the batch changes).
 * Minimisation: lower loss ranks first; NaN and Inf rank last and are counted in `nonfinite`.
 * StepResult.loss and diverged follow the common rule of `Evaluations` (population.ts).
 *
 * Defaults (P = 8, T = 2, E = 1, sigma = 0.003, no decay) are tuned on rotation at K = 4 with the
 * default net (n = 1218 parameters) and budget: at a fixed cost, many small generations of a small
 * population beat few large ones (P = 64, T = 16 reaches only ~2e-2 nmse there at any sigma tried),
 * and a small sigma matters more than the population. Such et al.'s Atari settings (P = 1000,
 * T = 20, sigma = 0.002) are for far larger budgets.
 */
import type { Rng } from '../core/rng.js';
import { UsageError } from '../errors.js';
import { Evaluations, finiteStats, rankByLoss, readOptions, rowViews } from './population.js';
import { MAX_POPULATION, type ObjectiveLike, type Optimizer, type OptimizerEntry, type OptionSpec, type OptionValue, type StepResult } from './types.js';

const options: readonly OptionSpec[] = [
  { name: 'population', kind: 'int', default: 8, min: 2, max: MAX_POPULATION, help: 'population size P' },
  { name: 'parents', kind: 'int', default: 2, min: 1, max: MAX_POPULATION, help: 'truncation selection: the top min(T, P) are parents' },
  { name: 'elite', kind: 'int', default: 1, min: 0, max: MAX_POPULATION - 1, help: 'the best E pass unchanged to the next generation (E < population)' },
  { name: 'sigma', kind: 'number', default: 0.003, min: 0, minExclusive: true, help: 'std of the Gaussian mutation' },
  { name: 'sigma_decay', kind: 'number', default: 1, min: 0, minExclusive: true, max: 1, help: 'sigma is multiplied by this after each generation' },
  { name: 'crossover', kind: 'enum', default: 'none', choices: ['none', 'uniform', 'blend'], help: 'recombination of two parents before mutation' },
  { name: 'selection', kind: 'enum', default: 'truncation', choices: ['truncation', 'tournament'], help: 'how parents are chosen' },
  { name: 'tournament', kind: 'int', default: 4, min: 1, max: MAX_POPULATION, help: 'tournament size (selection = tournament)' },
];

interface GaOptions {
  population: number;
  parents: number;
  elite: number;
  sigma: number;
  sigma_decay: number;
  crossover: string;
  selection: string;
  tournament: number;
}

class Ga implements Optimizer {
  private pop: Float64Array[];
  private next: Float64Array[];
  private losses: Float64Array;
  private nextLosses: Float64Array;
  private readonly order: Int32Array;
  /** pos[i] = rank of member i in `order` (0 = best). */
  private readonly pos: Int32Array;
  private readonly evals: Evaluations;
  private sigma: number;
  private generation = 0;

  constructor(
    private readonly theta0: Float64Array,
    private readonly o: GaOptions,
    private readonly rng: Rng,
  ) {
    const n = theta0.length;
    const P = o.population;
    this.pop = rowViews(new Float64Array(P * n), P, n);
    this.next = rowViews(new Float64Array(P * n), P, n);
    this.losses = new Float64Array(P);
    this.nextLosses = new Float64Array(P);
    this.order = new Int32Array(P);
    this.pos = new Int32Array(P);
    this.evals = new Evaluations(theta0, true);
    this.sigma = o.sigma;
  }

  step(objective: ObjectiveLike): StepResult {
    const { o, rng } = this;
    const P = o.population;
    const E = o.elite;
    // The elites stand for the incumbent; without elites it is measured again on its own.
    const changed = this.evals.begin(objective, E === 0);
    const evaluate = (theta: Float64Array): number => this.evals.evaluate(objective, theta);
    if (this.generation === 0) {
      const { pop, losses, theta0 } = this;
      const sigma = this.sigma;
      pop[0].set(theta0);
      losses[0] = evaluate(pop[0]);
      for (let k = 1; k < P; k++) {
        const c = pop[k];
        for (let i = 0; i < c.length; i++) c[i] = theta0[i] + sigma * rng.normal();
        losses[k] = evaluate(c);
      }
    } else {
      const { pop, losses, next, nextLosses, order } = this;
      for (let e = 0; e < E; e++) {
        next[e].set(pop[order[e]]);
        nextLosses[e] = changed ? evaluate(next[e]) : losses[order[e]];
      }
      for (let k = E; k < P; k++) {
        this.breed(next[k]);
        nextLosses[k] = evaluate(next[k]);
      }
      this.pop = next;
      this.next = pop;
      this.losses = nextLosses;
      this.nextLosses = losses;
    }
    rankByLoss(this.losses, this.order);
    for (let r = 0; r < P; r++) this.pos[this.order[r]] = r;
    this.generation++;
    const sigma = this.sigma;
    this.sigma *= o.sigma_decay;
    const s = finiteStats(this.losses);
    return this.evals.result({ pop_best: s.min, pop_mean: s.mean, sigma, evaluations: this.evals.count });
  }

  /** Writes one child of the current (ranked) population into c. */
  private breed(c: Float64Array): void {
    const { rng, sigma } = this;
    const n = c.length;
    const a = this.pop[this.select()];
    const mode = this.o.crossover;
    if (mode === 'none') {
      for (let i = 0; i < n; i++) c[i] = a[i] + sigma * rng.normal();
      return;
    }
    const b = this.pop[this.select()];
    if (mode === 'uniform') {
      for (let i = 0; i < n; i++) c[i] = (rng.uniform() < 0.5 ? a[i] : b[i]) + sigma * rng.normal();
    } else {
      for (let i = 0; i < n; i++) c[i] = a[i] + rng.uniform() * (b[i] - a[i]) + sigma * rng.normal();
    }
  }

  /** Index of a parent in the current population. */
  private select(): number {
    const { rng, o, order, pos } = this;
    const P = o.population;
    if (o.selection === 'truncation') return order[rng.int(Math.min(o.parents, P))];
    let winner = rng.int(P);
    for (let t = 1; t < o.tournament; t++) {
      const c = rng.int(P);
      if (pos[c] < pos[winner]) winner = c;
    }
    return winner;
  }

  solution(): Float64Array {
    return this.evals.best;
  }
}

export const ga: OptimizerEntry = {
  name: 'ga',
  help: 'genetic algorithm: truncation selection, elitism, Gaussian mutation (Such et al. 2017)',
  cite: 'Such et al. 2017, Deep Neuroevolution (arXiv:1712.06567), Algorithm 1',
  options,
  create(theta0: Float64Array, opts: Readonly<Record<string, OptionValue>>, rng: Rng): Optimizer {
    const v = readOptions(options, opts);
    const o: GaOptions = {
      population: Number(v.population),
      parents: Number(v.parents),
      elite: Number(v.elite),
      sigma: Number(v.sigma),
      sigma_decay: Number(v.sigma_decay),
      crossover: String(v.crossover),
      selection: String(v.selection),
      tournament: Number(v.tournament),
    };
    if (o.elite >= o.population) throw new UsageError('elite', `must be < population (${o.population}), got ${o.elite}`);
    return new Ga(theta0, o, rng);
  },
};
