// What a cell needs before it starts: the memory estimate against the rollout's buffers, the largest
// step against every step the optimizers actually take, the limit and its variable, and the refusal
// of a sweep's bad cell at expansion time, before any cell runs.
import { describe, expect, it } from 'vitest';
import { activeKernels } from '../../src/core/kernel-set.js';
import { derive } from '../../src/core/rng.js';
import { UsageError } from '../../src/errors.js';
import { buildCell } from '../../src/experiment/cell.js';
import { resolveConfig } from '../../src/experiment/config.js';
import { expandGrid } from '../../src/experiment/grid.js';
import { DEFAULT_MEMORY_LIMIT, cellNeeds, checkCellResources, memoryLimit } from '../../src/experiment/resources.js';
import { parseExperiment } from '../../src/experiment/spec.js';
import { getOptimizer, optimizerNames } from '../../src/optimizers/index.js';

describe('cellNeeds: memory', () => {
  it('memory full: the stored activations dominate, 8 B ((K+1) D + K S) for the batch and again for the probe', () => {
    // rotation: D = 2, identity features: F = 2; hidden [8]: S = F + 16 = 18.
    const cfg = { ...resolveConfig({ K: 100000, hidden: [8], budget: 2e4 }), memory: 'full' as const };
    const { bytes } = cellNeeds(cfg);
    const perRollout = 8 * 256 * (100001 * 2 + 100000 * 18);
    // ... plus the data sets, 8 (256 (K+1) + 256 (2K+1) + 256 (K+1)) D (training, test, validation), and small change.
    const data = 8 * 256 * (100001 + 200001 + 100001) * 2;
    expect(bytes).toBeGreaterThan(2 * perRollout + data);
    expect(bytes).toBeLessThan(2 * perRollout + data + 1e8);
    expect(bytes - cellNeeds({ ...resolveConfig({ K: 100000, hidden: [8], budget: 2e4, val: 0 }), memory: 'full' }).bytes).toBe(8 * 256 * 100001 * 2);
  });

  it('memory sqrt (and auto for this cell) keeps one segment of ceil(sqrt(K)) steps and the checkpoints', () => {
    const base = resolveConfig({ K: 100000, hidden: [8], budget: 2e4 });
    const full = cellNeeds({ ...base, memory: 'full' }).bytes;
    const sqrt = cellNeeds({ ...base, memory: 'sqrt' }).bytes;
    expect(cellNeeds(base).bytes).toBe(sqrt);
    // Each of the two stored passes drops from (K+1) D + K S to (s+1) D + s S + ceil(K/s) D per sample, s = 317.
    const s = 317;
    const saved = 2 * 8 * 256 * (100001 * 2 + 100000 * 18 - ((s + 1) * 2 + s * 18 + Math.ceil(100000 / s) * 2));
    expect(full - sqrt).toBe(saved);
  });

  it('grows linearly in K and in the hidden width with full storage', () => {
    const at = (K: number, h: number) => cellNeeds({ ...resolveConfig({ K, hidden: [h, h], train: 64, test: 64 }), memory: 'full' }).bytes;
    expect(at(2000, 32) / at(1000, 32)).toBeCloseTo(2, 1);
    expect(at(1000, 256) / at(1000, 128)).toBeGreaterThan(1.9);
  });

  it('the estimate covers the rollouts a BPTT cell really allocates, in every memory mode', () => {
    for (const memory of ['full', 'sqrt'] as const) {
      // test * K > ONESTEP_CHUNK: the one-step nmse runs in several batches.
      const cfg = { ...resolveConfig({ K: 200, hidden: [6, 5], train: 40, test: 30, batch: 10 }), memory };
      const { objective, theta0 } = buildCell(cfg);
      objective.lossAndGrad(theta0, new Float64Array(theta0.length));
      objective.probe(theta0);
      objective.evaluate(theta0);
      const used = 8 * objective.bufferDoubles();
      // Besides the rollouts: the data sets (train (K+1) + test (2K+1) + val (K+1)) D, the one-step
      // input buffer (at most 4096 samples), the optimizer's vectors and, on the WebAssembly kernels,
      // each rollout's copies of the parameters, their transposed weights and the gradient, and the
      // rest of its memory's last 64 KiB page (its buffers take the largest layout, not each one's largest).
      const copies = activeKernels() === 'wasm' ? 2 * (3 * theta0.length + 8192) : 0;
      const rest = 8 * ((40 * 201 + 30 * 401 + 256 * 201) * 2 + 4096 * 2 + 6 * theta0.length + copies);
      expect(cellNeeds(cfg).bytes).toBeGreaterThanOrEqual(used);
      expect(cellNeeds(cfg).bytes).toBeLessThan(used + rest);
    }
  });

  it('counts CMA-ES full covariance (four n x n matrices) only when it is full', () => {
    const full = cellNeeds(resolveConfig({ optimizer: 'cmaes', hidden: [8], K: 1, diagonal: 'off' }));
    const sep = cellNeeds(resolveConfig({ optimizer: 'cmaes', hidden: [8], K: 1, diagonal: 'on' }));
    const n = full.nParams;
    expect(full.bytes - sep.bytes).toBe(8 * 4 * n * n);
  });

  it('a population of P x n parameters counts', () => {
    const small = cellNeeds(resolveConfig({ optimizer: 'ga', population: 8, K: 1 }));
    const big = cellNeeds(resolveConfig({ optimizer: 'ga', population: 1008, K: 1 }));
    expect(big.bytes - small.bytes).toBe(8 * 2 * 1000 * small.nParams);
  });
});

