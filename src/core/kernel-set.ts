/**
 * The kernels a rollout runs on, and where its buffers live: the WebAssembly SIMD kernels
 * (`wasm-kernels.ts`, the default) or the JavaScript kernels (`kernels.ts`, the reference and the
 * fallback), chosen by KSTEP_KERNELS (`wasm` or `js`). Both sum every output in the same order, so
 * a rollout gives the same bits on either; only the speed differs.
 *
 * The WebAssembly kernels read and write only their own linear memory, so a rollout's buffers are
 * views of that memory (`buffers`): kept anywhere else, every state and activation would be copied
 * in and out on every call. The parameters are copied in once per pass (`params`), the gradient
 * accumulates in the memory and is copied out once per reverse pass (`gradient`, `gradientOut`).
 */
import { UsageError } from '../errors.js';
import type { Activation } from './activations.js';
import { denseForward, denseInputGrad, denseParamGrad } from './kernels.js';
import { wasmKernels, wasmSimdAvailable } from './wasm-kernels.js';

export const KERNELS_ENV = 'KSTEP_KERNELS';
export const kernelNames = ['wasm', 'js'] as const;
export type KernelName = (typeof kernelNames)[number];

/** Dense kernels and activations over buffers they can address. Signatures as in `kernels.ts`. */
export interface Kernels {
  readonly name: KernelName;
  /** Whether `buffers` can lay out these lengths (a wasm32 memory holds at most 4 GiB). */
  fits(lengths: readonly number[]): boolean;
  /**
   * Buffers of the given lengths (float64 values). Their contents are not kept from one call to the
   * next, and views handed out earlier (buffers, params, gradient) may be invalid afterwards.
   */
  buffers(lengths: readonly number[]): Float64Array[];
  /**
   * Float64 values the buffers have taken at most so far (they only grow): for js the sum of each
   * buffer's largest length, for wasm the largest layout (the parameters' copies not counted).
   */
  heldDoubles(): number;
  /**
   * theta as the kernels read it (for wasm a copy in linear memory, for js theta itself). With
   * `reverse`, also what denseInputGrad needs (the transposed weights of every layer).
   */
  params(theta: Float64Array, layers: ReadonlyLayers, reverse: boolean): Float64Array;
  /** A zeroed gradient the parameter kernels accumulate into, for a vector like `grad`. */
  gradient(grad: Float64Array): Float64Array;
  /** Writes the accumulated gradient `g` (from `gradient(grad)`) into grad. */
  gradientOut(g: Float64Array, grad: Float64Array): void;
  denseForward: typeof denseForward;
  denseInputGrad: typeof denseInputGrad;
  denseParamGrad: typeof denseParamGrad;
  /** A[h..h+n) = f(A[z..z+n)). */
  activate(act: Activation, A: Float64Array, z: number, h: number, n: number): void;
  /** G[g..g+n) *= f'(A[z..z+n)) given the outputs A[h..h+n). */
  activateBackward(act: Activation, G: Float64Array, g: number, A: Float64Array, z: number, h: number, n: number): void;
}

/** The weight layers of a net: W_l at wOff[l-1], sizes[l-1] x sizes[l] (as `Net` has them). */
export interface ReadonlyLayers {
  readonly sizes: readonly number[];
  readonly L: number;
  readonly wOff: readonly number[];
}

/** The kernel set KSTEP_KERNELS asks for (default wasm); a usage error naming it for any other value. */
export function kernelChoice(env: NodeJS.ProcessEnv = process.env): KernelName {
  const raw = env[KERNELS_ENV];
  if (raw === undefined || raw === '') return 'wasm';
  if (!(kernelNames as readonly string[]).includes(raw)) throw new UsageError(KERNELS_ENV, `unknown value '${raw}' (allowed: ${kernelNames.join(', ')})`);
  return raw as KernelName;
}

/** The kernel set rollouts run on here: the choice, unless wasm was chosen and this runtime has no WebAssembly SIMD. */
export function activeKernels(env: NodeJS.ProcessEnv = process.env): KernelName {
  const choice = kernelChoice(env);
  return choice === 'wasm' && wasmSimdAvailable() ? 'wasm' : 'js';
}

/** A new kernel set for a net of nParams parameters, of the given kind (the active one by default); each wasm set has its own memory. */
export function makeKernels(nParams: number, name: KernelName = activeKernels()): Kernels {
  return name === 'wasm' ? wasmKernels(nParams) : jsKernels();
}

/** The JavaScript kernels on plain Float64Arrays: views of one array per buffer, grown to the largest length asked for. */
export function jsKernels(): Kernels {
  const bufs: Float64Array[] = [];
  return {
    name: 'js',
    fits: () => true,
    buffers(lengths) {
      return lengths.map((n, i) => (bufs[i] = bufs[i] !== undefined && bufs[i].length >= n ? bufs[i] : new Float64Array(n)).subarray(0, n));
    },
    heldDoubles: () => bufs.reduce((n, b) => n + b.length, 0),
    params: (theta) => theta,
    gradient(grad) {
      grad.fill(0);
      return grad;
    },
    gradientOut() {},
    denseForward,
    denseInputGrad,
    denseParamGrad,
    activate: (act, A, z, h, n) => act.forward(A, z, h, n),
    activateBackward: (act, G, g, A, z, h, n) => act.backward(G, g, A, z, h, n),
  };
}
