import { describe, expect, test } from 'vitest';
import { defaultPopulation } from '../../src/optimizers/cmaes.js';
import { Evaluations, centeredRanks, finiteStats, rankByLoss, readOptions } from '../../src/optimizers/population.js';

describe('rankByLoss', () => {
  test('ascending, NaN and +-Inf after every finite loss, ties in index order', () => {
    const losses = Float64Array.from([3, NaN, 1, -Infinity, 2, Infinity, 1, -5]);
    const order = rankByLoss(losses, new Int32Array(losses.length));
    expect(Array.from(order)).toEqual([7, 2, 6, 4, 0, 1, 3, 5]);
  });

  test('ranks only the first n entries', () => {
    const order = rankByLoss(Float64Array.from([5, 4, 3, 2, 1]), new Int32Array(5), 3);
    expect(Array.from(order.subarray(0, 3))).toEqual([2, 1, 0]);
  });
});

describe('centeredRanks', () => {
  test('-0.5 for the lowest loss, +0.5 for the highest, ties (and all non-finite) share the mean rank', () => {
    const losses = Float64Array.from([3, 1, NaN, 2, Infinity]);
    const out = centeredRanks(losses, rankByLoss(losses, new Int32Array(5)), new Float64Array(5));
    expect(Array.from(out)).toEqual([0, -0.5, 0.375, -0.25, 0.375]);
  });

  test('sums to zero and is a function of the order only', () => {
    const a = Float64Array.from([10, -2, 7, 7.5, 1e9, 0]);
    const b = Float64Array.from([1, -1e9, 0.1, 0.2, 5, 0.05]);
    const ra = centeredRanks(a, rankByLoss(a, new Int32Array(6)), new Float64Array(6));
    const rb = centeredRanks(b, rankByLoss(b, new Int32Array(6)), new Float64Array(6));
    expect(Array.from(ra)).toEqual(Array.from(rb));
    expect(ra.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 12);
  });

  test('a population of one gets utility 0', () => {
    const l = Float64Array.from([4]);
    expect(centeredRanks(l, rankByLoss(l, new Int32Array(1)), new Float64Array(1))[0]).toBe(0);
  });
});

test('finiteStats ignores NaN/Inf', () => {
  expect(finiteStats(Float64Array.from([1, NaN, 3, Infinity]))).toEqual({ finite: 2, mean: 2, min: 1 });
  const none = finiteStats(Float64Array.from([NaN, -Infinity]));
  expect(none.finite).toBe(0);
  expect(none.mean).toBeNaN();
});

describe('Evaluations: the bookkeeping every population method shares', () => {
  /** A one-parameter objective whose batch the test moves by hand. */
  const objective = (f: (x: number) => number) => ({
    nParams: 1,
    batchId: 0,
    calls: 0,
    loss(theta: Float64Array) {
      this.calls++;
      return f(theta[0]) + this.batchId;
    },
    lossAndGrad(): number {
      throw new Error('no gradients');
    },
  });
  const at = (x: number) => Float64Array.from([x]);

  test('keeps the lowest finite loss of the batch and a copy of its vector; the step reports its own lowest', () => {
    const obj = objective((x) => (x > 5 ? NaN : x * x));
    const ev = new Evaluations(at(9), true);
    expect(ev.begin(obj)).toBe(false);
    const x = at(2);
    ev.evaluate(obj, x);
    x[0] = 9;
    ev.evaluate(obj, x);
    ev.evaluate(obj, at(3));
    expect(Array.from(ev.best)).toEqual([2]);
    expect(ev.bestLoss).toBe(4);
    expect(ev.result({})).toEqual({ loss: 4, nonfinite: 1, diverged: false, metrics: {} });
    // Next step, same batch: the incumbent is not measured again; the step's lowest is its own.
    expect(ev.begin(obj)).toBe(false);
    ev.evaluate(obj, at(-3));
    expect(obj.calls).toBe(4);
    expect(ev.result({}).loss).toBe(9);
    expect(Array.from(ev.best)).toEqual([2]);
  });

  test('a new batch: the incumbent is measured again (one call) and compared on that batch only', () => {
    const obj = objective((x) => x * x);
    const ev = new Evaluations(at(0), true);
    ev.begin(obj);
    ev.evaluate(obj, at(1));
    obj.batchId = 10; // every loss is now 10 higher: the old loss 1 must not be compared with new ones
    expect(ev.begin(obj)).toBe(true);
    expect(obj.calls).toBe(2);
    expect(ev.bestLoss).toBe(11);
    ev.evaluate(obj, at(2)); // 14: worse than the incumbent on this batch
    expect(Array.from(ev.best)).toEqual([1]);
    expect(ev.result({}).loss).toBe(11);
  });

  test('without re-measuring, a new batch forgets the incumbent\'s loss and keeps its vector', () => {
    const obj = objective((x) => x * x);
    const ev = new Evaluations(at(0), true);
    ev.begin(obj);
    ev.evaluate(obj, at(1));
    obj.batchId = 1;
    expect(ev.begin(obj, false)).toBe(true);
    expect(obj.calls).toBe(1);
    expect(ev.found).toBe(false);
    expect(Array.from(ev.best)).toEqual([1]);
    ev.evaluate(obj, at(3)); // 10 on the new batch: the only measured point, so the incumbent
    expect(Array.from(ev.best)).toEqual([3]);
  });

  test('diverged when every loss of the step is NaN/Inf and no finite incumbent is left', () => {
    const obj = objective((x) => (x > 0 ? NaN : 1));
    const ev = new Evaluations(at(0), true);
    ev.begin(obj);
    ev.evaluate(obj, at(1));
    expect(ev.result({})).toMatchObject({ loss: NaN, nonfinite: 1, diverged: true });
    ev.begin(obj);
    ev.evaluate(obj, at(-1));
    ev.evaluate(obj, at(1));
    ev.begin(obj);
    ev.evaluate(obj, at(1)); // only NaN in this step, but the incumbent is finite
    expect(ev.result({})).toMatchObject({ loss: NaN, nonfinite: 1, diverged: false });
    // Without an incumbent (es: the solution is the mean) only the step's own losses count.
    const es = new Evaluations(at(0), false);
    es.begin(obj);
    es.evaluate(obj, at(-1));
    es.begin(obj);
    es.evaluate(obj, at(1));
    expect(es.result({}).diverged).toBe(true);
  });
});

test('readOptions fills missing options with defaults', () => {
  const specs = [
    { name: 'a', kind: 'int', default: 3, help: '' },
    { name: 'b', kind: 'enum', default: 'x', choices: ['x', 'y'], help: '' },
  ] as const;
  expect(readOptions(specs, { b: 'y' })).toEqual({ a: 3, b: 'y' });
});

test('pycma default population 4 + floor(3 ln n)', () => {
  expect(defaultPopulation(10)).toBe(10);
  expect(defaultPopulation(100)).toBe(17);
  expect(defaultPopulation(1218)).toBe(25);
});
