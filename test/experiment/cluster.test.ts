// The scripts of a sweep on a cluster (src/experiment/cluster.ts) and their flags: the commands the
// Slurm array, the merge job and the Kubernetes Job run are executed by bash and sh with a launcher
// that prints its arguments, so quoting and the index variables are checked by a real shell; the
// #SBATCH directives come before the first command; the flags are refused one line at a time. A real
// Slurm runs these scripts in test/slurm/run.sh.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ClusterJob, arrayList, k8sManifest, mergeCommand, renderCommand, shellQuote, slurmArrayScript, slurmMergeScript } from '../../src/experiment/cluster.js';
import { parseClusterFlags, parseSbatchArg, parseTime, resolveShards } from '../../src/experiment/cluster-options.js';
import { tmp, usageError } from './helpers.js';

/** A launcher that prints the working folder, then each argument on its own line. */
const PRINT = ['sh', '-c', 'pwd; printf "%s\\n" "$@"', 'kstep'];

function jobFor(cwd: string, over: Partial<ClusterJob> = {}): ClusterJob {
  return {
    name: 'tiny',
    launcher: PRINT,
    cwd,
    experiment: "/tmp/my exp's/tiny.json",
    overrides: ['hidden=[16],[32,32]', 'task=./sim $1.mjs', 'seed=0..2', 'a=b"c\\d', 'K=1,2'],
    out: '/tmp/kstep-out',
    shards: 4,
    cells: 16,
    cpus: 2,
    replace: false,
    failFast: true,
    quiet: false,
    report: false,
    ...over,
  };
}

const SETTINGS = { partition: 'debug', time: '01:00:00', sbatchArgs: ['--mem=1G', '--account abc'] };

