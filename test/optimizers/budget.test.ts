/**
 * Budget accounting: the cost is charged per objective.loss call, so every optimizer must evaluate
 * exactly what its design says and nothing else.
 *   ga:     generation 0 evaluates theta0 and P - 1 mutants (P calls), later generations the P - E
 *           new children (P - E calls);
 *   es:     P candidates plus the updated mean (P + 1 calls);
 *   cmaes:  lambda candidates (lambda = 4 + floor(3 ln n) by default, rounded up to even when
 *           mirrored) plus the updated mean, lambda + 1 calls, or lambda without `eval_mean`;
 *   random: P calls.
 * When the objective's K or minibatch changes, what is carried over is measured again: the GA's E
 * elites (the incumbent itself when E = 0), the incumbent of cmaes and random (one call each).
 * None of them asks for a gradient.
 */
import { describe, expect, test } from 'vitest';
import { Net, initParams } from '../../src/core/mlp.js';
import { Objective } from '../../src/core/objective.js';
import { Rng } from '../../src/core/rng.js';
import { makeTask } from '../../src/core/tasks.js';
import type { OptionValue } from '../../src/optimizers/types.js';
import { CountingObjective, create, filled, runSteps, sphere } from './helpers.js';

const STEPS = 12;

interface Case {
  name: string;
  options: Record<string, OptionValue>;
  n?: number;
  /** Calls expected in step s (0-based). */
  calls: (s: number) => number;
}

const cases: Case[] = [
  { name: 'ga', options: {}, calls: (s) => (s === 0 ? 8 : 7) },
  { name: 'ga', options: { population: 64, parents: 16 }, calls: (s) => (s === 0 ? 64 : 63) },
  { name: 'ga', options: { population: 20, elite: 4 }, calls: (s) => (s === 0 ? 20 : 16) },
  { name: 'ga', options: { population: 20, elite: 0, crossover: 'uniform' }, calls: () => 20 },
  { name: 'ga', options: { population: 10, elite: 2, selection: 'tournament', crossover: 'blend' }, calls: (s) => (s === 0 ? 10 : 8) },
  { name: 'es', options: {}, calls: () => 65 },
  { name: 'es', options: { population: 10 }, calls: () => 11 },
  { name: 'cmaes', options: {}, n: 10, calls: () => 11 },
  { name: 'cmaes', options: {}, n: 300, calls: () => 23 },
  { name: 'cmaes', options: { mirrored: false }, n: 300, calls: () => 22 },
  { name: 'cmaes', options: { population: 7 }, n: 10, calls: () => 9 },
  { name: 'cmaes', options: { population: 7, eval_mean: false }, n: 10, calls: () => 8 },
  { name: 'cmaes', options: { population: 7, eval_mean: false, mirrored: false }, n: 10, calls: () => 7 },
  { name: 'cmaes', options: { population: 7, mirrored: false, step_size: 'csa' }, n: 10, calls: () => 8 },
  { name: 'cmaes', options: { diagonal: 'on', eval_mean: false }, n: 10, calls: () => 10 },
  { name: 'random', options: {}, calls: () => 64 },
  { name: 'random', options: { population: 5 }, calls: () => 5 },
];

describe('objective calls per step', () => {
  test.each(cases)('$name $options', ({ name, options, n = 10, calls }) => {
    const obj = new CountingObjective(n, sphere);
    const r = runSteps(create(name, filled(n, 1), options), obj, STEPS);
    expect(r.calls).toEqual(Array.from({ length: STEPS }, (_, s) => calls(s)));
    expect(obj.gradCalls).toBe(0);
    if (name === 'ga') expect(r.results.map((x) => x.metrics!.evaluations)).toEqual(r.calls);
  });
});

describe('reported cost on a real objective is calls x B x K', () => {
  const task = makeTask('rotation');
  const net = new Net({ D: 2, features: 'identity', hidden: [4], activation: 'tanh', residual: false });
  const B = 16;
  const K = 3;
  const perStep: Record<string, (s: number) => number> = {
    ga: (s) => (s === 0 ? 12 : 10),
    es: () => 13,
    cmaes: () => 2 * Math.ceil((4 + Math.floor(3 * Math.log(net.nParams))) / 2) + 1,
    random: () => 12,
  };
  const options: Record<string, Record<string, OptionValue>> = {
    ga: { population: 12, elite: 2 },
    es: { population: 12 },
    cmaes: {},
    random: { population: 12 },
  };
  test.each(Object.keys(perStep))('%s', (name) => {
    const objective = new Objective(task, net, { K, train: B, test: 8, batch: 0, curriculum: 'none', K0: 1 }, new Rng('budget/data'));
    const theta0 = initParams(net, 'xavier', 1, new Rng('budget/init'));
    const opt = create(name, theta0, options[name]);
    let expected = 0;
    for (let s = 0; s < 5; s++) {
      objective.beginStep(s / 5);
      opt.step(objective);
      expected += perStep[name](s) * B * K;
      expect(objective.cost).toBe(expected);
    }
  });
});

describe('with minibatches, what is carried over is measured again on the new batch', () => {
  const task = makeTask('rotation');
  const net = new Net({ D: 2, features: 'identity', hidden: [4], activation: 'tanh', residual: false });
  const B = 8;
  const K = 3;
  const lambda = 2 * Math.ceil((4 + Math.floor(3 * Math.log(net.nParams))) / 2);
  const perStep: Record<string, [Record<string, OptionValue>, (s: number) => number]> = {
    ga: [{ population: 12, elite: 2 }, (s) => (s === 0 ? 12 : 10 + 2)],
    'ga without elites': [{ population: 12, elite: 0 }, (s) => (s === 0 ? 12 : 12 + 1)],
    es: [{ population: 12 }, () => 13],
    cmaes: [{}, (s) => (s === 0 ? lambda + 1 : lambda + 2)],
    random: [{ population: 12 }, (s) => (s === 0 ? 12 : 13)],
  };
  test.each(Object.keys(perStep))('%s', (label) => {
    const [options, calls] = perStep[label];
    const objective = new Objective(task, net, { K, train: 32, test: 8, batch: B, curriculum: 'none', K0: 1 }, new Rng('budget/data'));
    const opt = create(label.split(' ')[0], initParams(net, 'xavier', 1, new Rng('budget/init')), options);
    let expected = 0;
    for (let s = 0; s < 5; s++) {
      objective.beginStep(s / 5);
      opt.step(objective);
      expected += calls(s) * B * K;
      expect(objective.cost).toBe(expected);
    }
  });
});

test('refuses options that contradict each other', () => {
  expect(() => create('ga', filled(3, 0), { population: 8, elite: 8 })).toThrow(/elite/);
  expect(() => create('ga', filled(3, 0), { population: 8, parents: 9 })).not.toThrow(); // top min(T, P)
  expect(() => create('es', filled(3, 0), { population: 7 })).toThrow(/population/);
});
