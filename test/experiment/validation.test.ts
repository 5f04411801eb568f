/**
 * Input validation: option ranges at their edges, exclusive minima, batch <= train, safe integers and
 * decimal notation, typed JSON values, overrides that no cell uses, params files that contradict
 * their config, bounded list sizes, and file-level problems (BOM, directory, long names, deep JSON).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSubject } from '../../src/commands/health.js';
import { buildCell } from '../../src/experiment/cell.js';
import { type CellConfig, MAX_HIDDEN, describeConfig, parseValue, resolveConfig } from '../../src/experiment/config.js';
import { readExperimentFile } from '../../src/experiment/experiment-file.js';
import { expandGrid } from '../../src/experiment/grid.js';
import { applyOverrides } from '../../src/experiment/overrides.js';
import { parseList } from '../../src/experiment/spec-keys.js';
import { parseExperiment } from '../../src/experiment/spec.js';
import { Rng } from '../../src/core/rng.js';
import { getOptimizer, optimizers } from '../../src/optimizers/index.js';
import type { OptionSpec, OptionValue } from '../../src/optimizers/types.js';
import { Quadratic } from '../optimizers/helpers.js';
import { MAX_POPULATION } from '../../src/optimizers/types.js';
import { netRecord, taskRecord } from '../../src/output/records.js';
import { tmp, usageError, usageErrorAsync } from './helpers.js';

/** The options resolved by the one validator, then the optimizer run a few steps: every loss finite. */
function runsWith(optimizer: string, extra: Record<string, string>): void {
  const cfg = resolveConfig({ optimizer, ...extra });
  const opt = getOptimizer(optimizer).create(new Float64Array(6), cfg.options, new Rng(`edge/${optimizer}`));
  const obj = new Quadratic(6);
  for (let i = 0; i < 3; i++) {
    const r = opt.step(obj);
    expect(r.diverged, `${optimizer} ${JSON.stringify(extra)}`).toBe(false);
    expect(Number.isFinite(r.loss), `${optimizer} ${JSON.stringify(extra)} loss`).toBe(true);
    expect(r.nonfinite, `${optimizer} ${JSON.stringify(extra)} nonfinite`).toBe(0);
  }
  expect(opt.solution().every(Number.isFinite)).toBe(true);
}

/** Options an edge value needs beside it (an elite of 9999 needs a population above it). */
function companions(optimizer: string, name: string): Record<string, string> {
  if (optimizer === 'ga' && name === 'elite') return { population: String(MAX_POPULATION) };
  return {};
}

const numeric = [...optimizers.values()].flatMap((o) =>
  o.options.filter((s) => s.kind === 'number' || s.kind === 'int').map((s) => [o.name, s.name, s] as [string, string, OptionSpec]),
);

describe('every numeric optimizer option at the edges of its range', () => {
  it.each(numeric)('%s %s: the smallest accepted value runs, one below is refused', (optimizer, name, spec) => {
    expect(spec.min, `${optimizer}.${name} has a minimum`).toBeDefined();
    const min = spec.min!;
    const lowest = spec.minExclusive ? (spec.kind === 'int' ? min + 1 : min + 1e-9) : min;
    runsWith(optimizer, { ...companions(optimizer, name), [name]: String(lowest) });
    const below = spec.minExclusive ? min : spec.kind === 'int' ? min - 1 : min - 1e-9;
    if (spec.zeroIsDefault && below === 0) {
      runsWith(optimizer, { [name]: '0' });
      expect(usageError(() => resolveConfig({ optimizer, [name]: String(below - 1) })).message).toMatch(new RegExp(`^${name}: must be 0 \\(the default\\) or >= ${min}`));
    } else {
      expect(usageError(() => resolveConfig({ optimizer, [name]: String(below) })).field).toBe(name);
    }
  });

  it.each(numeric.filter(([, , s]) => s.max !== undefined))('%s %s: the largest accepted value runs, one above is refused', (optimizer, name, spec) => {
    runsWith(optimizer, { ...companions(optimizer, name), [name]: String(spec.max) });
    const above = spec.kind === 'int' ? spec.max! + 1 : spec.max! + 1e-9;
    expect(usageError(() => resolveConfig({ optimizer, [name]: String(above) })).message).toMatch(new RegExp(`^${name}: must be <= ${spec.max}`));
  });

  it('population methods have a maximum population', () => {
    for (const o of ['ga', 'es', 'cmaes', 'random']) expect(getOptimizer(o).options.find((s) => s.name === 'population')!.max).toBe(MAX_POPULATION);
  });
});

