/**
 * One sentence of diagnosis from the gradient-health numbers of a net at initialisation and after
 * training (what `kstep advise` prints under its health table). Every clause is a function of the
 * numbers it quotes, so two sets of numbers that differ in regime give different sentences.
 */
import type { Health } from './classify.js';

/** The health numbers of one net at the K it is trained at; NaN where not available. */
export interface HealthNumbers {
  /** ||a_0|| / ||a_K||. */
  ratio: number;
  /** ln(ratio) / K, per step. */
  rate: number;
  /** Gradient signal-to-noise ratio over minibatches. */
  snr: number;
  /** Maximal Lyapunov exponent of the net's map, per step. */
  lyapNet: number;
  /** Pascanu's bound on ||J_t||: below 1, vanishing is certain. */
  pascanu: number;
  label: Health | string;
}

/** Exponents within this of 0 per step count as neutral (as classify.ts's regimes). */
const NEUTRAL = 1e-3;

function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-2 || a >= 1e4)) return x.toExponential(1).replace('e+', 'e');
  return String(Number(x.toPrecision(2)));
}

function regime(h: HealthNumbers, K: number): string {
  const r = `||a_0||/||a_K|| = ${num(h.ratio)}, ${num(h.rate)} per step`;
  switch (h.label) {
    case 'nonfinite':
      return 'the loss or its gradient is not finite';
    case 'vanishing':
      return `the gradient vanishes through the ${K} steps (${r})`;
    case 'exploding':
      return `the gradient explodes through the ${K} steps (${r})`;
    case 'healthy':
      return `the gradient reaches o_0 (${r})`;
    default:
      return 'the gradient was not measured';
  }
}

/**
 * The diagnosis: the regime at initialisation (with Pascanu's bound when it proves vanishing), the
 * task's own exponent when known (a chaotic task makes exploding gradients unavoidable for a net
 * that fits it), the regime after training of the net named `after`, and the gradient SNR after
 * training when it is at the level of noise (`noiseSnr`, about 1/sqrt(M - 1) for M minibatches).
 */
export function diagnosisSentence(K: number, init: HealthNumbers, after: HealthNumbers | undefined, afterName: string, lyapTask: number, noiseSnr: number): string {
  const parts: string[] = [];
  let first = `At initialisation ${regime(init, K)}`;
  if (init.label === 'vanishing' && init.pascanu < 1) first += `, as Pascanu's bound ${num(init.pascanu)} < 1 guarantees`;
  else if (init.label === 'vanishing' && Number.isFinite(init.lyapNet) && init.lyapNet < -NEUTRAL) first += `, the net's map contracting at ${num(init.lyapNet)} per step`;
  parts.push(first);
  if (Number.isFinite(lyapTask)) {
    if (lyapTask > NEUTRAL) parts.push(`the task is chaotic (Lyapunov exponent ${num(lyapTask)} per step), so a net that fits it at K = ${K} must have gradients growing like exp(${num(lyapTask)} K)`);
    else if (lyapTask < -NEUTRAL) parts.push(`the task contracts (Lyapunov exponent ${num(lyapTask)} per step)`);
    else parts.push(`the task is neutral (Lyapunov exponent ${num(lyapTask)} per step)`);
  }
  if (after) {
    let last = `after training (${afterName}) ${regime(after, K)}`;
    if (after.label === init.label && init.label !== 'healthy') last += ', so training did not change the regime';
    if (Number.isFinite(after.snr) && after.snr <= noiseSnr) last += `, with a gradient SNR of ${num(after.snr)}, no better than noise (${num(noiseSnr)})`;
    parts.push(last);
  }
  return `${parts.join('; ')}.`;
}
