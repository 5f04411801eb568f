/**
 * The report's tables of confidence, the same numbers as the terminal's (tables.ts):
 *
 *   tuning       per tuned result, the settings tried with their median validation and test nmse,
 *                the one chosen on validation, and the cost of all of them (tuning included)
 *   comparisons  who beats whom: per K and activation (and facet), every pair of arms on their
 *                paired seeds, wins, the median ratio, Wilcoxon's p and its Holm adjustment
 *   horizon      on an expanding map: the largest K fitted to test nmse < 0.01 against the horizon
 *                predicted from the nets' one-step error and the map's Lyapunov exponent
 *
 * Each is a section like a chart (HTML tables in place of SVG), left out when there is nothing to show.
 */
import { compareArms } from '../compare.js';
import { HORIZON_TOL, horizons } from '../horizon.js';
import { armOf, chosenText, facetColumns, facetTitle } from '../layout.js';
import { type SummaryRow, shownRows } from '../summary.js';
import { fmt, fmtP } from '../tables.js';
import { tunedKeys } from '../tuning.js';
import type { Chart } from './chart.js';
import type { ResultsData } from './data.js';
import { esc } from './svg.js';

function table(head: readonly string[], rows: readonly (readonly string[])[], attrs = ''): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`).join('\n');
  return `<table class="stats"${attrs}>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

const interval = (r: SummaryRow) => `${fmt(r.test_nmse_median)} [${fmt(r.test_nmse_ci_lo)}, ${fmt(r.test_nmse_ci_hi)}]`;
const cost = (x: number) => (x >= 1e4 ? x.toExponential(2).replace('e+', 'e') : String(x));

/** Where a row stands: its facet, activation and K. */
function placeText(cols: readonly string[], r: SummaryRow): string {
  return [facetTitle(cols, r), r.config.activation, `K=${r.config.K}`].filter((x) => x).join(' ');
}

export function tuningChart(data: ResultsData): Chart | undefined {
  const all = data.summary.rows;
  const tuned = all.filter((r) => r.kind === 'tuned');
  if (tuned.length === 0) return undefined;
  const cols = facetColumns(data.summary.configColumns, shownRows(data.summary));
  const rows: string[][] = [];
  for (const t of tuned) {
    const keys = tunedKeys(t.config.tune);
    // The settings of this result: the config rows that differ from it in the tuned options only.
    const same = (r: SummaryRow) => r.kind === 'config' && data.summary.configColumns.every((c) => keys.includes(c) || r.config[c] === t.config[c]);
    for (const s of all.filter(same)) {
      const chosen = keys.every((k) => s.config[k] === t.config[k]);
      rows.push([placeText(cols, t), armOf(t), chosenText(s), fmt(s.val_nmse_median), interval(s), chosen ? 'chosen' : '', chosen ? cost(t.cost_total) : '']);
    }
  }
  return {
    id: 'tuning',
    title: 'Tuning',
    caption: `Each tuned result is the setting with the lowest median validation nmse over seeds (a diverged or failed cell counts as +inf; a tie goes to the setting listed first); its test nmse, with the 95% bootstrap interval of the median, is what the other tables show. The last column is what the result cost in network applications, every setting tried included.`,
    svg: table(['where', 'arm', 'setting', 'median val nmse', 'median test nmse [95% interval]', '', 'cost, tuning included'], rows, ' data-table="tuning"'),
  };
}

export function comparisonsChart(data: ResultsData): Chart | undefined {
  const shown = shownRows(data.summary);
  const families = compareArms(shown, facetColumns(data.summary.configColumns, shown));
  if (families.length === 0) return undefined;
  const blocks = families.map((f) => {
    const where = [`K = ${f.K}`, f.activation, f.facet].filter((x) => x !== '').join(', ');
    const rows = f.rows.map((r) => [`${r.a} vs ${r.b}`, `${r.winsA}:${r.winsB}${r.ties ? ` (${r.ties})` : ''}`, String(r.n), fmt(r.medianRatio), fmtP(r.p), fmtP(r.pHolm)]);
    return `<h3>${esc(where)}</h3>\n${table(['A vs B', 'wins A:B (ties)', 'paired seeds', 'median A/B', 'p', 'p Holm'], rows, ` data-table="comparison" data-k="${esc(f.K)}"`)}`;
  });
  return {
    id: 'comparisons',
    title: 'Who beats whom',
    caption:
      'Per K and activation, every pair of arms on the seeds they share (cells of one seed share data and initial network). A is the arm ahead on the paired seeds (median ratio below 1); wins count the seeds where its test nmse is lower; the median ratio is over seeds. p: two-sided Wilcoxon signed-rank test on the log10 test nmse differences (a diverged cell counts as +inf; exact for n <= 25), Holm-adjusted over the pairs of one table.',
    svg: blocks.join('\n'),
  };
}

export function horizonChart(data: ResultsData): Chart | undefined {
  const shown = shownRows(data.summary);
  const hs = horizons(shown, facetColumns(data.summary.configColumns, shown));
  if (hs.length === 0) return undefined;
  const rows = hs.map((h) => [[h.facet, h.activation].filter((x) => x).join(' '), h.arm, fmt(h.lambda), h.measured === undefined ? 'none' : String(h.measured), `${fmt(h.onestep)} (K=${h.atK})`, fmt(h.predicted)]);
  return {
    id: 'horizon',
    title: 'Horizon',
    caption: `On an expanding map an iterated net whose one step has nmse e fits f^K only while e exp(2 lambda (K - 1)) stays below the tolerance: K <= 1 + ln(tol / e) / (2 lambda), lambda the map's maximal Lyapunov exponent (health diagnostics). Measured: the largest K whose median test nmse is below ${HORIZON_TOL}; predicted from the median one-step nmse of the nets trained at that K (at the smallest K when none fits).`,
    svg: table(['where', 'arm', 'lambda', 'measured K', 'one-step nmse e', 'predicted K'], rows, ' data-table="horizon"'),
  };
}