describe('cellNeeds: the largest step', () => {
  it('bptt 3 B K, truncated B K + 2 B T, ga P B K, es (P+1) B K, cmaes (lambda+2) B K, random (P+1) B K', () => {
    const B = 256;
    const K = 16;
    expect(cellNeeds(resolveConfig({ K })).stepCost).toBe(3 * B * K);
    expect(cellNeeds(resolveConfig({ K, truncate: 4 })).stepCost).toBe(B * K + 2 * B * 4);
    expect(cellNeeds(resolveConfig({ K, batch: 32 })).stepCost).toBe(3 * 32 * K);
    expect(cellNeeds(resolveConfig({ K, optimizer: 'ga', population: 10 })).stepCost).toBe(10 * B * K);
    expect(cellNeeds(resolveConfig({ K, optimizer: 'es', population: 10 })).stepCost).toBe(11 * B * K);
    expect(cellNeeds(resolveConfig({ K, optimizer: 'cmaes', population: 10 })).stepCost).toBe(12 * B * K);
    expect(cellNeeds(resolveConfig({ K, optimizer: 'random', population: 10 })).stepCost).toBe(11 * B * K);
  });

  for (const name of optimizerNames)
    it(`${name}: no step costs more than the bound, with minibatches and a mixed curriculum`, () => {
      const cfg = resolveConfig({ optimizer: name, K: 6, hidden: [4], train: 16, test: 8, batch: 8, curriculum: 'mixed', ...(name === 'bptt' ? {} : { population: name === 'cmaes' ? 0 : 6 }) });
      const bound = cellNeeds(cfg).stepCost;
      const { objective, theta0 } = buildCell(cfg);
      const opt = getOptimizer(name).create(theta0, cfg.options, derive(cfg.seed, `optimizer/${name}`));
      let largest = 0;
      for (let i = 0; i < 40; i++) {
        objective.beginStep(i / 40);
        const before = objective.cost;
        opt.step(objective);
        largest = Math.max(largest, objective.cost - before);
      }
      expect(largest).toBeGreaterThan(0);
      expect(largest).toBeLessThanOrEqual(bound);
    });
});

describe('checkCellResources', () => {
  it('refuses a cell over the memory limit with the numbers and how to proceed', () => {
    const cfg = { ...resolveConfig({ K: 100000, hidden: [8], budget: 2e4 }), memory: 'full' as const };
    expect(() => checkCellResources(cfg, 'run', DEFAULT_MEMORY_LIMIT)).toThrow(UsageError);
    expect(() => checkCellResources(cfg, 'run', DEFAULT_MEMORY_LIMIT)).toThrow(/needs 9\.\d GB of memory \(limit 4\.0 GB\).*KSTEP_MEMORY_LIMIT=10GB/);
  });

  it('refuses a cell whose one step costs more than its budget, naming the step cost', () => {
    const cfg = resolveConfig({ K: 4, budget: 100 });
    expect(() => checkCellResources(cfg, 'run', DEFAULT_MEMORY_LIMIT)).toThrow(/one bptt step costs 3072, more than the budget 100/);
  });

  it('a step exactly at the budget and the default cell pass', () => {
    expect(checkCellResources(resolveConfig({ K: 4, budget: 3072 }), 'run', DEFAULT_MEMORY_LIMIT).stepCost).toBe(3072);
    expect(checkCellResources(resolveConfig({}), 'run', DEFAULT_MEMORY_LIMIT).bytes).toBeLessThan(1e8);
  });

  it('KSTEP_MEMORY_LIMIT: sizes with units, plain bytes; anything else is a usage error', () => {
    expect(memoryLimit({})).toBe(DEFAULT_MEMORY_LIMIT);
    expect(memoryLimit({ KSTEP_MEMORY_LIMIT: '8GB' })).toBe(8e9);
    expect(memoryLimit({ KSTEP_MEMORY_LIMIT: '500mb' })).toBe(5e8);
    expect(memoryLimit({ KSTEP_MEMORY_LIMIT: '2e9' })).toBe(2e9);
    expect(memoryLimit({ KSTEP_MEMORY_LIMIT: '1.5 TB' })).toBe(1.5e12);
    for (const bad of ['lots', '-1GB', '0', '8 GiB', 'Infinity']) expect(() => memoryLimit({ KSTEP_MEMORY_LIMIT: bad })).toThrow(/KSTEP_MEMORY_LIMIT: expected a positive size/);
  });
});

describe('sweeps check every cell at expansion', () => {
  const spec = (grid: Record<string, unknown[]>, budget = 2e5) => parseExperiment({ name: 'r', budget, grid, fixed: { train: 16, test: 16 } });

  it('one cell over the memory limit among small ones refuses the whole grid', () => {
    // K = 100000 with hidden 2000,2000 fits once checkpointed (auto); 4000 trajectories of 100001 states do not.
    expect(() => expandGrid(spec({ K: [1, 4, 100000], hidden: [[4], [2000, 2000]] }, 1e12))).not.toThrow();
    const big = parseExperiment({ name: 'r', budget: 1e12, grid: { K: [1, 4, 100000], train: [16, 4000] }, fixed: { test: 16 } });
    expect(() => expandGrid(big)).toThrow(/cell: needs 9\.\d GB of memory/);
  });

  it('one cell whose step exceeds the budget refuses the whole grid', () => {
    expect(() => expandGrid(spec({ K: [1, 4], optimizer: ['bptt', 'ga'], population: [8, 10000] }))).toThrow(/cell: one ga step costs/);
  });

  it('cells that fit expand as before', () => {
    expect(expandGrid(spec({ K: [1, 4], optimizer: ['bptt', 'ga'] }))).toHaveLength(4);
  });
});
