// The objective: seeded data sets with true targets, nmse normalisation, minibatches without
// replacement, the curriculum schedules of K, and cost accounting.
import { describe, expect, it } from 'vitest';
import { Net } from '../../src/core/mlp.js';
import { Dataset, Objective, type ObjectiveOptions, targetVariance } from '../../src/core/objective.js';
import { Rng } from '../../src/core/rng.js';
import { makeTask } from '../../src/core/tasks.js';

const linearNet = (D: number) => new Net({ D, features: 'identity', hidden: [], activation: 'identity', residual: false });

function objective(over: Partial<ObjectiveOptions> = {}, seed = 'obj', task = makeTask('rotation')) {
  const opts: ObjectiveOptions = { K: 6, train: 40, test: 30, batch: 0, curriculum: 'none', K0: 1, ...over };
  return new Objective(task, linearNet(task.D), opts, new Rng(seed));
}

/** The current step's batch: Objective keeps it private, tests read it to check the sampling. */
const batchOf = (o: Objective) => o as unknown as { x0: Float64Array; y: Float64Array };

describe('Dataset', () => {
  it('logistic with known r: states[t] is f^t(x0), iterated by hand', () => {
    const r = 3.7;
    const ds = new Dataset(makeTask('logistic', { r }), 50, 12, new Rng('ds'));
    expect(ds.states).toHaveLength(13);
    for (let s = 0; s < 50; s++) {
      let x = ds.states[0][s];
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      for (let t = 1; t <= 12; t++) {
        x = r * x * (1 - x);
        expect(ds.states[t][s]).toBe(x);
      }
    }
  });

  it('rotation: states[K] = (rho R)^K x0 in closed form, rho^K R(K theta)', () => {
    const [rho, theta, K] = [0.9, 0.3, 10];
    const ds = new Dataset(makeTask('rotation', { rho, theta }), 20, K, new Rng('ds/rot'));
    const c = rho ** K * Math.cos(K * theta);
    const s = rho ** K * Math.sin(K * theta);
    for (let i = 0; i < 20; i++) {
      const [x, y] = [ds.states[0][2 * i], ds.states[0][2 * i + 1]];
      expect(ds.states[K][2 * i]).toBeCloseTo(c * x - s * y, 13);
      expect(ds.states[K][2 * i + 1]).toBeCloseTo(s * x + c * y, 13);
    }
  });

  it('the same stream gives the same data; another stream different data', () => {
    const task = makeTask('pendulum');
    const a = new Dataset(task, 10, 3, new Rng('same'));
    const b = new Dataset(task, 10, 3, new Rng('same'));
    const c = new Dataset(task, 10, 3, new Rng('other'));
    expect(a.states).toEqual(b.states);
    expect(a.states[0]).not.toEqual(c.states[0]);
  });
});

describe('targetVariance', () => {
  it('is the mean over dimensions of the population variance across samples', () => {
    // Dimension 0: 1, 2, 3, 6 -> mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5.
    // Dimension 1: 5, 5, 5, 5 -> variance 0.  Mean over dimensions: 1.75.
    expect(targetVariance(new Float64Array([1, 5, 2, 5, 3, 5, 6, 5]), 2)).toBeCloseTo(1.75, 15);
    expect(targetVariance(new Float64Array([2, -2]), 1)).toBe(4);
  });
});