describe('CMA-ES population', () => {
  it('refuses 1 and 2 (one rank: a 0/0 weight), mirrored or not, and runs 3', () => {
    for (const mirrored of ['true', 'false']) {
      for (const p of ['1', '2']) expect(usageError(() => resolveConfig({ optimizer: 'cmaes', mirrored, population: p })).message).toMatch(/^population: must be 0 \(the default\) or >= 3/);
      runsWith('cmaes', { mirrored, population: '3' });
    }
  });
  it('the optimizer itself refuses a population that leaves one rank', () => {
    expect(() => getOptimizer('cmaes').create(new Float64Array(4), { population: 2 }, new Rng('x'))).toThrow(/population/);
  });
});

describe('sigma must be > 0', () => {
  it.each(['ga', 'es', 'cmaes', 'random'])('%s sigma 0 is refused, as text and as JSON', (optimizer) => {
    expect(usageError(() => resolveConfig({ optimizer, sigma: '0' })).message).toBe('sigma: must be > 0, got "0"');
    expect(usageError(() => expandGrid(parseExperiment({ name: 'x', optimizers: { [optimizer]: { sigma: 0 } }, fixed: { optimizer } }))).message).toMatch(/^optimizers\.\w+\.sigma: must be > 0, got 0/);
  });
});

describe('batch <= train', () => {
  it('is refused in resolveConfig, for run and for every sweep cell', () => {
    expect(usageError(() => resolveConfig({ batch: '300', train: '256' })).message).toBe('batch: must be <= train (256), got 300');
    expect(resolveConfig({ batch: '256', train: '256' }).batch).toBe(256);
    const e = usageError(() => expandGrid(parseExperiment({ name: 'x', fixed: { train: 16, batch: 32 } })));
    expect(e.message).toMatch(/must be <= train \(16\), got 32/);
  });
});

