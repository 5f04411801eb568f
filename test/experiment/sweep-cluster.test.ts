// `kstep sweep --slurm | --k8s`, `kstep status` and the merge's refusal of an incomplete shard,
// through the CLI and without a Slurm cluster: what --dry-run prints and plans, a missing sbatch,
// scripts edited by hand, progress read from shard folders. Submission to a real Slurm is checked by
// test/slurm/run.sh.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitRecords } from '../../src/output/csv.js';
import { expectRefusal, treeState } from '../adversarial/tree.js';
import { ROOT, TINY, kstep, requireBuild, tmp, writeJson } from './helpers.js';

beforeAll(requireBuild);

const LAUNCHER = join(ROOT, 'bin', 'kstep.js');

/** Drops the last `n` rows of a results folder's cells.csv (a shard stopped before those cells). */
function dropRows(dir: string, n: number): void {
  const file = join(dir, 'cells.csv');
  const { records } = splitRecords(readFileSync(file, 'utf8'));
  const kept = records.filter((r) => r !== '').slice(0, -n);
  writeFileSync(file, `${kept.join('\r\n')}\r\n`);
}

let root: string;

beforeAll(async () => {
  root = tmp('kstep-cluster-cli-');
  writeJson(join(root, 'tiny.json'), TINY);
  // Hand-run shards of 2: shard 0 complete, shard 1 stopped after 5 of its 8 cells.
  const runs = await Promise.all(
    [0, 1].map((i) => kstep(['sweep', 'tiny.json', '--shard', `${i}/2`, '--workers', '1', '--quiet', '--out', `two/shard-${i}-of-2`], { cwd: root })),
  );
  for (const r of runs) expect(r.code, r.stderr).toBe(0);
  dropRows(join(root, 'two', 'shard-1-of-2'), 3);
});

