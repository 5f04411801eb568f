/**
 * Feature maps phi: the network's input i_t = phi(o_t). Each map works on one sample at a time
 * (D is small) and has a vector-Jacobian product so the reverse pass can go through it.
 */
import { unknownName } from '../errors.js';

export interface FeatureMap {
  readonly name: string;
  readonly help: string;
  /** Number of features F for a state of dimension D. */
  dim(D: number): number;
  /** out[oo .. oo+F) = phi(o[io .. io+D)). */
  apply(o: Float64Array, io: number, D: number, out: Float64Array, oo: number): void;
  /** go[g0 .. g0+D) += J_phi(o)^T gi[gi0 .. gi0+F). */
  vjp(o: Float64Array, io: number, D: number, gi: Float64Array, gi0: number, go: Float64Array, g0: number): void;
}

const identity: FeatureMap = {
  name: 'identity',
  help: 'i = o',
  dim: (D) => D,
  apply(o, io, D, out, oo) {
    for (let d = 0; d < D; d++) out[oo + d] = o[io + d];
  },
  vjp(_o, _io, D, gi, gi0, go, g0) {
    for (let d = 0; d < D; d++) go[g0 + d] += gi[gi0 + d];
  },
};

const fourier: FeatureMap = {
  name: 'fourier',
  help: 'i = [o, sin(o), cos(o)] (3D features)',
  dim: (D) => 3 * D,
  apply(o, io, D, out, oo) {
    for (let d = 0; d < D; d++) {
      const x = o[io + d];
      out[oo + d] = x;
      out[oo + D + d] = Math.sin(x);
      out[oo + 2 * D + d] = Math.cos(x);
    }
  },
  vjp(o, io, D, gi, gi0, go, g0) {
    for (let d = 0; d < D; d++) {
      const x = o[io + d];
      go[g0 + d] += gi[gi0 + d] + Math.cos(x) * gi[gi0 + D + d] - Math.sin(x) * gi[gi0 + 2 * D + d];
    }
  },
};

const poly2: FeatureMap = {
  name: 'poly2',
  help: 'i = [o, o_j o_k for j <= k] (D + D(D+1)/2 features)',
  dim: (D) => D + (D * (D + 1)) / 2,
  apply(o, io, D, out, oo) {
    let q = oo + D;
    for (let j = 0; j < D; j++) {
      out[oo + j] = o[io + j];
      for (let k = j; k < D; k++) out[q++] = o[io + j] * o[io + k];
    }
  },
  vjp(o, io, D, gi, gi0, go, g0) {
    let q = gi0 + D;
    for (let j = 0; j < D; j++) {
      go[g0 + j] += gi[gi0 + j];
      for (let k = j; k < D; k++) {
        const g = gi[q++];
        go[g0 + j] += g * o[io + k];
        go[g0 + k] += g * o[io + j];
      }
    }
  },
};

const list = [identity, fourier, poly2];
export const featureMaps: ReadonlyMap<string, FeatureMap> = new Map(list.map((f) => [f.name, f]));
export const featureNames: readonly string[] = list.map((f) => f.name);

export function getFeatureMap(name: string): FeatureMap {
  const f = featureMaps.get(name);
  if (!f) throw unknownName('features', name, featureNames);
  return f;
}
