/**
 * `kstep sweep <experiment> [key=values ...]`: runs an experiment's grid in a pool of worker
 * threads, writes results/<name>/ (cells.csv, curves.csv, adjoints.csv, summary.csv,
 * manifest.json) and prints the pivot tables. See src/experiment/spec.ts for the file format,
 * src/experiment/overrides.ts for the override syntax, src/experiment/sweep.ts for the folder.
 *
 * Exit codes: 0 all cells ran (diverged cells are results, not failures); 1 some cell ended in
 * `error`, or --fail-fast stopped the sweep; 2 bad input, or a results folder that holds results the
 * sweep may not replace (nothing written; src/experiment/outdir.ts); 130 interrupted (SIGINT; finish
 * with --resume).
 */
import os from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { type ClusterFlags, DEFAULT_SHARDS, parseClusterFlags } from '../experiment/cluster-options.js';
import { descriptorValues, parseShard, shardCells } from '../experiment/grid.js';
import { builtinNames } from '../experiment/experiment-file.js';
import { cellLabel, labelKeys, loadExperiment, runSweep } from '../experiment/sweep.js';
import { preloadExperimentTasks } from '../experiment/task-module.js';
import { writeReport } from '../output/report/index.js';
import { summaryRecord } from '../output/summary-record.js';
import { renderTables, tableOptionsFor } from '../output/tables.js';
import { MEMORY_HELP, interruptOnSigint, parseMemory, progressMode } from './options.js';
import { type ClusterSweepFlags, clusterSweep } from './sweep-cluster.js';

/** The flags of `kstep sweep`: those a cluster submission passes on to its shards, and the cluster ones. */
interface SweepFlags extends ClusterSweepFlags, ClusterFlags {}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseWorkers(text: string | undefined): number {
  if (text === undefined) return os.availableParallelism();
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || text.trim() === '') throw new UsageError('--workers', `expected an integer >= 0, got '${text}'`);
  return n;
}

export function sweepCommand(program: Command): void {
  program
    .command('sweep')
    .description('run an experiment grid (K x activation x optimizer x seeds ...) in parallel, write CSVs, print tables')
    .argument('<experiment>', `an experiment file (experiments/*.json) or a built-in name: ${builtinNames().join(', ')}`)
    .argument('[overrides...]', 'Hydra-style overrides: K=1,2,4,8 activation=tanh,relu seed=0..4 budget=2e6 hidden=[16],[32,32] ga.sigma=0.1')
    .option('--out <dir>', 'results folder (default results/<name>, shards results/<name>/shard-<i>-of-<n>)')
    .option('--workers <n>', `worker threads (default: available cores, here ${os.availableParallelism()}; 0 = main thread)`)
    .option('--resume', 'keep the cells already in the results folder and run the rest')
    .option('--force', 'replace the results already in the results folder (of this spec or another); other files are kept')
    .option('--shard <i/n>', 'run only the cells with index % n == i (merge the shards with kstep merge)')
    .option('--fail-fast', 'stop at the first cell that ends in error')
    .option('--dry-run', 'validate and list the cells (with --slurm: print the scripts), run nothing, write nothing')
    .option('--json', 'print the summary (or with --dry-run the cells) as JSON on stdout')
    .option('--quiet', 'no progress output on stderr')
    .option('--report', 'write report.html (kstep report) into the results folder at the end')
    .option('--memory <mode>', MEMORY_HELP)
    .option('--slurm', 'submit to Slurm: a job array (one task per shard) and a merge job after it; scripts and job ids in <out>/slurm/')
    .option('--k8s', 'print a Kubernetes Indexed Job (one pod per shard) that runs the sweep; submits nothing')
    .option('--shards <n>', `shards of --slurm or --k8s (default ${DEFAULT_SHARDS}, at most one per cell)`)
    .option('--cpus-per-task <c>', 'CPUs of each shard, which runs that many workers (--slurm, --k8s; default 1)')
    .option('--partition <name>', 'Slurm partition (--slurm)')
    .option('--time <HH:MM:SS>', 'Slurm time limit of each job, HH:MM:SS or D-HH:MM:SS (--slurm)')
    .option('--sbatch-arg <option>', "one more sbatch option for both jobs, e.g. --mem=4G or '--account abc' (--slurm; repeatable)", collect)
    .addHelpText(
      'after',
      `
Examples:
  kstep sweep quick
  kstep sweep experiments/activations.json K=1,4,16 seed=0..2 --workers 2
  kstep sweep chaos task.r=3.9 --shard 0/3        # then: kstep merge results/chaos/shard-* --out results/chaos
  kstep sweep quick --resume                      # finish an interrupted sweep
  kstep sweep quick --report                      # and write results/quick/report.html
  kstep sweep quick --force                       # run every cell again, replacing results/quick
  kstep sweep chaos --slurm --shards 8 --cpus-per-task 4 --time 02:00:00   # then: kstep status results/chaos
  kstep sweep chaos --slurm --shards 8 --resume   # after a shard failed: runs only its missing cells
  kstep sweep chaos --k8s --shards 8              # print a Kubernetes Indexed Job

A results folder that already holds results (of this spec or another) or files kstep did not write is never
overwritten: the sweep stops before running anything (exit code 2) unless --resume or --force.

Exit codes: 0 done, 1 a cell ended in error (or --fail-fast stopped; with --slurm: sbatch missing or refusing, nothing written),
2 bad input or a results folder in use (nothing written), 130 interrupted.`,
    )
    .action(async (experiment: string, overrides: string[], flags: SweepFlags) => {
      process.exitCode = await sweepAction(experiment, overrides, flags);
    });
}

