// The rollout against independent references: a naive forward written from the documented layout,
// closed forms of the linear case (matrix powers), Pascanu's bound on the adjoint, truncated BPTT,
// and the cost counter.
import { describe, expect, it } from 'vitest';
import { activationNames, getActivation } from '../../src/core/activations.js';
import { Net, initParams } from '../../src/core/mlp.js';
import { Rng } from '../../src/core/rng.js';
import { Rollout } from '../../src/core/rollout.js';
import { maxRel } from './helpers.js';

type Mat = number[][];

const matmul = (A: Mat, B: Mat): Mat => A.map((row) => B[0].map((_, j) => row.reduce((s, a, k) => s + a * B[k][j], 0)));
const transpose = (A: Mat): Mat => A[0].map((_, j) => A.map((row) => row[j]));
const identityMat = (n: number): Mat => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
const add = (A: Mat, B: Mat): Mat => A.map((row, i) => row.map((v, j) => v + B[i][j]));
/** A^p by repeated multiplication (no squaring): the naive matrix power. */
const power = (A: Mat, p: number): Mat => {
  let R = identityMat(A.length);
  for (let i = 0; i < p; i++) R = matmul(R, A);
  return R;
};
const toMat = (x: Float64Array, rows: number, cols: number): Mat =>
  Array.from({ length: rows }, (_, r) => Array.from(x.subarray(r * cols, (r + 1) * cols)));
const frob = (A: Mat) => Math.sqrt(A.flat().reduce((s, v) => s + v * v, 0));

/**
 * One application of the net, written from the layout documented in mlp.ts: for each layer,
 * W_l row-major [fan_in][fan_out] then b_l, h_l = act(h_{l-1} W_l + b_l), output linear, plus o if residual.
 * Offsets are computed here from the sizes, not taken from Net.
 */
function naiveStep(sizes: number[], theta: Float64Array, act: (x: number) => number, features: string, residual: boolean, o: number[]): number[] {
  let h = features === 'fourier' ? [...o, ...o.map(Math.sin), ...o.map(Math.cos)] : [...o];
  let off = 0;
  for (let l = 1; l < sizes.length; l++) {
    const [nin, nout] = [sizes[l - 1], sizes[l]];
    const z: number[] = [];
    for (let j = 0; j < nout; j++) {
      let s = theta[off + nin * nout + j];
      for (let i = 0; i < nin; i++) s += h[i] * theta[off + i * nout + j];
      z.push(s);
    }
    off += nin * nout + nout;
    h = l < sizes.length - 1 ? z.map(act) : z;
  }
  return residual ? h.map((v, d) => v + o[d]) : h;
}

/** A net with xavier weights times `gain` and N(0, 0.1^2) biases. */
function setup(spec: { D: number; features: string; hidden: number[]; activation: string; residual: boolean }, seed: string, gain = 1) {
  const net = new Net(spec);
  const rng = new Rng(seed);
  const theta = initParams(net, 'xavier', gain, rng.derive('init'));
  const br = rng.derive('bias');
  for (let l = 0; l < net.L; l++) for (let j = 0; j < net.sizes[l + 1]; j++) theta[net.bOff[l] + j] = 0.1 * br.normal();
  return { net, theta, rng };
}

