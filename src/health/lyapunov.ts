/**
 * Finite-time Lyapunov exponents of a map x -> g(x), by the QR (re-orthonormalisation) method of
 * Benettin et al. (1980) and Shimada & Nagashima (1979): carry k orthonormal tangent vectors Q,
 * advance them with the Jacobian, V = J(x_t) Q, re-orthonormalise V = Q' R, and average ln |R_ii|
 * over the steps. lambda_1 >= ... >= lambda_k; k = D for D <= 3 (the full spectrum), else k = 1
 * (the maximal exponent only).
 *
 * Exponents are per step (natural log), for (a) the task's true map f, from its exact `jacobian`,
 * and (b) the learned net's map, from the rollout's reverse pass (jacobian.ts). Each initial state
 * is drawn by the task's sampler, iterated `burnin` steps without measuring (so transients of the
 * state and of the tangent vectors' alignment do not count), then `steps` measured steps; the result is averaged over the initial states that stayed
 * finite. The adjoint of BPTT through K steps grows or shrinks like exp(lambda_1 K) for large K,
 * which is why lambda_1 > 0 (chaos) means exploding gradients (Metz et al. 2021).
 *
 * The Jacobian is optional in the task contract (a user module may leave it out): then the task's
 * exponents are not available, `taskLyapunov` returns undefined, and callers report them as missing.
 */
import type { Net } from '../core/mlp.js';
import { derive } from '../core/rng.js';
import type { TaskInstance } from '../core/tasks.js';
import { NetJacobian } from './jacobian.js';

/** A differentiable map on batches of states. */
export interface TangentMap {
  readonly D: number;
  /** Writes J (B x D x D) at the states x (B x D), then advances x in place to g(x). */
  advance(x: Float64Array, B: number, J: Float64Array): void;
}

export interface LyapunovOptions {
  /** Measured steps per initial state. */
  steps: number;
  /** Unmeasured steps first, to reach the attractor. */
  burnin: number;
  /** Initial states averaged over. */
  samples: number;
  /** Seed of the initial states (the same states for the task and for the net). */
  seed: number | string;
  /** How many exponents; default D for D <= 3, else 1. */
  count?: number;
}

export const lyapunovDefaults: LyapunovOptions = { steps: 1000, burnin: 100, samples: 32, seed: 1 };

export interface LyapunovResult {
  /** lambda_1 >= lambda_2 >= ..., mean over the initial states that stayed finite (NaN if none did). */
  exponents: number[];
  /** Standard deviation of each exponent across initial states. */
  std: number[];
  /** Initial states that stayed finite / all initial states. */
  used: number;
  samples: number;
  steps: number;
  burnin: number;
}

/** The task's true step f with its exact Jacobian. */
export function taskMap(task: TaskInstance): TangentMap {
  const D = task.D;
  const jacobian = task.jacobian?.bind(task);
  if (!jacobian) throw new Error(`task ${task.name} has no jacobian`);
  return {
    D,
    advance(x, B, J) {
      for (let s = 0; s < B; s++) {
        jacobian(x, s * D, J.subarray(s * D * D, (s + 1) * D * D));
        task.step(x, s * D, x, s * D);
      }
    },
  };
}

/** The learned net's map o -> N(phi(o)) (+ o if residual), Jacobians from the reverse pass. */
export function netMap(net: Net, theta: Float64Array): TangentMap {
  const jac = new NetJacobian(net, theta);
  return {
    D: net.spec.D,
    advance(x, B, J) {
      jac.at(x, B, J, x);
    },
  };
}

/** B initial states from the task's sampler, from a stream that depends on the seed only. */
export function initialStates(task: TaskInstance, B: number, seed: number | string): Float64Array {
  const rng = derive(seed, `lyapunov/${task.name}`);
  const x = new Float64Array(B * task.D);
  for (let s = 0; s < B; s++) task.sample(rng, x, s * task.D);
  return x;
}