/** The command's work; returns the exit code (throws UsageError for bad input). */
export async function sweepAction(experiment: string, overrides: readonly string[], flags: SweepFlags): Promise<number> {
  const cluster = parseClusterFlags(flags);
  const workers = parseWorkers(flags.workers);
  const memory = parseMemory(flags.memory);
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : undefined;
  if (flags.resume && flags.dryRun && !cluster) throw new UsageError('--dry-run', 'cannot be combined with --resume');
  // Task modules are loaded (and checked) first: parsing the experiment looks them up.
  await preloadExperimentTasks(experiment, overrides);
  const exp = loadExperiment(experiment, overrides);
  if (cluster) return clusterSweep(exp, experiment, overrides, flags, cluster);

  if (flags.dryRun) {
    const slice = shardCells(exp.cells, shard);
    if (flags.json) {
      const cells = slice.map((c) => ({ cell_id: c.id, index: c.index, ...Object.fromEntries([...descriptorValues(c)].map(([k, v]) => [k, v])) }));
      process.stdout.write(`${JSON.stringify({ experiment: exp.spec.name, grid_cells: exp.cells.length, cells }, null, 2)}\n`);
    } else {
      const lines = [`${exp.spec.name}: ${slice.length} of ${exp.cells.length} cells`];
      const keys = labelKeys(exp);
      for (const c of slice) lines.push(`${c.id}  ${cellLabel(c, keys)}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  }

  const interrupt = interruptOnSigint();
  try {
    const progress = progressMode(flags.quiet === true);
    const report = await runSweep(exp, {
      out: flags.out,
      workers,
      memory,
      resume: flags.resume,
      force: flags.force,
      field: flags.out !== undefined ? '--out' : 'sweep',
      shard,
      failFast: flags.failFast,
      signal: interrupt.signal,
      progress,
      log: flags.quiet ? () => {} : (s) => process.stderr.write(`${s}\n`),
    });
    if (report.summary) {
      if (flags.json) {
        const { summary, ...rest } = report;
        process.stdout.write(`${JSON.stringify({ ...rest, ...summaryRecord(summary) }, null, 2)}\n`);
      } else {
        process.stdout.write(renderTables(report.summary, tableOptionsFor(process.stdout)));
        if (!flags.quiet)
          process.stderr.write(
            `${report.total} cells (${report.ran} run now${report.skipped ? `, ${report.skipped} resumed` : ''}, ${report.errors} errors) in ${(report.wall_ms / 1000).toFixed(1)} s; results in ${report.dir}\n`,
          );
      }
    }
    if (report.summary && flags.report) {
      const r = writeReport(report.dir);
      if (!flags.quiet) process.stderr.write(`report: ${r.file} (${(r.bytes / 1024).toFixed(0)} kB)\n`);
    }
    if (report.end === 'aborted') return 130;
    if (report.end === 'failed' || report.errors > 0) return 1;
    return 0;
  } finally {
    interrupt.release();
  }
}
