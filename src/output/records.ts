/**
 * JSON records that other tools read: the net with its parameter layout, `run --save-params`
 * (a trained network) and `gradcheck --json` (a gradient any framework can recompute).
 * Non-finite numbers are written as null (JSON has no NaN).
 */
import type { Net } from '../core/mlp.js';
import type { TaskInstance } from '../core/tasks.js';
import { version } from '../version.js';

export interface LayerLayout {
  layer: number;
  W: { offset: number; rows: number; cols: number };
  b: { offset: number; size: number };
}

export function netRecord(net: Net) {
  const layers: LayerLayout[] = [];
  for (let l = 1; l <= net.L; l++) {
    layers.push({
      layer: l,
      W: { offset: net.wOff[l - 1], rows: net.sizes[l - 1], cols: net.sizes[l] },
      b: { offset: net.bOff[l - 1], size: net.sizes[l] },
    });
  }
  return {
    D: net.spec.D,
    features: net.spec.features,
    hidden: [...net.spec.hidden],
    activation: net.spec.activation,
    residual: net.spec.residual,
    sizes: [...net.sizes],
    n_params: net.nParams,
    layout: layers,
    convention:
      'o_{t+1} = h_L (+ o_t if residual); h_0 = phi(o_t); h_l = act(h_{l-1} W_l + b_l) for l < L, h_L = h_{L-1} W_L + b_L; ' +
      'W_l is row-major [rows = fan_in][cols = fan_out] at offset, b_l follows it; rows of every matrix of states are samples',
  };
}

export function taskRecord(task: TaskInstance) {
  return { name: task.name, D: task.D, params: { ...task.params } };
}

/** B x D batch-major values as a list of rows. */
export function rows(values: Float64Array, D: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < values.length / D; s++) out.push(Array.from(values.subarray(s * D, (s + 1) * D)));
  return out;
}

export function header(format: string) {
  return { format, kstep: version };
}

/** JSON text with NaN/Inf as null and a trailing newline. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
