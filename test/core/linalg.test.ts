// The symmetric eigen solver and the spectral norm against references that do not use them: closed
// forms (the tridiagonal Toeplitz spectrum, 2 x 2 singular values), matrices built as
// Q diag(lambda) Q^T or U diag(sigma) V^T from Householder products, and plain power iteration.
import { describe, expect, test } from 'vitest';
import { jacobiEigen, spectralNorm } from '../../src/core/linalg.js';
import { Rng } from '../../src/core/rng.js';

const m = (...v: number[]) => Float64Array.from(v);

function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

/** C = A B for row-major A (r x k) and B (k x c). */
function mul(A: Float64Array, B: Float64Array, r: number, k: number, c: number): Float64Array {
  const C = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) for (let q = 0; q < k; q++) C[i * c + j] += A[i * k + q] * B[q * c + j];
  return C;
}

function transpose(A: Float64Array, r: number, c: number): Float64Array {
  const T = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) T[j * r + i] = A[i * c + j];
  return T;
}

/** A random orthogonal n x n matrix: the product of n Householder reflections I - 2 v v^T / v^T v. */
function randomOrthogonal(n: number, rng: Rng): Float64Array {
  let Q = identity(n);
  for (let r = 0; r < n; r++) {
    const v = rng.fillNormal(new Float64Array(n));
    let vv = 0;
    for (const x of v) vv += x * x;
    const H = identity(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[i * n + j] -= (2 * v[i] * v[j]) / vv;
    Q = mul(Q, H, n, n, n);
  }
  return Q;
}

function diagonal(A: Float64Array, n: number): number[] {
  return Array.from({ length: n }, (_, i) => A[i * n + i]);
}

const ascending = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** Largest singular value by plain power iteration on A^T A: slow, but a different algorithm. */
function powerNorm(A: Float64Array, rows: number, cols: number): number {
  let v = new Float64Array(cols).fill(1);
  let lambda = 0;
  for (let it = 0; it < 20000; it++) {
    const w = mul(transpose(A, rows, cols), mul(A, v, rows, cols, 1), cols, rows, 1);
    let vv = 0;
    let vw = 0;
    let ww = 0;
    for (let i = 0; i < cols; i++) {
      vv += v[i] * v[i];
      vw += v[i] * w[i];
      ww += w[i] * w[i];
    }
    lambda = vw / vv;
    v = w.map((x) => x / Math.sqrt(ww));
  }
  return Math.sqrt(lambda);
}

/** Checks C V = V diag(A), V^T V = I and A diagonal after jacobiEigen(A, V, n) on a copy of C. */
function expectEigendecomposition(C: Float64Array, A: Float64Array, V: Float64Array, n: number): void {
  const scale = Math.max(1, ...Array.from(C, Math.abs));
  const CV = mul(C, V, n, n, n);
  const VtV = mul(transpose(V, n, n), V, n, n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      expect(Math.abs(CV[i * n + j] - V[i * n + j] * A[j * n + j]) / scale).toBeLessThan(1e-12);
      expect(Math.abs(VtV[i * n + j] - (i === j ? 1 : 0))).toBeLessThan(1e-13);
      if (i !== j) expect(A[i * n + j]).toBe(0);
    }
  }
}

