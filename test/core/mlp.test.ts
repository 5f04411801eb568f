// The net: parameter layout (sizes, offsets, count) and the three init schemes.
import { describe, expect, it } from 'vitest';
import { Net, initNames, initParams } from '../../src/core/mlp.js';
import { Rng } from '../../src/core/rng.js';

const spec = (over: Partial<ConstructorParameters<typeof Net>[0]> = {}) =>
  new Net({ D: 2, features: 'identity', hidden: [3, 4], activation: 'tanh', residual: false, ...over });

describe('Net layout', () => {
  it('sizes [F, ...hidden, D], offsets W1 b1 W2 b2 ... and nParams', () => {
    const net = spec();
    expect(net.sizes).toEqual([2, 3, 4, 2]);
    expect(net.L).toBe(3);
    // W1 2x3 at 0, b1 3 at 6, W2 3x4 at 9, b2 4 at 21, W3 4x2 at 25, b3 2 at 33: 35 in all.
    expect(net.wOff).toEqual([0, 9, 25]);
    expect(net.bOff).toEqual([6, 21, 33]);
    expect(net.nParams).toBe(35);
    expect(net.layout()).toBe('W1[2][3] b1[3] W2[3][4] b2[4] W3[4][2] b3[2]');
  });

  it('features set the input width: fourier on D = 3 gives F = 9', () => {
    const net = spec({ D: 3, features: 'fourier', hidden: [5] });
    expect(net.sizes).toEqual([9, 5, 3]);
    expect(net.wOff).toEqual([0, 50]);
    expect(net.bOff).toEqual([45, 65]);
    expect(net.nParams).toBe(9 * 5 + 5 + 5 * 3 + 3);
  });

  it('no hidden layers is a single affine map', () => {
    const net = spec({ hidden: [] });
    expect(net.sizes).toEqual([2, 2]);
    expect(net.L).toBe(1);
    expect(net.wOff).toEqual([0]);
    expect(net.bOff).toEqual([4]);
    expect(net.nParams).toBe(6);
  });

  it('nParams is sum over layers of (fan_in + 1) fan_out for many shapes', () => {
    for (const hidden of [[], [1], [7], [32, 32], [4, 9, 2]]) {
      for (const D of [1, 3]) {
        const net = spec({ D, hidden, features: 'poly2' });
        const sizes = [D + (D * (D + 1)) / 2, ...hidden, D];
        let n = 0;
        for (let l = 1; l < sizes.length; l++) n += (sizes[l - 1] + 1) * sizes[l];
        expect(net.nParams).toBe(n);
        // Offsets are increasing and contiguous.
        for (let l = 0; l < net.L; l++) {
          expect(net.bOff[l] - net.wOff[l]).toBe(sizes[l] * sizes[l + 1]);
          if (l + 1 < net.L) expect(net.wOff[l + 1] - net.bOff[l]).toBe(sizes[l + 1]);
        }
      }
    }
  });

  it('refuses bad sizes and unknown names, naming the field', () => {
    expect(() => spec({ hidden: [3, 0] })).toThrow('hidden: sizes must be positive integers, got 3,0');
    expect(() => spec({ hidden: [2.5] })).toThrow('hidden: sizes must be positive integers, got 2.5');
    expect(() => spec({ D: 0 })).toThrow('D: must be a positive integer, got 0');
    expect(() => spec({ activation: 'nope' })).toThrow(/^activation: unknown value 'nope' \(allowed: /);
    expect(() => spec({ features: 'nope' })).toThrow(/^features: unknown value 'nope' \(allowed: /);
  });
});

/** The entries of W_l of a parameter vector. */
function weights(net: Net, theta: Float64Array, l: number): Float64Array {
  return theta.subarray(net.wOff[l - 1], net.bOff[l - 1]);
}

function sampleVariance(x: Float64Array): { mean: number; variance: number } {
  let m = 0;
  for (const v of x) m += v;
  m /= x.length;
  let s = 0;
  for (const v of x) s += (v - m) ** 2;
  return { mean: m, variance: s / (x.length - 1) };
}

describe('initParams', () => {
  it('offers xavier, he, orthogonal', () => {
    expect([...initNames]).toEqual(['xavier', 'he', 'orthogonal']);
  });

  // A 200 x 300 layer has 60000 weights: the sample variance has relative standard error sqrt(2/n) = 0.6%.
  const big = new Net({ D: 2, features: 'identity', hidden: [200, 300], activation: 'tanh', residual: false });

  it.each([
    ['xavier', 1, 2 / (200 + 300)],
    ['xavier', 2, 4 * (2 / (200 + 300))],
    ['he', 1, 2 / 200],
    ['he', 0.5, 0.25 * (2 / 200)],
  ] as const)('%s with gain %d: W2 ~ N(0, %f)', (init, gain, variance) => {
    const theta = initParams(big, init, gain, new Rng(`init/${init}`));
    const s = sampleVariance(weights(big, theta, 2));
    expect(Math.abs(s.mean)).toBeLessThan(6 * Math.sqrt(variance / 60_000));
    expect(Math.abs(s.variance / variance - 1)).toBeLessThan(0.04);
  });

  it.each(initNames)('%s: biases are zero, weights finite and non-zero', (init) => {
    const net = spec({ hidden: [16, 8] });
    const theta = initParams(net, init, 1, new Rng('init/zero-bias'));
    for (let l = 1; l <= net.L; l++) {
      const b = theta.subarray(net.bOff[l - 1], net.bOff[l - 1] + net.sizes[l]);
      expect(b.every((v) => v === 0)).toBe(true);
      const W = weights(net, theta, l);
      expect(W.every((v) => Number.isFinite(v) && v !== 0)).toBe(true);
    }
  });

  it.each(initNames)('%s is a pure function of the stream', (init) => {
    const net = spec({ hidden: [16, 8] });
    expect(initParams(net, init, 1.3, new Rng('same'))).toEqual(initParams(net, init, 1.3, new Rng('same')));
    expect(initParams(net, init, 1.3, new Rng('same'))).not.toEqual(initParams(net, init, 1.3, new Rng('other')));
  });

  it('orthogonal: W^T W = I for tall, W W^T = I for wide and square layers, times gain^2 (to 1e-12)', () => {
    // Layers 3x7 (wide), 7x7 (square), 7x12 (wide), 12x5 (tall), 5x3 (tall).
    const net = new Net({ D: 3, features: 'identity', hidden: [7, 7, 12, 5], activation: 'tanh', residual: false });
    const gain = 1.7;
    const theta = initParams(net, 'orthogonal', gain, new Rng('init/orth'));
    for (let l = 1; l <= net.L; l++) {
      const rows = net.sizes[l - 1];
      const cols = net.sizes[l];
      const W = weights(net, theta, l);
      const tall = rows >= cols;
      const n = tall ? cols : rows;
      // Gram matrix of the columns (tall) or of the rows (wide).
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let g = 0;
          if (tall) for (let r = 0; r < rows; r++) g += W[r * cols + i] * W[r * cols + j];
          else for (let c = 0; c < cols; c++) g += W[i * cols + c] * W[j * cols + c];
          expect(Math.abs(g / (gain * gain) - (i === j ? 1 : 0))).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('orthogonal: the square case is orthogonal both ways', () => {
    const net = new Net({ D: 6, features: 'identity', hidden: [], activation: 'identity', residual: false });
    const theta = initParams(net, 'orthogonal', 1, new Rng('init/square'));
    const W = weights(net, theta, 1);
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        let rowDot = 0;
        let colDot = 0;
        for (let k = 0; k < 6; k++) {
          rowDot += W[i * 6 + k] * W[j * 6 + k];
          colDot += W[k * 6 + i] * W[k * 6 + j];
        }
        expect(Math.abs(rowDot - (i === j ? 1 : 0))).toBeLessThan(1e-12);
        expect(Math.abs(colDot - (i === j ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
  });

  it('orthogonal entries of an n x n Haar matrix have variance 1/n', () => {
    const net = new Net({ D: 2, features: 'identity', hidden: [200, 200], activation: 'tanh', residual: false });
    const W = weights(net, initParams(net, 'orthogonal', 1, new Rng('init/haar')), 2);
    const s = sampleVariance(W);
    expect(Math.abs(s.variance * 200 - 1)).toBeLessThan(0.04);
  });
});
