// Ground-truth systems: Jacobians against finite differences of the step, each step against an
// independent formula, and parameter overrides.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { getTask, makeTask, taskNames, tasks } from '../../src/core/tasks.js';

describe('task registry', () => {
  it('has rotation, pendulum, logistic, lorenz with D = 2, 2, 1, 3', () => {
    expect(Object.fromEntries(taskNames.map((n) => [n, getTask(n).D]))).toEqual({ rotation: 2, pendulum: 2, logistic: 1, lorenz: 3 });
  });

  it('refuses an unknown task, listing the allowed ones', () => {
    expect(() => getTask('henon')).toThrow("task: unknown value 'henon' (allowed: rotation, pendulum, logistic, lorenz)");
    expect(() => makeTask('henon')).toThrow(/^task: unknown value 'henon'/);
  });

  it('refuses an unknown parameter, naming task.<key> and the allowed ones', () => {
    expect(() => makeTask('rotation', { r: 3 })).toThrow('task.r: unknown parameter of task rotation (allowed: task.rho, task.theta)');
    expect(() => makeTask('logistic', { rho: 3 })).toThrow('task.rho: unknown parameter of task logistic (allowed: task.r)');
  });

  it('refuses out-of-range and non-finite values, naming the parameter', () => {
    expect(() => makeTask('logistic', { r: 4.5 })).toThrow('task.r: must be <= 4, got 4.5');
    expect(() => makeTask('logistic', { r: -1 })).toThrow('task.r: must be >= 0, got -1');
    expect(() => makeTask('pendulum', { dt: NaN })).toThrow('task.dt: must be a finite number, got NaN');
  });

  it('fills defaults and applies overrides', () => {
    expect(makeTask('logistic').params).toEqual({ r: 3.9 });
    expect(makeTask('logistic', { r: 3.2 }).params).toEqual({ r: 3.2 });
    expect(makeTask('rotation', { theta: 1 }).params).toEqual({ rho: 0.95, theta: 1 });
  });
});

describe.each(taskNames)('%s', (name) => {
  const task = makeTask(name);
  const D = task.D;
  const states = (() => {
    const rng = new Rng(`tasks/${name}`);
    const x = new Float64Array(10 * D);
    for (let s = 0; s < 10; s++) task.sample(rng, x, s * D);
    return x;
  })();

  it('jacobian matches central differences of step', () => {
    const J = new Float64Array(D * D);
    const up = new Float64Array(D);
    const down = new Float64Array(D);
    const h = 1e-6;
    for (let s = 0; s < 10; s++) {
      const o = states.subarray(s * D, (s + 1) * D);
      task.jacobian(o, 0, J);
      for (let j = 0; j < D; j++) {
        const op = Float64Array.from(o);
        const om = Float64Array.from(o);
        op[j] += h;
        om[j] -= h;
        task.step(op, 0, up, 0);
        task.step(om, 0, down, 0);
        for (let i = 0; i < D; i++) {
          const fd = (up[i] - down[i]) / (2 * h);
          expect(Math.abs(J[i * D + j] - fd)).toBeLessThan(1e-8 * Math.max(1, Math.abs(fd)));
        }
      }
    }
  });

  it('jacobian reads the state at its offset', () => {
    const o = states.subarray(D, 2 * D);
    const padded = new Float64Array(3 + D).fill(0.123);
    padded.set(o, 3);
    const J1 = new Float64Array(D * D);
    const J2 = new Float64Array(D * D);
    task.jacobian(o, 0, J1);
    task.jacobian(padded, 3, J2);
    expect(J2).toEqual(J1);
  });

  it('step works in place (out aliasing o at the same offset) and at offsets', () => {
    const ref = new Float64Array(D);
    task.step(states, 2 * D, ref, 0);
    const buf = new Float64Array(D + 2).fill(-5);
    buf.set(states.subarray(2 * D, 3 * D), 1);
    task.step(buf, 1, buf, 1);
    expect(Array.from(buf.subarray(1, 1 + D))).toEqual(Array.from(ref));
    expect(buf[0]).toBe(-5);
    expect(buf[D + 1]).toBe(-5);
  });

  it('sample is a pure function of the stream and gives finite states', () => {
    const a = new Float64Array(5 * D);
    const b = new Float64Array(5 * D);
    const ra = new Rng('s');
    const rb = new Rng('s');
    for (let s = 0; s < 5; s++) {
      task.sample(ra, a, s * D);
      task.sample(rb, b, s * D);
    }
    expect(a).toEqual(b);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(new Set(a).size).toBe(a.length);
  });

  it('every parameter has a finite default inside its range', () => {
    for (const p of tasks.get(name)!.params) {
      expect(Number.isFinite(p.default)).toBe(true);
      if (p.min !== undefined) expect(p.default).toBeGreaterThanOrEqual(p.min);
      if (p.max !== undefined) expect(p.default).toBeLessThanOrEqual(p.max);
    }
  });
});

