/**
 * The plan of `kstep advise`: two ordinary experiment specs, run through the sweep path.
 *
 *   selection  the step size of each base optimizer (BPTT's and ES's learning rate, GA's and
 *              CMA-ES's mutation size) at three values a factor 3 apart, one cell each, on seed
 *              SELECT_SEED. A cell's data streams derive from its seed alone, so the test states of
 *              these cells are initial states that no verdict cell trains or is tested on: they
 *              are the held-out set the step sizes are chosen on.
 *   verdict    every remedy and optimizer the task allows (plain BPTT, clipping, truncation, the
 *              residual form, ramp and mixed curricula, GA, ES, CMA-ES), each with its chosen
 *              step size (the BPTT remedies share BPTT's), on VERDICT_SEEDS, at one cost budget,
 *              with the health diagnostics at the cell's K.
 *
 * The budget per cell is sized from a measured throughput (sizeBudget): every cell gets the same
 * budget, so the comparison is at equal cost.
 */
import type { ConfigValue } from './config.js';
import { getOptimizer } from '../optimizers/index.js';

/** One named configuration of the plan: the keys it sets on top of the user's net and task. */
export interface PlanEntry {
  name: string;
  set: Record<string, ConfigValue>;
}

/** The seeds of the verdict cells. */
export const VERDICT_SEEDS = [1, 2, 3] as const;
/** The seed of the selection cells: its streams share nothing with the verdict seeds'. */
export const SELECT_SEED = 1001;
/** The step sizes tried, as factors of the optimizer's default (or the value given). */
export const STEP_FACTORS = [1 / 3, 1, 3] as const;
/** Which option is each base optimizer's step size. */
export const STEP_KEYS: Readonly<Record<string, string>> = { bptt: 'lr', ga: 'sigma', es: 'lr', cmaes: 'sigma' };
/** Clipping threshold of the clipped BPTT entry (global norm), as in the built-in studies. */
export const CLIP = 1;

/**
 * Every entry the plan would run for a net at this K, before asking the task which it allows:
 * truncation and curricula need K >= 2, the residual entry a net that is not residual already.
 */
export function planEntries(K: number, residual: boolean): PlanEntry[] {
  const out: PlanEntry[] = [{ name: 'bptt', set: { optimizer: 'bptt' } }, { name: 'bptt+clip', set: { optimizer: 'bptt', clip: CLIP } }];
  if (K >= 2) out.push({ name: 'bptt+truncate', set: { optimizer: 'bptt', truncate: Math.ceil(K / 2) } });
  if (!residual) out.push({ name: 'bptt+residual', set: { optimizer: 'bptt', residual: true } });
  if (K >= 2) out.push({ name: 'bptt+ramp', set: { optimizer: 'bptt', curriculum: 'ramp' } }, { name: 'bptt+mixed', set: { optimizer: 'bptt', curriculum: 'mixed' } });
  out.push({ name: 'ga', set: { optimizer: 'ga' } }, { name: 'es', set: { optimizer: 'es' } }, { name: 'cmaes', set: { optimizer: 'cmaes' } });
  return out;
}

/** Two significant digits: step sizes are named by their value, so they are kept readable. */
export function roundStep(x: number): number {
  return Number(x.toPrecision(2));
}

/** The values tried for an optimizer's step size around `center` (its default unless given). */
export function stepValues(center: number): number[] {
  return STEP_FACTORS.map((f) => roundStep(center * f));
}

/** An optimizer's default step size, from its registry entry. */
export function defaultStep(optimizer: string): number {
  const key = STEP_KEYS[optimizer];
  const spec = getOptimizer(optimizer).options.find((o) => o.name === key);
  if (!spec || typeof spec.default !== 'number') throw new Error(`optimizer ${optimizer} has no numeric option ${key}`);
  return spec.default;
}

/** A selection variant's name: `bptt-lr-0.001`. */
export function selectionName(optimizer: string, value: number): string {
  return `${optimizer}-${STEP_KEYS[optimizer]}-${value}`;
}

