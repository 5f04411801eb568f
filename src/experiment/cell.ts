/**
 * Runs one cell: builds task, net, objective and optimizer from the resolved config and seeded
 * streams, steps the optimizer until the budget, the target or a blow-up, and measures the result.
 * The same config and seed give the same numbers wherever the cell runs.
 */
import type { Evaluation, Objective } from '../core/objective.js';
import { derive } from '../core/rng.js';
import { assemble } from '../core/setup.js';
import { type AdjointSummary, summarizeAdjoints } from '../health/classify.js';
import { getOptimizer } from '../optimizers/index.js';
import { type CellConfig, cellKey } from './config.js';

export const statusNames = ['reached', 'budget', 'diverged', 'error'] as const;
export type Status = (typeof statusNames)[number];

/**
 * Gradient health of a parameter vector on the whole training set at the cell's K (uncharged); all
 * NaN, no adjoints and an empty label when the feature map has no vjp.
 */
export interface Probe extends Omit<AdjointSummary, 'label'> {
  label: AdjointSummary['label'] | '';
  loss: number;
  grad_norm: number;
  adjoints: number[];
}

export interface CurvePoint {
  cost: number;
  nmse: number;
}

export interface CellResult {
  key: string;
  config: CellConfig;
  status: Status;
  error?: string;
  eval: Evaluation;
  /** Network applications used. */
  cost: number;
  /** Cost when the training nmse first reached the target (NaN if never). */
  cost_to_target: number;
  iterations: number;
  /** Non-finite losses met on the way (population members or gradients). */
  nonfinite: number;
  start: Probe;
  end: Probe;
  curve: CurvePoint[];
  wall_ms: number;
  theta: Float64Array;
}

/** Curve checkpoints: 8 per decade of cost. */
const CHECKPOINT_STEP = 10 ** (1 / 8);

export interface Progress {
  cost: number;
  budget: number;
  iterations: number;
  nmse: number;
}

/** The task, net, objective and initial parameters of a cell, from its seed alone (core/setup.ts). */
export function buildCell(cfg: CellConfig) {
  const { task, net, objective, theta0 } = assemble(cfg);
  return { task, net, objective: objective(), theta0: theta0() };
}

export function runCell(cfg: CellConfig, onProgress?: (p: Progress) => void): CellResult {
  const t0 = performance.now();
  const { objective, theta0 } = buildCell(cfg);
  const optimizer = getOptimizer(cfg.optimizer).create(theta0, cfg.options, derive(cfg.seed, `optimizer/${cfg.optimizer}`));
  const start = probe(objective, theta0);
  const curve: CurvePoint[] = [];
  let status: Status = 'budget';
  let costToTarget = NaN;
  let iterations = 0;
  let nonfinite = 0;
  let nextCheckpoint = 0;
  // The target is judged on what the cell returns: the solution's nmse on the whole training set at
  // the cell's K, uncharged like every probe. It is measured at each curve checkpoint and whenever
  // the step's own loss (one batch, possibly before an update) hints that the target may be met.
  const measure = () => {
    const nmse = objective.trainNmse(optimizer.solution());
    if (status === 'budget' && nmse <= cfg.target) {
      status = 'reached';
      costToTarget = objective.cost;
    }
    return nmse;
  };
  const record = () => {
    curve.push({ cost: objective.cost, nmse: measure() });
    nextCheckpoint = Math.max(objective.cost * CHECKPOINT_STEP, 1);
  };
  record();
  while (status === 'budget' && objective.cost < cfg.budget) {
    objective.beginStep(objective.cost / cfg.budget);
    const res = optimizer.step(objective);
    iterations++;
    nonfinite += res.nonfinite;
    if (res.diverged) {
      status = 'diverged';
      break;
    }
    const nmse = objective.nmse(res.loss);
    if (objective.K === cfg.K && nmse <= cfg.target) measure();
    if (status === 'budget' && objective.cost >= nextCheckpoint) record();
    onProgress?.({ cost: objective.cost, budget: cfg.budget, iterations, nmse });
  }
  const theta = Float64Array.from(optimizer.solution());
  if (curve[curve.length - 1].cost !== objective.cost) record();
  return {
    key: cellKey(cfg),
    config: cfg,
    status,
    eval: objective.evaluate(theta),
    cost: objective.cost,
    cost_to_target: costToTarget,
    iterations,
    nonfinite,
    start,
    end: probe(objective, theta),
    curve,
    wall_ms: performance.now() - t0,
    theta,
  };
}

function probe(objective: Objective, theta: Float64Array): Probe {
  // Nothing differentiates through a feature map without a vjp: no gradient, no adjoint profile.
  if (!objective.net.phi.vjp) return { loss: NaN, grad_norm: NaN, adjoints: [], ratio: NaN, rate: NaN, label: '' };
  const { loss, gradNorm, adjoints } = objective.probe(theta);
  return { loss, grad_norm: gradNorm, adjoints: Array.from(adjoints), ...summarizeAdjoints(adjoints) };
}
