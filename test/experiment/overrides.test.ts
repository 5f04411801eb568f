// overridesBetween, the inverse of the override grammar: the overrides it finds rebuild the target
// spec exactly through applyOverrides, and a difference overrides cannot express gives undefined.
import { describe, expect, it } from 'vitest';
import { readExperimentFile } from '../../src/experiment/experiment-file.js';
import { applyOverrides, overridesBetween } from '../../src/experiment/overrides.js';
import { parseExperiment } from '../../src/experiment/spec.js';

describe('overridesBetween', () => {
  const base = parseExperiment({
    name: 'x',
    seed: 2,
    grid: { K: [1, 4], optimizer: ['bptt', 'ga'] },
    fixed: { hidden: [8], budget: 1e4 },
    optimizers: { ga: { sigma: 0.05 } },
    variants: { a: { activation: 'tanh' }, b: { activation: 'relu' } },
  });

  it('is empty for the same spec', () => {
    expect(overridesBetween(base, base.spec)).toEqual([]);
  });

  it.each([
    [['K=1,2,4,8']],
    [['seed=5']],
    [['hidden=16,16', 'budget=2e4']],
    [['ga.sigma=0.1']],
    [['variant=b']],
    [['health=true']],
    [['health.K=1,2,4', 'health.snr_batches=8']],
    [['K=2', 'seed=0..3', 'health.lyapunov_steps=0']],
  ])('finds overrides that rebuild %j', (ov) => {
    const target = applyOverrides(base, ov).spec;
    const found = overridesBetween(base, target);
    expect(found).toBeDefined();
    expect(applyOverrides(base, found!).spec).toEqual(target);
  });

  it('turns health off again', () => {
    const on = parseExperiment({ name: 'x', grid: { K: [1] }, health: { snr_batches: 8 } });
    expect(overridesBetween(on, applyOverrides(on, ['health=false']).spec)).toEqual(['health=false']);
  });

  it('is undefined when the target dropped something overrides cannot remove', () => {
    const target = structuredClone(base.spec);
    delete target.fixed.hidden;
    expect(overridesBetween(base, target)).toBeUndefined();
    const renamed = { ...structuredClone(base.spec), name: 'y' };
    expect(overridesBetween(base, renamed)).toBeUndefined();
  });

  it('works against every built-in experiment', () => {
    for (const name of ['quick', 'chaos']) {
      const b = readExperimentFile(name);
      const target = applyOverrides(b, ['seed=0..1', 'health=true']).spec;
      expect(applyOverrides(b, overridesBetween(b, target)!).spec).toEqual(target);
    }
  });
});
