/**
 * One-step Jacobians J_t = d o_{t+1} / d o_t of the learned net along a rollout, and their spectra.
 *
 * The Jacobians are exact and come from the rollout's own reverse pass (no second implementation of
 * the net's derivative): with K = 1 and a_1 = e_i for every sample, `Rollout.backward` returns
 * e_i^T J = row i of J for every sample of the batch at once, so D reverse passes give the full
 * D x D matrix of every sample. The feature map and the residual connection are included, because
 * the reverse pass includes them.
 *
 * Why it matters (Pascanu et al. 2013; Metz et al. 2021): the adjoint obeys a_t = J_t^T a_{t+1}, so
 * ||a_0|| / ||a_K|| is bounded by the largest singular value of J_{K-1} ... J_0, whose growth rate is
 * the net's finite-time Lyapunov exponent along that rollout.
 *
 * Matrices are row-major D x D blocks: J[off + i*D + j] = d o_{t+1, i} / d o_{t, j}.
 */
import { spectralNorm } from '../core/linalg.js';
import type { Net } from '../core/mlp.js';
import { Rollout } from '../core/rollout.js';

/** Exact one-step Jacobians of the net N at any batch of states, with N applied on the way. */
export class NetJacobian {
  private readonly rollout: Rollout;
  private readonly grad: Float64Array;
  private aK = new Float64Array(0);
  readonly D: number;

  constructor(
    readonly net: Net,
    readonly theta: Float64Array,
  ) {
    this.rollout = new Rollout(net);
    this.grad = new Float64Array(net.nParams);
    this.D = net.spec.D;
  }

  /** Network applications used so far (forward 1, each of the D reverse passes 2). */
  get cost(): number {
    return this.rollout.cost;
  }

  /**
   * Writes J (B x D x D) at the states x (B x D) and, if `next` is given, the next states N(x)
   * into it (B x D; `next` may be x itself).
   */
  at(x: Float64Array, B: number, J: Float64Array, next?: Float64Array): void {
    const D = this.D;
    const DD = D * D;
    const o1 = this.rollout.forward(this.theta, x, B, 1, true);
    if (next) next.set(o1.subarray(0, B * D));
    if (this.aK.length < B * D) this.aK = new Float64Array(B * D);
    const aK = this.aK;
    for (let i = 0; i < D; i++) {
      aK.fill(0, 0, B * D);
      for (let s = 0; s < B; s++) aK[s * D + i] = 1;
      const row = this.rollout.backward(this.theta, aK.subarray(0, B * D), this.grad, 1);
      for (let s = 0; s < B; s++) for (let j = 0; j < D; j++) J[s * DD + i * D + j] = row[s * D + j];
    }
  }
}

/** The Jacobians of the net along its own K-step rollout from x0, with their spectra. */
export interface JacobianProfile {
  readonly K: number;
  readonly B: number;
  readonly D: number;
  /** J_t of sample s at ((t B + s) D + i) D + j, t = 0..K-1. */
  readonly J: Float64Array;
  /** Largest singular value of J_t, at t B + s. */
  readonly sigma: Float64Array;
  /** Spectral radius (largest |eigenvalue|) of J_t, at t B + s. */
  readonly radius: Float64Array;
  /** ln of the largest singular value of the product J_t ... J_0, at t B + s. */
  readonly logCum: Float64Array;
  /** The states o_0..o_K of the rollout, o_t at t B D (B x D each). */
  readonly states: Float64Array;
}

/** Rolls the net K steps from x0 (B x D) and measures the one-step Jacobian of every step and sample. */
export function jacobianProfile(net: Net, theta: Float64Array, x0: Float64Array, B: number, K: number): JacobianProfile {
  const D = net.spec.D;
  const DD = D * D;
  // Step by step: each call gives J_t at o_t and o_{t+1} = N(o_t), so memory stays O(B) per step
  // (no stored K-step rollout), and the states are bit-for-bit those of Rollout.forward.
  const states = new Float64Array((K + 1) * B * D);
  states.set(x0.subarray(0, B * D));
  const J = new Float64Array(K * B * DD);
  const jac = new NetJacobian(net, theta);
  for (let t = 0; t < K; t++) {
    const next = states.subarray((t + 1) * B * D, (t + 2) * B * D);
    jac.at(states.subarray(t * B * D, (t + 1) * B * D), B, J.subarray(t * B * DD, (t + 1) * B * DD), next);
  }
  const sigma = new Float64Array(K * B);
  const radius = new Float64Array(K * B);
  const logCum = new Float64Array(K * B);
  const P = new Float64Array(B * DD);
  const logScale = new Float64Array(B);
  const tmp = new Float64Array(DD);
  for (let s = 0; s < B; s++) for (let i = 0; i < D; i++) P[s * DD + i * D + i] = 1;
  for (let t = 0; t < K; t++) {
    for (let s = 0; s < B; s++) {
      const k = t * B + s;
      const jo = k * DD;
      sigma[k] = spectralNorm(J, jo, D, D);
      radius[k] = spectralRadius(J, jo, D);
      // P <- J_t P, renormalised: sigma_max(J_t ... J_0) = exp(logScale) sigma_max(P).
      matMul(J, jo, P, s * DD, tmp, 0, D);
      const f = frobenius(tmp, 0, DD);
      if (f > 0 && Number.isFinite(f)) {
        for (let q = 0; q < DD; q++) P[s * DD + q] = tmp[q] / f;
        logScale[s] += Math.log(f);
        logCum[k] = logScale[s] + Math.log(spectralNorm(P, s * DD, D, D));
      } else {
        P.fill(f === 0 ? 0 : NaN, s * DD, (s + 1) * DD);
        logScale[s] = f === 0 ? -Infinity : NaN;
        logCum[k] = logScale[s];
      }
    }
  }
  return { K, B, D, J, sigma, radius, logCum, states };
}

