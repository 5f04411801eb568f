// The register-tiled kernels, JavaScript and WebAssembly, against plain loops that sum in the same
// order, on every combination of small sizes (so every tile-remainder path of both runs) and at
// nonzero offsets. The kernels promise a fixed summation order, so the results agree bit for bit;
// the WebAssembly set runs the built dist/kernels.wasm, on views of its own memory.
import { describe, expect, it } from 'vitest';
import { type Kernels, jsKernels, makeKernels } from '../../src/core/kernel-set.js';
import { derive } from '../../src/core/rng.js';
import { wasmSimdAvailable } from '../../src/core/wasm-kernels.js';

function firstDiff(a: Float64Array, b: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

it('the WebAssembly kernels are built and this runtime runs them', () => {
  expect(wasmSimdAvailable()).toBe(true);
  expect(makeKernels(1, 'wasm').name).toBe('wasm');
});

describe.each([
  ['js', (n: number): Kernels => makeKernels(n, 'js')],
  ['wasm', (n: number): Kernels => makeKernels(n, 'wasm')],
])('%s kernels', (_name, make) => {
  it('equal naive loops bit for bit on every small shape', () => {
    const rng = derive(1, 'test/kernels');
    const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 32];
    const batches = [1, 2, 3, 4, 5, 6, 7, 8, 9, 64, 67];
    let cases = 0;
    const mismatches: string[] = [];
    for (const B of batches) {
      for (const nin of sizes) {
        for (const nout of sizes) {
          const off = 3;
          const w = off;
          const bo = w + nin * nout;
          const n = bo + nout + 2;
          const k = make(n);
          // Every array the kernels touch is one of the set's buffers (for wasm: its linear memory).
          const [X, Y, GY, GX, G] = k.buffers([off + B * nin + 1, off + B * nout + 1, off + B * nout + 1, off + B * nin + 1, n]);
          for (const a of [X, Y, GY, GX, G]) rng.fillNormal(a);
          const theta = k.params(rng.fillNormal(new Float64Array(n)), { sizes: [nin, nout], L: 1, wOff: [w] }, true);

          const Yr = Y.slice();
          k.denseForward(theta, w, bo, nin, nout, X, off, Y, off, B);
          for (let s = 0; s < B; s++) {
            for (let j = 0; j < nout; j++) {
              let a = theta[bo + j];
              for (let i = 0; i < nin; i++) a += X[off + s * nin + i] * theta[w + i * nout + j];
              Yr[off + s * nout + j] = a;
            }
          }

          const GXr = GX.slice();
          k.denseInputGrad(theta, w, nin, nout, GY, off, GX, off, B);
          for (let s = 0; s < B; s++) {
            for (let i = 0; i < nin; i++) {
              let a = 0;
              for (let j = 0; j < nout; j++) a += GY[off + s * nout + j] * theta[w + i * nout + j];
              GXr[off + s * nin + i] = a;
            }
          }

          const Gr = G.slice();
          k.denseParamGrad(G, w, bo, nin, nout, X, off, GY, off, B);
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
            const d = firstDiff(got, want);
            if (d >= 0) mismatches.push(`${name} B=${B} nin=${nin} nout=${nout}: index ${d} is ${got[d]}, want ${want[d]}`);
          }
          cases++;
        }
      }
    }
    expect(cases).toBe(batches.length * sizes.length * sizes.length);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});

describe('js and wasm kernels agree bit for bit', () => {
  it('on the shapes of the benchmark nets, with non-finite and signed-zero entries', () => {
    const rng = derive(2, 'test/kernels/agree');
    for (const [B, nin, nout] of [[64, 2, 32], [64, 32, 32], [64, 32, 2], [256, 128, 128], [255, 129, 127]]) {
      const n = nin * nout + nout;
      const layers = { sizes: [nin, nout], L: 1, wOff: [0] };
      const theta = rng.fillNormal(new Float64Array(n));
      const X = rng.fillNormal(new Float64Array(B * nin));
      const GY = rng.fillNormal(new Float64Array(B * nout));
      // A NaN, an infinity and zeros of both signs travel through the sums the same way in both.
      X[5] = NaN;
      X[B * nin - 1] = Infinity;
      GY[3] = -0;
      theta[1] = 0;
      theta[2] = -0;
      const out: Float64Array[][] = [];
      for (const k of [jsKernels(), makeKernels(n, 'wasm')]) {
        const [Xk, Yk, GYk, GXk, Gk] = k.buffers([B * nin, B * nout, B * nout, B * nin, n]);
        Xk.set(X);
        GYk.set(GY);
        const th = k.params(theta, layers, true);
        k.denseForward(th, 0, nin * nout, nin, nout, Xk, 0, Yk, 0, B);
        k.denseInputGrad(th, 0, nin, nout, GYk, 0, GXk, 0, B);
        Gk.fill(0.5);
        k.denseParamGrad(Gk, 0, nin * nout, nin, nout, Xk, 0, GYk, 0, B);
        out.push([Yk.slice(), GXk.slice(), Gk.slice()]);
      }
      for (let m = 0; m < 3; m++) expect(firstDiff(out[1][m], out[0][m]), `B=${B} nin=${nin} nout=${nout} output ${m}`).toBe(-1);
    }
  });
});
