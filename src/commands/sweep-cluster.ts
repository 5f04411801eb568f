/**
 * `kstep sweep <experiment> --slurm | --k8s`: the sweep split into shards on a cluster.
 *
 * --slurm checks every output folder, submits a job array (one task per shard) and a merge job that
 * depends on it, prints the job ids and records them with the scripts in <out>/slurm/; with
 * --dry-run it prints the scripts and submits nothing. --k8s prints a Kubernetes Indexed Job. Both
 * come from src/experiment/cluster.ts. Exit codes: 0 submitted (or printed), 1 sbatch missing or a
 * submission refused (Slurm's message on one line; nothing written), 2 bad input or an output folder
 * that may not be written.
 */
import { resolve } from 'node:path';
import { type ClusterJob, SLURM_FILES, arrayList, k8sManifest, shardsText, slurmFolder } from '../experiment/cluster.js';
import { type ClusterOptions, resolveShards } from '../experiment/cluster-options.js';
import { resolveExperimentPath } from '../experiment/experiment-file.js';
import type { Submission } from '../experiment/slurm-jobs.js';
import { type SlurmPlan, planSlurm, submitSlurm } from '../experiment/slurm-submit.js';
import { SlurmError } from '../experiment/slurm.js';
import { type Experiment, defaultOutDir } from '../experiment/sweep.js';
import { launcherPath } from '../install.js';
import { requireNonEmpty } from '../output/paths.js';

/** The flags of `kstep sweep` that a `--slurm` or `--k8s` submission reads or passes on to its shards. */
export interface ClusterSweepFlags {
  out?: string;
  resume?: boolean;
  force?: boolean;
  failFast?: boolean;
  dryRun?: boolean;
  json?: boolean;
  quiet?: boolean;
  report?: boolean;
  memory?: string;
}

function clusterJob(exp: Experiment, experiment: string, overrides: readonly string[], flags: ClusterSweepFlags, o: ClusterOptions): ClusterJob {
  const slurm = o.engine === 'slurm';
  if (flags.out !== undefined) requireNonEmpty(flags.out, '--out');
  const out = flags.out ?? defaultOutDir(exp.spec.name);
  // On Slurm the jobs run this install from absolute paths; in a container, kstep in /work.
  const file = resolveExperimentPath(experiment) === experiment;
  return {
    name: exp.spec.name,
    launcher: slurm ? [process.execPath, launcherPath()] : ['npx', 'kstep'],
    cwd: slurm ? process.cwd() : undefined,
    experiment: slurm && file ? resolve(experiment) : experiment,
    overrides,
    out: slurm ? resolve(out) : out,
    shards: resolveShards(o, exp.cells.length),
    cells: exp.cells.length,
    cpus: o.cpus,
    replace: flags.force === true,
    failFast: flags.failFast === true,
    quiet: flags.quiet === true,
    report: flags.report === true,
    memory: flags.memory,
  };
}

function planText(plan: SlurmPlan): string {
  const { job } = plan;
  const dir = slurmFolder(job);
  const lines = [`# ${dir}/${SLURM_FILES.sweep}`, plan.scripts.sweep, `# ${dir}/${SLURM_FILES.merge}`, plan.scripts.merge];
  const done = plan.shardDone.reduce((a, b) => a + b, 0);
  if (plan.tasks.length === 0 && plan.merged) lines.push(`# nothing to submit: every cell is done and merged in ${job.out}`);
  else {
    const array = plan.tasks.length ? `sbatch --hold --array=${arrayList(plan.tasks)} ${SLURM_FILES.sweep}; ` : '';
    const dep = plan.tasks.length ? '--dependency=afterok:<array job> ' : '';
    lines.push(
      `# --dry-run: nothing submitted. ${plan.tasks.length} of ${job.shards} shards to run (${done} of ${job.cells} cells done); ` +
        `kstep sweep --slurm would run: ${array}sbatch ${dep}${SLURM_FILES.merge}${plan.tasks.length ? '; scontrol release <array job>' : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function clusterSweep(exp: Experiment, experiment: string, overrides: readonly string[], flags: ClusterSweepFlags, o: ClusterOptions): number {
  const job = clusterJob(exp, experiment, overrides, flags, o);
  if (o.engine === 'k8s') {
    process.stdout.write(k8sManifest(job));
    return 0;
  }
  let plan: SlurmPlan;
  let sub: Submission;
  try {
    plan = planSlurm(exp, job, { partition: o.partition, time: o.time, sbatchArgs: o.sbatchArgs }, { resume: flags.resume, force: flags.force, submit: !flags.dryRun });
    if (flags.dryRun) {
      if (flags.json)
        process.stdout.write(
          `${JSON.stringify({ out: job.out, shards: job.shards, tasks: plan.tasks, shard_cells: plan.shardCells, shard_done: plan.shardDone, scripts: plan.scripts }, null, 2)}\n`,
        );
      else process.stdout.write(planText(plan));
      return 0;
    }
    if (plan.tasks.length === 0 && plan.merged) {
      process.stderr.write(`nothing to submit: all ${job.cells} cells are done and merged in ${job.out}\n`);
      return 0;
    }
    sub = submitSlurm(plan, process.argv.slice(2));
  } catch (e) {
    if (e instanceof SlurmError) {
      process.stderr.write(`kstep: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const dir = slurmFolder(job);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ out: job.out, slurm: dir, shards: job.shards, ...sub }, null, 2)}\n`);
    return 0;
  }
  const array =
    sub.array_job !== null
      ? `array job ${sub.array_job} (${shardsText(sub.tasks)} of ${job.shards}, ${job.cpus} CPU${job.cpus === 1 ? '' : 's'} each), `
      : `no array job (every shard is complete), `;
  process.stdout.write(
    `submitted kstep sweep ${job.name} to Slurm: ${array}merge job ${sub.merge_job}${sub.array_job !== null ? ' (runs when every shard has succeeded)' : ''}\n` +
      `scripts, job ids and logs in ${dir}; progress: kstep status ${job.out}\n`,
  );
  return 0;
}
