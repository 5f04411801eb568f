/**
 * Who beats whom: paired comparisons between the arms (optimizers or variants) that compete on one
 * configuration, a family = one facet, one activation, one K. Cells of one seed share their training
 * data and initial network (core/setup.ts), so two arms' cells of the same seed are a pair.
 *
 * Per pair of arms, A being the one ahead on the paired seeds (the median over seeds of nmse_A /
 * nmse_B below 1; when it is 1, the one with the lower median test nmse):
 *   - wins and losses over the paired seeds (A wins a seed when its test nmse is lower), ties;
 *   - the median over seeds of nmse_A / nmse_B (1 when both are equal, both infinite included);
 *   - the two-sided Wilcoxon signed-rank test (SciPy's conventions: zero differences dropped, exact
 *     for n <= 25 without tied magnitudes) on d = log10 nmse_A - log10 nmse_B. A diverged or failed
 *     cell counts as nmse +inf: against a finite value its d is infinite and ranks above every finite
 *     one; two infinite values are a tie (d = 0). When every d is 0 there is no evidence either way
 *     and p = 1;
 *   - Holm's adjustment of the p-values over the comparisons of the family.
 */
import { holm, median, wilcoxon } from '../stats/index.js';
import { armOf, facetTitle } from './layout.js';
import type { CellObs, SummaryRow } from './summary.js';

export interface Comparison {
  /** The arm ahead on the paired seeds (median ratio nmse_A / nmse_B below 1; on a tie, the lower median, then the first listed), and the other. */
  a: string;
  b: string;
  /** Seeds both arms have. */
  n: number;
  winsA: number;
  winsB: number;
  ties: number;
  /** Median over the paired seeds of nmse_A / nmse_B. */
  medianRatio: number;
  /** Two-sided Wilcoxon signed-rank p on the log10 differences, and Holm-adjusted over the family. */
  p: number;
  pHolm: number;
}

export interface ComparisonFamily {
  facet: string;
  activation: string;
  K: string;
  rows: Comparison[];
}

/** nmse_A / nmse_B with equal values (infinite or zero included) as 1. */
function ratio(a: number, b: number): number {
  if (a === b) return 1;
  if (b === 0) return Infinity;
  return a / b;
}

/** The signed-rank test's input: log10 nmse_A - log10 nmse_B, 0 when both are equal (both infinite included). */
export function logDifferences(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => {
    const la = Math.log10(x);
    const lb = Math.log10(b[i]);
    return la === lb ? 0 : la - lb;
  });
}

/** One pair of arms on their common seeds; `a` and `b` as given (the caller orients them). */
export function comparePair(a: string, cellsA: readonly CellObs[], b: string, cellsB: readonly CellObs[]): Omit<Comparison, 'pHolm'> {
  const bySeed = new Map(cellsB.map((c) => [c.seed, c.test]));
  const xa: number[] = [];
  const xb: number[] = [];
  for (const c of cellsA) {
    const other = bySeed.get(c.seed);
    if (other === undefined) continue;
    xa.push(c.test);
    xb.push(other);
  }
  let winsA = 0;
  let winsB = 0;
  for (let i = 0; i < xa.length; i++) {
    if (xa[i] < xb[i]) winsA++;
    else if (xa[i] > xb[i]) winsB++;
  }
  const p = wilcoxon(logDifferences(xa, xb)).p;
  return { a, b, n: xa.length, winsA, winsB, ties: xa.length - winsA - winsB, medianRatio: median(xa.map((x, i) => ratio(x, xb[i]))), p };
}

/** Every family of the shown rows with at least two arms, in facet, K, activation order of appearance. */
export function compareArms(rows: readonly SummaryRow[], facetCols: readonly string[]): ComparisonFamily[] {
  const families = new Map<string, { facet: string; activation: string; K: string; rows: SummaryRow[] }>();
  for (const r of rows) {
    const facet = facetTitle(facetCols, r);
    const activation = r.config.activation ?? '';
    const K = r.config.K ?? '';
    const key = JSON.stringify([facet, K, activation]);
    let f = families.get(key);
    if (!f) families.set(key, (f = { facet, activation, K, rows: [] }));
    f.rows.push(r);
  }
  const facets = [...new Set([...families.values()].map((f) => f.facet))];
  // Stable: activations keep their order of appearance within a facet and K.
  const ordered = [...families.values()].sort((x, y) => facets.indexOf(x.facet) - facets.indexOf(y.facet) || Number(x.K) - Number(y.K));
  const out: ComparisonFamily[] = [];
  for (const f of ordered) {
    if (f.rows.length < 2) continue;
    const pairs: Omit<Comparison, 'pHolm'>[] = [];
    for (let i = 0; i < f.rows.length; i++)
      for (let j = i + 1; j < f.rows.length; j++) {
        const [x, y] = [f.rows[i], f.rows[j]];
        const c = comparePair(armOf(x), x.cells, armOf(y), y.cells);
        // A is the arm ahead on the paired seeds (median ratio below 1); on a tie, the lower median.
        const swap = c.medianRatio > 1 || (c.medianRatio === 1 && y.test_nmse_median < x.test_nmse_median);
        pairs.push(swap ? comparePair(armOf(y), y.cells, armOf(x), x.cells) : c);
      }
    const adjusted = holm(pairs.map((c) => c.p));
    out.push({ facet: f.facet, activation: f.activation, K: f.K, rows: pairs.map((c, i) => ({ ...c, pHolm: adjusted[i] })) });
  }
  return out;
}