describe('numbers: safe integers, decimal notation, typed JSON', () => {
  it('refuses integers beyond 2^53 - 1 for every int key and option', () => {
    expect(resolveConfig({ seed: String(Number.MAX_SAFE_INTEGER) }).seed).toBe(Number.MAX_SAFE_INTEGER);
    expect(usageError(() => resolveConfig({ seed: '9007199254740993' })).field).toBe('seed');
    expect(usageError(() => resolveConfig({ seed: 2 ** 60 })).field).toBe('seed');
    expect(usageError(() => parseExperiment({ name: 'x', seed: 2 ** 53 + 2 })).field).toBe('seed');
    expect(usageError(() => parseExperiment({ name: 'x', grid: { seed: [1, 2 ** 53 + 2] } })).field).toBe('grid.seed[1]');
    expect(usageError(() => applyOverrides(parseExperiment({ name: 'x' }), ['truncate=9007199254740993'])).field).toMatch(/truncate/);
  });
  it('reads only decimal notation from text; 1e3 is an integer, 0x10 and 0b101 are not numbers', () => {
    expect(resolveConfig({ train: '1e3' }).train).toBe(1000);
    expect(resolveConfig({ budget: '2e4' }).budget).toBe(2e4);
    for (const bad of ['0x10', '0b101', '0o7', 'Infinity', '1_000', ''])
      expect(usageError(() => resolveConfig({ K: bad })).field, bad).toBe('K');
    expect(usageError(() => resolveConfig({ K: '0x10' })).message).toBe('K: must be an integer in decimal notation, got "0x10"');
    expect(usageError(() => resolveConfig({ lr: '0x1p-3' })).field).toBe('lr');
  });
  it('experiment files: numbers must be JSON numbers, lists arrays, booleans true/false, for every key', () => {
    expect(usageError(() => parseExperiment({ name: 'x', fixed: { hidden: '4' } })).field).toBe('fixed.hidden');
    expect(usageError(() => parseExperiment({ name: 'x', fixed: { 'task.rho': '0.5' } })).field).toBe('fixed.task.rho');
    expect(usageError(() => parseExperiment({ name: 'x', budget: '2e4' })).field).toBe('budget');
    expect(usageError(() => parseExperiment({ name: 'x', grid: { K: ['2', 8] } })).field).toBe('grid.K[0]');
    expect(usageError(() => parseExperiment({ name: 'x', fixed: { residual: 'true' } })).field).toBe('fixed.residual');
    expect(usageError(() => parseExperiment({ name: 'x', optimizers: { ga: { sigma: '0.05' } } })).field).toBe('optimizers.ga.sigma');
    expect(usageError(() => parseExperiment({ name: 'x', variants: { a: { K: '4' } } })).field).toBe('variants.a.K');
    expect(parseExperiment({ name: 'x', fixed: { hidden: [4], 'task.rho': 0.5, residual: true, activation: 'relu' } }).spec.fixed).toEqual({ hidden: [4], 'task.rho': 0.5, residual: true, activation: 'relu' });
    // The command line still parses strings.
    expect(applyOverrides(parseExperiment({ name: 'x' }), ['hidden=4', 'task.rho=0.5']).spec.fixed).toEqual({ hidden: [4], 'task.rho': 0.5 });
  });
  it('hidden sizes, train, test, batch and K0 have maxima checked before anything is allocated', () => {
    expect(usageError(() => resolveConfig({ hidden: '99999999' })).message).toBe(`hidden: must be <= ${MAX_HIDDEN}, got "99999999"`);
    expect(usageError(() => resolveConfig({ hidden: Array(65).fill('1').join(',') })).message).toMatch(/^hidden: must have at most 64 entries/);
    for (const k of ['train', 'test', 'val', 'batch']) expect(usageError(() => resolveConfig({ [k]: '1000001' })).field).toBe(k);
    expect(usageError(() => resolveConfig({ K0: '100001' })).field).toBe('K0');
  });
});

describe('options nobody uses, params files that contradict their config', () => {
  it('refuses an override of an optimizer option that no cell of the sweep uses', () => {
    const base = parseExperiment({ name: 'x', optimizers: { ga: { sigma: 0.05 } } });
    // The file's block of an unused optimizer is fine.
    expect(expandGrid(base).length).toBe(1);
    const e = usageError(() => expandGrid(applyOverrides(base, ['optimizer=bptt', 'ga.sigma=0.1'])));
    expect(e.message).toBe("override ga.sigma=0.1: an option of ga, but no cell uses ga (the cells' optimizers: bptt)");
    expect(usageError(() => expandGrid(applyOverrides(base, ['sigma=0.1']))).field).toBe('override sigma=0.1');
    expect(expandGrid(applyOverrides(base, ['optimizer=ga', 'ga.sigma=0.1']))[0].config.options.sigma).toBe(0.1);
  });

  it('refuses a params file whose net or task disagrees with its config, naming the field and both values', async () => {
    const dir = tmp();
    const cfg: CellConfig = resolveConfig({ hidden: '3', K: '2' });
    const { net, task } = buildCell(cfg);
    const good = { format: 'kstep-params/1', config: Object.fromEntries(describeConfig(cfg)), task: taskRecord(task), net: netRecord(net), theta: new Array(net.nParams).fill(0.1) };
    const write = (name: string, rec: unknown) => {
      const f = join(dir, name);
      writeFileSync(f, JSON.stringify(rec));
      return f;
    };
    expect((await resolveSubject({ params: write('good.json', good), set: [] })).net.nParams).toBe(net.nParams);
    const f1 = write('net.json', { ...good, net: { ...good.net, hidden: [5] } });
    expect((await usageErrorAsync(() => resolveSubject({ params: f1, set: [] }))).message).toBe(`--params: ${f1}: net.hidden is [5] but the file's config gives [3]`);
    const f2 = write('task.json', { ...good, task: { ...good.task, name: 'lorenz' } });
    expect((await usageErrorAsync(() => resolveSubject({ params: f2, set: [] }))).message).toBe(`--params: ${f2}: task.name is "lorenz" but the file's config gives "rotation"`);
    const f3 = write('typed.json', { ...good, config: { ...good.config, hidden: '3' } });
    expect((await usageErrorAsync(() => resolveSubject({ params: f3, set: [] }))).message).toMatch(/^--params: .*config\.hidden: must be a JSON list/);
  });
});

