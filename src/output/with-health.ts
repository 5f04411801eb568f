/**
 * The summary of a results folder with the health pivots of its health.csv, when there is one
 * (summary.csv is not affected: it is computed from cells.csv alone).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseCsv } from './csv.js';
import { type CellsTable, type Summary, summarizeHealth } from './summary.js';

/** `summary` with the health pivots of `healthFile` added, or as it is when that file does not exist. */
export function withHealth(summary: Summary, cells: CellsTable, healthFile: string): Summary {
  if (!existsSync(healthFile)) return summary;
  const health = summarizeHealth(cells, parseCsv(readFileSync(healthFile, 'utf8')));
  return health ? { ...summary, health } : summary;
}
