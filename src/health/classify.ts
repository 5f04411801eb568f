/**
 * Gradient health labels, with documented thresholds.
 *
 * The adjoint a_t = dL/do_t obeys a_t = J_t^T a_{t+1}. Its mean log-growth per step backwards,
 *
 *   rate = ln(||a_0|| / ||a_K||) / K,
 *
 * tends, for large K and a generic a_K, to the net's maximal Lyapunov exponent lambda_1 along its
 * own rollout (lyapunov.ts). The label asks whether the signal that reaches the first step has been
 * scaled by more than a factor 100 either way over the K steps:
 *
 *   nonfinite  a loss, gradient or adjoint norm is NaN or infinite
 *   vanishing  rate < -ln(100) / K     (less than 1% of the terminal signal reaches o_0)
 *   exploding  rate > +ln(100) / K     (the first step's gradient is amplified more than 100-fold)
 *   healthy    otherwise
 *
 * So the per-step threshold is ln(100)/K = 4.6/K: 0.29 per step at K = 16, 0.072 at K = 64. A net
 * with lambda_1 = 0.49 (the logistic map at r = 3.9) crosses it at K = 10; a contracting net with
 * lambda_1 = -0.1 at K = 47.
 *
 * The measured rate decides when it exists. When it does not (a perfect fit gives a_K = 0, so no
 * ratio), the net's Lyapunov exponent stands in for it: lambda_1 K against the same +-ln(100). The
 * exponent alone also gives the regime, independent of K: contracting (lambda_1 < -0.001 per step,
 * vanishing at large enough K), neutral (|lambda_1| <= 0.001: fewer than 1 e-fold in 1000 steps; Lorenz at dt = 0.01 has 0.009) or
 * expanding (lambda_1 > 0.001: chaotic dynamics, exploding at large enough K).
 */

export const healthLabels = ['healthy', 'vanishing', 'exploding', 'nonfinite'] as const;
export type Health = (typeof healthLabels)[number];

/** Below this ratio ||a_0||/||a_K|| less than 1% of the signal reaches o_0: vanishing. */
export const VANISHING_RATIO = 1e-2;
/** Above this the first step's gradient is amplified 100-fold: exploding. */
export const EXPLODING_RATIO = 1e2;
/** |ln ratio| beyond which the label is not healthy: ln(100). */
export const LOG_RATIO_LIMIT = Math.log(EXPLODING_RATIO);
/** |lambda_1| per step below which the dynamics count as neutral. */
export const LYAPUNOV_TOLERANCE = 1e-3;

export const regimeNames = ['contracting', 'neutral', 'expanding', 'nonfinite'] as const;
export type Regime = (typeof regimeNames)[number];

/** The per-step rate threshold at K: ln(100) / K. */
export function rateThreshold(K: number): number {
  return LOG_RATIO_LIMIT / K;
}

/** Label of a per-step log-growth rate over K steps (NaN rate: nonfinite). */
export function labelRate(rate: number, K: number): Health {
  if (Number.isNaN(rate)) return 'nonfinite';
  const h = rate * K;
  return h < -LOG_RATIO_LIMIT ? 'vanishing' : h > LOG_RATIO_LIMIT ? 'exploding' : 'healthy';
}

/** The K-independent regime of a Lyapunov exponent. */
export function lyapunovRegime(lambda: number): Regime {
  if (Number.isNaN(lambda)) return 'nonfinite';
  return lambda < -LYAPUNOV_TOLERANCE ? 'contracting' : lambda > LYAPUNOV_TOLERANCE ? 'expanding' : 'neutral';
}

export interface HealthInput {
  K: number;
  /** Measured ln(||a_0||/||a_K||)/K; NaN or undefined when there is no ratio (a_K = 0). */
  rate?: number;
  /** The net's maximal Lyapunov exponent, if measured. */
  lyapunov?: number;
  /** false if a loss, gradient or adjoint norm was non-finite. */
  finite?: boolean;
}

/** The label, by the rules at the top of this file. */
export function classifyHealth(h: HealthInput): Health {
  if (h.finite === false) return 'nonfinite';
  if (h.rate !== undefined && !Number.isNaN(h.rate)) return labelRate(h.rate, h.K);
  if (h.lyapunov !== undefined && Number.isFinite(h.lyapunov)) return labelRate(h.lyapunov, h.K);
  if (h.lyapunov !== undefined && !Number.isNaN(h.lyapunov)) return 'nonfinite';
  // No signal to classify (a perfect fit), nothing measured that says otherwise.
  return 'healthy';
}

export interface AdjointSummary {
  /** ||a_0|| / ||a_K||. */
  ratio: number;
  /** ln(ratio) / K: mean log-growth of the adjoint per step backwards. */
  rate: number;
  label: Health;
}

/**
 * Summary of an adjoint profile ||a_t||, t = 0..K. `lyapunov` (the net's lambda_1) is used only when
 * the profile carries no ratio (a zero terminal adjoint).
 */
export function summarizeAdjoints(norms: ArrayLike<number>, lyapunov?: number): AdjointSummary {
  const K = norms.length - 1;
  for (let t = 0; t <= K; t++) {
    if (!Number.isFinite(norms[t])) return { ratio: NaN, rate: NaN, label: 'nonfinite' };
  }
  const ratio = norms[0] / norms[K];
  // A zero terminal adjoint (a perfect fit) carries no signal: no ratio.
  if (!Number.isFinite(ratio)) return { ratio: NaN, rate: NaN, label: classifyHealth({ K, lyapunov }) };
  const rate = Math.log(ratio) / K;
  return { ratio, rate, label: classifyHealth({ K, rate, lyapunov }) };
}