describe('forward against a naive forward from the documented layout', () => {
  it.each(activationNames.flatMap((a) => [[a, 'identity', false], [a, 'fourier', true]] as const))(
    '%s, %s features, residual %s: o_K agrees to 1e-13',
    (activation, features, residual) => {
      const D = 2;
      const { net, theta, rng } = setup({ D, features, hidden: [5, 4], activation, residual }, `naive/${activation}`, 0.8);
      const B = 3;
      const K = 6;
      const x0 = rng.derive('x0').fillNormal(new Float64Array(B * D));
      const oK = new Rollout(net).forward(theta, x0, B, K, true);
      const f = getActivation(activation).f;
      for (let s = 0; s < B; s++) {
        let o = Array.from(x0.subarray(s * D, (s + 1) * D));
        for (let t = 0; t < K; t++) o = naiveStep([...net.sizes], theta, f, features, residual, o);
        expect(maxRel(oK.subarray(s * D, (s + 1) * D), o)).toBeLessThan(1e-13);
      }
    },
  );

  it('state(t) returns each stored o_t; state(0) is x0', () => {
    const { net, theta, rng } = setup({ D: 3, features: 'identity', hidden: [4], activation: 'tanh', residual: false }, 'states');
    const B = 2;
    const x0 = rng.fillNormal(new Float64Array(B * 3));
    const r = new Rollout(net);
    r.forward(theta, x0, B, 5, true);
    expect(r.state(0)).toEqual(x0);
    const f = Math.tanh;
    for (let s = 0; s < B; s++) {
      let o = Array.from(x0.subarray(s * 3, s * 3 + 3));
      for (let t = 1; t <= 5; t++) {
        o = naiveStep([3, 4, 3], theta, f, 'identity', false, o);
        expect(maxRel(r.state(t).subarray(s * 3, s * 3 + 3), o)).toBeLessThan(1e-14);
      }
    }
    expect(() => r.state(6)).toThrow('state(6) needs a stored forward pass with K >= 6');
    expect(() => r.state(-1)).toThrow('state(-1)');
    r.forward(theta, x0, B, 5, false);
    expect(() => r.state(1)).toThrow('state(1) needs a stored forward pass');
  });
});

describe('loss paths', () => {
  it.each(activationNames)('%s: the forward-only loss equals the stored-path loss bit for bit, and is mean (o_K - y)^2', (activation) => {
    for (const residual of [false, true]) {
      for (const K of [1, 4, 7]) {
        const { net, theta, rng } = setup({ D: 2, features: 'fourier', hidden: [6, 5], activation, residual }, `paths/${activation}`, 0.9);
        const B = 5;
        const x0 = rng.derive('x0').fillNormal(new Float64Array(B * 2));
        const y = rng.derive('y').fillNormal(new Float64Array(B * 2));
        const r = new Rollout(net);
        const grad = new Float64Array(net.nParams);
        const stored = r.lossAndGrad(theta, x0, y, B, K, grad);
        let ref = 0;
        const oK = r.state(K);
        for (let k = 0; k < B * 2; k++) ref += (oK[k] - y[k]) ** 2;
        expect(stored).toBe(ref / (B * 2));
        expect(r.loss(theta, x0, y, B, K)).toBe(stored);
        // A fresh rollout that never stored gives the same bits too.
        expect(new Rollout(net).loss(theta, x0, y, B, K)).toBe(stored);
      }
    }
  });

  it('buffers reused across different (B, K) give the same bits as a fresh rollout', () => {
    const { net, theta, rng } = setup({ D: 3, features: 'identity', hidden: [6, 5], activation: 'gelu', residual: true }, 'reuse', 0.7);
    const shared = new Rollout(net);
    for (const [B, K] of [[3, 5], [7, 12], [2, 3], [3, 5], [9, 1]]) {
      const x0 = rng.fillNormal(new Float64Array(B * 3));
      const y = rng.fillNormal(new Float64Array(B * 3));
      const g1 = new Float64Array(net.nParams).fill(123);
      const g2 = new Float64Array(net.nParams);
      const fresh = new Rollout(net);
      expect(shared.lossAndGrad(theta, x0, y, B, K, g1)).toBe(fresh.lossAndGrad(theta, x0, y, B, K, g2));
      expect(g1).toEqual(g2);
      expect(shared.adjointNorms.subarray(0, K + 1)).toEqual(fresh.adjointNorms.subarray(0, K + 1));
      expect(shared.loss(theta, x0, y, B, K)).toBe(fresh.loss(theta, x0, y, B, K));
    }
  });

  it('backward without a stored forward pass is refused', () => {
    const { net, theta } = setup({ D: 2, features: 'identity', hidden: [3], activation: 'tanh', residual: false }, 'refuse');
    const r = new Rollout(net);
    const g = new Float64Array(net.nParams);
    expect(() => r.backward(theta, new Float64Array(2), g)).toThrow('backward needs forward(..., store = true) first');
    r.forward(theta, new Float64Array(2), 1, 3, false);
    expect(() => r.backward(theta, new Float64Array(2), g)).toThrow('backward needs forward(..., store = true) first');
  });
});

