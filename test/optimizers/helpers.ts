/** Closed-form objectives for the optimizer tests: no network, every loss call counted. */
import { Rng } from '../../src/core/rng.js';
import { getOptimizer } from '../../src/optimizers/index.js';
import type { ObjectiveLike, Optimizer, OptionValue, StepResult } from '../../src/optimizers/types.js';

export class CountingObjective implements ObjectiveLike {
  /** A fixed function: one K, one batch, for ever. */
  readonly batchId = 0;
  calls = 0;
  gradCalls = 0;

  constructor(
    readonly nParams: number,
    private readonly f: (x: Float64Array) => number,
  ) {}

  loss(theta: Float64Array): number {
    if (theta.length !== this.nParams) throw new Error(`theta has ${theta.length} entries, expected ${this.nParams}`);
    this.calls++;
    return this.f(theta);
  }

  /** The function itself, not counted: for measuring a solution from outside the optimizer. */
  value(theta: Float64Array): number {
    return this.f(theta);
  }

  lossAndGrad(): number {
    this.gradCalls++;
    throw new Error('evolutionary optimizers must not ask for gradients');
  }
}

export function sphere(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

export function rosenbrock(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) s += 100 * (x[i + 1] - x[i] * x[i]) ** 2 + (1 - x[i]) ** 2;
  return s;
}

export function create(name: string, theta0: Float64Array, overrides: Record<string, OptionValue> = {}, seed: number | string = 1): Optimizer {
  const entry = getOptimizer(name);
  const options: Record<string, OptionValue> = {};
  for (const spec of entry.options) options[spec.name] = spec.default;
  Object.assign(options, overrides);
  return entry.create(theta0, options, new Rng(`test:${seed}`));
}

export interface Run {
  results: StepResult[];
  /** StepResult.loss of every step: the lowest loss the step measured. */
  losses: number[];
  /** The true loss of solution() after every step (measured outside the optimizer, uncounted). */
  solutions: number[];
  /** Objective calls made by each step. */
  calls: number[];
  opt: Optimizer;
  obj: CountingObjective;
}

/** Steps until the objective has been called at least `budget` times (or `stop` says so). */
export function run(opt: Optimizer, obj: CountingObjective, budget: number, stop?: (r: StepResult) => boolean): Run {
  const results: StepResult[] = [];
  const solutions: number[] = [];
  const calls: number[] = [];
  while (obj.calls < budget) {
    const before = obj.calls;
    const r = opt.step(obj);
    calls.push(obj.calls - before);
    results.push(r);
    solutions.push(obj.value(opt.solution()));
    if (r.diverged || stop?.(r)) break;
  }
  return { results, losses: results.map((r) => r.loss), solutions, calls, opt, obj };
}

export function filled(n: number, v: number): Float64Array {
  return new Float64Array(n).fill(v);
}

/** Exactly `steps` steps (fewer if the optimizer diverges). */
export function runSteps(opt: Optimizer, obj: CountingObjective, steps: number): Run {
  let s = 0;
  return run(opt, obj, Infinity, () => ++s >= steps);
}

/** 0.5 |x - 1|^2 with its exact gradient, so that gradient methods can run too. */
export class Quadratic implements ObjectiveLike {
  readonly batchId = 0;
  calls = 0;
  constructor(readonly nParams: number) {}
  loss(theta: Float64Array): number {
    this.calls++;
    let s = 0;
    for (let i = 0; i < theta.length; i++) s += 0.5 * (theta[i] - 1) ** 2;
    return s;
  }
  lossAndGrad(theta: Float64Array, grad: Float64Array): number {
    for (let i = 0; i < theta.length; i++) grad[i] = theta[i] - 1;
    return this.loss(theta);
  }
}
