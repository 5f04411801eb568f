// Grid expansion: canonical order, foreign options dropped per cell, seeds, variants, shards.
import { describe, expect, it } from 'vitest';
import { resolveConfig, cellKey } from '../../src/experiment/config.js';
import { cellId, expandGrid, parseShard, shardCells } from '../../src/experiment/grid.js';
import { applyOverrides } from '../../src/experiment/overrides.js';
import { parseExperiment } from '../../src/experiment/spec.js';

const expand = (json: unknown, overrides: string[] = []) => expandGrid(applyOverrides(parseExperiment(json), overrides));

describe('expandGrid', () => {
  it('nests axes in namespace order with the seed innermost, whatever the key order in the file', () => {
    const a = expand({ name: 'x', grid: { seed: [0, 1], optimizer: ['bptt', 'ga'], K: [1, 4] } });
    const b = expand({ name: 'x', grid: { K: [1, 4], seed: [0, 1], optimizer: ['bptt', 'ga'] } });
    expect(a.map((c) => c.key)).toEqual(b.map((c) => c.key));
    expect(a.map((c) => `${c.config.K} ${c.config.optimizer} ${c.config.seed}`)).toEqual([
      '1 bptt 0', '1 bptt 1', '1 ga 0', '1 ga 1', '4 bptt 0', '4 bptt 1', '4 ga 0', '4 ga 1',
    ]);
    expect(a.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('values keep their listed order', () => {
    const cells = expand({ name: 'x', grid: { K: [16, 1, 4] } });
    expect(cells.map((c) => c.config.K)).toEqual([16, 1, 4]);
  });

  it('the file seed is the default seed; grid seeds are exact seeds', () => {
    expect(expand({ name: 'x', seed: 42 }).map((c) => c.config.seed)).toEqual([42]);
    expect(expand({ name: 'x', seed: 42 }, ['seed=0..2']).map((c) => c.config.seed)).toEqual([0, 1, 2]);
  });

  it('a cell equals what `run` resolves from its descriptor values (same key, same id)', () => {
    const [cell] = expand({ name: 'x', fixed: { K: 8, activation: 'relu', hidden: [4, 4], lr: 0.01 }, seed: 3 });
    const cfg = resolveConfig({ K: 8, activation: 'relu', hidden: '4,4', lr: 0.01, seed: 3 });
    expect(cell.key).toBe(cellKey(cfg));
    expect(cell.id).toBe(cellId(cellKey(cfg)));
    expect(cell.id).toMatch(/^c[0-9a-f]{12}$/);
  });

  it('drops options of other optimizers per cell and merges cells that become identical', () => {
    const cells = expand({ name: 'x', grid: { optimizer: ['bptt', 'ga'], lr: [0.001, 0.01] } });
    // bptt x 2 lr, ga once (lr is not a GA option).
    expect(cells.map((c) => `${c.config.optimizer} ${c.config.options.lr ?? '-'}`)).toEqual(['bptt 0.001', 'bptt 0.01', 'ga -']);
  });

  it('a key shared by two optimizers applies to both; optimizers.<name> to one', () => {
    const cells = expand({ name: 'x', grid: { optimizer: ['bptt', 'es'] }, fixed: { lr: 0.02 }, optimizers: { es: { lr: 0.5 } } });
    expect(cells.map((c) => c.config.options.lr)).toEqual([0.02, 0.5]);
  });

  it('drops task parameters of other tasks per cell', () => {
    const cells = expand({ name: 'x', grid: { task: ['rotation', 'logistic'], 'task.r': [3.5, 3.9] } });
    expect(cells.map((c) => `${c.config.task} ${c.config.taskParams.r ?? '-'}`)).toEqual(['rotation -', 'logistic 3.5', 'logistic 3.9']);
  });

  it('variants are an axis between the grid and the seed, with their own precedence over fixed', () => {
    const cells = expand({
      name: 'x',
      grid: { K: [2, 4], seed: [0, 1] },
      fixed: { clip: 5 },
      variants: { plain: {}, clip: { clip: 1 }, ga: { optimizer: 'ga' } },
      optimizers: { ga: { sigma: 0.3 } },
    });
    expect(cells).toHaveLength(12);
    expect(cells.slice(0, 6).map((c) => `${c.variant} ${c.config.optimizer} ${c.config.options.clip ?? c.config.options.sigma} ${c.config.seed}`)).toEqual([
      'plain bptt 5 0', 'plain bptt 5 1', 'clip bptt 1 0', 'clip bptt 1 1', 'ga ga 0.3 0', 'ga ga 0.3 1',
    ]);
  });

  it('is deterministic: the same spec gives the same cells, keys and ids', () => {
    const json = { name: 'x', grid: { K: [1, 2], activation: ['tanh', 'relu'], optimizer: ['bptt', 'ga', 'es'] } };
    expect(JSON.stringify(expand(json))).toBe(JSON.stringify(expand(json)));
  });
});

describe('shards', () => {
  it('i/n takes every n-th cell from i; the shards partition the grid', () => {
    const cells = expand({ name: 'x', grid: { K: [1, 2, 3, 4, 5], seed: [0, 1] } });
    const parts = [0, 1, 2].map((i) => shardCells(cells, { index: i, count: 3 }));
    expect(parts.map((p) => p.length)).toEqual([4, 3, 3]);
    expect(parts.flat().map((c) => c.index).sort((a, b) => a - b)).toEqual(cells.map((c) => c.index));
    expect(parts[1].map((c) => c.index)).toEqual([1, 4, 7]);
  });

  it('parses i/n and refuses the rest', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['3/3', '1/0', 'a/b', '1', '-1/2']) expect(() => parseShard(bad)).toThrow(/--shard/);
  });
});
