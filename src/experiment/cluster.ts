/**
 * The scripts of a sweep on a cluster, as text (pure functions, nothing is read or written): a Slurm
 * job array with one task per shard and the merge job that follows it, or a Kubernetes Indexed Job
 * with one pod per shard. Every engine runs the command of `shardCommand` with its own index
 * variable and merges with `mergeCommand`, so the scripts of all engines run the same sweep.
 *
 * A shard runs `kstep sweep <experiment> <overrides> --shard i/n --workers C --out <out>/shard-i-of-n`
 * with --resume (or --force when the submission replaces results), so a script run again, by a
 * requeue or by hand, continues its shard instead of being refused. The merged results go to <out>,
 * the folder that holds the shard folders, as `kstep merge` allows.
 */
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { shardFolderName } from './grid.js';

/** The sweep a cluster runs, as its jobs see it. */
export interface ClusterJob {
  /** The experiment's name (job names). */
  name: string;
  /** The words that start kstep: node and the launcher (absolute) on Slurm, `npx kstep` in a container. */
  launcher: readonly string[];
  /** The folder the commands run in (relative task paths of the overrides resolve from it); Slurm only. */
  cwd?: string;
  /** The experiment argument: a built-in name or a file path. */
  experiment: string;
  overrides: readonly string[];
  /** The merged results folder; the shard folders are inside it. */
  out: string;
  shards: number;
  /** Cells of the grid (for the scripts' comments). */
  cells: number;
  /** CPUs per shard, and its sweep's --workers. */
  cpus: number;
  /** --force instead of --resume: the submission replaces results already there. */
  replace: boolean;
  failFast: boolean;
  quiet: boolean;
  /** Write report.html after the merge. */
  report: boolean;
  /** The shards' --memory (the same results in every mode; absent: their default). */
  memory?: string;
}

export interface SlurmSettings {
  partition?: string;
  time?: string;
  sbatchArgs: readonly string[];
}

/** The folder inside the results folder that holds the Slurm scripts, the job ids and the logs. */
export const SLURM_FOLDER = 'slurm';
export const SLURM_FILES = { sweep: 'sweep.sbatch', merge: 'merge.sbatch', jobs: 'jobs.json' } as const;
/** Log files Slurm writes for the jobs (`%a` the array index, `%A` the array's job id, `%j` a job id). */
export const SLURM_LOGS = { shard: 'shard-%a.job%A.log', merge: 'merge.job%j.log' } as const;
/** Names a Slurm folder may hold: the scripts, the job ids, the logs, and an interrupted atomic write. */
export const SLURM_ENTRY = /^(?:sweep\.sbatch|merge\.sbatch|jobs\.json|(?:shard-\d+|merge)\.job\d+\.log)(?:\.tmp-\d+)?$/;

// ---- shell words -------------------------------------------------------------------------------

/** A piece of a shell word: literal text, or the engine's shard index variable. */
type Part = string | { variable: string };
/** One shell word (an argument), built from literal text and variables. */
type Word = string | readonly Part[];

const PLAIN = /^[A-Za-z0-9_/.,:=@%+-]+$/;