/** Runs a script text with bash in `cwd` and the given environment; its stdout lines. */
function bash(script: string, cwd: string, env: Record<string, string> = {}): string[] {
  const file = join(cwd, 'script.sh');
  writeFileSync(file, script);
  const r = spawnSync('bash', [file], { cwd: '/', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trimEnd().split('\n');
}

/** The arguments a shard's sweep gets, written out independently of cluster.ts. */
function expectedShardArgs(job: ClusterJob, i: number): string[] {
  return [
    'sweep',
    job.experiment,
    ...job.overrides,
    '--shard',
    `${i}/${job.shards}`,
    '--workers',
    String(job.cpus),
    '--out',
    `${job.out}/shard-${i}-of-${job.shards}`,
    job.replace ? '--force' : '--resume',
    ...(job.failFast ? ['--fail-fast'] : []),
    ...(job.quiet ? ['--quiet'] : []),
    ...(job.memory ? ['--memory', job.memory] : []),
  ];
}

function directives(script: string): string[] {
  return script
    .split('\n')
    .filter((l) => l.startsWith('#SBATCH '))
    .map((l) => l.slice('#SBATCH '.length));
}

describe('the Slurm scripts, run by bash', () => {
  it('the array task i runs kstep sweep ... --shard i/n in the submitting folder, every argument intact', () => {
    const cwd = tmp('kstep-cluster-');
    const job = jobFor(cwd);
    const script = slurmArrayScript(job, SETTINGS);
    for (const i of [0, 3]) expect(bash(script, cwd, { SLURM_ARRAY_TASK_ID: String(i) })).toEqual([cwd, ...expectedShardArgs(job, i)]);
    const forced = jobFor(cwd, { replace: true, failFast: false, quiet: true, memory: 'sqrt' });
    expect(bash(slurmArrayScript(forced, SETTINGS), cwd, { SLURM_ARRAY_TASK_ID: '2' })).toEqual([cwd, ...expectedShardArgs(forced, 2)]);
  });

  it('the merge job merges every shard folder into the results folder (then writes the report when asked)', () => {
    const cwd = tmp('kstep-cluster-');
    const folders = [0, 1, 2, 3].map((i) => `/tmp/kstep-out/shard-${i}-of-4`);
    expect(bash(slurmMergeScript(jobFor(cwd), SETTINGS), cwd)).toEqual([cwd, 'merge', ...folders, '--out', '/tmp/kstep-out']);
    expect(bash(slurmMergeScript(jobFor(cwd, { report: true, replace: true }), SETTINGS), cwd)).toEqual([
      cwd,
      'merge',
      ...folders,
      '--out',
      '/tmp/kstep-out',
      '--force',
      cwd,
      'report',
      '/tmp/kstep-out',
    ]);
  });

  it('#SBATCH directives: the array, CPUs, logs, the settings, and the merge cancelled on a failed dependency; all before the first command', () => {
    const job = jobFor('/tmp');
    const array = slurmArrayScript(job, SETTINGS);
    const merge = slurmMergeScript(job, SETTINGS);
    const extra = ['--partition=debug', '--time=01:00:00', '--mem=1G', '--account abc'];
    expect(directives(array)).toEqual(['--job-name=kstep-tiny', '--array=0-3', '--cpus-per-task=2', '--output=/tmp/kstep-out/slurm/shard-%a.job%A.log', ...extra]);
    expect(directives(merge)).toEqual(['--job-name=kstep-tiny-merge', '--cpus-per-task=1', '--kill-on-invalid-dep=yes', '--output=/tmp/kstep-out/slurm/merge.job%j.log', ...extra]);
    // sbatch reads directives only up to the first line that is not a comment.
    for (const script of [array, merge]) {
      const lines = script.split('\n');
      expect(lines[0]).toBe('#!/bin/bash');
      const lastDirective = lines.map((l) => l.startsWith('#SBATCH')).lastIndexOf(true);
      expect(lines.slice(0, lastDirective).every((l) => l.startsWith('#'))).toBe(true);
    }
    expect(directives(slurmArrayScript(job, { sbatchArgs: [] }))).toHaveLength(4);
  });

  it('array index lists as sbatch takes them', () => {
    expect(arrayList([0, 1, 2, 3])).toBe('0-3');
    expect(arrayList([3, 1])).toBe('1,3');
    expect(arrayList([0, 1, 2, 5, 7, 8])).toBe('0-2,5,7-8');
    expect(arrayList([4])).toBe('4');
  });

  it('shellQuote leaves plain words alone and quotes everything else so that the shell reads it back', () => {
    expect(shellQuote('/a/b-c_d.json')).toBe('/a/b-c_d.json');
    expect(shellQuote('K=1,2')).toBe('K=1,2');
    const words = ["it's", 'a b', '$HOME', '`x`', '*', '~', 'a\nb', '', '!', '\\'];
    const out = spawnSync('bash', ['-c', `printf '%s\\0' ${words.map(shellQuote).join(' ')}`], { encoding: 'utf8' }).stdout;
    expect(out.split('\0').slice(0, -1)).toEqual(words);
  });
});

describe('the Kubernetes Indexed Job', () => {
  it('pod i runs the command of Slurm task i; the merge comment is the merge job command', () => {
    const job = jobFor('/tmp', { launcher: ['printf', '%s\\n'], experiment: 'experiments/tiny.json', out: 'results/tiny' });
    const yaml = k8sManifest(job);
    const line = yaml.split('\n').find((l) => l.trim().startsWith('command:'))!;
    const command = JSON.parse(line.trim().slice('command:'.length)) as string[];
    expect(command.slice(0, 2)).toEqual(['sh', '-c']);
    const pod = spawnSync('sh', ['-c', command[2]], { env: { PATH: process.env.PATH, JOB_COMPLETION_INDEX: '1' }, encoding: 'utf8' });
    expect(pod.stdout.trimEnd().split('\n')).toEqual(expectedShardArgs(job, 1));
    expect(yaml).toContain(`#   ${renderCommand(mergeCommand(job))}\n`);
    for (const key of ['completions: 4', 'parallelism: 4', 'completionMode: Indexed', 'name: kstep-tiny', 'resources: { requests: { cpu: "2" } }'])
      expect(yaml).toContain(key);
  });

  it('a job name Kubernetes accepts: lower case, digits and -', () => {
    expect(k8sManifest(jobFor('/tmp', { name: 'My_Study.v2+x' }))).toContain('  name: kstep-my-study-v2-x\n');
  });
});

describe('cluster flags', () => {
  it('are refused alone, together with a local sweep flag, or out of range, naming the flag', () => {
    const cases: [Parameters<typeof parseClusterFlags>[0], string][] = [
      [{ slurm: true, k8s: true }, "--k8s: cannot be combined with --slurm"],
      [{ shards: '4' }, '--shards: only with --slurm or --k8s'],
      [{ cpusPerTask: '2' }, '--cpus-per-task: only with --slurm or --k8s'],
      [{ partition: 'a' }, '--partition: only with --slurm'],
      [{ k8s: true, time: '01:00:00' }, '--time: only with --slurm'],
      [{ sbatchArg: ['--mem=1G'] }, '--sbatch-arg: only with --slurm'],
      [{ slurm: true, shard: '0/2' }, '--shard: cannot be combined with --slurm'],
      [{ slurm: true, workers: '2' }, '--workers: cannot be combined with --slurm'],
      [{ k8s: true, json: true }, '--json: cannot be combined with --k8s'],
      [{ slurm: true, shards: '0' }, "--shards: expected an integer >= 1, got '0'"],
      [{ slurm: true, shards: '2.5' }, "--shards: expected an integer >= 1, got '2.5'"],
      [{ slurm: true, cpusPerTask: '0' }, "--cpus-per-task: expected an integer 1..1024, got '0'"],
      [{ slurm: true, cpusPerTask: '1025' }, "--cpus-per-task: expected an integer 1..1024, got '1025'"],
      [{ slurm: true, partition: 'a b' }, '--partition: expected a partition name'],
      [{ slurm: true, partition: '' }, '--partition: expected a partition name'],
    ];
    for (const [flags, message] of cases) expect(usageError(() => parseClusterFlags(flags)).message).toContain(message);
    expect(parseClusterFlags({})).toBeUndefined();
    expect(parseClusterFlags({ slurm: true })).toEqual({ engine: 'slurm', shards: undefined, cpus: 1, partition: undefined, time: undefined, sbatchArgs: [] });
  });

  it('--time: HH:MM:SS or D-HH:MM:SS, not zero', () => {
    for (const ok of ['00:30:00', '2-00:00:00', '100:00:00', '0:00:01']) expect(parseTime(ok)).toBe(ok);
    for (const bad of ['1:00', '00:60:00', '00:00:60', '1-', 'x', '10', '01:00:00 ', '-1:00:00']) expect(usageError(() => parseTime(bad)).field).toBe('--time');
    expect(usageError(() => parseTime('0-00:00:00')).message).toContain('must be longer than 0');
  });

  it('--sbatch-arg: one option; those kstep sets are refused with the flag to use', () => {
    for (const ok of ['--mem=4G', '--account abc', '-A abc', '--qos=high', '--exclusive']) expect(parseSbatchArg(ok)).toBe(ok);
    expect(usageError(() => parseSbatchArg('--array=0-3')).message).toBe('--sbatch-arg: --array is set by kstep (use --shards)');
    expect(usageError(() => parseSbatchArg('-c4')).message).toBe('--sbatch-arg: -c is set by kstep (use --cpus-per-task)');
    expect(usageError(() => parseSbatchArg('--dependency=afterok:1')).message).toContain('kstep chains the merge job itself');
    expect(usageError(() => parseSbatchArg('--output=x.log')).message).toContain('--output is set by kstep');
    for (const bad of ['mem=4G', '', '--mem=1G\n#SBATCH --array=0', '---x']) expect(usageError(() => parseSbatchArg(bad)).field).toBe('--sbatch-arg');
  });

  it('--shards: 8 by default, at most one per cell', () => {
    const o = parseClusterFlags({ slurm: true })!;
    expect(resolveShards(o, 100)).toBe(8);
    expect(resolveShards(o, 3)).toBe(3);
    expect(resolveShards({ ...o, shards: 16 }, 16)).toBe(16);
    expect(usageError(() => resolveShards({ ...o, shards: 17 }, 16)).message).toBe("--shards: at most the grid's 16 cells (one per shard), got 17");
  });
});