export interface BudgetSizing {
  /** Network applications per second of one worker thread for this net, K and batch (measured). */
  rate: number;
  /** Wall seconds left for the sweeps. */
  seconds: number;
  workers: number;
  /** Cells of each sweep, in the order they run. */
  cells: readonly number[];
  /** Seconds per cell beyond its training: evaluation, health probes, messages. */
  cellOverhead: number;
  /** Seconds per sweep beyond its cells: starting the workers, rewriting the CSVs. */
  sweepOverhead: number;
  /** Share of the single-thread rate a worker keeps when all workers run (memory bandwidth, other load). */
  efficiency: number;
}

export interface BudgetPlan {
  /** Cost budget of every cell (2 significant digits, rounded down); 0 when nothing fits. */
  budget: number;
  /** Rounds of cells: each sweep's cells in rounds of `workers` at a time. */
  rounds: number;
  /** Training seconds per cell that the budget stands for. */
  secondsPerCell: number;
}

/**
 * The cost budget that fits the sweeps into `seconds`: the cells of a sweep run `workers` at a time
 * (the main thread when 0), every cell spends at most its budget (cells that reach the target stop
 * earlier), so the time is about rounds x (budget / (rate x efficiency) + cellOverhead) plus each
 * sweep's overhead.
 */
export function sizeBudget(s: BudgetSizing): BudgetPlan {
  const w = Math.max(1, s.workers);
  const rounds = s.cells.reduce((n, c) => n + Math.ceil(c / w), 0);
  const usable = s.seconds - s.cells.length * s.sweepOverhead - rounds * s.cellOverhead;
  if (!(usable > 0) || rounds === 0 || !(s.rate > 0)) return { budget: 0, rounds, secondsPerCell: 0 };
  const secondsPerCell = usable / rounds;
  const raw = s.rate * s.efficiency * secondsPerCell;
  const p = 10 ** (Math.floor(Math.log10(raw)) - 1);
  return { budget: Math.floor(raw / p) * p, rounds, secondsPerCell };
}

/** The user's net and task as an experiment's `fixed` block (JSON-typed values). */
export type Fixed = Record<string, ConfigValue>;

/** The selection sweep: each base optimizer at each of its step values, one cell on SELECT_SEED. */
export function selectionSpec(name: string, fixed: Fixed, budget: number, centers: ReadonlyMap<string, number>): Record<string, unknown> {
  const variants: Record<string, Record<string, ConfigValue>> = {};
  for (const [opt, center] of centers) for (const v of stepValues(center)) variants[selectionName(opt, v)] = { optimizer: opt, [STEP_KEYS[opt]]: v };
  return {
    name: `${name}-select`,
    description: `kstep advise: step sizes tried on held-out cells (seed ${SELECT_SEED})`,
    seed: SELECT_SEED,
    fixed: { ...fixed, budget },
    variants,
  };
}

/** The verdict sweep: every entry on VERDICT_SEEDS, with the chosen step size of its optimizer. */
export function verdictSpec(name: string, fixed: Fixed, budget: number, entries: readonly PlanEntry[], chosen: ReadonlyMap<string, number>): Record<string, unknown> {
  const variants: Record<string, Record<string, ConfigValue>> = {};
  for (const e of entries) {
    const opt = String(e.set.optimizer);
    const step = chosen.get(opt);
    variants[e.name] = step === undefined ? { ...e.set } : { ...e.set, [STEP_KEYS[opt]]: step };
  }
  const K = Number(fixed.K);
  return {
    name,
    description: `kstep advise: remedies and optimizers at equal cost (budget ${budget} per cell), seeds ${VERDICT_SEEDS.join(', ')}`,
    fixed: { ...fixed, budget },
    grid: { seed: [...VERDICT_SEEDS] },
    variants,
    health: { K: [K] },
  };
}

/**
 * The rate the cells of a finished sweep actually ran at, per worker: their total cost over their
 * total wall time (cells.csv's `cost` and `wall_ms`; cells in error are left out). Measured with
 * every worker busy on this machine under its present load, it sizes the next sweep better than a
 * single-thread measurement made before.
 */
export function observedRate(rows: readonly { cost: number; wall_ms: number }[]): number {
  let cost = 0;
  let ms = 0;
  for (const r of rows)
    if (Number.isFinite(r.cost) && Number.isFinite(r.wall_ms) && r.wall_ms > 0) {
      cost += r.cost;
      ms += r.wall_ms;
    }
  return ms > 0 ? cost / (ms / 1000) : NaN;
}