/** A literal as one shell word: as it is when nothing in it is special to the shell, else in single quotes. */
export function shellQuote(s: string): string {
  return PLAIN.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function renderWord(w: Word): string {
  if (typeof w === 'string') return shellQuote(w);
  return w.map((p) => (typeof p === 'string' ? (p === '' ? '' : shellQuote(p)) : `"$${p.variable}"`)).join('');
}

export function renderCommand(words: readonly Word[]): string {
  return words.map(renderWord).join(' ');
}

// ---- the two commands every engine runs -------------------------------------------------------------

/** The folder of shard `index` (a number, or the engine's index variable). */
function shardOut(job: ClusterJob, index: number | { variable: string }): Word {
  if (typeof index === 'number') return join(job.out, shardFolderName(index, job.shards));
  const [before, after] = join(job.out, shardFolderName('\0', job.shards)).split('\0');
  return [before, index, after];
}

/** `kstep sweep ... --shard i/n` for the shard whose index is in `variable`. */
export function shardCommand(job: ClusterJob, variable: string): Word[] {
  const index = { variable };
  return [
    ...job.launcher,
    'sweep',
    job.experiment,
    ...job.overrides,
    '--shard',
    [index, `/${job.shards}`],
    '--workers',
    String(job.cpus),
    '--out',
    shardOut(job, index),
    job.replace ? '--force' : '--resume',
    ...(job.failFast ? ['--fail-fast'] : []),
    ...(job.quiet ? ['--quiet'] : []),
    ...(job.memory ? ['--memory', job.memory] : []),
  ];
}

/** The shard folders, in index order. */
export function shardFolders(job: ClusterJob): string[] {
  return Array.from({ length: job.shards }, (_, i) => shardOut(job, i) as string);
}

/** `kstep merge <every shard folder> --out <out>`. */
export function mergeCommand(job: ClusterJob): Word[] {
  return [...job.launcher, 'merge', ...shardFolders(job), '--out', job.out, ...(job.replace ? ['--force'] : [])];
}

function reportCommand(job: ClusterJob): Word[] {
  return [...job.launcher, 'report', job.out];
}

/**
 * A long command over several lines, continued with backslashes: a line for each option with its
 * value, and for each other word from index `from` on (the merged folders).
 */
function multiline(words: readonly Word[], from = words.length): string {
  const lines: string[][] = [];
  const isOption = (w: Word | undefined) => typeof w === 'string' && w.startsWith('--');
  words.forEach((w, i) => {
    const option = isOption(w);
    if (lines.length === 0 || option || (i >= from && !isOption(words[i - 1]))) lines.push([]);
    lines[lines.length - 1].push(renderWord(w));
  });
  return lines.map((l) => l.join(' ')).join(' \\\n    ');
}

// ---- Slurm ------------------------------------------------------------------------------------------

/**
 * Slurm reads #SBATCH lines without a shell and expands `%` in log paths: the folder the logs go to
 * must be written without whitespace, quotes, backslashes, `$` or `%`.
 */
export function checkSlurmPath(path: string, field: string): void {
  if (/[\s"'\\%$`]/.test(path))
    throw new UsageError(field, `${JSON.stringify(path)}: Slurm writes its logs under this folder, whose path must not hold whitespace, quotes, backslashes, $ or %; choose another --out`);
}

export function slurmFolder(job: ClusterJob): string {
  return join(job.out, SLURM_FOLDER);
}

/** `0-3`, `1,3`, `0-2,5`: an array index list as sbatch's --array takes it. */
export function arrayList(indices: readonly number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** `shard 1`, `shards 0-3`: array indices in a sentence. */
export function shardsText(indices: readonly number[]): string {
  return `shard${indices.length === 1 ? '' : 's'} ${arrayList(indices)}`;
}

function sbatchLines(s: SlurmSettings): string[] {
  return [
    ...(s.partition !== undefined ? [`#SBATCH --partition=${s.partition}`] : []),
    ...(s.time !== undefined ? [`#SBATCH --time=${s.time}`] : []),
    ...s.sbatchArgs.map((a) => `#SBATCH ${a}`),
  ];
}

function cdLine(job: ClusterJob): string[] {
  return job.cwd !== undefined ? [`cd ${shellQuote(job.cwd)}`] : [];
}

/** The job array: one task per shard. */
export function slurmArrayScript(job: ClusterJob, s: SlurmSettings): string {
  const dir = slurmFolder(job);
  const again = job.replace
    ? '# Each task runs its shard with --force: submitted again, it runs every cell of its shard again.'
    : [
        '# Each task runs its shard with --resume, so this file can be submitted again as it is',
        `# (sbatch ${join(dir, SLURM_FILES.sweep)}): a finished shard runs nothing, an interrupted one its missing cells.`,
      ].join('\n');
  return [
    '#!/bin/bash',
    `# kstep sweep ${job.name} on Slurm: one array task per shard, ${job.shards} shards of the grid's ${job.cells} cells.`,
    again,
    `# ${join(dir, SLURM_FILES.merge)} merges the shards into ${job.out} once every task has succeeded.`,
    `#SBATCH --job-name=kstep-${job.name}`,
    `#SBATCH --array=${arrayList(Array.from({ length: job.shards }, (_, i) => i))}`,
    `#SBATCH --cpus-per-task=${job.cpus}`,
    `#SBATCH --output=${join(dir, SLURM_LOGS.shard)}`,
    ...sbatchLines(s),
    'set -eu',
    ...cdLine(job),
    `exec ${multiline(shardCommand(job, 'SLURM_ARRAY_TASK_ID'))}`,
    '',
  ].join('\n');
}

/** The merge job, submitted with --dependency=afterok:<array job>. */
export function slurmMergeScript(job: ClusterJob, s: SlurmSettings): string {
  const dir = slurmFolder(job);
  const merge = multiline(mergeCommand(job), job.launcher.length + 1);
  return [
    '#!/bin/bash',
    `# Merges the ${job.shards} shards of kstep sweep ${job.name} into ${job.out}.`,
    '# kstep submits it with --dependency=afterok:<array job>; if a shard fails or is cancelled, Slurm',
    '# cancels it (--kill-on-invalid-dep). kstep merge itself refuses while a shard is incomplete, naming it.',
    `#SBATCH --job-name=kstep-${job.name}-merge`,
    '#SBATCH --cpus-per-task=1',
    '#SBATCH --kill-on-invalid-dep=yes',
    `#SBATCH --output=${join(dir, SLURM_LOGS.merge)}`,
    ...sbatchLines(s),
    'set -eu',
    ...cdLine(job),
    ...(job.report ? [merge, `exec ${renderCommand(reportCommand(job))}`] : [`exec ${merge}`]),
    '',
  ].join('\n');
}

// ---- Kubernetes ---------------------------------------------------------------------------------

/** A Kubernetes object name: lower-case letters, digits and '-', at most 63 characters. */
function k8sName(name: string): string {
  const n = `kstep-${name.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`.slice(0, 63);
  return n.replace(/-+$/, '');
}

/** An Indexed Job with one pod per shard; the merge, which Kubernetes cannot chain, as a comment. */
export function k8sManifest(job: ClusterJob): string {
  const shard = renderCommand(shardCommand(job, 'JOB_COMPLETION_INDEX'));
  const mergeLine = renderCommand(mergeCommand(job));
  return [
    `# kstep sweep ${job.name} on Kubernetes: an Indexed Job with one pod per shard, ${job.shards} shards of the grid's ${job.cells} cells.`,
    '# The image must hold kstep in /work (a clone after npm ci && npm run build; node:20 stands for it),',
    '# and the results go to a shared volume mounted at /work/results. Each pod runs its shard with',
    job.replace ? '# --force, so a pod run again (a retry) runs its whole shard again.' : '# --resume, so a pod run again (a retry) continues its shard.',
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    `  name: ${k8sName(job.name)}`,
    'spec:',
    `  completions: ${job.shards}`,
    `  parallelism: ${job.shards}`,
    '  completionMode: Indexed',
    '  template:',
    '    spec:',
    '      restartPolicy: Never',
    '      containers:',
    '        - name: kstep',
    '          image: node:20',
    '          workingDir: /work',
    `          command: ["sh", "-c", ${JSON.stringify(shard)}]`,
    `          resources: { requests: { cpu: "${job.cpus}" } }`,
    '          volumeMounts: [{ name: results, mountPath: /work/results }]',
    '      volumes: [{ name: results, persistentVolumeClaim: { claimName: kstep-results } }]',
    '# When every index has succeeded, merge the shards (in /work, with the volume mounted):',
    `#   ${mergeLine}`,
    ...(job.report ? [`#   ${renderCommand(reportCommand(job))}`] : []),
    '',
  ].join('\n');
}
