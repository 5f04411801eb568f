/**
 * Per-K gradient-health diagnostics of one network on one task: what `kstep health` prints and what
 * a sweep writes to health.csv, one row per K.
 *
 * For each K, on `samples` fresh initial states of the task (the same states at every K):
 *   loss, nmse      terminal MSE of the net's K-step rollout against f^K(o_0), and as nmse
 *   grad_norm       ||dL/dtheta|| of BPTT through all K steps, whole batch
 *   adjoint_ratio   ||a_0|| / ||a_K||, adjoint_rate = its ln / K, adjoint_step = exp(rate)
 *   snr             gradient signal-to-noise over minibatches (snr.ts)
 *   jac_norm        geometric mean over steps and samples of sigma_max(J_t) along the net's rollout
 *   jac_max         the largest sigma_max(J_t) met; jac_radius: geometric mean spectral radius
 *   jac_cum_rate    mean ln sigma_max(J_{K-1}...J_0) / K: the finite-time exponent along the rollout
 * and, the same in every row (they do not depend on K):
 *   lyap_net        maximal Lyapunov exponent of the net's map (lyapunov.ts)
 *   lyap_task       maximal Lyapunov exponent of the task's true map
 *   pascanu_bound   gamma^(L-1) prod ||W_l|| ||J_phi|| (pascanu.ts); bound < 1 means vanishing for sure
 *   label           classify.ts on the adjoint rate (the net's lambda_1 when there is no ratio)
 */
import type { Net } from '../core/mlp.js';
import { Dataset, targetVariance } from '../core/objective.js';
import { derive } from '../core/rng.js';
import { Rollout } from '../core/rollout.js';
import { type Setup, assemble } from '../core/setup.js';
import type { TaskInstance } from '../core/tasks.js';
import { type Health, summarizeAdjoints } from './classify.js';
import { jacobianProfile, summarizeProfile } from './jacobian.js';
import { type LyapunovOptions, type LyapunovResult, lyapunovDefaults, netLyapunov, taskLyapunov } from './lyapunov.js';
import { type PascanuBound, pascanuBound } from './pascanu.js';
import { type SnrOptions, gradientSnr, snrDefaults } from './snr.js';

export interface HealthRow {
  K: number;
  loss: number;
  nmse: number;
  grad_norm: number;
  adjoint_ratio: number;
  adjoint_rate: number;
  adjoint_step: number;
  snr: number;
  jac_norm: number;
  jac_max: number;
  jac_radius: number;
  jac_cum_rate: number;
  lyap_net: number;
  lyap_task: number;
  pascanu_bound: number;
  label: Health;
}

/** health.csv result columns, in order (a sweep puts its descriptor columns before them). */
export const healthColumns: readonly (keyof HealthRow)[] = [
  'K',
  'loss',
  'nmse',
  'grad_norm',
  'adjoint_ratio',
  'adjoint_rate',
  'adjoint_step',
  'snr',
  'jac_norm',
  'jac_max',
  'jac_radius',
  'jac_cum_rate',
  'lyap_net',
  'lyap_task',
  'pascanu_bound',
  'label',
];

export interface DiagnoseOptions {
  /** The Ks, each >= 1. */
  Ks: readonly number[];
  /** Initial states for loss, gradient, adjoints and Jacobians. */
  samples: number;
  /** Minibatches for the gradient SNR. */
  snr: Partial<SnrOptions>;
  /** Lyapunov exponents of net and task; `false` skips them (NaN columns). */
  lyapunov: Partial<LyapunovOptions> | false;
  /** Seed of every set of initial states. */
  seed: number | string;
}

export const diagnoseDefaults: DiagnoseOptions = {
  Ks: [1, 2, 4, 8, 16, 32, 64],
  samples: 256,
  snr: snrDefaults,
  lyapunov: { steps: 500, burnin: 100, samples: 32 },
  seed: 1,
};

export interface Diagnosis {
  rows: HealthRow[];
  pascanu: PascanuBound;
  lyapunov: { net: LyapunovResult | undefined; task: LyapunovResult | undefined };
}