describe('Objective data', () => {
  it('same seed, same train and test sets; different seed, different sets', () => {
    const a = objective({}, 'seed-a');
    const b = objective({}, 'seed-a');
    const c = objective({}, 'seed-b');
    expect(a.trainSet.states).toEqual(b.trainSet.states);
    expect(a.testSet.states).toEqual(b.testSet.states);
    expect(a.trainSet.states[0]).not.toEqual(c.trainSet.states[0]);
  });

  it('train and test are different draws; test trajectories run to 2K for extrapolation', () => {
    const o = objective({ K: 6, train: 40, test: 30 });
    expect(o.trainSet.states).toHaveLength(7);
    expect(o.testSet.states).toHaveLength(13);
    expect(o.trainSet.states[0]).toHaveLength(80);
    expect(o.testSet.states[0]).toHaveLength(60);
    const train = new Set(o.trainSet.states[0]);
    expect(Array.from(o.testSet.states[0]).filter((v) => train.has(v))).toHaveLength(0);
  });

  it('nmse of predicting the mean is 1', () => {
    const task = makeTask('pendulum');
    const K = 5;
    const o = objective({ K }, 'mean', task);
    // W = 0, b = mean of the targets: o_K = b for every sample (K >= 1).
    const y = o.trainSet.states[K];
    const theta = new Float64Array(o.nParams);
    const n = y.length / 2;
    for (let s = 0; s < n; s++) for (let d = 0; d < 2; d++) theta[4 + d] += y[2 * s + d] / n;
    expect(o.nmse(o.loss(theta))).toBeCloseTo(1, 12);
    expect(o.trainNmse(theta)).toBeCloseTo(1, 12);
    expect(o.evaluate(theta).train_nmse).toBeCloseTo(1, 12);
    // Predicting zero instead costs the squared mean on top: nmse > 1.
    expect(o.nmse(o.loss(new Float64Array(o.nParams)))).toBeGreaterThan(1);
  });

  it('the true map scores nmse 0 at every horizon and in one step', () => {
    // rotation is linear: the linear net with W = (rho R)^T (row vectors) is exactly f.
    const task = makeTask('rotation', { rho: 0.9, theta: 0.4 });
    const o = objective({ K: 4 }, 'exact', task);
    const [c, s] = [0.9 * Math.cos(0.4), 0.9 * Math.sin(0.4)];
    // o_{t+1} = o_t W with W[i][j] = d f_j / d o_i: W = [[c, s], [-s, c]].
    const theta = new Float64Array([c, s, -s, c, 0, 0]);
    const e = o.evaluate(theta);
    for (const v of [e.train_nmse, e.test_nmse, e.extrap_nmse, e.onestep_nmse]) expect(v).toBeLessThan(1e-28);
    expect(o.trainNmse(theta)).toBeLessThan(1e-28);
  });
});

