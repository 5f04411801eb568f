/**
 * Cross-cutting pieces of the population methods (ga, es, cmaes, random): option reading with
 * defaults, ranking with NaN/Inf last, centered-rank fitness shaping, finite statistics and the
 * best-so-far record. Everything works on preallocated typed arrays; nothing here allocates per
 * candidate.
 */
import type { OptionSpec, OptionValue } from './types.js';

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
 * The best parameter vector evaluated so far and its loss (Infinity until a finite loss is
 * offered). Only finite losses are accepted; a copy is taken only on improvement.
 */
export class BestSoFar {
  readonly theta: Float64Array;
  loss = Infinity;
  found = false;

  constructor(theta0: Float64Array) {
    this.theta = Float64Array.from(theta0);
  }

  /** Records theta if its loss is finite and lower than the best so far; returns whether it did. */
  offer(theta: Float64Array, loss: number): boolean {
    if (!Number.isFinite(loss) || loss >= this.loss) return false;
    this.theta.set(theta);
    this.loss = loss;
    this.found = true;
    return true;
  }

  /** The loss to report: NaN while nothing finite has been seen. */
  get reported(): number {
    return this.found ? this.loss : NaN;
  }
}

/** Row views rows[i] = buf[i n, (i + 1) n), made once so that the hot loop allocates nothing. */
export function rowViews(buf: Float64Array, rows: number, n: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < rows; i++) out.push(buf.subarray(i * n, (i + 1) * n));
  return out;
}
