/**
 * The optimizer contract. An optimizer is created from the initial parameter vector, its resolved
 * options and its own seeded stream; each `step` asks the objective for losses (or losses and
 * gradients) and reports what happened. Minimisation throughout. The cell runner owns the loop,
 * the budget, the target and the curve; optimizers never look at cost themselves.
 */
import type { Rng } from '../core/rng.js';

/** What an optimizer may ask of an objective. Every call is charged to the objective's cost. */
export interface ObjectiveLike {
  readonly nParams: number;
  /** Training loss of theta on the current step's batch, forward only. */
  loss(theta: Float64Array): number;
  /** Training loss and its exact gradient (overwrites grad); `window` truncates BPTT to the last steps. */
  lossAndGrad(theta: Float64Array, grad: Float64Array, window?: number): number;
}

export interface StepResult {
  /** Training loss of the optimizer's current solution on this step's batch (NaN/Inf if it blew up). */
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
  /** The parameter vector that stands for the optimizer's result now (best member, mean, or iterate). */
  solution(): Float64Array;
}

export type OptionValue = number | string | boolean;

export interface OptionSpec {
  readonly name: string;
  readonly kind: 'number' | 'int' | 'enum' | 'bool';
  readonly default: OptionValue;
  readonly help: string;
  readonly min?: number;
  readonly max?: number;
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