describe('kstep sweep --slurm --dry-run', () => {
  it('prints both scripts with absolute paths (this node, this kstep, the experiment file, the results) and writes nothing', async () => {
    const dir = tmp('kstep-dry-');
    writeJson(join(dir, 'tiny.json'), TINY);
    const before = treeState(dir);
    const r = await kstep(['sweep', 'tiny.json', 'K=1', '--slurm', '--shards', '3', '--cpus-per-task', '2', '--time', '00:10:00', '--dry-run'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const out = join(dir, 'results', 'tiny');
    expect(r.stdout).toContain(`# ${out}/slurm/sweep.sbatch\n#!/bin/bash\n`);
    expect(r.stdout).toContain(`# ${out}/slurm/merge.sbatch\n#!/bin/bash\n`);
    expect(r.stdout).toContain(`\ncd ${dir}\nexec ${process.execPath} ${LAUNCHER} sweep ${join(dir, 'tiny.json')} K=1 \\\n    --shard "$SLURM_ARRAY_TASK_ID"/3 \\\n    --workers 2 \\\n`);
    expect(r.stdout).toContain('#SBATCH --array=0-2\n#SBATCH --cpus-per-task=2\n');
    expect(r.stdout).toContain('#SBATCH --time=00:10:00\n');
    expect(r.stdout).toContain(`exec ${process.execPath} ${LAUNCHER} merge \\\n    ${out}/shard-0-of-3 \\\n    ${out}/shard-1-of-3 \\\n    ${out}/shard-2-of-3 \\\n    --out ${out}\n`);
    expect(r.stdout).toMatch(/# --dry-run: nothing submitted\. 3 of 3 shards to run \(0 of 8 cells done\)/);
    expect(treeState(dir)).toEqual(before);
  });

  it('a built-in experiment stays a name (the same kstep install finds it)', async () => {
    const dir = tmp('kstep-dry-');
    const r = await kstep(['sweep', 'quick', '--slurm', '--dry-run'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`exec ${process.execPath} ${LAUNCHER} sweep quick \\\n`);
    expect(r.stdout).toContain('#SBATCH --array=0-7\n');
    expect(existsSync(join(dir, 'results'))).toBe(false);
  });

  it('--resume plans only the shards that miss cells; without it the folder in use is refused', async () => {
    const plan = await kstep(['sweep', 'tiny.json', '--slurm', '--shards', '2', '--out', 'two', '--resume', '--dry-run', '--json'], { cwd: root });
    expect(plan.code, plan.stderr).toBe(0);
    const p = JSON.parse(plan.stdout);
    expect(p).toMatchObject({ out: join(root, 'two'), shards: 2, tasks: [1], shard_cells: [8, 8], shard_done: [8, 5] });
    const before = treeState(root);
    const refused = await kstep(['sweep', 'tiny.json', '--slurm', '--shards', '2', '--out', 'two', '--dry-run'], { cwd: root });
    expectRefusal(refused);
    expect(refused.stderr).toContain(`${join(root, 'two', 'shard-0-of-2')} already holds 8 of 8 cells of this spec; nothing was written. Use --resume`);
    expect(treeState(root)).toEqual(before);
  });

  it('an edited script is never replaced; the one kstep wrote last (jobs.json) is', async () => {
    const dir = tmp('kstep-dry-');
    writeJson(join(dir, 'tiny.json'), TINY);
    const args = ['sweep', 'tiny.json', '--slurm', '--shards', '2', '--out', 'r', '--dry-run', '--json'];
    const first = await kstep(args, { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const scripts = JSON.parse(first.stdout).scripts as { sweep: string; merge: string };
    mkdirSync(join(dir, 'r', 'slurm'), { recursive: true });
    const edited = scripts.sweep.replace('--cpus-per-task=1', '--cpus-per-task=4');
    writeFileSync(join(dir, 'r', 'slurm', 'sweep.sbatch'), edited);
    writeFileSync(join(dir, 'r', 'slurm', 'merge.sbatch'), scripts.merge);
    const refused = await kstep(args, { cwd: dir });
    expectRefusal(refused);
    expect(refused.stderr).toContain(`${join(dir, 'r', 'slurm', 'sweep.sbatch')} differs from the script kstep wrote there (edited by hand?); nothing was submitted`);
    // Recorded as what kstep wrote at the last submission: replacing it loses nothing.
    const sha = createHash('sha256').update(edited).digest('hex');
    const submission = { submitted: '2026-01-01T00:00:00.000Z', command: [], array_job: '1', tasks: [0, 1], merge_job: '2', scripts: { 'sweep.sbatch': sha } };
    writeJson(join(dir, 'r', 'slurm', 'jobs.json'), { format: 'kstep-slurm/1', experiment: 'tiny', out: join(dir, 'r'), shards: 2, shard_cells: [8, 8], submissions: [submission] });
    const again = await kstep(args, { cwd: dir, env: { PATH: '/nonexistent-kstep' } });
    expect(again.code, again.stderr).toBe(0);
  });

  it('a jobs.json kstep did not write is refused', async () => {
    const dir = tmp('kstep-dry-');
    writeJson(join(dir, 'tiny.json'), TINY);
    mkdirSync(join(dir, 'r', 'slurm'), { recursive: true });
    writeFileSync(join(dir, 'r', 'slurm', 'jobs.json'), '{"jobs": [1]}');
    const r = await kstep(['sweep', 'tiny.json', '--slurm', '--out', 'r', '--dry-run'], { cwd: dir });
    expectRefusal(r);
    expect(r.stderr).toContain("jobs.json: not a record of kstep's Slurm jobs");
  });
});

describe('kstep sweep --slurm without sbatch', () => {
  it('exits 1 with one line naming sbatch, after every check of the input and the folders, and writes nothing', async () => {
    const dir = tmp('kstep-nosbatch-');
    writeJson(join(dir, 'tiny.json'), TINY);
    // The folders were tried for writing (a probe file, made and removed): their entries and files
    // are as before, their modification times need not be.
    const entries = (t: Record<string, string>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.startsWith('dir ') ? 'dir' : v]));
    const before = entries(treeState(dir));
    const r = await kstep(['sweep', 'tiny.json', '--slurm', '--shards', '2'], { cwd: dir, env: { PATH: '/nonexistent-kstep' } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe("kstep: sbatch: not found on the PATH; --slurm submits with Slurm's sbatch (run it where Slurm's commands are, or add --dry-run to print the scripts)\n");
    expect(r.stdout).toBe('');
    expect(entries(treeState(dir))).toEqual(before);
  });
});

describe('kstep sweep --k8s', () => {
  it('prints an Indexed Job whose pods run the shards, and writes nothing', async () => {
    const dir = tmp('kstep-k8s-');
    writeJson(join(dir, 'tiny.json'), TINY);
    const before = treeState(dir);
    const r = await kstep(['sweep', 'tiny.json', 'K=1', '--k8s', '--shards', '2', '--cpus-per-task', '3'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'command: ["sh", "-c", "npx kstep sweep tiny.json K=1 --shard \\"$JOB_COMPLETION_INDEX\\"/2 --workers 3 --out results/tiny/shard-\\"$JOB_COMPLETION_INDEX\\"-of-2 --resume"]',
    );
    expect(r.stdout).toContain('#   npx kstep merge results/tiny/shard-0-of-2 results/tiny/shard-1-of-2 --out results/tiny\n');
    expect(treeState(dir)).toEqual(before);
  });
});

describe('kstep merge refuses an incomplete shard', () => {
  it('names the shard and how many of its cells are done; writes nothing', async () => {
    const before = treeState(root);
    const r = await kstep(['merge', 'two/shard-0-of-2', 'two/shard-1-of-2', '--out', 'merged'], { cwd: root });
    expectRefusal(r);
    expect(r.stderr).toMatch(
      /^kstep: two\/shard-1-of-2: shard 1\/2 is incomplete: 5 of 8 cells done \(missing c[0-9a-f]{12} and 2 more\); nothing was written\. Finish it with the same kstep sweep command and --resume, then merge\n$/,
    );
    expect(treeState(root)).toEqual(before);
  });

  it('an interrupted whole-grid sweep too', async () => {
    const dir = tmp('kstep-merge-');
    writeJson(join(dir, 'tiny.json'), TINY);
    expect((await kstep(['sweep', 'tiny.json', 'K=1', '--workers', '1', '--quiet', '--out', 'full'], { cwd: dir })).code).toBe(0);
    dropRows(join(dir, 'full'), 1);
    const r = await kstep(['merge', 'full', '--out', 'merged'], { cwd: dir });
    expectRefusal(r);
    expect(r.stderr).toMatch(/^kstep: full: its sweep is incomplete: 7 of 8 cells done \(missing c[0-9a-f]{12}\)/);
  });
});

describe('kstep status', () => {
  it('cells done per shard, from the shard folders, and which shards to finish', async () => {
    const r = await kstep(['status', 'two'], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        'two (experiment tiny): 13 of 16 cells done in 2 shards',
        'shard  cells',
        '0/2    8/8',
        '1/2    5/8',
        "incomplete: shard 1/2; run its kstep sweep --shard command again with --resume to finish it",
        '',
      ].join('\n'),
    );
  });

  it('a shard without a folder yet counts as none done, its size from the grid', async () => {
    const dir = tmp('kstep-status-');
    writeJson(join(dir, 'tiny.json'), TINY);
    expect((await kstep(['sweep', 'tiny.json', '--shard', '2/3', '--workers', '1', '--quiet', '--out', 'r/shard-2-of-3'], { cwd: dir })).code).toBe(0);
    const r = await kstep(['status', 'r', '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.shards.map((x: { shard: string; done: number; total: number; started: boolean }) => [x.shard, x.done, x.total, x.started])).toEqual([
      ['0/3', 0, 6, false],
      ['1/3', 0, 5, false],
      ['2/3', 5, 5, true],
    ]);
  });

  it('a Slurm submission without squeue: the jobs and unknown states', async () => {
    const dir = tmp('kstep-status-');
    writeJson(join(dir, 'tiny.json'), TINY);
    expect((await kstep(['sweep', 'tiny.json', '--shard', '0/2', '--workers', '1', '--quiet', '--out', 'r/shard-0-of-2'], { cwd: dir })).code).toBe(0);
    const submission = { submitted: '2026-01-01T00:00:00.000Z', command: [], array_job: '41', tasks: [0, 1], merge_job: '42', scripts: {} };
    mkdirSync(join(dir, 'r', 'slurm'), { recursive: true });
    writeJson(join(dir, 'r', 'slurm', 'jobs.json'), { format: 'kstep-slurm/1', experiment: 'tiny', out: join(dir, 'r'), shards: 2, shard_cells: [8, 8], submissions: [submission] });
    const r = await kstep(['status', 'r'], { cwd: dir, env: { PATH: '/nonexistent-kstep' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        'r (experiment tiny): 8 of 16 cells done in 2 shards',
        'Slurm: array job 41 (shards 0-1), merge job 42, submitted 2026-01-01T00:00:00.000Z; squeue did not answer: job states unknown',
        'shard  cells  slurm',
        '0/2    8/8    ?',
        '1/2    0/8    ?',
        'merge         ?',
        '',
      ].join('\n'),
    );
  });

  it('a plain sweep folder; a folder that is not a results folder is refused', async () => {
    const r = await kstep(['status', 'two/shard-0-of-2'], { cwd: root });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('two/shard-0-of-2 (experiment tiny): 8 of 8 cells done\n');
    const dir = tmp('kstep-status-');
    expectRefusal(await kstep(['status', dir]));
    expectRefusal(await kstep(['status', join(dir, 'missing')]));
  });
});