describe('cost counter', () => {
  it('forward B*K, backward 2*B*window, lossAndGrad 3*B*K', () => {
    const { net, theta, rng } = setup({ D: 2, features: 'identity', hidden: [4], activation: 'tanh', residual: false }, 'cost');
    const r = new Rollout(net);
    const B = 5;
    const K = 9;
    const x0 = rng.fillNormal(new Float64Array(B * 2));
    const y = rng.fillNormal(new Float64Array(B * 2));
    const g = new Float64Array(net.nParams);
    expect(r.cost).toBe(0);
    r.loss(theta, x0, y, B, K);
    expect(r.cost).toBe(B * K);
    r.forward(theta, x0, B, K, true);
    expect(r.cost).toBe(2 * B * K);
    r.backward(theta, new Float64Array(B * 2).fill(1), g, 4);
    expect(r.cost).toBe(2 * B * K + 2 * B * 4);
    r.backward(theta, new Float64Array(B * 2).fill(1), g, 100); // window beyond K counts K
    expect(r.cost).toBe(2 * B * K + 2 * B * 4 + 2 * B * K);
    const before = r.cost;
    r.lossAndGrad(theta, x0, y, B, K, g);
    expect(r.cost - before).toBe(3 * B * K);
    const b2 = r.cost;
    r.lossAndGrad(theta, x0, y, B, K, g, 2);
    expect(r.cost - b2).toBe(B * K + 2 * B * 2);
  });
});

