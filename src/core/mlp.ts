/**
 * The net N: an MLP from features phi(o) to the next state, with a linear output layer and an
 * optional residual form o_{t+1} = o_t + N(phi(o_t)).
 *
 * Parameter layout (one flat Float64Array, the same for every optimizer): for each layer
 * l = 1..L in order, W_l as a row-major [fan_in][fan_out] matrix (row = input unit), then b_l.
 * Layer sizes are [F, ...hidden, D]. A layer computes h_l = act(h_{l-1} W_l + b_l) on row vectors
 * (batch-major), the last layer without act. This is PyTorch's x @ W + b with W stored [in][out].
 */
import { UsageError } from '../errors.js';
import { type Activation, getActivation } from './activations.js';
import { type FeatureMap, getFeatureMap } from './features.js';
import type { Rng } from './rng.js';

export const initNames = ['xavier', 'he', 'orthogonal'] as const;
export type InitName = (typeof initNames)[number];

export interface NetSpec {
  /** State dimension. */
  readonly D: number;
  readonly features: string;
  readonly hidden: readonly number[];
  readonly activation: string;
  readonly residual: boolean;
}

export class Net {
  readonly act: Activation;
  readonly phi: FeatureMap;
  /** [F, ...hidden, D]. */
  readonly sizes: readonly number[];
  /** Number of weight layers L. */
  readonly L: number;
  /** Offsets of W_l and b_l in the parameter vector, index l-1 for layer l. */
  readonly wOff: readonly number[];
  readonly bOff: readonly number[];
  readonly nParams: number;

  constructor(readonly spec: NetSpec) {
    if (!Number.isInteger(spec.D) || spec.D < 1) throw new UsageError('D', `must be a positive integer, got ${spec.D}`);
    for (const h of spec.hidden) {
      if (!Number.isInteger(h) || h < 1) throw new UsageError('hidden', `sizes must be positive integers, got ${spec.hidden.join(',')}`);
    }
    this.act = getActivation(spec.activation);
    this.phi = getFeatureMap(spec.features);
    this.sizes = [this.phi.dim(spec.D), ...spec.hidden, spec.D];
    this.L = this.sizes.length - 1;
    const wOff: number[] = [];
    const bOff: number[] = [];
    let n = 0;
    for (let l = 1; l <= this.L; l++) {
      wOff.push(n);
      n += this.sizes[l - 1] * this.sizes[l];
      bOff.push(n);
      n += this.sizes[l];
    }
    this.wOff = wOff;
    this.bOff = bOff;
    this.nParams = n;
  }

  /** Human-readable layout, e.g. "W1[2][32] b1[32] W2[32][32] ...". */
  layout(): string {
    const parts: string[] = [];
    for (let l = 1; l <= this.L; l++) parts.push(`W${l}[${this.sizes[l - 1]}][${this.sizes[l]}] b${l}[${this.sizes[l]}]`);
    return parts.join(' ');
  }
}

/**
 * Initial parameters: weights from the scheme times `gain`, biases zero.
 * xavier: N(0, 2/(fan_in+fan_out)); he: N(0, 2/fan_in); orthogonal: a Haar-random matrix with
 * orthonormal rows or columns (Saxe et al. 2014).
 */
export function initParams(net: Net, init: InitName, gain: number, rng: Rng): Float64Array {
  const theta = new Float64Array(net.nParams);
  for (let l = 1; l <= net.L; l++) {
    const nin = net.sizes[l - 1];
    const nout = net.sizes[l];
    const W = theta.subarray(net.wOff[l - 1], net.wOff[l - 1] + nin * nout);
    if (init === 'orthogonal') orthogonal(W, nin, nout, rng);
    else rng.fillNormal(W, Math.sqrt(init === 'he' ? 2 / nin : 2 / (nin + nout)));
    for (let i = 0; i < W.length; i++) W[i] *= gain;
  }
  return theta;
}

/** Fills the row-major rows x cols matrix with orthonormal columns (rows >= cols) or rows. */
function orthogonal(W: Float64Array, rows: number, cols: number, rng: Rng): void {
  // Gram-Schmidt on the vectors of the shorter side of a Gaussian matrix gives the Q of a QR with
  // positive diag(R), which is Haar distributed.
  const n = Math.min(rows, cols);
  const len = Math.max(rows, cols);
  const v = Array.from({ length: n }, () => rng.fillNormal(new Float64Array(len)));
  for (let i = 0; i < n; i++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let k = 0; k < len; k++) dot += v[i][k] * v[j][k];
        for (let k = 0; k < len; k++) v[i][k] -= dot * v[j][k];
      }
    }
    let norm = 0;
    for (let k = 0; k < len; k++) norm += v[i][k] * v[i][k];
    norm = Math.sqrt(norm);
    for (let k = 0; k < len; k++) v[i][k] /= norm;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) W[r * cols + c] = rows >= cols ? v[c][r] : v[r][c];
  }
}
