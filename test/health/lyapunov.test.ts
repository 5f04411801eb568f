// Lyapunov exponents of the true maps against closed forms, and of nets whose map is known exactly.
import { describe, expect, it } from 'vitest';
import { Net } from '../../src/core/mlp.js';
import { makeTask } from '../../src/core/tasks.js';
import { initialStates, lyapunovSpectrum, netLyapunov, taskLyapunov, taskMap } from '../../src/health/lyapunov.js';

describe('the true maps', () => {
  it('logistic r = 4: lambda = ln 2 within 0.01', () => {
    const r = taskLyapunov(makeTask('logistic', { r: 4 }));
    expect(r.exponents).toHaveLength(1);
    expect(Math.abs(r.exponents[0] - Math.LN2)).toBeLessThan(0.01);
    expect(r.used).toBe(r.samples);
  });

  it('logistic r = 3.2: negative, equal to the attracting 2-cycle ln|f\'(x+) f\'(x-)| / 2', () => {
    const rr = 3.2;
    const d = Math.sqrt((rr + 1) * (rr - 3));
    const [xp, xm] = [(rr + 1 + d) / (2 * rr), (rr + 1 - d) / (2 * rr)];
    const exact = Math.log(Math.abs(rr * (1 - 2 * xp) * rr * (1 - 2 * xm))) / 2;
    const r = taskLyapunov(makeTask('logistic', { r: rr }));
    expect(r.exponents[0]).toBeLessThan(0);
    expect(r.exponents[0]).toBeCloseTo(exact, 3);
  });

  it('logistic r = 3.9 is chaotic: lambda about 0.49 (0.494 in the literature)', () => {
    const r = taskLyapunov(makeTask('logistic', { r: 3.9 }), { steps: 5000, samples: 64 });
    expect(r.exponents[0]).toBeGreaterThan(0.47);
    expect(r.exponents[0]).toBeLessThan(0.52);
  });

  it.each([0.95, 0.5, 1.2])('rotation rho = %f: both exponents are ln(rho)', (rho) => {
    const r = taskLyapunov(makeTask('rotation', { rho, theta: 0.7 }), { steps: 300 });
    expect(r.exponents).toHaveLength(2);
    for (const e of r.exponents) expect(e).toBeCloseTo(Math.log(rho), 10);
  });

  it('damped pendulum: both exponents negative, summing to ln det J = ln(1 - dt c)', () => {
    const task = makeTask('pendulum');
    const r = taskLyapunov(task);
    expect(r.exponents[0]).toBeLessThan(0);
    expect(r.exponents[1]).toBeLessThan(0);
    expect(r.exponents[0] + r.exponents[1]).toBeCloseTo(Math.log(1 - task.params.dt * task.params.damping), 8);
    // Near the rest state the eigenvalues are a complex pair of modulus sqrt(1 - dt c): both
    // exponents tend to ln(1 - dt c) / 2 (finite-time values of such a pair need not be ordered).
    for (const e of r.exponents) expect(e).toBeCloseTo(Math.log(1 - 0.05 * 0.5) / 2, 3);
  });

  it('an undamped pendulum is not contracting: its largest exponent is about 0', () => {
    const r = taskLyapunov(makeTask('pendulum', { damping: 0 }), { steps: 4000, samples: 8 });
    expect(Math.abs(r.exponents[0])).toBeLessThan(0.01);
  });

  it('lorenz: lambda_1 = 0.906 per unit time, the sum = -(sigma + 1 + beta) per unit time', () => {
    const task = makeTask('lorenz');
    const dt = task.params.dt;
    const r = taskLyapunov(task, { steps: 2000, samples: 16 });
    expect(r.exponents).toHaveLength(3);
    expect(r.exponents[0] / dt).toBeGreaterThan(0.75);
    expect(r.exponents[0] / dt).toBeLessThan(1.05);
    expect(Math.abs(r.exponents[1] / dt)).toBeLessThan(0.15);
    const sum = r.exponents.reduce((a, b) => a + b, 0);
    expect(sum / dt).toBeCloseTo(-(10 + 1 + 8 / 3), 1);
  });

  it('count = 1 gives the maximal exponent of the full spectrum', () => {
    const task = makeTask('lorenz');
    const opts = { steps: 300, burnin: 10, samples: 4, seed: 3 };
    const full = taskLyapunov(task, opts);
    const one = taskLyapunov(task, { ...opts, count: 1 });
    expect(one.exponents).toHaveLength(1);
    expect(one.exponents[0]).toBeCloseTo(full.exponents[0], 12);
  });

  it('the initial states are a function of the seed', () => {
    const task = makeTask('pendulum');
    expect(Array.from(initialStates(task, 4, 7))).toEqual(Array.from(initialStates(task, 4, 7)));
    expect(Array.from(initialStates(task, 4, 7))).not.toEqual(Array.from(initialStates(task, 4, 8)));
  });
});

describe("a net's map", () => {
  const linear = () => new Net({ D: 2, features: 'identity', hidden: [], activation: 'identity', residual: false });

  it('a linear net o -> o W with eigenvalues 1.1 and 0.5 has exponents ln 1.1 and ln 0.5', () => {
    // W = S diag(1.1, 0.5) S^-1 with S = [[1, 2], [0, 1]]; row convention o' = o W, J = W^T.
    const W = [1.1, 2 * 0.5 - 2 * 1.1, 0, 0.5];
    const r = netLyapunov(linear(), Float64Array.from([...W, 0, 0]), makeTask('rotation'), { steps: 600, burnin: 20 });
    expect(r.exponents[0]).toBeCloseTo(Math.log(1.1), 4);
    expect(r.exponents[1]).toBeCloseTo(Math.log(0.5), 4);
  });

  it('a net that is exactly the rotation task has the same exponents as the task', () => {
    const task = makeTask('rotation', { rho: 0.9, theta: 0.3 });
    const [a, b] = [0.9 * Math.cos(0.3), 0.9 * Math.sin(0.3)];
    // f(o) = M o with M = [[a, -b], [b, a]]; as a row map o' = o M^T, so W = M^T.
    const theta = Float64Array.from([a, b, -b, a, 0, 0]);
    const opts = { steps: 200, samples: 5 };
    const n = netLyapunov(linear(), theta, task, opts);
    const t = taskLyapunov(task, opts);
    for (let i = 0; i < 2; i++) expect(n.exponents[i]).toBeCloseTo(t.exponents[i], 12);
  });

  it('a net whose orbits blow up gives NaN and counts no usable states, without throwing', () => {
    const theta = Float64Array.from([1e3, 0, 0, 1e3, 0, 0]);
    const r = netLyapunov(linear(), theta, makeTask('rotation'), { steps: 200, burnin: 0, samples: 3 });
    expect(r.used).toBe(0);
    expect(r.exponents[0]).toBeNaN();
  });

  it('lyapunovSpectrum does not modify the initial states', () => {
    const task = makeTask('logistic', { r: 3.7 });
    const x0 = initialStates(task, 3, 1);
    const copy = Array.from(x0);
    lyapunovSpectrum(taskMap(task), x0, 3, { steps: 10, burnin: 5 });
    expect(Array.from(x0)).toEqual(copy);
  });
});
