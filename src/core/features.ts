/**
 * Feature maps phi: the network's input i_t = phi(o_t). Each map works on one sample at a time
 * (D is small). The built-in maps have a vector-Jacobian product so the reverse pass can go through
 * them; a map from a user's task module may come without one (a thresholded or table-driven
 * feature): then nothing can differentiate through it, and only the evolutionary optimizers train
 * a net that uses it.
 */
import { UsageError, unknownName } from '../errors.js';

export interface FeatureMap {
  readonly name: string;
  readonly help: string;
  /** Number of features F for a state of dimension D. */
  dim(D: number): number;
  /** out[oo .. oo+F) = phi(o[io .. io+D)). */
  apply(o: Float64Array, io: number, D: number, out: Float64Array, oo: number): void;
  /** go[g0 .. g0+D) += J_phi(o)^T gi[gi0 .. gi0+F); absent for a map nothing can differentiate. */
  vjp?(o: Float64Array, io: number, D: number, gi: Float64Array, gi0: number, go: Float64Array, g0: number): void;
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
const registry = new Map<string, FeatureMap>(list.map((f) => [f.name, f]));
export const featureMaps: ReadonlyMap<string, FeatureMap> = registry;
/** The names of every map, those registered by loaded task modules included. */
export const featureNames: readonly string[] = list.map((f) => f.name);

/** Adds a map of a loaded task module; registering the same object again is a no-op. */
export function registerFeatureMap(f: FeatureMap): void {
  const known = registry.get(f.name);
  if (known === f) return;
  if (known) throw new UsageError('features', `a feature map named ${f.name} exists already`);
  registry.set(f.name, f);
  (featureNames as string[]).push(f.name);
}

/** The vector-Jacobian product of a map, or a usage error naming what needs it. */
export function requireVjp(f: FeatureMap, what: string): NonNullable<FeatureMap['vjp']> {
  if (!f.vjp) throw new UsageError('features', `${what} differentiates through the feature map, and ${f.name} has no vjp (only ga, es, cmaes and random can train it)`);
  return f.vjp.bind(f);
}

export function getFeatureMap(name: string): FeatureMap {
  const f = featureMaps.get(name);
  if (!f) throw unknownName('features', name, featureNames);
  return f;
}
