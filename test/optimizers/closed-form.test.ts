/**
 * The evolutionary optimizers on closed-form objectives (no network): the sphere and Rosenbrock's
 * function in 10-D. Settings that are not defaults are scaled to these problems (the defaults are
 * tuned for networks); every comparison is at an equal number of objective calls.
 */
import { describe, expect, test } from 'vitest';
import { CountingObjective, create, filled, rosenbrock, run, sphere } from './helpers.js';

const N = 10;
const SEEDS = [1, 2, 3];
const BUDGET = 20_000;

/** Per-problem settings: sphere from x0 = 1 (f = 10), Rosenbrock from x0 = 0 (f = 9). */
const problems = {
  sphere: {
    f: sphere,
    x0: 1,
    settings: {
      cmaes: { sigma: 0.5 },
      es: { sigma: 0.03, lr: 0.01, weight_decay: 0 },
      ga: { sigma: 0.1, sigma_decay: 0.99, population: 64, parents: 16 },
      random: { sigma: 0.5 },
    },
  },
  rosenbrock: {
    f: rosenbrock,
    x0: 0,
    settings: {
      cmaes: { sigma: 0.5 },
      es: { sigma: 0.01, lr: 0.01, weight_decay: 0, population: 16 },
      ga: { sigma: 0.01, population: 16, parents: 4 },
      random: { sigma: 0.5 },
    },
  },
} as const;

function runOn(problem: keyof typeof problems, name: keyof (typeof problems)['sphere']['settings'], seed: number, budget = BUDGET) {
  const p = problems[problem];
  const obj = new CountingObjective(N, p.f);
  return run(create(name, filled(N, p.x0), p.settings[name], seed), obj, budget);
}

describe('cmaes', () => {
  test.each(SEEDS)('reaches 1e-8 on the 10-D sphere (seed %i) within 2500 evaluations', (seed) => {
    const obj = new CountingObjective(N, sphere);
    const r = run(create('cmaes', filled(N, 1), { sigma: 0.5 }, seed), obj, 2500, (s) => s.loss < 1e-8);
    expect(r.losses.at(-1)).toBeLessThan(1e-8);
    // The incumbent is the lowest loss ever measured (one fixed function: one batch throughout).
    expect(sphere(r.opt.solution())).toBe(Math.min(...r.losses));
    expect(obj.calls % 11).toBe(0); // lambda = 4 + floor(3 ln 10) = 10 candidates and the mean
    expect(r.results.every((s) => s.nonfinite === 0 && !s.diverged)).toBe(true);
  });

  test('sep-CMA (diagonal = on) also reaches 1e-8 on the sphere', () => {
    const obj = new CountingObjective(N, sphere);
    const r = run(create('cmaes', filled(N, 1), { sigma: 0.5, diagonal: 'on' }, 1), obj, 3000, (s) => s.loss < 1e-8);
    expect(r.losses.at(-1)).toBeLessThan(1e-8);
  });

  test('learns the scaling of an ill-conditioned ellipsoid (full covariance)', () => {
    const elli = (x: Float64Array) => {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += 1e4 ** (i / (x.length - 1)) * x[i] * x[i];
      return s;
    };
    const obj = new CountingObjective(N, elli);
    const r = run(create('cmaes', filled(N, 1), { sigma: 0.5 }, 1), obj, 8000, (s) => s.loss < 1e-8);
    expect(r.losses.at(-1)).toBeLessThan(1e-8);
    // Condition 1e4 of the Hessian: the axis ratio of C approaches sqrt(1e4) = 100.
    expect(r.results.at(-1)!.metrics!.axis_ratio).toBeGreaterThan(30);
  });

  test('on Rosenbrock every seed gets below the local minimum (~3.99) or to the global one', () => {
    const finals = SEEDS.map((seed) => runOn('rosenbrock', 'cmaes', seed).losses.at(-1)!);
    for (const f of finals) expect(f).toBeLessThan(4);
    expect(Math.min(...finals)).toBeLessThan(1e-6);
  });
});

describe.each(['ga', 'es'] as const)('%s makes steady progress', (name) => {
  for (const problem of ['sphere', 'rosenbrock'] as const) {
    test.each(SEEDS)(`${problem}, seed %i`, (seed) => {
      const r = runOn(problem, name, seed);
      const start = problems[problem].f(filled(N, problems[problem].x0));
      const best: number[] = [];
      for (const l of r.losses) best.push(Math.min(best.at(-1) ?? Infinity, l));
      if (name === 'ga') {
        // Elitism on one fixed batch: the GA's solution never gets worse, and it is the best
        // point measured so far.
        for (let i = 1; i < r.solutions.length; i++) expect(r.solutions[i]).toBeLessThanOrEqual(r.solutions[i - 1]);
        expect(r.solutions.at(-1)).toBe(best.at(-1));
      }
      // ES's solution is its mean, which may go up for a step; the best loss it measured must
      // still improve in the second half of the budget (unless it is already at 1e-6 of the start).
      const half = best[Math.floor(best.length / 2) - 1];
      expect(best[Math.floor(best.length / 10)]).toBeLessThan(start);
      if (half > 1e-6 * start) expect(best.at(-1)).toBeLessThan(half);
      expect(best.at(-1)).toBeLessThan((problem === 'sphere' ? 1e-3 : 0.2) * start);
    });
  }
});

describe('random search is the baseline every method beats at equal cost', () => {
  for (const problem of ['sphere', 'rosenbrock'] as const) {
    test.each(SEEDS)(`${problem}, seed %i`, (seed) => {
      const baseline = runOn(problem, 'random', seed);
      const budget = baseline.obj.calls;
      for (let i = 1; i < baseline.solutions.length; i++) expect(baseline.solutions[i]).toBeLessThanOrEqual(baseline.solutions[i - 1]);
      for (const name of ['ga', 'es', 'cmaes'] as const) {
        const r = runOn(problem, name, seed, budget);
        expect(r.obj.calls).toBeLessThanOrEqual(budget + 64);
        expect(r.solutions.at(-1), name).toBeLessThan(baseline.solutions.at(-1)!);
      }
    });
  }
});
