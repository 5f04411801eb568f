/**
 * `kstep sweep --slurm`: plan, then submit.
 *
 * The plan writes nothing. It checks the merged folder and every shard folder with the rules of a
 * local sweep (src/experiment/outdir.ts), finds which shards still miss cells (--resume submits only
 * those), and checks that no job of an earlier submission into the folder is still queued and that
 * the scripts in <out>/slurm/ are the ones kstep wrote (a user may edit them and submit them by hand;
 * kstep never replaces an edited one).
 *
 * The submission writes nothing until Slurm has accepted both jobs: the job array is submitted held,
 * the merge job with --dependency=afterok on it, and only then is the array released. If sbatch is
 * missing or refuses either job, the held array is cancelled, the folders this submission created
 * (for Slurm's logs, which must exist before a job starts) are removed, and the SlurmError carries
 * Slurm's message. After it, <out>/slurm/ holds the two scripts and jobs.json with the job ids.
 */
import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../output/csv.js';
import { makeFolder, pathKind, showPath } from '../output/paths.js';
import {
  type ClusterJob,
  SLURM_FILES,
  type SlurmSettings,
  arrayList,
  checkSlurmPath,
  shardFolders,
  slurmArrayScript,
  slurmFolder,
  slurmMergeScript,
} from './cluster.js';
import { shardCells } from './grid.js';
import { checkSweepFolder } from './outdir.js';
import { FILES, readManifest, readResults } from './resume.js';
import { type JobsRecord, JOBS_FORMAT, type Submission, readJobs, sha256, submissionJobs, writeJobs } from './slurm-jobs.js';
import { cancelJob, releaseJob, requireSbatch, sbatch, squeue } from './slurm.js';
import type { Experiment } from './sweep.js';
import { checkModulesUnchanged } from './task-module.js';

export interface SlurmPlan {
  job: ClusterJob;
  settings: SlurmSettings;
  /** The texts of sweep.sbatch and merge.sbatch. */
  scripts: { sweep: string; merge: string };
  /** Shards to submit (all of them, or with --resume those that miss cells). */
  tasks: number[];
  /** Cells per shard, and how many of them are done already. */
  shardCells: number[];
  shardDone: number[];
  /** Whether the merged folder already holds every cell (then nothing is submitted). */
  merged: boolean;
  /** The record of earlier submissions into the folder. */
  previous?: JobsRecord;
}

/** May the script file kstep is about to write replace what is there? */
function checkScript(file: string, text: string, previous: JobsRecord | undefined): void {
  if (pathKind(file) === 'missing') return;
  if (pathKind(file) !== 'file') throw new UsageError('--out', `${showPath(file)} is not a file; move it away to submit`);
  const now = readFileSync(file, 'utf8');
  if (now === text) return;
  const written = previous?.submissions.at(-1)?.scripts[basename(file)];
  if (written !== sha256(now))
    throw new UsageError(
      '--out',
      `${showPath(file)} differs from the script kstep wrote there (edited by hand?); nothing was submitted. Submit it yourself with sbatch, or move it away`,
    );
}

/**
 * Checks everything a submission depends on and computes what it submits; writes nothing. With
 * `submit`, also that sbatch is there (a SlurmError otherwise) and the folders take new files.
 */