describe('bounded work', () => {
  it('a list of 5,000,000 seeds is refused at once (the count limit first, a linear duplicate check)', () => {
    const seeds = Array.from({ length: 5_000_000 }, (_, i) => i);
    const t0 = Date.now();
    expect(usageError(() => parseList('seed', seeds, 'grid.seed', true, 'json')).message).toMatch(/^grid\.seed: 5000000 values, more than the limit of 100000/);
    const many = Array.from({ length: 100_000 }, (_, i) => i);
    expect(parseList('seed', many, 'grid.seed', true, 'json').length).toBe(100_000);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(usageError(() => parseList('seed', [1, 2, 1], 'grid.seed', true, 'json')).field).toBe('grid.seed[2]');
    expect(usageError(() => parseList('hidden', [[4, 4], [4, 4]], 'grid.hidden', true, 'json')).field).toBe('grid.hidden[1]');
    expect(parseList('hidden', [[4, 4], [4]], 'grid.hidden', true, 'json')).toEqual([[4, 4], [4]]);
  });
});

describe('experiment files', () => {
  it('accepts a UTF-8 byte-order mark', () => {
    const f = join(tmp(), 'bom.json');
    writeFileSync(f, `\uFEFF${JSON.stringify({ name: 'bom', budget: 1000 })}`);
    expect(readExperimentFile(f).spec.name).toBe('bom');
  });
  it('says so when the path is a directory', () => {
    const d = join(tmp(), 'exp.json');
    mkdirSync(d);
    expect(usageError(() => readExperimentFile(d)).message).toBe(`experiment: '${d}' is a directory, not an experiment file (give a .json file)`);
  });
  it('refuses a name longer than 100 characters (it names a folder)', () => {
    expect(parseExperiment({ name: 'a'.repeat(100) }).spec.name.length).toBe(100);
    expect(usageError(() => parseExperiment({ name: 'a'.repeat(300) })).field).toBe('name');
    expect(usageError(() => parseExperiment({ name: 'x', variants: { ['v'.repeat(101)]: { K: 2 } } })).field).toMatch(/^variants\./);
  });
  it('deeply nested JSON gives one short message, not a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20000; i++) deep = [deep];
    const e = usageError(() => parseExperiment({ name: 'x', grid: { K: deep } }));
    expect(e.field).toMatch(/^grid\.K/);
    expect(e.message.length).toBeLessThan(200);
    let obj: unknown = 1;
    for (let i = 0; i < 20000; i++) obj = { a: obj };
    expect(usageError(() => parseExperiment({ name: 'x', fixed: obj })).message.length).toBeLessThan(200);
  });
});

it('parseValue words an exclusive minimum as "must be > min"', () => {
  const spec: OptionSpec = { name: 'x', kind: 'number', default: 1, min: 0, minExclusive: true, help: 'x' };
  expect(usageError(() => parseValue(spec, '0')).message).toBe('x: must be > 0, got "0"');
  expect(parseValue(spec, '1e-300')).toBe(1e-300);
  expect(parseValue(spec, 0.5 as OptionValue, 'x', 'json')).toBe(0.5);
});
