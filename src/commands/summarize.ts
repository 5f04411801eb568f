/**
 * `kstep summarize <dir>`: prints the pivot tables of a results folder again, from its cells.csv
 * (and health.csv, when there is one) alone (the summary is recomputed with the same code the sweep
 * uses; nothing is written).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { FILES } from '../experiment/resume.js';
import { parseCsv } from '../output/csv.js';
import { loadResults } from '../output/report/data.js';
import { curveSparklines } from '../output/report/terminal.js';
import { type Summary, summarize } from '../output/summary.js';
import { summaryRecord } from '../output/summary-record.js';
import { renderTables, tableOptionsFor } from '../output/tables.js';
import { withHealth } from '../output/with-health.js';

/** The summary of a results folder's cells.csv (with the health pivots of its health.csv, if any). */
export function summarizeDir(dir: string): Summary {
  const file = join(dir, FILES.cells);
  if (!existsSync(file)) throw new UsageError('dir', `${file} not found: not a kstep results folder`);
  const table = parseCsv(readFileSync(file, 'utf8'));
  let summary: Summary;
  try {
    summary = summarize(table);
  } catch (e) {
    throw new UsageError(file, (e as Error).message);
  }
  try {
    return withHealth(summary, table, join(dir, FILES.health));
  } catch (e) {
    throw new UsageError(join(dir, FILES.health), (e as Error).message);
  }
}

export function summarizeCommand(program: Command): void {
  program
    .command('summarize')
    .description('print the pivot tables of a results folder from its CSVs')
    .argument('<dir>', 'a results folder, e.g. results/quick')
    .option('--json', 'print the summary rows as JSON on stdout')
    .addHelpText('after', '\nExample:\n  kstep summarize results/quick')
    .action((dir: string, flags: { json?: boolean }) => {
      process.exitCode = summarizeAction(dir, flags);
    });
}

export function summarizeAction(dir: string, flags: { json?: boolean }): number {
  const summary = summarizeDir(dir);
  if (flags.json) process.stdout.write(`${JSON.stringify({ dir, ...summaryRecord(summary) }, null, 2)}\n`);
  else {
    process.stdout.write(renderTables(summary, tableOptionsFor(process.stdout)));
    const sparks = curveSparklines(loadResults(dir));
    if (sparks) process.stdout.write(`\n${sparks}`);
  }
  return 0;
}
