// Feature maps phi: dimensions, values, and the vector-Jacobian product against finite differences.
import { describe, expect, it } from 'vitest';
import { featureMaps, featureNames, getFeatureMap } from '../../src/core/features.js';
import { Rng } from '../../src/core/rng.js';

describe('feature registry', () => {
  it('dims: identity D, fourier 3D, poly2 D + D(D+1)/2', () => {
    for (const D of [1, 2, 3, 5]) {
      expect(getFeatureMap('identity').dim(D)).toBe(D);
      expect(getFeatureMap('fourier').dim(D)).toBe(3 * D);
      expect(getFeatureMap('poly2').dim(D)).toBe(D + (D * (D + 1)) / 2);
    }
    expect(getFeatureMap('poly2').dim(3)).toBe(9);
  });

  it('refuses an unknown name, listing the allowed ones', () => {
    expect(() => getFeatureMap('rbf')).toThrow("features: unknown value 'rbf' (allowed: identity, fourier, poly2)");
  });

  it('values: fourier is [o, sin o, cos o], poly2 is [o, o_j o_k for j <= k]', () => {
    const o = new Float64Array([9, 0.3, -1.2, 2]); // the state is o[1..4)
    const out = new Float64Array(12).fill(7);
    getFeatureMap('fourier').apply(o, 1, 3, out, 2);
    expect(Array.from(out)).toEqual([7, 7, 0.3, -1.2, 2, Math.sin(0.3), Math.sin(-1.2), Math.sin(2), Math.cos(0.3), Math.cos(-1.2), Math.cos(2), 7]);
    out.fill(7);
    getFeatureMap('poly2').apply(o, 1, 3, out, 1);
    const [a, b, c] = [0.3, -1.2, 2];
    expect(Array.from(out)).toEqual([7, a, b, c, a * a, a * b, a * c, b * b, b * c, c * c, 7, 7]);
    out.fill(7);
    getFeatureMap('identity').apply(o, 1, 3, out, 0);
    expect(Array.from(out.subarray(0, 4))).toEqual([a, b, c, 7]);
  });
});

describe.each(featureNames)('%s', (name) => {
  const phi = featureMaps.get(name)!;

  it.each([1, 2, 3])('vjp matches central differences of apply, D = %i', (D) => {
    const rng = new Rng(`features/${name}/${D}`);
    const F = phi.dim(D);
    const h = 1e-5;
    for (let trial = 0; trial < 20; trial++) {
      // Offsets everywhere, to catch an index that ignores them.
      const io = 2;
      const o = rng.fillNormal(new Float64Array(D + io + 1), 1.5);
      const gi0 = 3;
      const gi = rng.fillNormal(new Float64Array(F + gi0));
      const g0 = 1;
      const base = rng.fillNormal(new Float64Array(D + g0 + 2));
      const go = Float64Array.from(base);
      phi.vjp(o, io, D, gi, gi0, go, g0);
      // fd_d = sum_f gi_f (phi_f(o + h e_d) - phi_f(o - h e_d)) / 2h
      const up = new Float64Array(F);
      const down = new Float64Array(F);
      for (let d = 0; d < D; d++) {
        const op = Float64Array.from(o);
        const om = Float64Array.from(o);
        op[io + d] += h;
        om[io + d] -= h;
        phi.apply(op, io, D, up, 0);
        phi.apply(om, io, D, down, 0);
        let fd = 0;
        for (let f = 0; f < F; f++) fd += (gi[gi0 + f] * (up[f] - down[f])) / (2 * h);
        // vjp accumulates into go.
        expect(go[g0 + d] - base[g0 + d]).toBeCloseTo(fd, 8);
      }
      // Entries outside [g0, g0 + D) are untouched.
      expect(go[0]).toBe(base[0]);
      for (let k = g0 + D; k < go.length; k++) expect(go[k]).toBe(base[k]);
    }
  });
});
