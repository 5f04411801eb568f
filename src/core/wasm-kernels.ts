/**
 * The WebAssembly SIMD kernels: `kernels.wat` (in this folder), assembled by `npm run build` into
 * dist/kernels.wasm, read and compiled synchronously once per thread on first use, and instantiated
 * once per kernel set, that is once per rollout: each instance has its own linear memory, which
 * holds that rollout's buffers, a copy of its parameters (and their transposed weights) and its
 * gradient. A rollout's memory grows to its largest layout and is freed with the rollout.
 *
 * Addresses passed to the module are byte offsets into that memory, taken from the views' own
 * byteOffset; every call checks that its arrays are views of this instance's current memory, so a
 * stale view (after the memory grew) or a foreign array is an error, never a silent wrong address.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Activation } from './activations.js';
import type { Kernels, ReadonlyLayers } from './kernel-set.js';

interface Exports {
  memory: WebAssembly.Memory;
  dense_forward(wp: number, bp: number, nin: number, nout: number, xp: number, yp: number, B: number): void;
  dense_input_grad(wtp: number, nin: number, nout: number, gyp: number, gxp: number, B: number): void;
  dense_param_grad(gwp: number, gbp: number, nin: number, nout: number, xp: number, gyp: number, B: number): void;
  transpose(wp: number, nin: number, nout: number, wtp: number): void;
  tanh_forward(zp: number, hp: number, n: number): void;
  tanh_backward(gp: number, hp: number, n: number): void;
}

const PAGE = 65536;
/** wasm32: at most 65536 pages of 64 KiB, 4 GiB. */
export const WASM_MAX_BYTES = 65536 * PAGE;
/** Bytes 0..63 hold the zeros the kernels start some sums from; buffers follow, 16-byte aligned. */
const BASE = 64;

/** dist/kernels.wasm, from the compiled dist/src/core/ or from src/core/ (tests run the sources). */
function wasmFile(): string {
  for (const rel of ['../../kernels.wasm', '../../dist/kernels.wasm']) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(file)) return file;
  }
  throw new Error('dist/kernels.wasm is missing: `npm run build` assembles it from src/core/kernels.wat');
}

let bytes: Uint8Array<ArrayBuffer> | undefined;
let compiled: WebAssembly.Module | undefined;

/** Whether this runtime compiles the module (WebAssembly with 128-bit SIMD, Node >= 16.4). */
export function wasmSimdAvailable(): boolean {
  bytes ??= new Uint8Array(readFileSync(wasmFile()));
  return typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
}

function wasmModule(): WebAssembly.Module {
  if (!compiled) {
    bytes ??= new Uint8Array(readFileSync(wasmFile()));
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

const align = (n: number): number => (n + 15) & ~15;

/** A kernel set on a new instance; `nParams` sizes its copy of the parameters and its gradient. */
export function wasmKernels(nParams: number): Kernels {
  const ex = new WebAssembly.Instance(wasmModule(), {}).exports as unknown as Exports;
  const mem = ex.memory;
  // The parameters, their transposed weights and the gradient come first in every layout.
  const paramBytes = align(8 * nParams);
  let P = new Float64Array(0);
  let PT = new Float64Array(0);
  let G = new Float64Array(0);
  let transposed = false;
  /** Float64 values of the largest layout so far (its alignment included). */
  let peak = 0;

  const bytesFor = (lengths: readonly number[]): number => lengths.reduce((s, n) => s + align(8 * n), BASE + 3 * paramBytes);
  const own = (a: Float64Array): number => {
    if (a.buffer !== mem.buffer) throw new Error('wasm kernels: an array outside this rollout\'s memory (or a view from before it grew)');
    return a.byteOffset;
  };

  const set: Kernels = {
    name: 'wasm',
    fits: (lengths) => bytesFor(lengths) <= WASM_MAX_BYTES,
    buffers(lengths) {
      const need = bytesFor(lengths);
      if (need > WASM_MAX_BYTES) throw new RangeError(`wasm kernels: ${need} bytes of buffers exceed the 4 GiB of a wasm32 memory`);
      if (need > mem.buffer.byteLength) mem.grow(Math.ceil((need - mem.buffer.byteLength) / PAGE));
      const buf = mem.buffer;
      let off = BASE;
      P = new Float64Array(buf, off, nParams);
      PT = new Float64Array(buf, (off += paramBytes), nParams);
      G = new Float64Array(buf, (off += paramBytes), nParams);
      off += paramBytes;
      transposed = false;
      peak = Math.max(peak, (need - BASE - 3 * paramBytes) / 8);
      return lengths.map((n) => {
        const view = new Float64Array(buf, off, n);
        off += align(8 * n);
        return view;
      });
    },
    heldDoubles: () => peak,
    params(theta: Float64Array, layers: ReadonlyLayers, reverse: boolean) {
      if (theta.length !== nParams) throw new Error(`wasm kernels: ${theta.length} parameters, expected ${nParams}`);
      if (theta !== P) P.set(theta);
      transposed = false;
      if (reverse) {
        const p = own(P);
        const pt = own(PT);
        for (let l = 1; l <= layers.L; l++) ex.transpose(p + 8 * layers.wOff[l - 1], layers.sizes[l - 1], layers.sizes[l], pt + 8 * layers.wOff[l - 1]);
        transposed = true;
      }
      return P;
    },
    gradient() {
      G.fill(0);
      return G;
    },
    gradientOut(g, grad) {
      grad.set(g);
    },
    denseForward(theta, w, bo, nin, nout, X, xo, Y, yo, B) {
      const t = own(theta);
      ex.dense_forward(t + 8 * w, t + 8 * bo, nin, nout, own(X) + 8 * xo, own(Y) + 8 * yo, B);
    },
    denseInputGrad(theta, w, nin, nout, GY, go, GX, gxo, B) {
      if (theta !== P || !transposed) throw new Error('wasm kernels: denseInputGrad needs the parameters from params(theta, layers, true)');
      ex.dense_input_grad(own(PT) + 8 * w, nin, nout, own(GY) + 8 * go, own(GX) + 8 * gxo, B);
    },
    denseParamGrad(grad, w, bo, nin, nout, X, xo, GY, go, B) {
      const g = own(grad);
      ex.dense_param_grad(g + 8 * w, g + 8 * bo, nin, nout, own(X) + 8 * xo, own(GY) + 8 * go, B);
    },
    activate(act: Activation, A: Float64Array, z: number, h: number, n: number) {
      // tanh_forward is Math.tanh bit for bit (kernels.wat); the other activations stay in JavaScript.
      if (act.f === Math.tanh) {
        const a = own(A);
        ex.tanh_forward(a + 8 * z, a + 8 * h, n);
      } else act.forward(A, z, h, n);
    },
    activateBackward(act: Activation, Gr: Float64Array, g: number, A: Float64Array, z: number, h: number, n: number) {
      if (act.f === Math.tanh) ex.tanh_backward(own(Gr) + 8 * g, own(A) + 8 * h, n);
      else act.backward(Gr, g, A, z, h, n);
    },
  };
  set.buffers([]);
  return set;
}