describe('Objective cost', () => {
  it('loss costs B K, lossAndGrad 3 B K, truncated lossAndGrad B K + 2 B T; evaluate and probe are free', () => {
    const o = objective({ K: 6, train: 40, batch: 8 });
    const theta = new Float64Array(o.nParams).fill(0.1);
    const g = new Float64Array(o.nParams);
    expect(o.cost).toBe(0);
    expect(o.forwardCost).toBe(8 * 6);
    o.loss(theta);
    expect(o.cost).toBe(48);
    o.lossAndGrad(theta, g);
    expect(o.cost).toBe(48 + 3 * 48);
    o.lossAndGrad(theta, g, 2);
    expect(o.cost).toBe(48 + 3 * 48 + 48 + 2 * 8 * 2);
    const before = o.cost;
    o.evaluate(theta);
    o.probe(theta);
    o.trainNmse(theta);
    expect(o.cost).toBe(before);
  });

  it('probe gives the whole-training-set loss, gradient norm and K + 1 adjoint norms', () => {
    const o = objective({ K: 6, train: 40, batch: 8 });
    const theta = new Float64Array(o.nParams).fill(0.1);
    const p = o.probe(theta);
    expect(p.adjoints).toHaveLength(7);
    expect(p.adjoints.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    expect(p.loss / targetVariance(o.trainSet.states[6], 2)).toBeCloseTo(o.trainNmse(theta), 12);
    expect(p.gradNorm).toBeGreaterThan(0);
  });
});

describe('minibatches', () => {
  it('each batch is B distinct training samples, drawn without replacement, with matching targets', () => {
    const train = 40;
    const B = 7;
    const o = objective({ K: 6, train, batch: B }, 'mb');
    expect(o.B).toBe(B);
    const x = o.trainSet.states[0];
    const y = o.trainSet.states[6];
    // Index of each training sample by its (distinct) first coordinate.
    const index = new Map<number, number>();
    for (let s = 0; s < train; s++) index.set(x[2 * s], s);
    expect(index.size).toBe(train);
    const seen = new Set<number>();
    let differs = false;
    let previous = '';
    for (let step = 0; step < 60; step++) {
      o.beginStep(step / 60);
      const b = batchOf(o);
      const ids: number[] = [];
      for (let s = 0; s < B; s++) {
        const id = index.get(b.x0[2 * s])!;
        expect(id).toBeDefined();
        expect(b.x0[2 * s + 1]).toBe(x[2 * id + 1]);
        expect(b.y[2 * s]).toBe(y[2 * id]);
        expect(b.y[2 * s + 1]).toBe(y[2 * id + 1]);
        ids.push(id);
        seen.add(id);
      }
      expect(new Set(ids).size).toBe(B);
      const key = ids.join(',');
      if (previous && key !== previous) differs = true;
      previous = key;
    }
    expect(differs).toBe(true);
    // 60 batches of 7 out of 40: every sample is drawn (P(miss one) ~ 40 * (33/40)^60 ~ 4e-4).
    expect(seen.size).toBe(train);
  });

  it('batch 0 or >= train uses the whole training set in order', () => {
    for (const batch of [0, 40, 100]) {
      const o = objective({ train: 40, batch });
      expect(o.B).toBe(40);
      o.beginStep(0.5);
      expect(batchOf(o).x0).toEqual(o.trainSet.states[0]);
      expect(batchOf(o).y).toEqual(o.trainSet.states[6]);
    }
  });

  it('the minibatch sequence is a pure function of the seed', () => {
    const seq = (seed: string) => {
      const o = objective({ train: 40, batch: 5 }, seed);
      const out: number[] = [];
      for (let i = 0; i < 10; i++) {
        o.beginStep(i / 10);
        out.push(...batchOf(o).x0);
      }
      return out;
    };
    expect(seq('a')).toEqual(seq('a'));
    expect(seq('a')).not.toEqual(seq('b'));
  });
});

describe('curriculum', () => {
  it('none: always K', () => {
    const o = objective({ K: 12 });
    for (let p = 0; p <= 1; p += 0.05) {
      o.beginStep(p);
      expect(o.K).toBe(12);
    }
  });

  it('ramp: K grows monotonically from K0 to K, reaching K by 80% of the budget', () => {
    const o = objective({ K: 32, K0: 2, curriculum: 'ramp' });
    const ks: number[] = [];
    for (let i = 0; i <= 100; i++) {
      o.beginStep(i / 100);
      ks.push(o.K);
    }
    expect(ks[0]).toBe(2);
    for (let i = 1; i < ks.length; i++) expect(ks[i]).toBeGreaterThanOrEqual(ks[i - 1]);
    for (let i = 80; i <= 100; i++) expect(ks[i]).toBe(32);
    expect(ks[79]).toBeLessThan(32);
    // Geometric: halfway through the ramp (p = 0.4) K is sqrt(K0 K) = 8.
    expect(ks[40]).toBe(8);
    expect(new Set(ks).size).toBeGreaterThan(10);
  });

  it('ramp: the targets follow the step K (y = f^k(x0) of the chosen k)', () => {
    const o = objective({ K: 8, K0: 1, curriculum: 'ramp' });
    o.beginStep(0.4);
    expect(o.K).toBeGreaterThan(1);
    expect(o.K).toBeLessThan(8);
    expect(batchOf(o).y).toEqual(o.trainSet.states[o.K]);
    expect(o.forwardCost).toBe(40 * o.K);
  });

  it('mixed: every K is in [1, K], both short and full-length steps occur', () => {
    const o = objective({ K: 16, K0: 1, curriculum: 'mixed' });
    const ks: number[] = [];
    for (let i = 0; i < 400; i++) {
      o.beginStep(i / 400);
      ks.push(o.K);
      expect(Number.isInteger(o.K)).toBe(true);
      expect(o.K).toBeGreaterThanOrEqual(1);
      expect(o.K).toBeLessThanOrEqual(16);
    }
    expect(ks).toContain(1);
    expect(ks).toContain(16);
    // Early on (ramp near K0 = 1) half the steps draw from [1, 1].
    expect(ks.slice(0, 40).filter((k) => k === 1).length).toBeGreaterThan(10);
  });

  it('nmse at a curriculum step divides by the variance of that step\'s targets', () => {
    const o = objective({ K: 8, K0: 1, curriculum: 'ramp' });
    o.beginStep(0);
    expect(o.K).toBe(1);
    expect(o.nmse(1)).toBeCloseTo(1 / targetVariance(o.trainSet.states[1], 2), 14);
  });
});
