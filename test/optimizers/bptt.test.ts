// BPTT's update rules on an objective we can solve by hand: a convex quadratic.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { bptt } from '../../src/optimizers/bptt.js';
import type { ObjectiveLike, OptionValue } from '../../src/optimizers/types.js';

/** L(theta) = 1/2 sum_i lambda_i (theta_i - c_i)^2, gradient lambda_i (theta_i - c_i). */
class Quadratic implements ObjectiveLike {
  readonly batchId = 0;
  calls: { window: number | undefined }[] = [];
  constructor(
    readonly lambda: Float64Array,
    readonly c: Float64Array,
  ) {}

  get nParams(): number {
    return this.c.length;
  }

  loss(theta: Float64Array): number {
    let s = 0;
    for (let i = 0; i < theta.length; i++) s += 0.5 * this.lambda[i] * (theta[i] - this.c[i]) ** 2;
    return s;
  }

  lossAndGrad(theta: Float64Array, grad: Float64Array, window?: number): number {
    this.calls.push({ window });
    for (let i = 0; i < theta.length; i++) grad[i] = this.lambda[i] * (theta[i] - this.c[i]);
    return this.loss(theta);
  }
}

function quadratic(n = 10, seed = 'quad'): Quadratic {
  const rng = new Rng(seed);
  const lambda = new Float64Array(n).map(() => rng.between(0.5, 5));
  const c = rng.fillNormal(new Float64Array(n));
  return new Quadratic(lambda, c);
}

function create(theta0: Float64Array, over: Record<string, OptionValue> = {}) {
  const options: Record<string, OptionValue> = {};
  for (const o of bptt.options) options[o.name] = o.default;
  return bptt.create(theta0, { ...options, ...over }, new Rng('bptt'));
}

const norm = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));

describe('bptt registry entry', () => {
  it('options and defaults: adam, lr 3e-3, momentum 0.9, clipping and truncation off', () => {
    const d = Object.fromEntries(bptt.options.map((o) => [o.name, o.default]));
    expect(d).toEqual({ method: 'adam', lr: 3e-3, momentum: 0.9, clip: 0, clip_value: 0, truncate: 0 });
    expect(bptt.options.find((o) => o.name === 'method')!.choices).toEqual(['adam', 'sgd']);
  });

  it('does not modify the caller\'s theta0', () => {
    const theta0 = new Float64Array(10);
    const opt = create(theta0, { lr: 0.1 });
    opt.step(quadratic());
    expect(theta0.every((v) => v === 0)).toBe(true);
    expect(opt.solution().some((v) => v !== 0)).toBe(true);
  });
});

describe.each(['adam', 'sgd'])('%s on a convex quadratic', (method) => {
  it('decreases the loss and converges to the minimiser', () => {
    const q = quadratic();
    const opt = create(new Float64Array(10), method === 'adam' ? { method, lr: 0.05 } : { method, lr: 0.05, momentum: 0.5 });
    const losses: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const r = opt.step(q);
      expect(r.diverged).toBe(false);
      expect(r.nonfinite).toBe(0);
      losses.push(r.loss);
    }
    expect(losses[100]).toBeLessThan(losses[0]);
    expect(losses[losses.length - 1]).toBeLessThan(1e-3 * losses[0]);
    const final = opt.solution();
    for (let i = 0; i < 10; i++) expect(Math.abs(final[i] - q.c[i])).toBeLessThan(1e-2);
  });

  it('reports the loss at the iterate before the update and the gradient norm', () => {
    const q = quadratic();
    const theta0 = new Rng('t0').fillNormal(new Float64Array(10));
    const opt = create(theta0, { method });
    const r = opt.step(q);
    const g = Array.from(theta0, (v, i) => q.lambda[i] * (v - q.c[i]));
    expect(r.loss).toBe(q.loss(theta0));
    expect(r.metrics!.grad_norm).toBeCloseTo(norm(g), 12);
  });
});

describe('update rules by hand', () => {
  it('Adam: the first step moves each entry by lr * g / (|g| + eps) (bias-corrected m/sqrt(v))', () => {
    const q = quadratic();
    const theta0 = new Float64Array(10).fill(0.5);
    const lr = 0.01;
    const opt = create(theta0, { method: 'adam', lr });
    opt.step(q);
    const theta1 = opt.solution();
    for (let i = 0; i < 10; i++) {
      const g = q.lambda[i] * (0.5 - q.c[i]);
      expect(theta1[i]).toBeCloseTo(0.5 - (lr * g) / (Math.abs(g) + 1e-8), 14);
    }
  });

  it('Adam: the second step follows m = 0.9 m + 0.1 g, v = 0.999 v + 0.001 g^2 with bias correction', () => {
    const q = quadratic();
    const lr = 0.02;
    const opt = create(new Float64Array(10), { method: 'adam', lr });
    opt.step(q);
    const theta1 = Float64Array.from(opt.solution());
    opt.step(q);
    const theta2 = opt.solution();
    for (let i = 0; i < 10; i++) {
      const g1 = q.lambda[i] * (0 - q.c[i]);
      const g2 = q.lambda[i] * (theta1[i] - q.c[i]);
      const m = 0.9 * (0.1 * g1) + 0.1 * g2;
      const v = 0.999 * (0.001 * g1 * g1) + 0.001 * g2 * g2;
      const mh = m / (1 - 0.9 ** 2);
      const vh = v / (1 - 0.999 ** 2);
      expect(theta2[i]).toBeCloseTo(theta1[i] - (lr * mh) / (Math.sqrt(vh) + 1e-8), 13);
    }
  });

  it('SGD with momentum: m = mu m + g, theta -= lr m', () => {
    const q = quadratic();
    const [lr, mu] = [0.1, 0.7];
    const opt = create(new Float64Array(10), { method: 'sgd', lr, momentum: mu });
    const th = new Float64Array(10);
    const m = new Float64Array(10);
    for (let step = 0; step < 5; step++) {
      for (let i = 0; i < 10; i++) {
        m[i] = mu * m[i] + q.lambda[i] * (th[i] - q.c[i]);
        th[i] -= lr * m[i];
      }
      opt.step(q);
      for (let i = 0; i < 10; i++) expect(opt.solution()[i]).toBeCloseTo(th[i], 14);
    }
  });
});

