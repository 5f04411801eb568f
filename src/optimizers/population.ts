/**
 * Cross-cutting pieces of the population methods (ga, es, cmaes, random): option reading with
 * defaults, ranking with NaN/Inf last, centered-rank fitness shaping, finite statistics and the
 * evaluation bookkeeping (counts, incumbent, the step's result). Everything works on preallocated typed arrays; nothing here allocates per
 * candidate.
 */
import type { ObjectiveLike, OptionSpec, OptionValue, StepResult } from './types.js';

/** The options as plain values, each missing one replaced by its spec's default. */
export function readOptions(
  specs: readonly OptionSpec[],
  options: Readonly<Record<string, OptionValue>>,
): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  for (const s of specs) out[s.name] = options[s.name] === undefined ? s.default : options[s.name];
  return out;
}

/**
 * Fills order[0..n) with the indices 0..n-1 sorted by loss, ascending: the best first. NaN and
 * +-Inf losses rank after every finite one (a loss of -Inf is a blow-up, not a success); ties,
 * including those among non-finite losses, keep index order, so the result is deterministic.
 */
export function rankByLoss(losses: Float64Array, order: Int32Array, n = losses.length): Int32Array {
  for (let i = 0; i < n; i++) order[i] = i;
  // Insertion sort: populations are small (tens to a few hundreds), it is stable, allocation-free.
  for (let i = 1; i < n; i++) {
    const k = order[i];
    let j = i - 1;
    while (j >= 0 && worse(losses[order[j]], losses[k])) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = k;
  }
  return order;
}

/** a ranks strictly after b. */
function worse(a: number, b: number): boolean {
  const fa = Number.isFinite(a);
  const fb = Number.isFinite(b);
  if (fa && fb) return a > b;
  return fb; // a non-finite and b finite: a is worse; both non-finite: a tie, not worse
}

/**
 * Centered ranks (Salimans et al. 2017, `compute_centered_ranks`): out[i] = rank_i / (n - 1) - 0.5,
 * rank 0 for the lowest loss, so the best member gets -0.5 and the worst +0.5. Tied losses
 * (and all non-finite losses, which tie among themselves after every finite one) get the mean of
 * their ranks, so an antithetic pair that both blew up contributes nothing. `order` must come from
 * `rankByLoss` on the same losses.
 */
export function centeredRanks(losses: Float64Array, order: Int32Array, out: Float64Array, n = losses.length): Float64Array {
  if (n === 1) {
    out[0] = 0;
    return out;
  }
  let r = 0;
  while (r < n) {
    let s = r + 1;
    while (s < n && tied(losses[order[r]], losses[order[s]])) s++;
    const v = (r + s - 1) / 2 / (n - 1) - 0.5;
    for (let q = r; q < s; q++) out[order[q]] = v;
    r = s;
  }
  return out;
}

function tied(a: number, b: number): boolean {
  const fa = Number.isFinite(a);
  const fb = Number.isFinite(b);
  return fa && fb ? a === b : !fa && !fb;
}

/** Count, mean and minimum of the finite losses among losses[0..n). */
export function finiteStats(losses: Float64Array, n = losses.length): { finite: number; mean: number; min: number } {
  let finite = 0;
  let sum = 0;
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const l = losses[i];
    if (!Number.isFinite(l)) continue;
    finite++;
    sum += l;
    if (l < min) min = l;
  }
  return { finite, mean: finite > 0 ? sum / finite : NaN, min: finite > 0 ? min : NaN };
}

/**
 * The evaluation bookkeeping of every population method (ga, es, cmaes, random), in one place as in
 * evosax's base strategy: each loss call of a step goes through `evaluate`, which counts the
 * evaluations and the non-finite ones, tracks the step's lowest loss, and (with `keepBest`) keeps
 * the incumbent: the best point measured on the objective's current K and batch.
 *
 * Losses from different K or batches are never compared. `begin` notices a new batchId and then
 * either measures the incumbent again (one charged call) or forgets its loss (`remeasure = false`,
 * for a method that re-measures the incumbent as part of its population, like the GA's elites);
 * the incumbent's vector stays as the solution until a finite loss replaces it.
 *
 * The step's result follows one rule for all: `loss` is the lowest finite loss of the step (NaN if
 * none), `nonfinite` counts the step's NaN/Inf losses, and the step `diverged` when every loss it
 * measured was NaN/Inf and no finite incumbent is left.
 */
export class Evaluations {
  /** The incumbent (theta0 until a finite loss is measured). */
  readonly best: Float64Array;
  /** The incumbent's loss on the batch `bestBatch`; Infinity while it has none. */
  bestLoss = Infinity;
  /** The batchId of the previous step (NaN before the first). */
  private batch = NaN;
  private evaluated = 0;
  private nonfinite = 0;
  private lowest = Infinity;

  constructor(
    theta0: Float64Array,
    private readonly keepBest: boolean,
  ) {
    this.best = Float64Array.from(theta0);
  }

  /** Loss calls made in this step. */
  get count(): number {
    return this.evaluated;
  }

  /** Whether the incumbent holds a finite loss. */
  get found(): boolean {
    return this.bestLoss < Infinity;
  }

  /**
   * Starts a step: resets the step's counts and brings the incumbent to the objective's current
   * batch. Returns whether the batch changed since the previous step (false at the first).
   */
  begin(objective: ObjectiveLike, remeasure = true): boolean {
    this.evaluated = 0;
    this.nonfinite = 0;
    this.lowest = Infinity;
    const changed = !Number.isNaN(this.batch) && objective.batchId !== this.batch;
    this.batch = objective.batchId;
    if (changed && this.found) {
      this.bestLoss = Infinity;
      if (remeasure) this.evaluate(objective, this.best);
    }
    return changed;
  }

  /** The loss of theta on the current batch, counted and offered to the incumbent. */
  evaluate(objective: ObjectiveLike, theta: Float64Array): number {
    const l = objective.loss(theta);
    this.evaluated++;
    if (!Number.isFinite(l)) {
      this.nonfinite++;
      return l;
    }
    if (l < this.lowest) this.lowest = l;
    if (this.keepBest && l < this.bestLoss) {
      if (theta !== this.best) this.best.set(theta);
      this.bestLoss = l;
    }
    return l;
  }

  /** The step's result under the rule above. */
  result(metrics: Record<string, number>): StepResult {
    return {
      loss: this.lowest < Infinity ? this.lowest : NaN,
      nonfinite: this.nonfinite,
      diverged: this.nonfinite === this.evaluated && !this.found,
      metrics,
    };
  }
}

/** Row views rows[i] = buf[i n, (i + 1) n), made once so that the hot loop allocates nothing. */
export function rowViews(buf: Float64Array, rows: number, n: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < rows; i++) out.push(buf.subarray(i * n, (i + 1) * n));
  return out;
}
