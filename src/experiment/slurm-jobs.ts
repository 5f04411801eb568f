/**
 * <results>/slurm/jobs.json: what `kstep sweep --slurm` submitted into a results folder, one entry
 * per submission (the last one is the current), so that `kstep status` finds the jobs and a later
 * submission knows which script texts kstep itself wrote.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../output/csv.js';
import { SLURM_FILES, SLURM_FOLDER } from './cluster.js';

export const JOBS_FORMAT = 'kstep-slurm/1';

export interface Submission {
  /** ISO time of the submission. */
  submitted: string;
  /** The kstep command line that submitted (its arguments). */
  command: string[];
  /** The job array's id; null when every shard was already complete (only the merge was submitted). */
  array_job: string | null;
  /** The array indices (shards) submitted. */
  tasks: number[];
  merge_job: string;
  /** SHA-256 of each script as kstep wrote it. */
  scripts: Record<string, string>;
}

export interface JobsRecord {
  format: typeof JOBS_FORMAT;
  experiment: string;
  /** The merged results folder. */
  out: string;
  shards: number;
  /** Cells of each shard, in index order. */
  shard_cells: number[];
  submissions: Submission[];
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function jobsFile(out: string): string {
  return join(out, SLURM_FOLDER, SLURM_FILES.jobs);
}

/** The record of a results folder, undefined when nothing was submitted into it. */
export function readJobs(out: string): JobsRecord | undefined {
  const file = jobsFile(out);
  if (!existsSync(file)) return undefined;
  let r: JobsRecord;
  try {
    r = JSON.parse(readFileSync(file, 'utf8')) as JobsRecord;
  } catch (e) {
    throw new UsageError(file, `not valid JSON (${(e as Error).message}); move it away to submit again`);
  }
  if (r?.format !== JOBS_FORMAT || !Array.isArray(r.submissions) || !Array.isArray(r.shard_cells) || !Number.isInteger(r.shards))
    throw new UsageError(file, `not a record of kstep's Slurm jobs (format ${JOBS_FORMAT}); move it away to submit again`);
  return r;
}

export function writeJobs(out: string, r: JobsRecord): void {
  writeFileAtomic(jobsFile(out), `${JSON.stringify(r, null, 2)}\n`);
}

/** The job ids of a submission: the array (if any) and the merge. */
export function submissionJobs(s: Submission): string[] {
  return [...(s.array_job !== null ? [s.array_job] : []), s.merge_job];
}
