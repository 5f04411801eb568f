/**
 * How the rows of a summary are laid out in the tables, the comparisons and the report: which arm
 * a row belongs to (its variant, else its optimizer), and which descriptors split them into facets.
 * Shown rows (summary.ts, `shownRows`) hold one setting per tuned group, so a tuned option is not a
 * facet: its chosen value is shown with the row instead.
 */
import { tunedKeys } from './tuning.js';
import type { SummaryRow } from './summary.js';

/** Descriptors that are a pivot's rows, columns or arms, or the seeds a row is over: never facets. */
const PIVOT_KEYS = ['K', 'activation', 'optimizer', 'variant', 'seed', 'tune'];

/** The arm of a row: its variant, else its optimizer. */
export function armOf(r: SummaryRow): string {
  return r.config.variant !== undefined && r.config.variant !== '' ? r.config.variant : r.config.optimizer;
}

/** The options tuned in any of these rows. */
export function tunedColumns(rows: readonly SummaryRow[]): Set<string> {
  const out = new Set<string>();
  for (const r of rows) for (const k of tunedKeys(r.config.tune)) out.add(k);
  return out;
}

/** Descriptor columns that vary within one (optimizer, variant), tuned options aside: they split the pivots into facets. */
export function facetColumns(configColumns: readonly string[], rows: readonly SummaryRow[]): string[] {
  const tuned = tunedColumns(rows);
  const out: string[] = [];
  for (const c of configColumns) {
    if (PIVOT_KEYS.includes(c) || tuned.has(c)) continue;
    const seen = new Map<string, string>();
    let varies = false;
    for (const r of rows) {
      const arm = `${r.config.optimizer}\u0000${r.config.variant ?? ''}`;
      const prev = seen.get(arm);
      if (prev === undefined) seen.set(arm, r.config[c]);
      else if (prev !== r.config[c]) {
        varies = true;
        break;
      }
    }
    if (varies) out.push(c);
  }
  return out;
}

/** A row's facet title: `task.r=3.9` ('' without facets). */
export function facetTitle(cols: readonly string[], r: SummaryRow): string {
  return cols.map((c) => `${c}=${r.config[c]}`).join(' ');
}

/** The chosen values of a tuned row, `lr=0.01` ('' for an untuned row). */
export function chosenText(r: SummaryRow): string {
  return tunedKeys(r.config.tune)
    .map((k) => `${k}=${r.config[k]}`)
    .join(' ');
}
