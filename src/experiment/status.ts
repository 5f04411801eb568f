/**
 * The progress of a results folder, read from its files alone (nothing is written): cells done
 * against cells to do, per shard folder and for the folder itself, and, when `kstep sweep --slurm`
 * submitted into it, the Slurm state of each array task and of the merge job as squeue reports them.
 *
 * A cell counts as done exactly as --resume and merge count it: a whole, valid cells.csv row
 * (src/experiment/resume.ts). Shards come from slurm/jobs.json (the last submission's shard count)
 * or, for shards run by hand, from the shard-<i>-of-<n> folders present.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { pathKind, showPath } from '../output/paths.js';
import { shardFolderName } from './grid.js';
import { FILES, type Manifest, readManifest, readResults } from './resume.js';
import { type Submission, readJobs } from './slurm-jobs.js';
import { type QueueEntry, squeue } from './slurm.js';

export interface ShardStatus {
  /** "i/n". */
  shard: string;
  dir: string;
  /** Whether the shard's sweep has started (its folder has a manifest). */
  started: boolean;
  done: number;
  /** Cells of the shard; undefined when nothing tells. */
  total?: number;
  /** The array task's job id (`12_3`) when the last submission ran this shard. */
  job?: string;
  /** squeue's entry of that task; undefined when squeue does not list it (or did not answer). */
  queue?: QueueEntry;
}

export interface FolderStatus {
  dir: string;
  experiment?: string;
  gridCells?: number;
  shards: ShardStatus[];
  /** The folder's own cells.csv: a sweep's slice, or a merge of the shards. */
  own?: { done: number; total?: number; merged: boolean };
  /** The last Slurm submission into the folder. */
  submission?: Submission;
  merge?: { job: string; queue?: QueueEntry };
  /** Whether squeue answered (false: missing or failing; the job states are unknown). */
  squeue?: boolean;
}

const SHARD = /^shard-(\d+)-of-(\d+)$/;

/** Cells of shard i of n in a grid of `grid` cells (cells are dealt round-robin by grid index). */
export function shardSize(grid: number, index: number, count: number): number {
  return index < grid ? Math.ceil((grid - index) / count) : 0;
}

function doneIn(dir: string): number {
  return existsSync(join(dir, FILES.cells)) ? readResults(dir).cells.size : 0;
}

function manifestOf(dir: string): Manifest | undefined {
  return pathKind(dir) === 'dir' ? readManifest(dir) : undefined;
}

/** The progress of `dir`. */
export function folderStatus(dir: string): FolderStatus {
  if (pathKind(dir) !== 'dir') throw new UsageError('dir', `${showPath(dir)} is not a folder: give a results folder (results/<experiment>)`);
  const jobs = readJobs(dir);
  const status: FolderStatus = { dir, shards: [] };
  const own = readManifest(dir);
  if (own) {
    status.experiment = own.experiment;
    status.gridCells = own.grid_cells;
    const merged = own.merged_from !== undefined;
    status.own = { done: doneIn(dir), total: merged ? own.grid_cells : own.cells, merged };
  }

  // The shard folders: those of the last submission, or those present (by their shard count).
  const counts = new Set<number>();
  if (jobs) counts.add(jobs.shards);
  else
    for (const name of readdirSync(dir)) {
      const m = SHARD.exec(name);
      if (m && pathKind(join(dir, name)) === 'dir') counts.add(Number(m[2]));
    }
  const submission = jobs?.submissions.at(-1);
  for (const n of [...counts].sort((a, b) => a - b)) {
    // Every shard of the count is listed, those without a folder too: they are work not yet done.
    for (let i = 0; i < n; i++) {
      const shardDir = join(dir, shardFolderName(i, n));
      const m = manifestOf(shardDir);
      if (m && status.experiment === undefined) {
        status.experiment = m.experiment;
        status.gridCells = m.grid_cells;
      }
      const s: ShardStatus = { shard: `${i}/${n}`, dir: shardDir, started: m !== undefined, done: m ? doneIn(shardDir) : 0 };
      s.total = m?.cells ?? jobs?.shard_cells[i];
      if (submission && submission.array_job !== null && submission.tasks.includes(i)) s.job = `${submission.array_job}_${i}`;
      status.shards.push(s);
    }
  }
  if (status.experiment === undefined && jobs) status.experiment = jobs.experiment;
  for (const s of status.shards)
    if (s.total === undefined && status.gridCells !== undefined) {
      const [i, n] = s.shard.split('/').map(Number);
      s.total = shardSize(status.gridCells, i, n);
    }
  if (!own && status.shards.length === 0 && !jobs)
    throw new UsageError('dir', `${showPath(dir)} holds no ${FILES.manifest}, no shard folders and no Slurm jobs: not a kstep results folder`);

  if (submission) {
    status.submission = submission;
    status.merge = { job: submission.merge_job };
    const ids = [...(submission.array_job !== null ? [submission.array_job] : []), submission.merge_job];
    const q = squeue(ids, 'all');
    status.squeue = q !== undefined;
    if (q) {
      for (const s of status.shards) if (s.job) s.queue = q.get(s.job);
      status.merge.queue = q.get(submission.merge_job);
    }
  }
  return status;
}

/** Slurm states of a job that has not ended. */
export const ACTIVE_STATES: ReadonlySet<string> = new Set([
  'PENDING',
  'RUNNING',
  'CONFIGURING',
  'COMPLETING',
  'REQUEUED',
  'REQUEUE_HOLD',
  'REQUEUE_FED',
  'RESIZING',
  'SUSPENDED',
  'STOPPED',
  'SIGNALING',
  'STAGE_OUT',
]);

/** Shards that miss cells and are not queued or running: the ones a resubmission with --resume runs. */
export function stalledShards(s: FolderStatus): ShardStatus[] {
  return s.shards.filter((x) => (x.total === undefined || x.done < x.total) && !(x.queue && ACTIVE_STATES.has(x.queue.state)));
}
