import { describe, expect, test } from 'vitest';
import { defaultPopulation } from '../../src/optimizers/cmaes.js';
import { BestSoFar, centeredRanks, finiteStats, rankByLoss, readOptions } from '../../src/optimizers/population.js';

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

test('BestSoFar keeps the lowest finite loss and a copy of its vector', () => {
  const b = new BestSoFar(Float64Array.from([0, 0]));
  expect(b.reported).toBeNaN();
  const x = Float64Array.from([1, 2]);
  expect(b.offer(x, NaN)).toBe(false);
  expect(b.offer(x, 5)).toBe(true);
  x[0] = 9;
  expect(Array.from(b.theta)).toEqual([1, 2]);
  expect(b.offer(x, 6)).toBe(false);
  expect(b.offer(x, -Infinity)).toBe(false);
  expect(b.reported).toBe(5);
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
