/**
 * The optimizer contract. An optimizer is created from the initial parameter vector, its resolved
 * options and its own seeded stream; each `step` asks the objective for losses (or losses and
 * gradients) and reports what happened. Minimisation throughout. The cell runner owns the loop,
 * the budget, the target and the curve; optimizers never look at cost themselves.
 *
 * Losses are only compared when they were measured on the same K and batch: the objective's
 * `batchId` names what `loss` measures now, and an optimizer that carries a loss over from an
 * earlier step (an incumbent, an elite) measures it again when the batchId has changed
 * (docs/ARCHITECTURE.md, "Optimizer contract").
 */
import type { Rng } from '../core/rng.js';

/** What an optimizer may ask of an objective. Every call is charged to the objective's cost. */
export interface ObjectiveLike {
  readonly nParams: number;
  /**
   * Identifies the K and the batch that `loss` and `lossAndGrad` measure now. It changes whenever
   * the cell runner moves the objective to another K (curriculum) or another minibatch, and only
   * then: losses measured under one batchId are comparable, losses from different ones are not.
   */
  readonly batchId: number;
  /** Training loss of theta on the current step's batch, forward only. */
  loss(theta: Float64Array): number;
  /** Training loss and its exact gradient (overwrites grad); `window` truncates BPTT to the last steps. */
  lossAndGrad(theta: Float64Array, grad: Float64Array, window?: number): number;
}

export interface StepResult {
  /**
   * The lowest finite loss measured during this step, on this step's K and batch (NaN if no
   * evaluation of the step was finite). It is a measurement, not a claim about `solution()`: for
   * BPTT it is the loss before the update, for a population method the best loss among the points
   * it evaluated in this step (a re-measured incumbent included). The cell runner uses it only to
   * decide when to check `solution()` against the target on the whole training set.
   */
  loss: number;
  /** Candidates (or gradients) whose loss was NaN/Inf in this step. */
  nonfinite: number;
  /** Nothing finite is left: the cell ends with status `diverged`. */
  diverged: boolean;
  /** Optimizer-specific numbers for logs and curves (gradient norm, population mean, sigma, ...). */
  metrics?: Record<string, number>;
}

export interface Optimizer {
  step(objective: ObjectiveLike): StepResult;
  /**
   * The parameter vector that stands for the optimizer's result now: the iterate (bptt), the mean
   * (es), or the incumbent, the best point measured on the current K and batch (ga, cmaes, random).
   */
  solution(): Float64Array;
}

export type OptionValue = number | string | boolean;

/**
 * The values a numeric option or configuration key accepts. One validator checks them
 * (experiment/config.ts `parseValue`) and one function words them (`describeRange` there).
 */
export interface NumericRange {
  /** The smallest value (inclusive, or exclusive with `minExclusive`). */
  readonly min?: number;
  /** `min` itself is refused: the value must be > min (a sigma of 0 cannot move). */
  readonly minExclusive?: boolean;
  /** The largest value (inclusive). */
  readonly max?: number;
  /** 0 is accepted besides min..max: it selects a computed default (CMA-ES population). */
  readonly zeroIsDefault?: boolean;
}

export interface OptionSpec extends NumericRange {
  readonly name: string;
  readonly kind: 'number' | 'int' | 'enum' | 'bool';
  readonly default: OptionValue;
  readonly help: string;
  readonly choices?: readonly string[];
}

export interface OptimizerEntry {
  readonly name: string;
  readonly help: string;
  /** The paper or reference implementation the file follows. */
  readonly cite: string;
  readonly options: readonly OptionSpec[];
  create(theta0: Float64Array, options: Readonly<Record<string, OptionValue>>, rng: Rng): Optimizer;
}

/**
 * The largest population (candidates per step) of any population method: 10,000 candidates of the
 * default net's 1,218 parameters already hold about 100 MB.
 */
export const MAX_POPULATION = 10_000;