export interface ProfileSummary {
  /** Geometric mean over steps t < K and samples of sigma_max(J_t): the typical per-step gain. */
  sigma: number;
  /** Geometric mean of the spectral radius of J_t. */
  radius: number;
  /** Largest sigma_max(J_t) met. */
  sigmaMax: number;
  /** Mean over samples of ln sigma_max(J_{K-1} ... J_0) / K: the finite-time Lyapunov exponent along the rollout. */
  cumRate: number;
  /** Per step t: geometric mean over samples of sigma_max(J_t). */
  perStepSigma: number[];
  /** Per step t: mean over samples of ln sigma_max(J_t ... J_0). */
  perStepLogCum: number[];
}

/**
 * Summary of the first K steps of a profile (K defaults to the profile's; prefixes of one long
 * rollout serve every shorter K). Non-finite entries (a blown-up rollout) make the summary NaN.
 */
export function summarizeProfile(p: JacobianProfile, K = p.K): ProfileSummary {
  if (K < 1 || K > p.K) throw new Error(`summarizeProfile: K = ${K} outside 1..${p.K}`);
  const { B } = p;
  let ls = 0;
  let lr = 0;
  let smax = 0;
  const perStepSigma: number[] = [];
  const perStepLogCum: number[] = [];
  for (let t = 0; t < K; t++) {
    let st = 0;
    let ct = 0;
    for (let s = 0; s < B; s++) {
      const k = t * B + s;
      const a = safeLog(p.sigma[k]);
      st += a;
      lr += safeLog(p.radius[k]);
      ct += p.logCum[k];
      smax = Math.max(smax, p.sigma[k]);
      if (Number.isNaN(p.sigma[k])) smax = NaN;
    }
    ls += st;
    perStepSigma.push(Math.exp(st / B));
    perStepLogCum.push(ct / B);
  }
  const n = K * B;
  return {
    sigma: Math.exp(ls / n),
    radius: Math.exp(lr / n),
    sigmaMax: smax,
    cumRate: perStepLogCum[K - 1] / K,
    perStepSigma,
    perStepLogCum,
  };
}

/** ln x with exact zeros floored at the smallest double, so one singular step does not make a mean -inf. */
export function safeLog(x: number): number {
  return x === 0 ? Math.log(Number.MIN_VALUE) : Math.log(x);
}

// ---- small dense linear algebra on D x D row-major blocks -------------------------------------

/** C[co..] = A[ao..] B[bo..], all D x D; C must not alias A or B. */
export function matMul(A: Float64Array, ao: number, Bm: Float64Array, bo: number, C: Float64Array, co: number, D: number): void {
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < D; j++) {
      let acc = 0;
      for (let k = 0; k < D; k++) acc += A[ao + i * D + k] * Bm[bo + k * D + j];
      C[co + i * D + j] = acc;
    }
  }
}

export function frobenius(A: Float64Array, off: number, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += A[off + k] * A[off + k];
  return Math.sqrt(s);
}

/**
 * Spectral radius of the D x D block A[off..]: closed form for D <= 2; otherwise Gelfand's formula
 * rho = lim ||A^n||^(1/n), evaluated by repeated squaring with renormalisation (n = 2^k, k <= 64),
 * which converges for any real matrix, defective or with complex eigenvalues.
 */
export function spectralRadius(A: Float64Array, off: number, D: number): number {
  if (D === 1) return Math.abs(A[off]);
  if (D === 2) {
    const a = A[off];
    const b = A[off + 1];
    const c = A[off + 2];
    const d = A[off + 3];
    const tr = a + d;
    const det = a * d - b * c;
    const disc = (tr * tr) / 4 - det;
    if (disc < 0) return Math.sqrt(det);
    const r = Math.sqrt(disc);
    return Math.max(Math.abs(tr / 2 + r), Math.abs(tr / 2 - r));
  }
  const DD = D * D;
  let M = new Float64Array(DD);
  let N = new Float64Array(DD);
  for (let k = 0; k < DD; k++) M[k] = A[off + k];
  let f = frobenius(M, 0, DD);
  if (!(f > 0) || !Number.isFinite(f)) return f === 0 ? 0 : NaN;
  let logScale = Math.log(f);
  for (let k = 0; k < DD; k++) M[k] /= f;
  let n = 1;
  let est = logScale;
  for (let it = 0; it < 64; it++) {
    matMul(M, 0, M, 0, N, 0, D);
    f = frobenius(N, 0, DD);
    if (f === 0) return 0; // nilpotent
    for (let k = 0; k < DD; k++) N[k] /= f;
    logScale = 2 * logScale + Math.log(f);
    n *= 2;
    const next = logScale / n;
    const tmp = M;
    M = N;
    N = tmp;
    if (it > 8 && Math.abs(next - est) < 1e-15 * Math.max(1, Math.abs(next))) {
      est = next;
      break;
    }
    est = next;
  }
  return Math.exp(est);
}