describe('jacobiEigen', () => {
  for (const n of [1, 2, 7, 30]) {
    test(`diagonalises a random symmetric ${n} x ${n} matrix: C V = V diag(lambda), V orthonormal, trace kept`, () => {
      const rng = new Rng(`jacobi:${n}`);
      const C = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = i; j < n; j++) C[i * n + j] = C[j * n + i] = rng.normal();
      const A = Float64Array.from(C);
      const V = identity(n);
      expect(jacobiEigen(A, V, n)).toBeLessThan(20);
      expectEigendecomposition(C, A, V, n);
      const trace = diagonal(C, n).reduce((a, b) => a + b, 0);
      expect(diagonal(A, n).reduce((a, b) => a + b, 0)).toBeCloseTo(trace, 10);
    });
  }

  for (const n of [5, 16, 40]) {
    test(`tridiagonal Toeplitz (2, -1), n = ${n}: eigenvalues 2 - 2 cos(k pi / (n + 1)), eigenvectors sin(j k pi / (n + 1))`, () => {
      const C = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        C[i * n + i] = 2;
        if (i + 1 < n) C[i * n + i + 1] = C[(i + 1) * n + i] = -1;
      }
      const A = Float64Array.from(C);
      const V = identity(n);
      jacobiEigen(A, V, n);
      const expected = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
      const got = ascending(diagonal(A, n));
      for (let k = 0; k < n; k++) expect(Math.abs(got[k] - expected[k])).toBeLessThan(1e-13);
      // The eigenvalues are distinct, so each column of V is +-(the normalised sine vector) of its eigenvalue.
      for (let c = 0; c < n; c++) {
        const k = Math.round((Math.acos((2 - A[c * n + c]) / 2) * (n + 1)) / Math.PI);
        const s = Array.from({ length: n }, (_, j) => Math.sin(((j + 1) * k * Math.PI) / (n + 1)));
        const norm = Math.hypot(...s);
        let dot = 0;
        for (let j = 0; j < n; j++) dot += (V[j * n + c] * s[j]) / norm;
        expect(Math.abs(Math.abs(dot) - 1)).toBeLessThan(1e-12);
      }
    });
  }

  test('Q diag(lambda) Q^T: recovers lambda (negative, spread over 1e6) and the columns of Q up to sign', () => {
    const n = 9;
    const lambda = [-3, -1e-3, 0.5, 1, 2, 7, 50, 1e3, 1e6];
    const Q = randomOrthogonal(n, new Rng('linalg:qlq'));
    const C = mul(mul(Q, identity(n).map((x, k) => x * lambda[Math.floor(k / n)]), n, n, n), transpose(Q, n, n), n, n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) C[i * n + j] = C[j * n + i]; // exactly symmetric
    const A = Float64Array.from(C);
    const V = identity(n);
    jacobiEigen(A, V, n);
    const got = diagonal(A, n);
    const order = got.map((_, c) => c).sort((a, b) => got[a] - got[b]);
    for (let k = 0; k < n; k++) {
      expect(Math.abs(got[order[k]] - lambda[k]) / 1e6).toBeLessThan(1e-13);
      let dot = 0;
      for (let j = 0; j < n; j++) dot += V[j * n + order[k]] * Q[j * n + k];
      // An eigenvector's error is about eps ||C|| / (gap to its neighbours) = 1e-16 1e6 / 0.5.
      expect(Math.abs(Math.abs(dot) - 1)).toBeLessThan(1e-8);
    }
  });

  test('warm start: with V = B orthogonal and A = B^T C B, the columns of V end as eigenvectors of C', () => {
    const n = 12;
    const rng = new Rng('linalg:warm');
    const C = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) C[i * n + j] = C[j * n + i] = rng.normal();
    const B = randomOrthogonal(n, rng);
    const A = mul(mul(transpose(B, n, n), C, n, n, n), B, n, n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[i * n + j] = A[j * n + i];
    const V = Float64Array.from(B);
    jacobiEigen(A, V, n);
    expectEigendecomposition(C, A, V, n);
  });

  test('V = null computes the same eigenvalues, bit for bit, without eigenvectors', () => {
    const n = 10;
    const rng = new Rng('linalg:null');
    const C = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) C[i * n + j] = C[j * n + i] = rng.normal();
    const withV = Float64Array.from(C);
    const without = Float64Array.from(C);
    const sweeps = jacobiEigen(withV, identity(n), n);
    expect(jacobiEigen(without, null, n)).toBe(sweeps);
    expect(Array.from(without)).toEqual(Array.from(withV));
  });

  test('a diagonal matrix takes one sweep; the rank-one all-ones matrix has eigenvalues n and 0', () => {
    const A = m(2, 0, 0, 0, 2, 0, 0, 0, 0);
    const V = identity(3);
    expect(jacobiEigen(A, V, 3)).toBe(1);
    expect(Array.from(V)).toEqual(Array.from(identity(3)));
    const ones = new Float64Array(16).fill(1);
    expect(jacobiEigen(ones, identity(4), 4)).toBeLessThan(20);
    const eig = ascending(diagonal(ones, 4));
    expect(eig[3]).toBeCloseTo(4, 12);
    for (const e of eig.slice(0, 3)) expect(Math.abs(e)).toBeLessThan(1e-12);
  });
});