describe('clipping', () => {
  it('by global norm: the step is lr * c * g / ||g|| when ||g|| > c (Pascanu Algorithm 1)', () => {
    const q = quadratic();
    const theta0 = new Float64Array(10).fill(5); // far from the minimum: ||g|| >> 1
    const clip = 0.5;
    const opt = create(theta0, { method: 'sgd', lr: 1, momentum: 0, clip });
    const r = opt.step(q);
    const g = Array.from(theta0, (v, i) => q.lambda[i] * (v - q.c[i]));
    expect(r.metrics!.grad_norm).toBeGreaterThan(clip);
    const step = Array.from(opt.solution(), (v, i) => theta0[i] - v);
    expect(norm(step)).toBeCloseTo(clip, 14);
    // Same direction as the gradient.
    for (let i = 0; i < 10; i++) expect(step[i]).toBeCloseTo((clip * g[i]) / norm(g), 14);
  });

  it('by global norm: a gradient already below c is untouched', () => {
    const q = quadratic();
    const theta0 = Float64Array.from(q.c, (v) => v + 1e-3);
    const opt = create(theta0, { method: 'sgd', lr: 1, momentum: 0, clip: 10 });
    opt.step(q);
    for (let i = 0; i < 10; i++) expect(theta0[i] - opt.solution()[i]).toBeCloseTo(q.lambda[i] * 1e-3, 15);
  });

  it('by value: each entry of the step is capped at +- clip_value', () => {
    const q = quadratic();
    const theta0 = new Float64Array(10).fill(3);
    const cv = 0.25;
    const opt = create(theta0, { method: 'sgd', lr: 1, momentum: 0, clip_value: cv });
    opt.step(q);
    for (let i = 0; i < 10; i++) {
      const g = q.lambda[i] * (3 - q.c[i]);
      expect(theta0[i] - opt.solution()[i]).toBeCloseTo(Math.max(-cv, Math.min(cv, g)), 15);
    }
  });

  it('a huge gradient with clipping stays finite and still decreases the loss', () => {
    const q = new Quadratic(new Float64Array(4).fill(1e12), new Float64Array(4));
    const opt = create(new Float64Array(4).fill(1), { method: 'sgd', lr: 0.1, momentum: 0, clip: 1 });
    const l0 = q.loss(new Float64Array(4).fill(1));
    opt.step(q);
    expect(q.loss(opt.solution())).toBeLessThan(l0);
    expect(opt.solution().every(Number.isFinite)).toBe(true);
  });
});

describe('truncation', () => {
  it('truncate = T asks the objective for window T; 0 asks for the full gradient', () => {
    const q = quadratic();
    create(new Float64Array(10), { truncate: 3 }).step(q);
    create(new Float64Array(10), { truncate: 0 }).step(q);
    expect(q.calls).toEqual([{ window: 3 }, { window: undefined }]);
  });
});

describe('divergence', () => {
  it.each([
    ['NaN gradient', NaN, 1],
    ['Infinite gradient', Infinity, 1],
  ])('%s: diverged, nonfinite 1, theta left as it was', (_name, bad) => {
    const q = quadratic();
    const poisoned: ObjectiveLike = {
      nParams: 10,
      loss: (t) => q.loss(t),
      lossAndGrad: (t, g) => {
        const l = q.lossAndGrad(t, g);
        g[3] = bad;
        return l;
      },
    };
    const theta0 = new Float64Array(10).fill(0.2);
    const opt = create(theta0, { method: 'adam' });
    const r = opt.step(poisoned);
    expect(r.diverged).toBe(true);
    expect(r.nonfinite).toBe(1);
    expect(r.loss).toBeNaN();
    expect(opt.solution()).toEqual(theta0);
  });

  it('an infinite loss is reported as such and diverges', () => {
    const inf: ObjectiveLike = {
      nParams: 3,
      loss: () => Infinity,
      lossAndGrad: (_t, g) => {
        g.fill(1);
        return Infinity;
      },
    };
    const r = create(new Float64Array(3), { method: 'sgd' }).step(inf);
    expect(r.diverged).toBe(true);
    expect(r.loss).toBe(Infinity);
  });

  it('SGD with an absurd learning rate on the quadratic blows up and reports it', () => {
    const q = quadratic();
    const opt = create(new Float64Array(10).fill(1), { method: 'sgd', lr: 1e3, momentum: 0 });
    let diverged = false;
    for (let i = 0; i < 500 && !diverged; i++) diverged = opt.step(q).diverged;
    expect(diverged).toBe(true);
  });
});