describe('closed forms: identity activation, no hidden layer, identity features, not residual', () => {
  // The net is o_{t+1} = o_t W + b (row vectors), so
  //   o_t = x0 W^t + b (I + W + ... + W^{t-1}).
  // With L = mean((o_K - y)^2) over the B x D entries, a_K = dL/do_K = 2 (o_K - y) / (B D), and since
  // do_{t+1}/do_t = W (acting on rows), a_t = a_{t+1} W^T, i.e. a_{t+1} = a_K (W^T)^{K-1-t}.
  // W enters every step: dL/dW = sum_t (d o_{t+1} / dW)^T a_{t+1} = sum_{t=0}^{K-1} o_t^T a_{t+1},
  // and dL/db = sum_{t=0}^{K-1} (column sums of a_{t+1}).
  const D = 3;
  const B = 4;

  function linear(withBias: boolean, seed: string) {
    const net = new Net({ D, features: 'identity', hidden: [], activation: 'identity', residual: false });
    const rng = new Rng(seed);
    const theta = new Float64Array(net.nParams);
    // W[i][j] at i*D + j, then b: the layout written out for a single layer.
    for (let k = 0; k < D * D; k++) theta[k] = 0.6 * rng.normal();
    if (withBias) for (let j = 0; j < D; j++) theta[D * D + j] = 0.3 * rng.normal();
    const x0 = rng.fillNormal(new Float64Array(B * D));
    const y = rng.fillNormal(new Float64Array(B * D));
    const W = toMat(theta, D, D);
    const b = [Array.from(theta.subarray(D * D))];
    return { net, theta, x0, y, W, b };
  }

  it.each([1, 4, 16])('with b = 0, o_K is x0 W^K (naive matrix power), K = %i', (K) => {
    const { net, theta, x0, y, W } = linear(false, `power/${K}`);
    const r = new Rollout(net);
    r.lossAndGrad(theta, x0, y, B, K, new Float64Array(net.nParams));
    const ref = matmul(toMat(x0, B, D), power(W, K)).flat();
    expect(maxRel(r.state(K), ref)).toBeLessThan(1e-13);
  });

  it.each([1, 4, 16])('with b != 0, o_K, dL/dW, dL/db and every ||a_t|| match the closed form, K = %i', (K) => {
    const { net, theta, x0, y, W, b } = linear(true, `affine/${K}`);
    const r = new Rollout(net);
    const grad = new Float64Array(net.nParams);
    const loss = r.lossAndGrad(theta, x0, y, B, K, grad);

    const X0 = toMat(x0, B, D);
    const ones = Array.from({ length: B }, () => [1]);
    const o = (t: number): Mat => {
      let geo: Mat = Array.from({ length: D }, () => new Array(D).fill(0));
      for (let j = 0; j < t; j++) geo = add(geo, power(W, j));
      return add(matmul(X0, power(W, t)), matmul(ones, matmul(b, geo)));
    };
    const oK = o(K);
    expect(maxRel(r.state(K), oK.flat())).toBeLessThan(1e-13);
    const Y = toMat(y, B, D);
    const aK = oK.map((row, s) => row.map((v, d) => (2 * (v - Y[s][d])) / (B * D)));
    const refLoss = oK.flat().reduce((s, v, k) => s + (v - y[k]) ** 2, 0) / (B * D);
    expect(Math.abs(loss / refLoss - 1)).toBeLessThan(1e-13);

    const a = (t: number): Mat => matmul(aK, power(transpose(W), K - t));
    let dW: Mat = Array.from({ length: D }, () => new Array(D).fill(0));
    let db: Mat = [new Array(D).fill(0)];
    for (let t = 0; t < K; t++) {
      dW = add(dW, matmul(transpose(o(t)), a(t + 1)));
      db = add(db, matmul(transpose(ones), a(t + 1)));
    }
    expect(maxRel(grad.subarray(0, D * D), dW.flat())).toBeLessThan(1e-12);
    expect(maxRel(grad.subarray(D * D), db.flat())).toBeLessThan(1e-12);
    for (let t = 0; t <= K; t++) expect(r.adjointNorms[t] / frob(a(t)) - 1).toBeCloseTo(0, 12);
  });

  it('backward returns dL/do_0 = a_K (W^T)^K', () => {
    const K = 5;
    const { net, theta, x0, y, W } = linear(true, 'a0');
    const r = new Rollout(net);
    r.forward(theta, x0, B, K, true);
    const aK = new Float64Array(B * D);
    for (let k = 0; k < B * D; k++) aK[k] = (2 * (r.state(K)[k] - y[k])) / (B * D);
    const a0 = r.backward(theta, aK, new Float64Array(net.nParams));
    expect(maxRel(a0, matmul(toMat(aK, B, D), power(transpose(W), K)).flat())).toBeLessThan(1e-12);
  });
});

/** Largest singular value of a row-major rows x cols matrix, by power iteration on W^T W. */
function spectralNorm(W: Float64Array, rows: number, cols: number): number {
  let v = new Float64Array(cols).fill(1);
  let sigma = 0;
  for (let it = 0; it < 2000; it++) {
    const u = new Float64Array(rows);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) u[r] += W[r * cols + c] * v[c];
    const w = new Float64Array(cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) w[c] += W[r * cols + c] * u[r];
    const n = Math.sqrt(w.reduce((s, x) => s + x * x, 0));
    const next = Math.sqrt(n);
    v = w.map((x) => x / n);
    if (Math.abs(next - sigma) < 1e-15 * next) break;
    sigma = next;
  }
  return sigma;
}