describe('spectralNorm', () => {
  test('vectors: the Euclidean norm, without overflow or underflow of the squares', () => {
    expect(spectralNorm(m(-3), 0, 1, 1)).toBe(3);
    expect(spectralNorm(m(3, -4), 0, 1, 2)).toBe(5);
    expect(spectralNorm(m(3, -4), 0, 2, 1)).toBe(5);
    expect(spectralNorm(m(3e200, 4e200), 0, 1, 2) / 5e200).toBeCloseTo(1, 14);
    expect(spectralNorm(m(3e200, 4e200), 0, 2, 1) / 5e200).toBeCloseTo(1, 14);
    expect(spectralNorm(m(3e-200, 4e-200), 0, 1, 2) / 5e-200).toBeCloseTo(1, 14);
    expect(spectralNorm(new Float64Array(3), 0, 3, 1)).toBe(0);
  });

  test('2 x 2 closed forms: diagonal, scaled rotation, Jordan block, zero', () => {
    expect(spectralNorm(m(3, 0, 0, -2), 0, 2, 2)).toBeCloseTo(3, 14);
    const [c, s] = [0.7 * Math.cos(1), 0.7 * Math.sin(1)];
    expect(spectralNorm(m(c, -s, s, c), 0, 2, 2)).toBeCloseTo(0.7, 14);
    // [[1, 5], [0, 1]]: sigma_max = (5 + sqrt 29) / 2.
    expect(spectralNorm(m(1, 5, 0, 1), 0, 2, 2)).toBeCloseTo((5 + Math.sqrt(29)) / 2, 13);
    expect(spectralNorm(m(0, 0, 0, 0), 0, 2, 2)).toBe(0);
  });

  test('reads the block at an offset', () => {
    expect(spectralNorm(m(9, 9, 2, 0, 0, 1), 2, 2, 2)).toBeCloseTo(2, 14);
    expect(spectralNorm(m(9, 1, 0, 0, 0, 2, 0), 1, 2, 3)).toBeCloseTo(2, 14);
  });

  test('rectangular diagonal matrices and their transposes', () => {
    expect(spectralNorm(m(3, 0, 0, 0, -5, 0, 0, 0, 1), 0, 3, 3)).toBeCloseTo(5, 14);
    const A = new Float64Array(10); // [[1, 0, 0, 0, 0], [0, 2, 0, 0, 0]]
    A[0] = 1;
    A[6] = 2;
    expect(spectralNorm(A, 0, 2, 5)).toBeCloseTo(2, 14);
    expect(spectralNorm(transpose(A, 2, 5), 0, 5, 2)).toBeCloseTo(2, 14);
    expect(spectralNorm(new Float64Array(6), 0, 2, 3)).toBe(0);
  });

  for (const [rows, cols] of [[2, 2], [3, 3], [5, 2], [2, 7], [16, 16], [32, 9], [9, 32]] as const) {
    test(`U diag(sigma) V^T, ${rows} x ${cols}: the largest sigma, also for the transpose`, () => {
      const rng = new Rng(`linalg:svd:${rows}x${cols}`);
      const n = Math.min(rows, cols);
      const sigma = Array.from({ length: n }, () => Math.exp(2 * rng.normal()));
      const S = new Float64Array(rows * cols);
      for (let i = 0; i < n; i++) S[i * cols + i] = sigma[i];
      const A = mul(mul(randomOrthogonal(rows, rng), S, rows, rows, cols), transpose(randomOrthogonal(cols, rng), cols, cols), rows, cols, cols);
      const top = Math.max(...sigma);
      expect(Math.abs(spectralNorm(A, 0, rows, cols) - top) / top).toBeLessThan(1e-13);
      expect(Math.abs(spectralNorm(transpose(A, rows, cols), 0, cols, rows) - top) / top).toBeLessThan(1e-13);
    });
  }

  test('random matrices agree with power iteration on A^T A, and scale linearly', () => {
    const rng = new Rng('linalg:power');
    for (const [rows, cols] of [[2, 2], [3, 3], [4, 4], [3, 6], [6, 3], [12, 12]] as const) {
      const A = rng.fillNormal(new Float64Array(rows * cols));
      const ref = powerNorm(A, rows, cols);
      const got = spectralNorm(A, 0, rows, cols);
      expect(Math.abs(got - ref) / ref).toBeLessThan(1e-9);
      expect(spectralNorm(A.map((x) => -2.5 * x), 0, rows, cols) / got).toBeCloseTo(2.5, 13);
    }
  });

  test('the 2 x 2 closed form and the Gram-matrix path agree (a zero column added)', () => {
    const rng = new Rng('linalg:2x2');
    for (let rep = 0; rep < 20; rep++) {
      const [a, b, c, d] = rng.fillNormal(new Float64Array(4));
      const closed = spectralNorm(m(a, b, c, d), 0, 2, 2);
      expect(Math.abs(spectralNorm(m(a, b, 0, c, d, 0), 0, 2, 3) - closed) / closed).toBeLessThan(1e-14);
    }
  });

  test('an infinite entry gives Infinity, a NaN gives NaN', () => {
    const A = new Float64Array(9).fill(1);
    A[4] = Infinity;
    expect(spectralNorm(A, 0, 3, 3)).toBe(Infinity);
    A[4] = NaN;
    expect(spectralNorm(A, 0, 3, 3)).toBeNaN();
    expect(spectralNorm(m(1, NaN), 0, 1, 2)).toBeNaN();
  });
});
