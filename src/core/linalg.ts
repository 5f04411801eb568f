/**
 * Dense symmetric eigenvalues and the spectral norm, on row-major Float64Array blocks.
 *
 * One eigen solver serves every caller: CMA-ES diagonalises its covariance matrix with it (warm
 * started from the previous eigenbasis), and the spectral norm is the square root of the largest
 * eigenvalue of the Gram matrix A^T A (or A A^T, the smaller), which is symmetric positive
 * semi-definite, so the same solver gives it to full relative precision without an iteration count
 * or a tolerance to tune.
 */

/**
 * Cyclic Jacobi eigenvalue algorithm for a symmetric n x n matrix A (row-major), in place:
 * A is rotated to diagonal (its eigenvalues on the diagonal) and every rotation J is applied to
 * V <- V J, so if V starts as the identity its columns end as the eigenvectors (if V starts as an
 * orthogonal B, as B times them). With V = null only the eigenvalues are computed. Returns the
 * number of sweeps used.
 */
export function jacobiEigen(A: Float64Array, V: Float64Array | null, n: number, maxSweeps = 60): number {
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (apq === 0) continue;
        const app = A[p * n + p];
        const aqq = A[q * n + q];
        // Negligible against the diagonal: skip (the classic threshold test, relative to double precision).
        if (Math.abs(apq) <= 1e-15 * Math.sqrt(Math.abs(app * aqq)) || Math.abs(apq) < 1e-300) {
          A[p * n + q] = A[q * n + p] = 0;
          continue;
        }
        rotated = true;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.abs(theta) > 1e150 ? 1 / (2 * theta) : Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p];
          const akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k];
          const aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        A[p * n + q] = A[q * n + p] = 0;
        if (V === null) continue;
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
    if (!rotated) return sweep;
  }
  return maxSweeps;
}

/**
 * Largest singular value ||A||_2 of the row-major rows x cols block at A[off..]. A vector (one row or
 * one column) is its Euclidean norm and a 2 x 2 block has a closed form (the one-step Jacobian of a
 * D = 2 task, evaluated for every sample and step, so it stays allocation-free); otherwise it is
 * sqrt(lambda_max) of the smaller Gram matrix, by jacobiEigen.
 */
export function spectralNorm(A: Float64Array, off: number, rows: number, cols: number): number {
  const n = Math.min(rows, cols);
  if (n === 0) return 0;
  if (n === 1) return euclidean(A, off, rows * cols);
  if (rows === 2 && cols === 2) return spectralNorm2x2(A[off], A[off + 1], A[off + 2], A[off + 3]);
  const G = new Float64Array(n * n);
  const byCols = cols <= rows;
  const inner = byCols ? rows : cols;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let acc = 0;
      for (let k = 0; k < inner; k++) {
        acc += byCols ? A[off + k * cols + i] * A[off + k * cols + j] : A[off + i * cols + k] * A[off + j * cols + k];
      }
      G[i * n + j] = acc;
      G[j * n + i] = acc;
    }
  }
  // An infinite or NaN entry makes the trace non-finite; Jacobi would only spin on it.
  let trace = 0;
  for (let i = 0; i < n; i++) trace += G[i * n + i];
  if (!Number.isFinite(trace)) return Math.sqrt(trace);
  jacobiEigen(G, null, n);
  let top = 0;
  for (let i = 0; i < n; i++) top = Math.max(top, G[i * n + i]);
  return Math.sqrt(top);
}

/** sigma_max of [[a, b], [c, d]]: sigma_max^2 = (s + sqrt(s^2 - 4 det^2)) / 2 with s = ||A||_F^2. */
function spectralNorm2x2(a: number, b: number, c: number, d: number): number {
  const s = a * a + b * b + c * c + d * d;
  const det = a * d - b * c;
  // s^2 - 4 det^2 factored, so that it does not cancel when the two singular values are close.
  const disc = Math.sqrt(Math.max(0, (s - 2 * Math.abs(det)) * (s + 2 * Math.abs(det))));
  return Math.sqrt((s + disc) / 2);
}

/** Euclidean norm of A[off..off+len], scaled by the largest |entry| so that squares neither overflow nor underflow. */
function euclidean(A: Float64Array, off: number, len: number): number {
  let m = 0;
  for (let k = 0; k < len; k++) m = Math.max(m, Math.abs(A[off + k]));
  if (m === 0 || !Number.isFinite(m)) return m;
  let s = 0;
  for (let k = 0; k < len; k++) {
    const x = A[off + k] / m;
    s += x * x;
  }
  return m * Math.sqrt(s);
}