describe('rotation', () => {
  it('is rho * R(theta)', () => {
    for (const [rho, theta] of [[0.95, 0.5], [1.3, -2], [0.5, Math.PI / 3]]) {
      const task = makeTask('rotation', { rho, theta });
      const o = new Float64Array([0.7, -1.9]);
      const out = new Float64Array(2);
      task.step(o, 0, out, 0);
      const c = Math.cos(theta);
      const s = Math.sin(theta);
      expect(out[0]).toBeCloseTo(rho * (c * 0.7 - s * -1.9), 14);
      expect(out[1]).toBeCloseTo(rho * (s * 0.7 + c * -1.9), 14);
      // A rotation scales the norm by rho exactly.
      expect(Math.hypot(out[0], out[1]) / Math.hypot(0.7, -1.9)).toBeCloseTo(rho, 14);
    }
  });

  it('theta = pi/2, rho = 1 maps (1, 0) to (0, 1)', () => {
    const out = new Float64Array(2);
    makeTask('rotation', { rho: 1, theta: Math.PI / 2 }).step(new Float64Array([1, 0]), 0, out, 0);
    expect(out[0]).toBeCloseTo(0, 15);
    expect(out[1]).toBeCloseTo(1, 15);
  });
});

describe('pendulum', () => {
  // Energy per unit mass and length^2: E = v^2 / 2 + (g / l)(1 - cos theta).
  function meanEnergy(x: Float64Array, w2: number): number {
    let e = 0;
    for (let s = 0; s < x.length / 2; s++) e += 0.5 * x[2 * s + 1] ** 2 + w2 * (1 - Math.cos(x[2 * s]));
    return e / (x.length / 2);
  }

  function energies(damping: number): number[] {
    const task = makeTask('pendulum', { damping });
    const B = 200;
    const x = new Float64Array(2 * B);
    const rng = new Rng('pendulum/energy');
    for (let s = 0; s < B; s++) task.sample(rng, x, 2 * s);
    const out = [meanEnergy(x, 9.81)];
    for (let t = 1; t <= 400; t++) {
      for (let s = 0; s < B; s++) task.step(x, 2 * s, x, 2 * s);
      if (t % 40 === 0) out.push(meanEnergy(x, 9.81));
    }
    return out;
  }

  it('with damping > 0 loses energy on average, roughly like e^{-c t}', () => {
    const e = energies(0.5);
    // Every 40 steps (2 s) the mean energy falls.
    for (let i = 1; i < e.length; i++) expect(e[i]).toBeLessThan(e[i - 1]);
    // 20 s at c = 0.5: kinetic energy decays like e^{-c t}; allow a wide margin for the nonlinearity.
    expect(e[e.length - 1] / e[0]).toBeLessThan(1e-2);
  });

  it('without damping keeps its energy up to an O(dt omega) oscillation (semi-implicit Euler is symplectic)', () => {
    const e = energies(0);
    // dt omega = 0.05 * 3.13 = 0.16: the modified energy is conserved, E itself wobbles by about half that.
    for (const v of e) expect(Math.abs(v / e[0] - 1)).toBeLessThan(0.1);
  });

  it('is one semi-implicit Euler step: v first, then theta with the new v', () => {
    const p = { g: 9.81, length: 2, damping: 0.3, dt: 0.1 };
    const task = makeTask('pendulum', p);
    const [th, v] = [0.8, -0.4];
    const out = new Float64Array(2);
    task.step(new Float64Array([th, v]), 0, out, 0);
    const v1 = v + p.dt * (-(p.g / p.length) * Math.sin(th) - p.damping * v);
    expect(out[1]).toBeCloseTo(v1, 15);
    expect(out[0]).toBeCloseTo(th + p.dt * v1, 15);
  });
});

