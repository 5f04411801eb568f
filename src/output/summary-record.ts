/**
 * The `--json` form of a results folder's summary (sweep, merge, summarize): the summary rows, the
 * who-beats-whom families and the horizons, numbers as numbers (NaN as null, infinities as
 * "inf"/"-inf", as in summary.csv's reading).
 */
import { compareArms } from './compare.js';
import { horizons } from './horizon.js';
import { facetColumns } from './layout.js';
import { type Summary, shownRows, summaryJson } from './summary.js';

const num = (x: number) => (Number.isNaN(x) ? null : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : x);

function numbers<T extends object>(o: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? num(v) : v]));
}

export function summaryRecord(summary: Summary): { summary: Record<string, unknown>[]; comparisons: unknown[]; horizons: unknown[] } {
  const shown = shownRows(summary);
  const cols = facetColumns(summary.configColumns, shown);
  return {
    summary: summaryJson(summary),
    comparisons: compareArms(shown, cols).map((f) => ({ ...f, rows: f.rows.map(numbers) })),
    horizons: horizons(shown, cols).map(numbers),
  };
}