describe('gradient health is visible', () => {
  it('sigmoid, small weights: the adjoint shrinks every step by at most gamma ||W1|| ||W2|| < 1 (Pascanu)', () => {
    // o_{t+1} = sigmoid(o_t W1 + b1) W2 + b2, so a_t = a_{t+1} W2^T diag(sigmoid'(z)) W1^T and for
    // each sample ||a_t|| <= ||W2|| (1/4) ||W1|| ||a_{t+1}||; summing squares over the batch keeps the bound.
    const D = 3;
    const H = 8;
    const { net, theta, rng } = setup({ D, features: 'identity', hidden: [H], activation: 'sigmoid', residual: false }, 'vanish');
    // Rescale each layer to spectral norm 1.6: gamma * ||W1|| * ||W2|| = 0.25 * 2.56 = 0.64.
    for (const [l, rows, cols] of [[0, D, H], [1, H, D]]) {
      const W = theta.subarray(net.wOff[l], net.wOff[l] + rows * cols);
      const s = spectralNorm(W, rows, cols);
      for (let k = 0; k < W.length; k++) W[k] *= 1.6 / s;
    }
    const s1 = spectralNorm(theta.subarray(net.wOff[0], net.wOff[0] + D * H), D, H);
    const s2 = spectralNorm(theta.subarray(net.wOff[1], net.wOff[1] + H * D), H, D);
    const bound = getActivation('sigmoid').gamma * s1 * s2;
    expect(bound).toBeCloseTo(0.64, 10);
    const B = 16;
    const K = 24;
    const x0 = rng.fillNormal(new Float64Array(B * D));
    const y = rng.fillNormal(new Float64Array(B * D));
    const r = new Rollout(net);
    r.lossAndGrad(theta, x0, y, B, K, new Float64Array(net.nParams));
    const a = r.adjointNorms;
    for (let t = K - 1; t >= 0; t--) expect(a[t] / a[t + 1]).toBeLessThanOrEqual(bound * (1 + 1e-12));
    expect(a[0] / a[K]).toBeLessThanOrEqual(bound ** K);
    // And it really vanishes: less than 1e-4 of the signal reaches o_0.
    expect(a[0] / a[K]).toBeLessThan(1e-4);
  });

  it.each([16, 64])('identity, no hidden layer, W = 1.5 R(0.7): ||a_t|| = 1.5^(K-t) ||a_K|| to 1e-9, K = %i', (K) => {
    const net = new Net({ D: 2, features: 'identity', hidden: [], activation: 'identity', residual: false });
    const [c, s] = [Math.cos(0.7), Math.sin(0.7)];
    // W[i][j] row-major, then b (the adjoint does not depend on b; give it a value anyway).
    const theta = new Float64Array([1.5 * c, -1.5 * s, 1.5 * s, 1.5 * c, 0.2, -0.1]);
    const rng = new Rng('explode');
    const B = 5;
    const x0 = rng.fillNormal(new Float64Array(B * 2));
    const y = rng.fillNormal(new Float64Array(B * 2));
    const r = new Rollout(net);
    r.lossAndGrad(theta, x0, y, B, K, new Float64Array(net.nParams));
    const a = r.adjointNorms;
    for (let t = 0; t < K; t++) {
      expect(Math.abs(a[t] / a[t + 1] - 1.5)).toBeLessThan(1e-9);
      expect(Math.abs(a[t] / a[K] / 1.5 ** (K - t) - 1)).toBeLessThan(1e-9);
    }
    expect(Math.abs(Math.log(a[0] / a[K]) / K - Math.log(1.5))).toBeLessThan(1e-9);
  });
});

