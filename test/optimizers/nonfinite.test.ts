/**
 * NaN/Inf losses rank last, are counted, and do not stop a population that still has finite
 * members; `diverged` only when nothing finite is left.
 */
import { describe, expect, test } from 'vitest';
import type { OptionValue } from '../../src/optimizers/types.js';
import { CountingObjective, create, filled, run, runSteps, sphere } from './helpers.js';

/** The sphere, but NaN where x_1 > 1 and +Inf where x_2 > 1.05: half of a population around 1 blows up. */
function holed(x: Float64Array): number {
  if (x[1] > 1) return NaN;
  if (x[2] > 1.05) return Infinity;
  return sphere(x);
}

const settings: [string, Record<string, OptionValue>][] = [
  ['ga', { sigma: 0.1, sigma_decay: 0.99, population: 64, parents: 16 }],
  ['ga', { sigma: 0.1, sigma_decay: 0.99, population: 32, parents: 8, crossover: 'blend', selection: 'tournament' }],
  ['es', { sigma: 0.03, lr: 0.01, weight_decay: 0 }],
  ['cmaes', { sigma: 0.5 }],
  ['cmaes', { sigma: 0.5, diagonal: 'on' }],
  ['random', { sigma: 0.5 }],
];

describe.each(settings)('%s %o in a region of NaN/Inf', (name, options) => {
  test('continues, counts the blow-ups, and improves', () => {
    const obj = new CountingObjective(10, holed);
    const r = run(create(name, filled(10, 1), options), obj, 10_000);
    const nonfinite = r.results.reduce((s, x) => s + x.nonfinite, 0);
    expect(r.results.some((x) => x.diverged)).toBe(false);
    expect(r.results[0].nonfinite).toBeGreaterThan(0);
    expect(nonfinite).toBeGreaterThan(0);
    expect(nonfinite).toBeLessThan(obj.calls);
    expect(r.losses.every(Number.isFinite)).toBe(true);
    const final = r.solutions.at(-1)!;
    // An incumbent (every method but ES, whose solution is its mean) is the lowest loss measured.
    if (name !== 'es') expect(final).toBe(Math.min(...r.losses));
    // Start: 10. Random search only has to stay finite and improve a little.
    expect(final).toBeLessThan(name === 'random' ? 10 : 1e-2);
  });
});

test('GA: counted exactly, NaN members never become parents while finite ones exist', () => {
  // NaN everywhere except near the origin-ward side: children that move x_0 up blow up.
  const f = (x: Float64Array) => (x[0] > 1 ? NaN : sphere(x));
  const opt = create('ga', filled(4, 1), { population: 40, parents: 10, sigma: 0.05 });
  let nanCalls = 0;
  const counted = new CountingObjective(4, (x) => {
    const l = f(x);
    if (Number.isNaN(l)) nanCalls++;
    return l;
  });
  const r = runSteps(opt, counted, 50);
  expect(r.results.reduce((s, x) => s + x.nonfinite, 0)).toBe(nanCalls);
  // Parents come from the top 10 of 40, all finite after the first generation: the share of NaN
  // children falls well below the half of generation 0.
  expect(r.results[0].nonfinite).toBeGreaterThan(10);
  expect(r.results.at(-1)!.nonfinite).toBeLessThan(r.results[0].nonfinite);
  for (let i = 1; i < r.solutions.length; i++) expect(r.solutions[i]).toBeLessThanOrEqual(r.solutions[i - 1]);
});

describe.each(['ga', 'es', 'cmaes', 'random'])('%s when everything is NaN', (name) => {
  test('diverges at the first step, reporting NaN', () => {
    const obj = new CountingObjective(5, () => NaN);
    const r = runSteps(create(name, filled(5, 0), {}), obj, 3);
    expect(r.results).toHaveLength(1);
    expect(r.results[0].diverged).toBe(true);
    expect(r.results[0].loss).toBeNaN();
    expect(r.results[0].nonfinite).toBe(obj.calls);
  });
});

test('GA keeps a finite elite when all children blow up: not diverged', () => {
  const x0 = filled(5, 0.25);
  const f = (x: Float64Array) => (x.every((v, i) => v === x0[i]) ? 1 : NaN);
  const obj = new CountingObjective(5, f);
  const r = runSteps(create('ga', x0, { population: 8 }), obj, 4);
  expect(r.results.map((x) => x.diverged)).toEqual([false, false, false, false]);
  // Only generation 0 measures theta0; later ones measure NaN children only (the elite keeps its
  // loss on the unchanged batch), so their lowest measured loss is NaN while the solution stays.
  expect(r.losses).toEqual([1, NaN, NaN, NaN]);
  expect(r.solutions).toEqual([1, 1, 1, 1]);
  expect(r.results.map((x) => x.nonfinite)).toEqual([7, 7, 7, 7]);
  expect(Array.from(r.opt.solution())).toEqual(Array.from(x0));
});

test('ES with a finite mean but all candidates NaN does not move and is not diverged', () => {
  const x0 = filled(5, 0.25);
  const f = (x: Float64Array) => (x.every((v, i) => v === x0[i]) ? 1 : NaN);
  const obj = new CountingObjective(5, f);
  const r = runSteps(create('es', x0, { population: 8, weight_decay: 0 }), obj, 3);
  expect(r.results.map((x) => x.diverged)).toEqual([false, false, false]);
  expect(r.losses).toEqual([1, 1, 1]);
  expect(r.results.map((x) => x.nonfinite)).toEqual([8, 8, 8]);
});
