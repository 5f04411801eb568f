/**
 * Slurm's own commands, run as child processes: sbatch submits a script (read from stdin), scontrol
 * releases a held job, scancel cancels one, squeue tells the states of jobs. A missing command or a
 * refusal is a SlurmError that carries Slurm's own message; commands print it on one line and exit
 * with code 1 (a run-time failure: the input was fine, the cluster said no).
 */
import { spawnSync } from 'node:child_process';

export class SlurmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlurmError';
  }
}

/** Slurm's commands wait for the controller; past this they are given up as failed. */
const TIMEOUT_MS = 120_000;

interface Ran {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a Slurm command; undefined when it is not on the PATH. */
function run(cmd: string, args: readonly string[], input?: string): Ran | undefined {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', timeout: TIMEOUT_MS, stdio: ['pipe', 'pipe', 'pipe'] });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new SlurmError(`${cmd}: ${code === 'ETIMEDOUT' ? `no answer within ${TIMEOUT_MS / 1000} s` : r.error.message}`);
  }
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** A command's message on one line. */
function oneLine(text: string): string {
  return text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean)
    .join(' | ');
}

function missing(cmd: string): SlurmError {
  return new SlurmError(`${cmd}: not found on the PATH; --slurm submits with Slurm's ${cmd} (run it where Slurm's commands are, or add --dry-run to print the scripts)`);
}

/** Refuses early, before anything is written, when sbatch is not installed. */
export function requireSbatch(): void {
  if (run('sbatch', ['--version']) === undefined) throw missing('sbatch');
}

/** Submits a batch script; returns its job id. `what` names the job in a refusal. */
export function sbatch(script: string, args: readonly string[], what: string): string {
  const r = run('sbatch', ['--parsable', ...args], script);
  if (r === undefined) throw missing('sbatch');
  if (r.status !== 0) throw new SlurmError(`sbatch refused ${what}: ${oneLine(r.stderr || r.stdout) || `exit code ${r.status}`}`);
  const id = r.stdout.trim().split(';')[0];
  if (!/^\d+$/.test(id)) throw new SlurmError(`sbatch printed no job id for ${what}: ${oneLine(r.stdout + r.stderr)}`);
  return id;
}

function control(cmd: string, args: readonly string[]): void {
  const r = run(cmd, args);
  if (r === undefined) throw missing(cmd);
  if (r.status !== 0) throw new SlurmError(`${cmd} ${args.join(' ')}: ${oneLine(r.stderr || r.stdout) || `exit code ${r.status}`}`);
}

/** Releases a job submitted with --hold. */
export function releaseJob(id: string): void {
  control('scontrol', ['release', id]);
}

export function cancelJob(id: string): void {
  control('scancel', [id]);
}

export interface QueueEntry {
  /** PENDING, RUNNING, COMPLETED, CANCELLED, FAILED, ... */
  state: string;
  /** Why a job waits (Dependency, Resources, ...) or ended (DependencyNeverSatisfied); 'None' otherwise. */
  reason: string;
}

/**
 * What squeue knows of these jobs, one entry per job and per array task (`12_3`): only queued and
 * running ones (`active`), or also those that ended within the controller's MinJobAge (`all`).
 * Undefined when squeue is missing or fails; an empty map when it knows none of them.
 */
export function squeue(ids: readonly string[], states: 'active' | 'all'): Map<string, QueueEntry> | undefined {
  const out = new Map<string, QueueEntry>();
  if (ids.length === 0) return out;
  let r: Ran | undefined;
  try {
    r = run('squeue', ['-h', '-r', '-o', '%i|%T|%r', ...(states === 'all' ? ['-t', 'all'] : []), '-j', ids.join(',')]);
  } catch {
    return undefined;
  }
  if (r === undefined) return undefined;
  if (r.status !== 0) return /Invalid job id/i.test(r.stderr) ? out : undefined;
  for (const line of r.stdout.split('\n')) {
    const [id, state, reason] = line.trim().split('|');
    if (id && state) out.set(id, { state, reason: reason ?? '' });
  }
  return out;
}
