/**
 * How an experiment's cells are laid out on the report's charts, the same way the terminal pivots
 * lay them out (tables.ts):
 *
 * - arm: what the lines and heatmap panels compare, the variant when the experiment has variants,
 *   else the optimizer;
 * - K: rows of the heatmap, columns of the small multiples;
 * - col: the second axis, the activation; when the activation is fixed and another descriptor varies
 *   within an arm (task.r in `chaos`), that descriptor instead;
 * - facets: any further descriptor that varies within an arm splits every chart into one block per
 *   value combination, titled with it;
 * - seeds: what medians and quartiles are taken over.
 *
 * Of a tuned arm only the cells of the setting chosen on the validation set are laid out (data.ts,
 * `cells`), as in the tables.
 */
import { facetColumns } from '../layout.js';
import { shownRows } from '../summary.js';
import type { CellRow, ResultsData } from './data.js';

export interface Design {
  armKey: 'variant' | 'optimizer';
  arms: string[];
  colKey: string;
  cols: string[];
  facetKeys: string[];
  /** Facet titles in order of appearance ('' when there is one facet). */
  facets: string[];
  Ks: number[];
}

export interface Place {
  facet: string;
  col: string;
  arm: string;
  K: number;
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

export function designOf(data: ResultsData): Design {
  const hasVariant = data.descriptors.includes('variant') && data.cells.some((c) => c.desc.variant !== '' && c.desc.variant !== undefined);
  const armKey = hasVariant ? 'variant' : 'optimizer';
  let facetKeys = facetColumns(data.summary.configColumns, shownRows(data.summary));
  let colKey = 'activation';
  const acts = uniq(data.cells.map((c) => c.desc.activation ?? ''));
  if (acts.length <= 1 && facetKeys.length > 0) {
    colKey = facetKeys[0];
    facetKeys = facetKeys.slice(1);
  }
  const d: Design = { armKey, arms: [], colKey, cols: [], facetKeys, facets: [], Ks: [] };
  d.arms = uniq(data.cells.map((c) => c.desc[armKey] ?? ''));
  d.cols = uniq(data.cells.map((c) => c.desc[colKey] ?? ''));
  d.facets = uniq(data.cells.map((c) => facetTitle(d, c)));
  d.Ks = uniq(data.cells.map((c) => Number(c.desc.K))).sort((a, b) => a - b);
  return d;
}

export function facetTitle(d: Design, c: { desc: Record<string, string> }): string {
  return d.facetKeys.map((k) => `${k}=${c.desc[k]}`).join(' ');
}

/** Where a cell (or a summary row's configuration, as `{ desc: config }`) goes. */
export function placeOf(d: Design, c: { desc: Record<string, string> }): Place {
  return { facet: facetTitle(d, c), col: c.desc[d.colKey] ?? '', arm: c.desc[d.armKey] ?? '', K: Number(c.desc.K) };
}

/** Cells grouped by a key built from their place, in order of first appearance. */
export function groupCells<T extends string>(d: Design, cells: readonly CellRow[], key: (p: Place) => T): Map<T, CellRow[]> {
  const m = new Map<T, CellRow[]>();
  for (const c of cells) {
    const k = key(placeOf(d, c));
    let g = m.get(k);
    if (!g) m.set(k, (g = []));
    g.push(c);
  }
  return m;
}

/** A key of several parts (never ambiguous). */
export function key(...parts: (string | number)[]): string {
  return parts.join('\u0000');
}

/** A value of the column axis as shown: `tanh`, or `task.r=3.9` for another descriptor. */
export function colLabel(d: Design, value: string): string {
  return d.colKey === 'activation' ? value : `${d.colKey}=${value}`;
}