/** The diagnostics of the net at theta on the task, one row per K (in the order given). */
export function diagnose(task: TaskInstance, net: Net, theta: Float64Array, options: Partial<DiagnoseOptions> = {}): Diagnosis {
  const o = { ...diagnoseDefaults, ...options };
  const Ks = [...o.Ks];
  for (const K of Ks) if (!Number.isInteger(K) || K < 1) throw new Error(`diagnose: K must be a positive integer, got ${K}`);
  if (net.spec.D !== task.D) throw new Error(`net has D = ${net.spec.D}, task ${task.name} has D = ${task.D}`);
  const D = task.D;
  const B = o.samples;
  const Kmax = Math.max(...Ks);
  const data = new Dataset(task, B, Kmax, derive(o.seed, `health/${task.name}`));
  const x0 = data.states[0];

  let lyapNet: LyapunovResult | undefined;
  let lyapTask: LyapunovResult | undefined;
  if (o.lyapunov !== false) {
    const lo = { ...lyapunovDefaults, ...o.lyapunov, seed: o.seed };
    lyapTask = taskLyapunov(task, lo);
    lyapNet = netLyapunov(net, theta, task, lo);
  }
  const lambdaNet = lyapNet ? lyapNet.exponents[0] : NaN;
  const lambdaTask = lyapTask ? lyapTask.exponents[0] : NaN;

  const profile = jacobianProfile(net, theta, x0, B, Kmax);
  // ||J_phi|| at the states the rollout visits (matters for poly2 only), first 64 samples.
  const visited: number[] = [];
  for (let t = 0; t <= Kmax; t++) {
    for (let s = 0; s < Math.min(B, 64); s++) {
      const at = (t * B + s) * D;
      const st = Array.from(profile.states.subarray(at, at + D));
      if (st.every(Number.isFinite)) visited.push(...st);
    }
  }
  const pascanu = pascanuBound(net, theta, visited.length ? Float64Array.from(visited) : undefined);
  const snr = gradientSnr(task, net, theta, Ks, { ...o.snr, seed: o.seed });

  const rollout = new Rollout(net);
  const grad = new Float64Array(net.nParams);
  const rows = Ks.map((K, i): HealthRow => {
    const y = data.states[K];
    const loss = rollout.lossAndGrad(theta, x0, y, B, K, grad);
    let sq = 0;
    for (let k = 0; k < grad.length; k++) sq += grad[k] * grad[k];
    const gradNorm = Math.sqrt(sq);
    const adj = summarizeAdjoints(rollout.adjointNorms.subarray(0, K + 1), lambdaNet);
    const finite = Number.isFinite(loss) && Number.isFinite(gradNorm);
    const jac = summarizeProfile(profile, K);
    return {
      K,
      loss,
      nmse: loss / targetVariance(y, D),
      grad_norm: gradNorm,
      adjoint_ratio: adj.ratio,
      adjoint_rate: adj.rate,
      adjoint_step: Math.exp(adj.rate),
      snr: snr[i].snr,
      jac_norm: jac.sigma,
      jac_max: jac.sigmaMax,
      jac_radius: jac.radius,
      jac_cum_rate: jac.cumRate,
      lyap_net: lambdaNet,
      lyap_task: lambdaTask,
      pascanu_bound: pascanu.bound,
      label: finite ? adj.label : 'nonfinite',
    };
  });
  return { rows, pascanu, lyapunov: { net: lyapNet, task: lyapTask } };
}

/** 1, 2, 4, ... up to K, and K itself. */
export function powersUpTo(K: number): number[] {
  const out: number[] = [];
  for (let k = 1; k < K; k *= 2) out.push(k);
  out.push(K);
  return out;
}

/**
 * health.csv rows of one sweep cell: the diagnostics of theta (the cell's initial or trained
 * parameters) on the cell's task, at K = 1, 2, 4, ... up to the cell's K and the cell's K itself,
 * from initial states drawn from the cell's seed (independent of the training data). Deterministic:
 * the same setup and theta give the same rows anywhere. `Ks: [setup.K]` gives the one row for
 * cells.csv. Rows are flat records whose keys are `healthColumns`.
 */
export function cellHealthRows(setup: Setup, theta: Float64Array, options: Partial<DiagnoseOptions> = {}): HealthRow[] {
  const { task, net } = buildCellNet(setup);
  if (theta.length !== net.nParams) throw new Error(`theta has ${theta.length} entries, the cell's net has ${net.nParams}`);
  return diagnose(task, net, theta, { Ks: powersUpTo(setup.K), seed: setup.seed, ...options }).rows;
}

/** The task and net of a setup (core/setup.ts), without drawing its data or parameters. */
export function buildCellNet(setup: Setup): { task: TaskInstance; net: Net } {
  const { task, net } = assemble(setup);
  return { task, net };
}