/** The QR method from the B states x0 (copied, not modified). */
export function lyapunovSpectrum(map: TangentMap, x0: Float64Array, B: number, opts: Omit<LyapunovOptions, 'seed' | 'samples'>): LyapunovResult {
  const D = map.D;
  const k = Math.min(D, opts.count ?? (D <= 3 ? D : 1));
  if (!(k >= 1)) throw new Error(`lyapunov: count must be >= 1, got ${opts.count}`);
  const DD = D * D;
  const x = Float64Array.from(x0.subarray(0, B * D));
  const J = new Float64Array(B * DD);
  // Q: per sample a D x k matrix, column c at Q[s D k + r k + c]; start from the first k unit vectors.
  const Q = new Float64Array(B * D * k);
  const V = new Float64Array(D * k);
  for (let s = 0; s < B; s++) for (let c = 0; c < k; c++) Q[s * D * k + c * k + c] = 1;
  const sums = new Float64Array(B * k);
  // The burn-in steps align the tangent vectors too; their stretching factors are not counted.
  for (let t = -opts.burnin; t < opts.steps; t++) {
    map.advance(x, B, J);
    const count = t >= 0;
    for (let s = 0; s < B; s++) {
      const jo = s * DD;
      const qo = s * D * k;
      // V = J Q
      for (let r = 0; r < D; r++) {
        for (let c = 0; c < k; c++) {
          let acc = 0;
          for (let m = 0; m < D; m++) acc += J[jo + r * D + m] * Q[qo + m * k + c];
          V[r * k + c] = acc;
        }
      }
      // Modified Gram-Schmidt, twice for the projections (reorthogonalisation).
      for (let c = 0; c < k; c++) {
        for (let pass = 0; pass < 2; pass++) {
          for (let p = 0; p < c; p++) {
            let dot = 0;
            for (let r = 0; r < D; r++) dot += V[r * k + c] * V[r * k + p];
            for (let r = 0; r < D; r++) V[r * k + c] -= dot * V[r * k + p];
          }
        }
        let n = 0;
        for (let r = 0; r < D; r++) n += V[r * k + c] * V[r * k + c];
        n = Math.sqrt(n);
        // An exactly singular step (e.g. the logistic map at x = 1/2) would give ln 0 = -inf:
        // floor it, and restart the lost direction from a unit vector orthogonal to the others.
        if (count) sums[s * k + c] += Math.log(Math.max(n, Number.MIN_VALUE));
        if (n > 0) {
          for (let r = 0; r < D; r++) V[r * k + c] /= n;
        } else if (Number.isFinite(n)) {
          reseed(V, D, k, c);
        }
      }
      for (let q = 0; q < D * k; q++) Q[qo + q] = V[q];
    }
  }
  const exponents: number[] = [];
  const std: number[] = [];
  let used = 0;
  const ok: boolean[] = [];
  for (let s = 0; s < B; s++) {
    let finite = true;
    for (let d = 0; d < D; d++) if (!Number.isFinite(x[s * D + d])) finite = false;
    for (let c = 0; c < k; c++) if (!Number.isFinite(sums[s * k + c])) finite = false;
    ok.push(finite);
    if (finite) used++;
  }
  for (let c = 0; c < k; c++) {
    let m = 0;
    for (let s = 0; s < B; s++) if (ok[s]) m += sums[s * k + c] / opts.steps;
    m = used > 0 ? m / used : NaN;
    let v = 0;
    for (let s = 0; s < B; s++) if (ok[s]) v += (sums[s * k + c] / opts.steps - m) ** 2;
    exponents.push(m);
    std.push(used > 1 ? Math.sqrt(v / (used - 1)) : used === 1 ? 0 : NaN);
  }
  return { exponents, std, used, samples: B, steps: opts.steps, burnin: opts.burnin };
}

/**
 * Exponents of the task's true map, averaged over `samples` initial states from its sampler;
 * undefined when the task has no Jacobian.
 */
export function taskLyapunov(task: TaskInstance, opts: Partial<LyapunovOptions> = {}): LyapunovResult | undefined {
  if (!task.jacobian) return undefined;
  const o = { ...lyapunovDefaults, ...opts };
  return lyapunovSpectrum(taskMap(task), initialStates(task, o.samples, o.seed), o.samples, o);
}

/** Exponents of the net's map, from the same initial states as `taskLyapunov` with the same options. */
export function netLyapunov(net: Net, theta: Float64Array, task: TaskInstance, opts: Partial<LyapunovOptions> = {}): LyapunovResult {
  const o = { ...lyapunovDefaults, ...opts };
  if (net.spec.D !== task.D) throw new Error(`net has D = ${net.spec.D}, task ${task.name} has D = ${task.D}`);
  return lyapunovSpectrum(netMap(net, theta), initialStates(task, o.samples, o.seed), o.samples, o);
}

/** Column c of V (D x k) := a unit vector orthogonal to columns 0..c-1. */
function reseed(V: Float64Array, D: number, k: number, c: number): void {
  for (let e = 0; e < D; e++) {
    for (let r = 0; r < D; r++) V[r * k + c] = r === e ? 1 : 0;
    for (let p = 0; p < c; p++) {
      const dot = V[e * k + p];
      for (let r = 0; r < D; r++) V[r * k + c] -= dot * V[r * k + p];
    }
    let n = 0;
    for (let r = 0; r < D; r++) n += V[r * k + c] * V[r * k + c];
    n = Math.sqrt(n);
    if (n > 1e-8) {
      for (let r = 0; r < D; r++) V[r * k + c] /= n;
      return;
    }
  }
}
