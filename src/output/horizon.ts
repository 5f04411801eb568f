/**
 * The horizon of an iterated net on an expanding (chaotic) map: how far in K it fits, measured, and
 * how far its one-step error lets it fit, predicted.
 *
 * A net whose one step is off by a relative error delta (one-step nmse e = delta^2) carries that error
 * into the next steps, where the map stretches it by exp(lambda) per step on average (lambda: the
 * maximal Lyapunov exponent of the true map). After K steps the error is about delta exp(lambda
 * (K - 1)), so nmse_K ~ e exp(2 lambda (K - 1)), and the net can fit f^K to a tolerance tol only while
 *     K <= 1 + ln(tol / e) / (2 lambda)       (the predicted horizon).
 * The measured horizon is the largest K whose median test nmse over seeds is below tol. Both are
 * computed for every family whose task expands (median lyap_task > 0, from the health columns), per
 * arm; the prediction uses the median one-step nmse of the arm's nets at its measured horizon (at
 * the smallest K when it has none).
 */
import { median } from '../stats/index.js';
import { armOf, facetTitle } from './layout.js';
import type { SummaryRow } from './summary.js';

export const HORIZON_TOL = 1e-2;

export interface Horizon {
  facet: string;
  activation: string;
  arm: string;
  /** Median maximal Lyapunov exponent of the true map (per step). */
  lambda: number;
  /** The largest K with median test nmse < HORIZON_TOL; undefined when there is none. */
  measured: number | undefined;
  /** The K whose nets the prediction uses, and their median one-step nmse. */
  atK: number;
  onestep: number;
  /** 1 + ln(tol / onestep) / (2 lambda). */
  predicted: number;
}

/** The median of the values that are numbers (a data-less cell's NaN left out). */
function medianOf(xs: readonly number[]): number {
  return median(xs.filter((x) => !Number.isNaN(x)));
}

/** The predicted horizon of a one-step nmse on a map with exponent lambda. */
export function predictedHorizon(onestep: number, lambda: number, tol = HORIZON_TOL): number {
  return 1 + Math.log(tol / onestep) / (2 * lambda);
}

/** The horizons of the shown rows' expanding families, per arm in order of appearance. */
export function horizons(rows: readonly SummaryRow[], facetCols: readonly string[]): Horizon[] {
  const families = new Map<string, SummaryRow[]>();
  for (const r of rows) {
    const key = JSON.stringify([facetTitle(facetCols, r), r.config.activation ?? '']);
    let f = families.get(key);
    if (!f) families.set(key, (f = []));
    f.push(r);
  }
  const out: Horizon[] = [];
  for (const [key, fam] of families) {
    const [facet, activation] = JSON.parse(key) as [string, string];
    const lambda = medianOf(fam.flatMap((r) => r.cells.map((c) => c.lyap_task)));
    if (!(lambda > 0)) continue;
    const arms = [...new Set(fam.map(armOf))];
    for (const arm of arms) {
      const mine = fam.filter((r) => armOf(r) === arm).sort((a, b) => Number(a.config.K) - Number(b.config.K));
      const fits = mine.filter((r) => r.test_nmse_median < HORIZON_TOL);
      const measured = fits.length ? Number(fits[fits.length - 1].config.K) : undefined;
      const at = measured !== undefined ? fits[fits.length - 1] : mine[0];
      const onestep = medianOf(at.cells.map((c) => c.onestep));
      out.push({ facet, activation, arm, lambda, measured, atK: Number(at.config.K), onestep, predicted: predictedHorizon(onestep, lambda) });
    }
  }
  return out;
}
