/**
 * Gradient health from the adjoint profile a_t = dL/do_t, t = K..0. The ratio ||a_0|| / ||a_K||
 * says how much of the terminal error signal reaches the first step; its K-th root is the mean
 * growth per step.
 */

export const healthLabels = ['healthy', 'vanishing', 'exploding', 'nan'] as const;
export type Health = (typeof healthLabels)[number];

/** Below this ratio less than 1% of the signal reaches o_0: vanishing. */
export const VANISHING_RATIO = 1e-2;
/** Above this the first step's gradient is amplified 100-fold: exploding. */
export const EXPLODING_RATIO = 1e2;

export interface AdjointSummary {
  /** ||a_0|| / ||a_K||. */
  ratio: number;
  /** ln(ratio) / K: mean log-growth of the adjoint per step backwards. */
  rate: number;
  label: Health;
}

export function summarizeAdjoints(norms: ArrayLike<number>): AdjointSummary {
  const K = norms.length - 1;
  for (let t = 0; t <= K; t++) {
    if (!Number.isFinite(norms[t])) return { ratio: NaN, rate: NaN, label: 'nan' };
  }
  const ratio = norms[0] / norms[K];
  const rate = Math.log(ratio) / K;
  // A zero terminal adjoint (a perfect fit) carries no signal to classify.
  if (!Number.isFinite(ratio)) return { ratio: NaN, rate: NaN, label: 'healthy' };
  const label: Health = ratio < VANISHING_RATIO ? 'vanishing' : ratio > EXPLODING_RATIO ? 'exploding' : 'healthy';
  return { ratio, rate, label };
}
