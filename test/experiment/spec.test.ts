// Experiment files and Hydra-style overrides: parsing, normalisation, precedence.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { builtinNames, readExperimentFile } from '../../src/experiment/experiment-file.js';
import { applyOverrides } from '../../src/experiment/overrides.js';
import { parseExperiment } from '../../src/experiment/spec.js';

const base = { name: 'x', seed: 3, grid: { K: [1, 4] }, fixed: { hidden: [8] } };

function usageField(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof UsageError) return e.field;
    throw e;
  }
  throw new Error('expected a UsageError');
}

describe('parseExperiment', () => {
  it('normalises values: budget and target into fixed, seed default 1', () => {
    const { spec } = parseExperiment({ name: 'x', budget: 5e4, target: 1e-2, grid: { K: [2, 8], lr: [1e-3] }, fixed: { residual: true } });
    expect(spec.grid).toEqual({ K: [2, 8], lr: [0.001] });
    expect(spec.fixed).toEqual({ residual: true, budget: 5e4, target: 1e-2 });
    expect(spec.seed).toBe(1);
  });

  it('accepts variants and per-optimizer options', () => {
    const { spec } = parseExperiment({
      name: 'x',
      grid: { K: [4] },
      optimizers: { bptt: { lr: 0.01 }, ga: { sigma: 0.05 } },
      variants: { plain: { optimizer: 'bptt' }, 'bptt+clip': { optimizer: 'bptt', clip: 1 }, ga: { optimizer: 'ga' } },
    });
    expect(spec.optimizers).toEqual({ bptt: { lr: 0.01 }, ga: { sigma: 0.05 } });
    expect(Object.keys(spec.variants!)).toEqual(['plain', 'bptt+clip', 'ga']);
  });

  it('refuses a variant key that is also a grid axis, and seeds in fixed or variants', () => {
    expect(usageField(() => parseExperiment({ name: 'x', grid: { clip: [0, 1] }, variants: { a: { clip: 1 } } }))).toBe('variants.a.clip');
    expect(usageField(() => parseExperiment({ name: 'x', fixed: { seed: 2 } }))).toBe('fixed.seed');
    expect(usageField(() => parseExperiment({ name: 'x', variants: { a: { seed: 2 } } }))).toBe('variants.a.seed');
    expect(usageField(() => parseExperiment({ name: 'x', variants: {} }))).toBe('variants');
  });

  it('reads the built-in experiments by name, and they are valid', () => {
    const names = ['activations', 'chaos', 'optimizers', 'quick', 'remedies'];
    expect(builtinNames()).toEqual(names);
    for (const name of names) expect(readExperimentFile(name).spec.name).toBe(name);
  });
});

describe('applyOverrides', () => {
  const parsed = parseExperiment(base);

  it('several values make a grid axis, one value a fixed value; a..b is an integer range', () => {
    const { spec } = applyOverrides(parsed, ['K=1,2,4,8', 'activation=tanh,relu', 'seed=0..4', 'budget=2e6']);
    expect(spec.grid).toEqual({ K: [1, 2, 4, 8], activation: ['tanh', 'relu'], seed: [0, 1, 2, 3, 4] });
    expect(spec.fixed).toEqual({ hidden: [8], budget: 2e6 });
  });

  it('an override replaces the key wherever the file set it', () => {
    const { spec } = applyOverrides(parsed, ['K=16']);
    expect(spec.grid).toEqual({});
    expect(spec.fixed.K).toBe(16);
    const again = applyOverrides(parseExperiment({ ...base, optimizers: { bptt: { lr: 0.1 } } }), ['lr=0.5,0.05']);
    expect(again.spec.optimizers.bptt).toEqual({});
    expect(again.spec.grid.lr).toEqual([0.5, 0.05]);
  });

  it('a single seed sets the base seed', () => {
    const { spec } = applyOverrides(parseExperiment({ ...base, grid: { seed: [0, 1] } }), ['seed=7']);
    expect(spec.seed).toBe(7);
    expect(spec.grid.seed).toBeUndefined();
  });

  it('list-valued keys: a comma list is one value, brackets give several', () => {
    expect(applyOverrides(parsed, ['hidden=32,32']).spec.fixed.hidden).toEqual([32, 32]);
    expect(applyOverrides(parsed, ['hidden=[16],[32,32]']).spec.grid.hidden).toEqual([[16], [32, 32]]);
  });

  it('opt.option sets a per-optimizer option; variant= keeps some variants', () => {
    const p = parseExperiment({ ...base, variants: { a: { optimizer: 'bptt' }, b: { optimizer: 'ga' }, c: { optimizer: 'es' } } });
    const { spec } = applyOverrides(p, ['ga.sigma=0.1', 'variant=c,a']);
    expect(spec.optimizers.ga).toEqual({ sigma: 0.1 });
    expect(Object.keys(spec.variants!)).toEqual(['a', 'c']);
  });

  it('refuses bad overrides naming them', () => {
    expect(usageField(() => applyOverrides(parsed, ['K=0']))).toBe('override K=0');
    expect(usageField(() => applyOverrides(parsed, ['lr=1..3']))).toBe('override lr=1..3');
    expect(usageField(() => applyOverrides(parsed, ['K=1', 'K=2']))).toBe('override K=2');
    expect(usageField(() => applyOverrides(parsed, ['ga.sigma=0.1,0.2']))).toBe('override ga.sigma=0.1,0.2');
    expect(usageField(() => applyOverrides(parsed, ['ga.lr=0.1']))).toBe('override ga.lr=0.1');
    expect(usageField(() => applyOverrides(parsed, ['variant=a']))).toBe('override variant=a');
    expect(usageField(() => applyOverrides(parsed, ['hidden=[16],32']))).toBe('override hidden=[16],32');
    expect(usageField(() => applyOverrides(parsed, ['K']))).toBe('K');
  });

  it('does not modify its input', () => {
    const before = JSON.stringify(parsed.spec);
    applyOverrides(parsed, ['K=2,3', 'hidden=4']);
    expect(JSON.stringify(parsed.spec)).toBe(before);
  });
});