describe('logistic', () => {
  it('iterating step matches r x (1 - x) by hand', () => {
    for (const r of [3.2, 3.9, 4]) {
      const task = makeTask('logistic', { r });
      const o = new Float64Array([0.123]);
      let x = 0.123;
      for (let t = 0; t < 50; t++) {
        task.step(o, 0, o, 0);
        x = r * x * (1 - x);
        expect(o[0]).toBe(x);
      }
    }
  });

  it('r = 3.2 settles on the period-2 orbit (r + 1 +- sqrt((r - 3)(r + 1))) / 2r', () => {
    const r = 3.2;
    const task = makeTask('logistic', { r });
    const o = new Float64Array([0.3]);
    for (let t = 0; t < 1000; t++) task.step(o, 0, o, 0);
    const lo = (r + 1 - Math.sqrt((r - 3) * (r + 1))) / (2 * r);
    const hi = (r + 1 + Math.sqrt((r - 3) * (r + 1))) / (2 * r);
    const a = o[0];
    task.step(o, 0, o, 0);
    const b = o[0];
    expect([Math.min(a, b), Math.max(a, b)]).toEqual([expect.closeTo(lo, 12), expect.closeTo(hi, 12)]);
    expect(lo).toBeCloseTo(0.5130445, 6);
    expect(hi).toBeCloseTo(0.7994555, 6);
  });

  it('the fixed point 1 - 1/r is fixed and its multiplier is 2 - r', () => {
    const r = 3.9;
    const task = makeTask('logistic', { r });
    const x = new Float64Array([1 - 1 / r]);
    const out = new Float64Array(1);
    task.step(x, 0, out, 0);
    expect(out[0]).toBeCloseTo(1 - 1 / r, 15);
    const J = new Float64Array(1);
    task.jacobian(x, 0, J);
    expect(J[0]).toBeCloseTo(2 - r, 14);
  });

  it('samples lie in [0, 1)', () => {
    const task = makeTask('logistic');
    const rng = new Rng('logistic/sample');
    const x = new Float64Array(1);
    for (let i = 0; i < 1000; i++) {
      task.sample(rng, x, 0);
      expect(x[0]).toBeGreaterThanOrEqual(0);
      expect(x[0]).toBeLessThan(1);
    }
  });
});

describe('lorenz', () => {
  /** Classical RK4 of the unscaled Lorenz system, written from the textbook. */
  function rk4(X: number[], sigma: number, rho: number, beta: number, dt: number): number[] {
    const F = ([x, y, z]: number[]) => [sigma * (y - x), x * (rho - z) - y, x * y - beta * z];
    const add = (a: number[], b: number[], c: number) => a.map((v, i) => v + c * b[i]);
    const k1 = F(X);
    const k2 = F(add(X, k1, dt / 2));
    const k3 = F(add(X, k2, dt / 2));
    const k4 = F(add(X, k3, dt));
    return X.map((v, i) => v + (dt / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
  }

  it.each([
    [{}],
    [{ sigma: 12, rho: 35, beta: 2, dt: 0.02, scale: 4 }],
    [{ scale: 1 }],
  ])('one step equals an independent RK4 of the unscaled system, divided by scale: %o', (over: Record<string, number>) => {
    const task = makeTask('lorenz', over);
    const { sigma, rho, beta, dt, scale } = task.params;
    const rng = new Rng('lorenz/rk4');
    for (let s = 0; s < 20; s++) {
      const o = new Float64Array([rng.between(-2, 2), rng.between(-2, 2), rng.between(0, 4)]);
      const out = new Float64Array(3);
      task.step(o, 0, out, 0);
      const ref = rk4(Array.from(o, (v) => v * scale), sigma, rho, beta, dt).map((v) => v / scale);
      for (let i = 0; i < 3; i++) expect(Math.abs(out[i] - ref[i])).toBeLessThan(1e-13 * Math.max(1, Math.abs(ref[i])));
    }
  });

  it('samples after burn-in are on the attractor (|x|, |y| < 30, 0 < z < 50 in unscaled units)', () => {
    const task = makeTask('lorenz');
    const rng = new Rng('lorenz/attractor');
    const o = new Float64Array(3);
    for (let s = 0; s < 20; s++) {
      task.sample(rng, o, 0);
      const [x, y, z] = Array.from(o, (v) => v * 10);
      expect(Math.abs(x)).toBeLessThan(30);
      expect(Math.abs(y)).toBeLessThan(30);
      expect(z).toBeGreaterThan(0);
      expect(z).toBeLessThan(50);
    }
  });

  it('burnin = 0 samples the documented box', () => {
    const task = makeTask('lorenz', { burnin: 0 });
    const rng = new Rng('lorenz/box');
    const o = new Float64Array(3);
    for (let s = 0; s < 100; s++) {
      task.sample(rng, o, 0);
      expect(Math.abs(o[0])).toBeLessThanOrEqual(1);
      expect(Math.abs(o[1])).toBeLessThanOrEqual(1);
      expect(o[2]).toBeGreaterThanOrEqual(0.5);
      expect(o[2]).toBeLessThan(4);
    }
  });
});
