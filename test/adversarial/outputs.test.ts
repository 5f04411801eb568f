// Bad output paths across every command that writes: each is refused before any work with exit code 2
// and one line on stderr (no stack trace), and the working folder's tree (sizes, mtimes, bytes) is
// exactly as before. Each command runs in its own copy of a folder that holds a finished sweep, a shard,
// another spec's results, foreign files, a params file and a report.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY, requireBuild, tmp, writeJson } from '../experiment/helpers.js';
import { expectRefusal, kstepWithin, treeState } from './tree.js';

beforeAll(requireBuild);

const MINI = { ...TINY, grid: { K: [1], activation: ['tanh'], optimizer: ['bptt'], seed: [0, 1] } };
const SWEEP = ['sweep', 'mini.json', '--workers', '0', '--quiet'];
const SLURM = ['sweep', 'mini.json', '--slurm', '--shards', '2', '--quiet'];
const RUN = ['run', '--K', '1', '--hidden', '4', '--budget', '1e3', '--train', '8', '--test', '8'];

let root: string;

beforeAll(async () => {
  root = tmp('kstep-adv-out-');
  writeJson(join(root, 'mini.json'), MINI);
  const setup = await Promise.all([
    kstepWithin(SWEEP, root), // results/tiny
    kstepWithin([...SWEEP, '--shard', '0/2', '--out', 'shard0'], root),
    kstepWithin([...SWEEP, 'budget=1e4', '--out', 'other'], root),
    kstepWithin([...RUN, '--json', '--save-params', 'params.json'], root),
  ]);
  for (const r of setup) expect(r.code, r.stderr).toBe(0);
  // Folders a --slurm submission with --shards 2 must not write into: a shard of another spec, a shard
  // of this spec (only --resume continues it), and a slurm folder holding a file kstep did not write.
  const shards = await Promise.all([
    kstepWithin([...SWEEP, 'budget=1e4', '--shard', '0/2', '--out', 'nest-other/shard-0-of-2'], root),
    kstepWithin([...SWEEP, '--shard', '1/2', '--out', 'nest-same/shard-1-of-2'], root),
  ]);
  for (const r of shards) expect(r.code, r.stderr).toBe(0);
  mkdirSync(join(root, 'slurm-foreign', 'slurm'), { recursive: true });
  writeFileSync(join(root, 'slurm-foreign', 'slurm', 'notes.txt'), 'mine\n');
  const report = await kstepWithin(['report', 'results/tiny', '--out', 'report.html'], root);
  expect(report.code, report.stderr).toBe(0);
  writeFileSync(join(root, 'f.txt'), 'a file, not a folder\n');
  mkdirSync(join(root, 'foreign'));
  writeFileSync(join(root, 'foreign', 'notes.txt'), 'mine\n');
  mkdirSync(join(root, 'orphan'));
  writeFileSync(join(root, 'orphan', 'cells.csv'), 'cell_id,x\r\nabc,1\r\n');
  mkdirSync(join(root, 'badmanifest'));
  writeFileSync(join(root, 'badmanifest', 'manifest.json'), '{"experiment": ');
  writeFileSync(join(root, 'badmanifest', 'cells.csv'), 'cell_id\r\n');
});

