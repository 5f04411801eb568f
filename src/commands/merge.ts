/**
 * `kstep merge <dirs...> --out <dir>`: combines results folders of one experiment spec (the shards
 * of a sweep) into the files a single run writes, then prints the tables. Exit code 1 when cells
 * of the grid are missing from every folder (the merged files are still written); 2, nothing
 * written, when a folder is a shard (or a sweep) that has not finished its cells.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { loadMergedModules, mergeResults } from '../experiment/merge.js';
import { summaryRecord } from '../output/summary-record.js';
import { renderTables, tableOptionsFor } from '../output/tables.js';

export function mergeCommand(program: Command): void {
  program
    .command('merge')
    .description('merge results folders (shards) of one experiment into one folder')
    .argument('<dirs...>', 'results folders written by kstep sweep (e.g. with --shard i/n)')
    .option('--out <dir>', 'the merged results folder (required)')
    .option('--force', 'replace what --out holds: results of another spec, or cells of this spec the merge would drop (never an input folder)')
    .option('--json', 'print the merge report and summary as JSON on stdout')
    .addHelpText(
      'after',
      '\nExample:\n  kstep merge results/chaos/shard-0-of-3 results/chaos/shard-1-of-3 results/chaos/shard-2-of-3 --out results/chaos\n\n' +
        'The --out folder must not be one of the merged folders; when it holds results of another spec, files kstep did not write,\n' +
        'or cells of this spec that the merge would drop, nothing is written (exit code 2) unless --force.\n' +
        'A folder whose sweep has not finished its cells (a shard that failed, was cancelled or still runs) is refused the same way.',
    )
    .action(async (dirs: string[], flags: MergeFlags) => {
      process.exitCode = await mergeAction(dirs, flags);
    });
}

interface MergeFlags {
  out?: string;
  json?: boolean;
  force?: boolean;
}

export async function mergeAction(dirs: readonly string[], flags: MergeFlags): Promise<number> {
  if (flags.out === undefined) throw new UsageError('--out', 'required: the folder to write the merged results to');
  await loadMergedModules(dirs);
  const report = mergeResults(dirs, flags.out, (s) => process.stderr.write(`${s}\n`), flags.force);
  if (flags.json) {
    const { summary, ...rest } = report;
    process.stdout.write(`${JSON.stringify({ ...rest, ...summaryRecord(summary) }, null, 2)}\n`);
  } else {
    process.stdout.write(renderTables(report.summary, tableOptionsFor(process.stdout)));
  }
  process.stderr.write(
    `merged ${report.cells} of ${report.gridCells} cells of ${report.experiment} from ${dirs.length} folders into ${report.out}` +
      `${report.duplicates ? ` (${report.duplicates} cells found twice: first folder kept)` : ''}\n`,
  );
  if (report.missing.length) {
    process.stderr.write(`incomplete: ${report.missing.length} cells missing (${report.missing.slice(0, 5).join(', ')}${report.missing.length > 5 ? ', ...' : ''})\n`);
    return 1;
  }
  return 0;
}
