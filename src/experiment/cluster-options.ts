/**
 * The flags of a sweep sent to a cluster (`--slurm`, `--k8s`), checked before anything is read or
 * written: each refusal is one UsageError naming the flag and what it accepts.
 */
import { UsageError } from '../errors.js';

export interface ClusterFlags {
  slurm?: boolean;
  k8s?: boolean;
  shards?: string;
  partition?: string;
  time?: string;
  cpusPerTask?: string;
  sbatchArg?: string[];
  /** Flags of a local sweep that a cluster sweep sets itself. */
  shard?: string;
  workers?: string;
  json?: boolean;
}

export interface ClusterOptions {
  engine: 'slurm' | 'k8s';
  /** Shards (array tasks, pods); undefined: the default for the grid (defaultShards). */
  shards?: number;
  /** CPUs of each shard, and the worker threads its sweep runs. */
  cpus: number;
  partition?: string;
  time?: string;
  /** Extra `#SBATCH` lines, as given. */
  sbatchArgs: string[];
}

/** Shards when --shards is not given: 8, or one per cell when the grid has fewer. */
export const DEFAULT_SHARDS = 8;
export const MAX_CPUS = 1024;

/**
 * Options that kstep writes into the scripts itself (short and long forms), so that an extra
 * --sbatch-arg cannot contradict them.
 */
const RESERVED: Record<string, string> = {
  array: '--shards',
  a: '--shards',
  dependency: 'kstep chains the merge job itself',
  d: 'kstep chains the merge job itself',
  'cpus-per-task': '--cpus-per-task',
  c: '--cpus-per-task',
  partition: '--partition',
  p: '--partition',
  time: '--time',
  t: '--time',
  output: 'the logs go to <results>/slurm/',
  o: 'the logs go to <results>/slurm/',
  error: 'the logs go to <results>/slurm/',
  e: 'the logs go to <results>/slurm/',
  chdir: 'the scripts change to the submitting folder',
  D: 'the scripts change to the submitting folder',
  'job-name': 'kstep names the jobs after the experiment',
  J: 'kstep names the jobs after the experiment',
  'kill-on-invalid-dep': 'the merge job is cancelled when a shard fails',
  hold: 'kstep holds the array until the merge job is accepted',
  H: 'kstep holds the array until the merge job is accepted',
  parsable: 'kstep reads the job ids',
  wait: 'kstep returns once the jobs are queued',
  W: 'kstep returns once the jobs are queued',
  wrap: 'the scripts are kstep sweep and kstep merge',
};

function needs(field: string, what: string): UsageError {
  return new UsageError(field, `only with ${what}`);
}

export function parseShardCount(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError('--shards', `expected an integer >= 1, got '${text}'`);
  return n;
}

export function parseCpus(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > MAX_CPUS) throw new UsageError('--cpus-per-task', `expected an integer 1..${MAX_CPUS}, got '${text}'`);
  return n;
}

/** Slurm partition names, one or a comma-separated list. */
export function parsePartition(text: string): string {
  if (!/^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$/.test(text))
    throw new UsageError('--partition', `expected a partition name (letters, digits, _ . -; several separated by commas), got ${JSON.stringify(text)}`);
  return text;
}

/** A wall-time limit as HH:MM:SS or D-HH:MM:SS (minutes and seconds below 60, not zero). */
export function parseTime(text: string): string {
  const m = /^(?:(\d{1,3})-)?(\d{1,4}):(\d{2}):(\d{2})$/.exec(text);
  const bad = () => new UsageError('--time', `expected HH:MM:SS or D-HH:MM:SS (minutes and seconds 00..59), got ${JSON.stringify(text)}`);
  if (!m) throw bad();
  const [d, h, min, s] = [m[1] ?? '0', m[2], m[3], m[4]].map(Number);
  if (min > 59 || s > 59) throw bad();
  if (d + h + min + s === 0) throw new UsageError('--time', `must be longer than 0, got ${JSON.stringify(text)}`);
  return text;
}

/** One extra sbatch option such as `--mem=4G` or `--account abc`: written as a `#SBATCH` line. */
export function parseSbatchArg(text: string): string {
  const m = /^(?:--([A-Za-z][A-Za-z0-9-]*)|-([A-Za-z]))/.exec(text);
  if (!m || /[\r\n]/.test(text))
    throw new UsageError('--sbatch-arg', `expected one sbatch option such as --mem=4G or '--account abc', got ${JSON.stringify(text)}`);
  // A short option may carry its value attached (-c4): its name is the one letter.
  const name = m[1] ?? m[2];
  const why = RESERVED[name];
  if (why !== undefined) throw new UsageError('--sbatch-arg', `${m[1] ? '--' : '-'}${name} is set by kstep (${why.startsWith('--') ? `use ${why}` : why})`);
  return text;
}

/** The cluster options of a sweep, or undefined for a local sweep; refuses flags that do not fit together. */
export function parseClusterFlags(f: ClusterFlags): ClusterOptions | undefined {
  const sbatchArgs = f.sbatchArg ?? [];
  if (f.slurm && f.k8s) throw new UsageError('--k8s', 'cannot be combined with --slurm (one engine per command)');
  const engine = f.slurm ? 'slurm' : f.k8s ? 'k8s' : undefined;
  if (engine === undefined) {
    if (f.shards !== undefined) throw needs('--shards', '--slurm or --k8s (a local shard is --shard i/n)');
    if (f.cpusPerTask !== undefined) throw needs('--cpus-per-task', '--slurm or --k8s (a local sweep takes --workers)');
    if (f.partition !== undefined) throw needs('--partition', '--slurm');
    if (f.time !== undefined) throw needs('--time', '--slurm');
    if (sbatchArgs.length) throw needs('--sbatch-arg', '--slurm');
    return undefined;
  }
  const flag = `--${engine}`;
  if (f.shard !== undefined) throw new UsageError('--shard', `cannot be combined with ${flag}: it runs every shard (set their number with --shards)`);
  if (f.workers !== undefined) throw new UsageError('--workers', `cannot be combined with ${flag}: each shard runs --cpus-per-task workers`);
  if (engine === 'k8s') {
    if (f.partition !== undefined) throw needs('--partition', '--slurm');
    if (f.time !== undefined) throw needs('--time', '--slurm');
    if (sbatchArgs.length) throw needs('--sbatch-arg', '--slurm');
    if (f.json) throw new UsageError('--json', 'cannot be combined with --k8s (it prints a YAML manifest)');
  }
  return {
    engine,
    shards: f.shards !== undefined ? parseShardCount(f.shards) : undefined,
    cpus: f.cpusPerTask !== undefined ? parseCpus(f.cpusPerTask) : 1,
    partition: f.partition !== undefined ? parsePartition(f.partition) : undefined,
    time: f.time !== undefined ? parseTime(f.time) : undefined,
    sbatchArgs: sbatchArgs.map(parseSbatchArg),
  };
}

/** The number of shards for a grid of `cells` cells: --shards (at most one per cell) or the default. */
export function resolveShards(o: ClusterOptions, cells: number): number {
  if (o.shards === undefined) return Math.max(1, Math.min(DEFAULT_SHARDS, cells));
  if (o.shards > cells) throw new UsageError('--shards', `at most the grid's ${cells} cells (one per shard), got ${o.shards}`);
  return o.shards;
}
