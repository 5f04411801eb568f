/** Same seed, same trajectory of losses (and the same solution); a different seed, a different one. */
import { describe, expect, test } from 'vitest';
import type { OptionValue } from '../../src/optimizers/types.js';
import { CountingObjective, create, filled, rosenbrock, runSteps } from './helpers.js';

const cases: [string, Record<string, OptionValue>][] = [
  ['ga', { sigma: 0.05 }],
  ['ga', { sigma: 0.05, population: 64, parents: 16 }],
  ['ga', { sigma: 0.05, population: 16, crossover: 'uniform', selection: 'tournament', elite: 2 }],
  ['ga', { sigma: 0.05, population: 16, crossover: 'blend', sigma_decay: 0.9 }],
  ['es', { sigma: 0.05, population: 16 }],
  ['cmaes', { sigma: 0.3 }],
  ['cmaes', { sigma: 0.3, diagonal: 'on' }],
  ['random', { sigma: 0.3, population: 16 }],
];

function trajectory(name: string, options: Record<string, OptionValue>, seed: number) {
  const r = runSteps(create(name, filled(10, 0.5), options, seed), new CountingObjective(10, rosenbrock), 30);
  return { losses: r.losses, metrics: r.results.map((s) => s.metrics), solution: Array.from(r.opt.solution()) };
}

describe.each(cases)('%s %o', (name, options) => {
  test('identical for identical seeds', () => {
    const a = trajectory(name, options, 7);
    const b = trajectory(name, options, 7);
    expect(b).toEqual(a);
    expect(a.losses.every(Number.isFinite)).toBe(true);
  });

  test('different for different seeds', () => {
    const a = trajectory(name, options, 7);
    const b = trajectory(name, options, 8);
    expect(b.losses).not.toEqual(a.losses);
    expect(b.solution).not.toEqual(a.solution);
  });
});
