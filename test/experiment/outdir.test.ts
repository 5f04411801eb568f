// Results folders and output files are never overwritten by a command that did not write them for the
// same spec: a sweep or merge into a folder in use, --save-params and report --out on bad paths, are
// refused before any work with one line and exit code 2, and the folder keeps its bytes and mtimes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRefusal, kstepWithin, treeState } from '../adversarial/tree.js';
import { TINY, requireBuild, tmp, writeJson } from './helpers.js';

beforeAll(requireBuild);

/** Two cells, a few milliseconds each. */
const MINI = { ...TINY, grid: { K: [1], activation: ['tanh'], optimizer: ['bptt'], seed: [0, 1] } };

function rows(dir: string): number {
  return readFileSync(join(dir, 'cells.csv'), 'utf8').trimEnd().split('\r\n').length - 1;
}

describe('a sweep never replaces results it did not write for the same spec', () => {
  let root: string;
  beforeAll(async () => {
    root = tmp('kstep-outdir-');
    writeJson(join(root, 'mini.json'), MINI);
    // As after `npm start`: the default folder results/<name> under the working directory.
    const r = await kstepWithin(['sweep', 'mini.json', '--workers', '0', '--quiet'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(rows(join(root, 'results', 'tiny'))).toBe(2);
  });

  it('a sweep of another spec into the default folder is refused, even with --quiet, and changes nothing', async () => {
    const before = treeState(root);
    const r = await kstepWithin(['sweep', 'mini.json', 'budget=1e4', '--workers', '0', '--quiet'], root);
    expectRefusal(r);
    expect(r.stderr).toContain(join('results', 'tiny'));
    for (const way of ['--resume', '--out', '--force']) expect(r.stderr).toContain(way);
    expect(r.stdout).toBe('');
    expect(treeState(root)).toEqual(before);
  });

  it('the same spec again is refused too: --resume continues it, --force runs it again', async () => {
    const before = treeState(root);
    const r = await kstepWithin(['sweep', 'mini.json', '--workers', '0'], root);
    expectRefusal(r);
    expect(r.stderr).toContain('already holds 2 of 2 cells of this spec');
    expect(treeState(root)).toEqual(before);
    const resumed = await kstepWithin(['sweep', 'mini.json', '--workers', '0', '--resume'], root);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('2 of 2 cells already done');
    const both = await kstepWithin(['sweep', 'mini.json', '--workers', '0', '--resume', '--force'], root);
    expectRefusal(both);
  });

  it('--force replaces the results of another spec and leaves other files alone', async () => {
    const dir = tmp('kstep-outdir-');
    writeJson(join(dir, 'mini.json'), MINI);
    const out = join(dir, 'r');
    expect((await kstepWithin(['sweep', 'mini.json', 'seed=0', '--workers', '0', '--out', out, '--quiet'], dir)).code).toBe(0);
    writeFileSync(join(out, 'report.html'), '<!DOCTYPE html>\n<title>kstep report: tiny</title>');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const r = await kstepWithin(['sweep', 'mini.json', '--workers', '0', '--out', out, '--quiet', '--force'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(rows(out)).toBe(2);
    expect(treeState(out)['report.html']).toBeUndefined(); // the old results' report went with them
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it("a folder with someone else's cells.csv (no manifest) is refused, its bytes kept", async () => {
    const dir = tmp('kstep-outdir-');
    writeJson(join(dir, 'mini.json'), MINI);
    mkdirSync(join(dir, 'theirs'));
    writeFileSync(join(dir, 'theirs', 'cells.csv'), 'id,value\r\n1,2\r\n');
    const before = treeState(dir);
    const r = await kstepWithin(['sweep', 'mini.json', '--workers', '0', '--out', 'theirs'], dir);
    expectRefusal(r);
    expect(r.stderr).toContain('without a manifest.json');
    expect(treeState(dir)).toEqual(before);
  });

  it('--out /proc/x is refused at once (no endless mkdir loop), nothing created', async () => {
    const t0 = performance.now();
    const r = await kstepWithin(['sweep', 'mini.json', '--workers', '0', '--out', '/proc/kstep-x'], root, 10_000);
    expectRefusal(r);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

describe('merge --out never overwrites an input or results of another spec', () => {
  let root: string;
  beforeAll(async () => {
    root = tmp('kstep-outdir-merge-');
    writeJson(join(root, 'mini.json'), MINI);
    const runs = await Promise.all([
      kstepWithin(['sweep', 'mini.json', '--shard', '0/2', '--workers', '0', '--out', 's0', '--quiet'], root),
      kstepWithin(['sweep', 'mini.json', '--shard', '1/2', '--workers', '0', '--out', 's1', '--quiet'], root),
      kstepWithin(['sweep', 'mini.json', 'budget=1e4', '--workers', '0', '--out', 'other', '--quiet'], root),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
  });

  it('into one of its input shards: refused, even with --force', async () => {
    const before = treeState(root);
    for (const force of [[], ['--force']]) {
      const r = await kstepWithin(['merge', 's0', 's1', '--out', 's0', ...force], root);
      expectRefusal(r);
      expect(r.stderr).toContain('one of the folders being merged');
    }
    expectRefusal(await kstepWithin(['merge', 's0', 's1', '--out', 's1/merged'], root));
    expect(treeState(root)).toEqual(before);
  });

  it("into another spec's folder: refused; a merge that would drop cells: refused; a fuller merge: written", async () => {
    const before = treeState(root);
    const r = await kstepWithin(['merge', 's0', 's1', '--out', 'other'], root);
    expectRefusal(r);
    expect(r.stderr).toContain('another spec');
    expect(treeState(root)).toEqual(before);
    const all = await kstepWithin(['merge', 's0', 's1', '--out', 'merged'], root);
    expect(all.code, all.stderr).toBe(0);
    const fewer = treeState(root);
    const dropping = await kstepWithin(['merge', 's0', '--out', 'merged'], root);
    expectRefusal(dropping);
    expect(dropping.stderr).toContain('none of the merged folders has');
    expect(treeState(root)).toEqual(fewer);
    const again = await kstepWithin(['merge', 's1', 's0', '--out', 'merged'], root);
    expect(again.code, again.stderr).toBe(0);
  });
});

describe('run --save-params and report --out are checked before any work', () => {
  it('--save-params on a folder: refused before training, without a stack, nothing printed', async () => {
    const dir = tmp('kstep-outdir-run-');
    const before = treeState(dir);
    const r = await kstepWithin(['run', '--K', '1', '--hidden', '4', '--budget', '1e3', '--train', '8', '--test', '8', '--save-params', '.'], dir);
    expectRefusal(r);
    expect(r.stdout).toBe('');
    expect(treeState(dir)).toEqual(before);
  });

  it('--save-params replaces a params file of the same configuration, not of another one', async () => {
    const dir = tmp('kstep-outdir-run-');
    const run = ['run', '--K', '1', '--hidden', '4', '--budget', '1e3', '--train', '8', '--test', '8', '--json', '--save-params', 'p.json'];
    expect((await kstepWithin(run, dir)).code).toBe(0);
    expect((await kstepWithin(run, dir)).code).toBe(0);
    const before = treeState(dir);
    const other = await kstepWithin([...run, '--seed', '7'], dir);
    expectRefusal(other);
    expect(other.stderr).toContain('another configuration');
    expect(treeState(dir)).toEqual(before);
    expect((await kstepWithin([...run, '--seed', '7', '--force'], dir)).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8')).config.seed).toBe(7);
  });

  it('report --out a folder or under a missing folder: one line, exit 2, nothing written', async () => {
    const dir = tmp('kstep-outdir-report-');
    writeJson(join(dir, 'mini.json'), MINI);
    expect((await kstepWithin(['sweep', 'mini.json', 'seed=0', '--workers', '0', '--out', 'r', '--quiet'], dir)).code).toBe(0);
    const before = treeState(dir);
    for (const out of ['r', 'missing/report.html']) expectRefusal(await kstepWithin(['report', 'r', '--out', out], dir));
    expect(treeState(dir)).toEqual(before);
  });
});