describe('truncated BPTT (window T)', () => {
  const D = 2;
  const B = 4;
  const K = 10;
  const spec = { D, features: 'fourier', hidden: [6, 5], activation: 'tanh', residual: true };

  function data() {
    const { net, theta, rng } = setup(spec, 'truncate', 0.8);
    const x0 = rng.fillNormal(new Float64Array(B * D));
    const y = rng.fillNormal(new Float64Array(B * D));
    return { net, theta, x0, y };
  }

  it('window = K (and beyond) is full BPTT, bit for bit', () => {
    const { net, theta, x0, y } = data();
    const full = new Float64Array(net.nParams);
    const r = new Rollout(net);
    const loss = r.lossAndGrad(theta, x0, y, B, K, full);
    for (const T of [K, K + 5]) {
      const g = new Float64Array(net.nParams);
      expect(r.lossAndGrad(theta, x0, y, B, K, g, T)).toBe(loss);
      expect(g).toEqual(full);
    }
  });

  it.each([1, 3, 7])('window T = %i is the exact gradient of the loss with o_{K-T} held fixed', (T) => {
    // Truncation treats o_{K-T} as a constant: the result must be the full gradient of the T-step
    // rollout started from o_{K-T}. Check it against central differences of that T-step loss.
    const { net, theta, x0, y } = data();
    const r = new Rollout(net);
    const g = new Float64Array(net.nParams);
    r.forward(theta, x0, B, K, true);
    const oStart = Float64Array.from(r.state(K - T));
    const aK = new Float64Array(B * D);
    for (let k = 0; k < B * D; k++) aK[k] = (2 * (r.state(K)[k] - y[k])) / (B * D);
    const aStart = Float64Array.from(r.backward(theta, aK, g, T));
    const norms = Float64Array.from(r.adjointNorms.subarray(0, K + 1));

    const short = new Rollout(net);
    const h = 1e-6;
    const th = Float64Array.from(theta);
    const fd = new Float64Array(net.nParams);
    for (let i = 0; i < net.nParams; i++) {
      th[i] = theta[i] + h;
      const up = short.loss(th, oStart, y, B, T);
      th[i] = theta[i] - h;
      const down = short.loss(th, oStart, y, B, T);
      th[i] = theta[i];
      fd[i] = (up - down) / (2 * h);
    }
    expect(maxRel(g, fd)).toBeLessThan(1e-7);
    // The returned adjoint is dL/do_{K-T}: central differences in the start state.
    const fdx = new Float64Array(B * D);
    const xs = Float64Array.from(oStart);
    for (let k = 0; k < B * D; k++) {
      xs[k] = oStart[k] + h;
      const up = short.loss(theta, xs, y, B, T);
      xs[k] = oStart[k] - h;
      const down = short.loss(theta, xs, y, B, T);
      xs[k] = oStart[k];
      fdx[k] = (up - down) / (2 * h);
    }
    expect(maxRel(aStart, fdx)).toBeLessThan(1e-7);
    // Norms exist for t = K-T..K only.
    for (let t = 0; t < K - T; t++) expect(norms[t]).toBeNaN();
    for (let t = K - T; t <= K; t++) expect(Number.isFinite(norms[t]) && norms[t] > 0).toBe(true);
    expect(norms[K - T]).toBeCloseTo(Math.hypot(...aStart), 14);
  });

  it('a truncated gradient differs from the full one when T < K (the early steps are really cut)', () => {
    const { net, theta, x0, y } = data();
    const r = new Rollout(net);
    const full = new Float64Array(net.nParams);
    const cut = new Float64Array(net.nParams);
    r.lossAndGrad(theta, x0, y, B, K, full);
    r.lossAndGrad(theta, x0, y, B, K, cut, 3);
    expect(maxRel(cut, full)).toBeGreaterThan(1e-3);
  });
});

describe('input gradient', () => {
  it('backward returns dL/do_0, matching central differences in x0 (nonlinear, residual, fourier)', () => {
    const { net, theta, rng } = setup({ D: 3, features: 'fourier', hidden: [6, 5], activation: 'softplus', residual: true }, 'dx0', 0.7);
    const B = 3;
    const K = 6;
    const x0 = rng.fillNormal(new Float64Array(B * 3));
    const y = rng.fillNormal(new Float64Array(B * 3));
    const r = new Rollout(net);
    r.forward(theta, x0, B, K, true);
    const aK = new Float64Array(B * 3);
    for (let k = 0; k < B * 3; k++) aK[k] = (2 * (r.state(K)[k] - y[k])) / (B * 3);
    const a0 = Float64Array.from(r.backward(theta, aK, new Float64Array(net.nParams)));
    const h = 1e-6;
    const xs = Float64Array.from(x0);
    const fd = new Float64Array(B * 3);
    const q = new Rollout(net);
    for (let k = 0; k < B * 3; k++) {
      xs[k] = x0[k] + h;
      const up = q.loss(theta, xs, y, B, K);
      xs[k] = x0[k] - h;
      const down = q.loss(theta, xs, y, B, K);
      xs[k] = x0[k];
      fd[k] = (up - down) / (2 * h);
    }
    expect(maxRel(a0, fd)).toBeLessThan(1e-7);
    expect(r.adjointNorms[0]).toBeCloseTo(Math.hypot(...a0), 14);
  });
});
