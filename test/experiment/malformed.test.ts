// Malformed experiment files and overrides, end to end through the CLI: exit code 2, a message that
// names the field (its JSON path, or the override), and no results folder created.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kstep, requireBuild, tmp, writeJson } from './helpers.js';

beforeAll(requireBuild);

const base = { name: 'bad', budget: 1e3, fixed: { hidden: [4], train: 8, test: 8 } };

/** [what, file content (object or raw text), extra args, the field the message must name, a phrase of it] */
const cases: [string, unknown, string[], string, string][] = [
  ['invalid JSON', '{"name": "bad", "grid": {"K": [1, 2}', [], 'experiment', 'not valid JSON'],
  ['not an object', '[1, 2]', [], 'experiment', 'JSON object'],
  ['missing name', { grid: { K: [1] } }, [], 'name', 'missing'],
  ['name that is not a folder name', { ...base, name: '../up' }, [], 'name', 'letters'],
  ['unknown top-level key', { ...base, grdi: { K: [1] } }, [], 'grdi', 'unknown key'],
  ['unknown config key', { ...base, grid: { Kk: [1, 2] } }, [], 'grid.Kk', 'unknown key'],
  ['grid value not a list', { ...base, grid: { K: 4 } }, [], 'grid.K', 'list'],
  ['empty grid list', { ...base, grid: { activation: [] } }, [], 'grid.activation', 'non-empty'],
  ['K out of range', { ...base, grid: { K: [1, 0] } }, [], 'grid.K[1]', '>= 1'],
  ['K not an integer', { ...base, grid: { K: [1, 2.5] } }, [], 'grid.K[1]', 'integer'],
  ['unknown activation', { ...base, grid: { activation: ['tanh', 'tanhh'] } }, [], 'grid.activation[1]', 'one of'],
  ['wrong type of a fixed value', { ...base, fixed: { ...base.fixed, residual: 'yes' } }, [], 'fixed.residual', 'true or false'],
  ['negative budget', { ...base, budget: -5 }, [], 'budget', '>= 1'],
  ['budget as text', { ...base, budget: 'lots' }, [], 'budget', 'number'],
  ['negative seed', { ...base, seed: -1 }, [], 'seed', '>= 0'],
  ['unknown optimizer block', { ...base, optimizers: { adamw: { lr: 1 } } }, [], 'optimizers.adamw', 'unknown optimizer'],
  ['option of another optimizer', { ...base, grid: { optimizer: ['bptt', 'ga'] }, optimizers: { ga: { lr: 0.1 } } }, [], 'optimizers.ga.lr', 'not an option of ga'],
  ['option no cell uses', { ...base, fixed: { ...base.fixed, sigma: 0.1 } }, [], 'fixed.sigma', 'no cell uses'],
  ['key both fixed and in the grid', { ...base, grid: { K: [1, 2] }, fixed: { ...base.fixed, K: 3 } }, [], 'fixed.K', 'grid'],
  ['duplicate grid value', { ...base, grid: { K: [1, 1] } }, [], 'grid.K[1]', 'duplicate'],
  ['K0 above K in some cell', { ...base, grid: { K: [4, 16] }, fixed: { ...base.fixed, K0: 8, curriculum: 'ramp' } }, [], 'fixed.K0', '<= K'],
  ['task parameter of another task', { ...base, fixed: { ...base.fixed, 'task.r': 3.9 } }, [], 'fixed.task.r', 'task.rho'],
  ['task parameter out of range', { ...base, grid: { task: ['logistic'], 'task.r': [3.5, 5] } }, [], 'grid.task.r[1]', '<= 4'],
  ['option refused by the optimizer itself', { ...base, fixed: { ...base.fixed, optimizer: 'es' }, optimizers: { es: { population: 5 } } }, [], 'optimizers.es.population', 'even'],
  ['hidden size negative', { ...base, fixed: { ...base.fixed, hidden: [4, -1] } }, [], 'fixed.hidden', '>= 1'],
  ['identical variants', { ...base, variants: { a: { clip: 1 }, b: { clip: 1 } } }, [], 'variants.b', 'same cells'],
  ['bad override value', base, ['K=4,0'], 'override K=4,0', '>= 1'],
  ['bad override range', base, ['seed=3..1'], 'override seed=3..1', 'empty range'],
  ['unknown override key', base, ['foo=1'], 'override foo=1', 'unknown key'],
  ['bad --shard', base, ['--shard', '3/3'], '--shard', '0..2'],
  ['bad --workers', base, ['--workers', 'two'], '--workers', 'integer'],
];

describe('malformed experiments: exit 2, the field named, nothing written', () => {
  it.each(cases)('%s', async (_what, content, args, field, phrase) => {
    const dir = tmp('kstep-bad-');
    const file = writeJson(join(dir, 'bad.json'), content);
    const r = await kstep(['sweep', file, ...args], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`kstep: ${field}: `);
    expect(r.stderr).toContain(phrase);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, 'results'))).toBe(false);
  });

  it('an explicit --out folder is not created either', async () => {
    const dir = tmp('kstep-bad-');
    const file = writeJson(join(dir, 'bad.json'), { ...base, grid: { K: [0] } });
    const r = await kstep(['sweep', file, '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('a missing file names the experiment argument', async () => {
    const dir = tmp('kstep-bad-');
    const r = await kstep(['sweep', join(dir, 'nope.json')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('kstep: experiment: no such file');
    expect(existsSync(join(dir, 'results'))).toBe(false);
  });
});