const cases: [string, string[]][] = [
  // sweep --out (and its default folder)
  ['sweep --out an existing file', [...SWEEP, '--out', 'f.txt']],
  ['sweep --out an empty string', [...SWEEP, '--out', '']],
  ['sweep --out blanks', [...SWEEP, '--out', '   ']],
  ['sweep --out under a file', [...SWEEP, '--out', 'f.txt/sub']],
  ['sweep --out deep under a file', [...SWEEP, '--out', 'f.txt/a/b/c']],
  ['sweep --out a name with a line break under a file', [...SWEEP, '--out', 'f.txt/a\nb']],
  ['sweep --out /proc/x', [...SWEEP, '--out', '/proc/kstep-x']],
  ['sweep --out /proc/x/y', [...SWEEP, '--out', '/proc/kstep-x/y']],
  ['sweep --out /sys/x', [...SWEEP, '--out', '/sys/kstep-x']],
  ['sweep --out a results file', [...SWEEP, '--out', 'results/tiny/cells.csv']],
  ['sweep of another spec into the default folder', [...SWEEP, 'budget=1e4']],
  ['sweep of the same spec again, no --resume', SWEEP],
  ['sweep of the same spec into --out of another spec', [...SWEEP, '--out', 'other']],
  ['sweep of the whole grid into a shard folder', [...SWEEP, '--out', 'shard0']],
  ['sweep into a folder of foreign files', [...SWEEP, '--out', 'foreign']],
  ['sweep into a cells.csv without manifest', [...SWEEP, '--out', 'orphan']],
  ['sweep into a folder with a broken manifest', [...SWEEP, '--out', 'badmanifest']],
  ['sweep into the working folder itself', [...SWEEP, '--out', '.']],
  ['sweep --resume of another spec', [...SWEEP, '--resume', '--out', 'other']],
  ['sweep --resume --force', [...SWEEP, '--resume', '--force']],
  ['sweep --resume into a file', [...SWEEP, '--resume', '--out', 'f.txt']],
  // merge --out
  ['merge --out its input', ['merge', 'results/tiny', '--out', 'results/tiny']],
  ['merge --out its input with --force', ['merge', 'results/tiny', '--out', 'results/tiny', '--force']],
  ['merge --out inside its input', ['merge', 'results/tiny', '--out', 'results/tiny/merged']],
  ['merge --out the same input by another path', ['merge', 'shard0', '--out', './shard0/']],
  ['merge --out another spec', ['merge', 'results/tiny', '--out', 'other']],
  ['merge that would drop cells of its --out', ['merge', 'shard0', '--out', 'results/tiny']],
  ['merge --out foreign files', ['merge', 'results/tiny', '--out', 'foreign']],
  ['merge --out a cells.csv without manifest', ['merge', 'results/tiny', '--out', 'orphan']],
  ['merge --out an existing file', ['merge', 'results/tiny', '--out', 'f.txt']],
  ['merge --out an empty string', ['merge', 'results/tiny', '--out', '']],
  ['merge --out under a file', ['merge', 'results/tiny', '--out', 'f.txt/m']],
  ['merge --out /proc/x', ['merge', 'results/tiny', '--out', '/proc/kstep-x']],
  // sweep --slurm: every folder is checked before sbatch is looked for
  ['sweep --slurm --out an existing file', [...SLURM, '--out', 'f.txt']],
  ['sweep --slurm --out an empty string', [...SLURM, '--out', '']],
  ['sweep --slurm --out under a file', [...SLURM, '--out', 'f.txt/sub']],
  ['sweep --slurm --out /proc/x', [...SLURM, '--out', '/proc/kstep-x']],
  ['sweep --slurm --out a path with a space (Slurm log paths)', [...SLURM, '--out', 'a b']],
  ['sweep --slurm --out a path with % (Slurm log patterns)', [...SLURM, '--out', 'a%b']],
  ['sweep --slurm into the default folder of a finished sweep, no --resume', SLURM],
  ['sweep --slurm into another spec', [...SLURM, '--out', 'other']],
  ['sweep --slurm into a folder of foreign files', [...SLURM, '--out', 'foreign']],
  ['sweep --slurm whose shard folder holds another spec', [...SLURM, '--out', 'nest-other']],
  ['sweep --slurm whose shard folder holds this spec, no --resume', [...SLURM, '--out', 'nest-same']],
  ['sweep --slurm --resume whose shard folder holds another spec', [...SLURM, '--resume', '--out', 'nest-other']],
  ['sweep --slurm into a slurm folder holding a foreign file', [...SLURM, '--out', 'slurm-foreign']],
  ['sweep --slurm --resume --force', [...SLURM, '--resume', '--force']],
  // run --save-params
  ['run --save-params a folder', [...RUN, '--save-params', 'results']],
  ['run --save-params an empty string', [...RUN, '--save-params', '']],
  ['run --save-params in a missing folder', [...RUN, '--save-params', 'missing/p.json']],
  ['run --save-params under a file', [...RUN, '--save-params', 'f.txt/p.json']],
  ['run --save-params /proc/x', [...RUN, '--save-params', '/proc/kstep-p.json']],
  ['run --save-params a foreign file', [...RUN, '--save-params', 'f.txt']],
  ['run --save-params a results file', [...RUN, '--save-params', 'results/tiny/cells.csv']],
  ['run --save-params the params of another config', [...RUN, '--seed', '5', '--save-params', 'params.json']],
  ['run --save-params a name ending in a slash', [...RUN, '--save-params', 'newdir/']],
  // report --out
  ['report --out a folder', ['report', 'results/tiny', '--out', 'results']],
  ['report --out an empty string', ['report', 'results/tiny', '--out', '']],
  ['report --out in a missing folder', ['report', 'results/tiny', '--out', 'missing/r.html']],
  ['report --out under a file', ['report', 'results/tiny', '--out', 'f.txt/r.html']],
  ['report --out /proc/x', ['report', 'results/tiny', '--out', '/proc/kstep-r.html']],
  ['report --out a results file', ['report', 'results/tiny', '--out', 'results/tiny/cells.csv']],
  ['report --out a foreign file', ['report', 'results/tiny', '--out', 'f.txt']],
  ['report --out the params file', ['report', 'results/tiny', '--out', 'params.json']],
  // summarize writes nothing; its bad folders are refused the same way
  ['summarize a file', ['summarize', 'f.txt']],
  ['summarize a folder of foreign files', ['summarize', 'foreign']],
];

describe('bad output paths: exit 2, one line, nothing created or changed', () => {
  it.each(cases)('%s', async (_name, args) => {
    const dir = tmp('kstep-adv-case-');
    cpSync(root, dir, { recursive: true });
    const before = treeState(dir);
    const r = await kstepWithin(args, dir, 10_000);
    expectRefusal(r);
    expect(treeState(dir)).toEqual(before);
  });
});
