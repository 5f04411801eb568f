/**
 * The summary of a results folder with the health pivots of its health.csv, when there is one
 * (summary.csv is not affected: it is computed from cells.csv alone). Like the tables, the pivots
 * show the cells of the shown rows: of a tuned arm, only the chosen setting's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseCsv } from './csv.js';
import { type CellsTable, type Summary, shownRows, summarizeHealth } from './summary.js';

/** `summary` with the health pivots of `healthFile` added, or as it is when that file does not exist. */
export function withHealth(summary: Summary, cells: CellsTable, healthFile: string): Summary {
  if (!existsSync(healthFile)) return summary;
  const shown = new Set(shownRows(summary).flatMap((r) => r.cells.map((c) => c.id)));
  const health = summarizeHealth({ header: cells.header, rows: cells.rows.filter((r) => shown.has(r[0])) }, parseCsv(readFileSync(healthFile, 'utf8')));
  return health ? { ...summary, health } : summary;
}