export function planSlurm(exp: Experiment, job: ClusterJob, settings: SlurmSettings, o: { resume?: boolean; force?: boolean; submit?: boolean }): SlurmPlan {
  if (o.resume && o.force) throw new UsageError('--force', 'cannot be combined with --resume (--resume keeps the results, --force replaces them)');
  checkSlurmPath(job.out, '--out');
  const dirs = shardFolders(job);
  // The merged folder follows a local sweep's rules (the merge job writes there what one run would),
  // and so does each shard folder. Everything is read and checked before any folder is tried for
  // writing, so a refusal leaves every folder as it was, modification times included.
  const checkFolders = (probe: boolean) => {
    const check = (dir: string, shard: string | null) => checkSweepFolder(dir, '--out', { spec: exp.spec, shard, resume: o.resume, force: o.force, probe });
    check(job.out, null);
    dirs.forEach((dir, index) => check(dir, `${index}/${job.shards}`));
  };
  checkFolders(false);

  const previous = readJobs(job.out);
  const last = previous?.submissions.at(-1);
  if (last) {
    const active = squeue(submissionJobs(last), 'active');
    if (active && active.size > 0)
      throw new UsageError(
        '--slurm',
        `jobs ${[...active.keys()].join(', ')} of the earlier submission into ${showPath(job.out)} are still in Slurm's queue; ` +
          `nothing was submitted. Wait for them to end (kstep status ${showPath(job.out)}) or scancel them, then submit again`,
      );
  }
  const scripts = { sweep: slurmArrayScript(job, settings), merge: slurmMergeScript(job, settings) };
  const dir = slurmFolder(job);
  if (pathKind(dir) === 'dir') {
    checkScript(join(dir, SLURM_FILES.sweep), scripts.sweep, previous);
    checkScript(join(dir, SLURM_FILES.merge), scripts.merge, previous);
  }

  const shardCellsList: number[] = [];
  const shardDone: number[] = [];
  dirs.forEach((d, index) => {
    const slice = shardCells(exp.cells, { index, count: job.shards });
    shardCellsList.push(slice.length);
    let done = 0;
    if (o.resume && existsSync(join(d, FILES.cells))) {
      checkModulesUnchanged(readManifest(d)?.modules, '--resume', d);
      const records = readResults(d, exp.header);
      done = slice.filter((c) => records.cells.has(c.id)).length;
    }
    shardDone.push(done);
  });
  const tasks = shardCellsList.map((n, i) => (shardDone[i] < n ? i : -1)).filter((i) => i >= 0);
  let merged = false;
  if (tasks.length === 0 && existsSync(join(job.out, FILES.cells))) {
    const have = readResults(job.out, exp.header).cells;
    merged = exp.cells.every((c) => have.has(c.id));
  }
  // A submission then needs folders it can write (tried with a probe file, which a --dry-run does
  // not make: it writes nothing), and then sbatch: a bad path is a usage error wherever Slurm is.
  if (o.submit) {
    checkFolders(true);
    requireSbatch();
  }
  return { job, settings, scripts, tasks, shardCells: shardCellsList, shardDone, merged, previous };
}

/** The folders on the way to `dir` that do not exist yet, outermost first. */
function missingFolders(dir: string): string[] {
  const out: string[] = [];
  for (let d = resolve(dir); pathKind(d) === 'missing'; d = resolve(d, '..')) out.unshift(d);
  return out;
}

/**
 * Submits a plan: the array held, the merge after it, then the array released; writes the scripts
 * and jobs.json once Slurm has accepted both. Throws a SlurmError (nothing left behind) otherwise.
 */
export function submitSlurm(plan: SlurmPlan, command: readonly string[]): Submission {
  const dir = slurmFolder(plan.job);
  const created = missingFolders(dir);
  makeFolder(dir);
  let arrayJob: string | null = null;
  let mergeJob: string;
  try {
    if (plan.tasks.length) arrayJob = sbatch(plan.scripts.sweep, ['--hold', `--array=${arrayList(plan.tasks)}`], 'the job array');
    try {
      mergeJob = sbatch(plan.scripts.merge, arrayJob !== null ? [`--dependency=afterok:${arrayJob}`] : [], 'the merge job');
      if (arrayJob !== null) releaseJob(arrayJob);
    } catch (e) {
      if (arrayJob !== null) cancelQuietly(arrayJob);
      throw e;
    }
  } catch (e) {
    for (const d of created.reverse()) rmdirQuietly(d);
    throw e;
  }
  writeFileAtomic(join(dir, SLURM_FILES.sweep), plan.scripts.sweep);
  writeFileAtomic(join(dir, SLURM_FILES.merge), plan.scripts.merge);
  const submission: Submission = {
    submitted: new Date().toISOString(),
    command: [...command],
    array_job: arrayJob,
    tasks: plan.tasks,
    merge_job: mergeJob,
    scripts: { [SLURM_FILES.sweep]: sha256(plan.scripts.sweep), [SLURM_FILES.merge]: sha256(plan.scripts.merge) },
  };
  writeJobs(plan.job.out, {
    format: JOBS_FORMAT,
    experiment: plan.job.name,
    out: plan.job.out,
    shards: plan.job.shards,
    shard_cells: plan.shardCells,
    submissions: [...(plan.previous?.submissions ?? []), submission],
  });
  return submission;
}

function cancelQuietly(id: string): void {
  try {
    cancelJob(id);
  } catch {
    // The refusal being reported matters more; a held job that outlives this shows in squeue.
  }
}

function rmdirQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty (something else wrote there meanwhile): left as it is.
  }
}
