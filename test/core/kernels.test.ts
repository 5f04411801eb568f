// The register-tiled kernels against plain loops that sum in the same order, on every combination of
// small sizes (so every tile-remainder path runs) and at nonzero offsets. The kernels promise a fixed
// summation order, so the results agree bit for bit.
import { expect, it } from 'vitest';
import { denseForward, denseInputGrad, denseParamGrad } from '../../src/core/kernels.js';
import { derive } from '../../src/core/rng.js';

const rng = derive(1, 'test/kernels');
const rand = (n: number): Float64Array => rng.fillNormal(new Float64Array(n));

function firstDiff(a: Float64Array, b: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

it('dense kernels equal naive loops bit for bit on every small shape', () => {
  const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 32];
  const batches = [1, 2, 3, 4, 5, 6, 7, 64, 67];
  let cases = 0;
  const mismatches: string[] = [];
  for (const B of batches) {
    for (const nin of sizes) {
      for (const nout of sizes) {
        const off = 3;
        const w = off;
        const bo = w + nin * nout;
        const theta = rand(bo + nout + 2);
        const X = rand(off + B * nin + 1);
        const GY = rand(off + B * nout + 1);

        const Y = rand(off + B * nout + 1);
        const Yr = Y.slice();
        denseForward(theta, w, bo, nin, nout, X, off, Y, off, B);
        for (let s = 0; s < B; s++) {
          for (let j = 0; j < nout; j++) {
            let a = theta[bo + j];
            for (let i = 0; i < nin; i++) a += X[off + s * nin + i] * theta[w + i * nout + j];
            Yr[off + s * nout + j] = a;
          }
        }

        const GX = rand(off + B * nin + 1);
        const GXr = GX.slice();
        denseInputGrad(theta, w, nin, nout, GY, off, GX, off, B);
        for (let s = 0; s < B; s++) {
          for (let i = 0; i < nin; i++) {
            let a = 0;
            for (let j = 0; j < nout; j++) a += GY[off + s * nout + j] * theta[w + i * nout + j];
            GXr[off + s * nin + i] = a;
          }
        }

        const G = rand(theta.length);
        const Gr = G.slice();
        denseParamGrad(G, w, bo, nin, nout, X, off, GY, off, B);
        for (let j = 0; j < nout; j++) {
          let a = Gr[bo + j];
          for (let s = 0; s < B; s++) a += GY[off + s * nout + j];
          Gr[bo + j] = a;
        }
        for (let i = 0; i < nin; i++) {
          for (let j = 0; j < nout; j++) {
            let a = Gr[w + i * nout + j];
            for (let s = 0; s < B; s++) a += X[off + s * nin + i] * GY[off + s * nout + j];
            Gr[w + i * nout + j] = a;
          }
        }

        for (const [name, got, want] of [
          ['denseForward', Y, Yr],
          ['denseInputGrad', GX, GXr],
          ['denseParamGrad', G, Gr],
        ] as const) {
          const k = firstDiff(got, want);
          if (k >= 0) mismatches.push(`${name} B=${B} nin=${nin} nout=${nout}: index ${k} is ${got[k]}, want ${want[k]}`);
        }
        cases++;
      }
    }
  }
  expect(cases).toBe(batches.length * sizes.length * sizes.length);
  expect(mismatches.slice(0, 5)).toEqual([]);
});
