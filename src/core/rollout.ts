/**
 * The rollout: the one module that unrolls the net K times. Everything that needs o_K, a loss or
 * a gradient (BPTT, GA, ES, CMA-ES, the health diagnostics) goes through it.
 *
 *   o_0 = x0,  i_t = phi(o_t),  o_{t+1} = N(i_t) [+ o_t if residual],  L = mean((o_K - y)^2)
 *
 * `forward` with store = true keeps what the exact reverse pass needs; with store = false it keeps
 * one step's worth (the path for evolutionary methods). `backward` is the vector-Jacobian product of
 * the whole rollout: given a_K = dL/do_K it accumulates dL/dtheta and walks the adjoint
 * a_t = dL/do_t back to t = K - window.
 *
 * Memory of the stored pass (`MemoryMode`): `full` keeps every step's states and activations, O(K).
 * `sqrt` is checkpointed BPTT (Griewank 1992; Chen et al. 2016): the forward pass keeps o_t at every
 * S-th step, S = ceil(sqrt(K)), and the activations of the last segment only; the reverse pass
 * recomputes each earlier segment's forward from its checkpoint just before walking back through it.
 * Memory O(sqrt(K)), time one extra forward pass. A recomputed step runs the same code on the same
 * inputs, so the gradient and the adjoint norms are bit-identical in both modes. `auto` is `full`
 * while the stored activations take at most AUTO_FULL_BYTES, `sqrt` beyond.
 *
 * Cost counts network applications to one sample of the algorithm, forward 1, backward 2 more
 * (docs/ARCHITECTURE.md, "Cost"); the recomputation of `sqrt` is not charged, so a cell's results
 * do not depend on its memory mode. Buffers grow to the largest (B, K) seen and are reused: no
 * allocation per step or per call.
 *
 * The dense kernels, tanh and the buffers come from a kernel set (kernel-set.ts): WebAssembly by
 * default, whose buffers are views of its own linear memory (re-made at each layout, since the
 * memory may have grown), or JavaScript; both give the same bits.
 */
import { requireVjp } from './features.js';
import { type Kernels, makeKernels } from './kernel-set.js';
import type { Net } from './mlp.js';

export const memoryModes = ['full', 'sqrt', 'auto'] as const;
export type MemoryMode = (typeof memoryModes)[number];

/** `auto` stores every step while that takes at most this many bytes of activations (256 MiB). */
export const AUTO_FULL_BYTES = 2 ** 28;

/**
 * The length of a stored segment: K with full storage, ceil(sqrt(K)) checkpointed. `stepDoubles` is
 * one step's activations for the whole batch (B times F + 2 sum(hidden)).
 */
export function segmentLength(mode: MemoryMode, K: number, stepDoubles: number): number {
  const full = mode === 'full' || (mode === 'auto' && 8 * K * stepDoubles <= AUTO_FULL_BYTES);
  return full ? K : Math.ceil(Math.sqrt(K));
}

/**
 * Float64 values a stored pass of K steps keeps: states and activations of one segment of length S,
 * plus the checkpoints o_0, o_S, ... when S < K. `BD` is B times D.
 */
export function storedDoubles(mode: MemoryMode, K: number, BD: number, stepDoubles: number): number {
  const S = segmentLength(mode, K, stepDoubles);
  const checkpoints = S < K ? Math.ceil(K / S) * BD : 0;
  return (S + 1) * BD + S * stepDoubles + checkpoints;
}

export class Rollout {
  /** Network applications to one sample, forward = 1, backward = 2. */
  cost = 0;
  /** ||dL/do_t|| (Frobenius norm over the batch) for t = 0..K after backward; NaN beyond the window. */
  adjointNorms: Float64Array = new Float64Array(0);

  /** States o_{t0..t0+S} of the segment held in `acts` (all of them with full storage). */
  private O: Float64Array = new Float64Array(0);
  private acts: Float64Array = new Float64Array(0);
  /** o_{cS} for segment c (checkpointed storage only). */
  private checkpoints: Float64Array = new Float64Array(0);
  private gA: Float64Array = new Float64Array(0);
  private gB: Float64Array = new Float64Array(0);
  private aCur: Float64Array = new Float64Array(0);
  private aPrev: Float64Array = new Float64Array(0);
  private B = 0;
  private K = 0;
  private stored = false;
  /** Steps per stored segment: K (full), ceil(sqrt(K)) (checkpointed), 1 (forward only). */
  private S = 1;
  /** The segment whose states and activations `O` and `acts` hold. */
  private held = -1;
  private stride = 0;
  private readonly hOff: number[] = [];
  private readonly zOff: number[] = [];
  private readonly maxWidth: number;

  /** The kernels and the home of the buffers (kernel-set.ts): WebAssembly unless KSTEP_KERNELS=js. */
  private k: Kernels;

  constructor(
    readonly net: Net,
    readonly memory: MemoryMode = 'auto',
    kernels?: Kernels,
  ) {
    this.maxWidth = Math.max(...net.sizes);
    this.k = kernels ?? makeKernels(net.nParams);
  }

  /**
   * Runs K steps from x0 (B x D, batch-major) and returns o_K as a view of B x D values, valid until
   * the next forward or backward call.
   */
  forward(theta: Float64Array, x0: Float64Array, B: number, K: number, store: boolean): Float64Array {
    this.layout(B, K, store);
    theta = this.k.params(theta, this.net, false);
    const BD = B * this.net.spec.D;
    const O = this.O;
    for (let i = 0; i < BD; i++) O[i] = x0[i];
    let end = 0;
    if (!store) {
      for (let t = 0; t < K; t++) this.step(theta, (t & 1) * BD, ((t + 1) & 1) * BD, 0);
      end = (K & 1) * BD;
    } else {
      const S = this.S;
      const last = Math.ceil(K / S) - 1;
      for (let c = 0; c <= last; c++) {
        if (S < K) for (let i = 0; i < BD; i++) this.checkpoints[c * BD + i] = O[i];
        const n = Math.min(S, K - c * S);
        for (let u = 0; u < n; u++) this.step(theta, u * BD, (u + 1) * BD, u * this.stride);
        // The next segment starts from this one's last state; the last segment stays in place.
        if (c < last) for (let i = 0; i < BD; i++) O[i] = O[n * BD + i];
        else end = n * BD;
      }
      this.held = last;
    }
    this.cost += B * K;
    return O.subarray(end, end + BD);
  }

  /** o_t (B x D) of the last stored forward pass with every step kept. */
  state(t: number): Float64Array {
    if (!this.stored || t < 0 || t > this.K) throw new Error(`state(${t}) needs a stored forward pass with K >= ${t}`);
    if (this.S < this.K) throw new Error(`state(${t}) needs every step stored (memory full); this pass kept checkpoints only`);
    const BD = this.B * this.net.spec.D;
    return this.O.subarray(t * BD, (t + 1) * BD);
  }

  /** Float64 values the buffers hold now (they only grow). */
  bufferDoubles(): number {
    return this.k.heldDoubles() + this.adjointNorms.length;
  }

  /**
   * Reverse pass over the last stored forward pass: writes dL/dtheta into grad (overwriting it),
   * given aK = dL/do_K (B x D), backpropagating through the last `window` steps only (truncated
   * BPTT when window < K). Returns dL/do_{K-window} as a view (B x D), valid until the next call.
   */
  backward(theta: Float64Array, aK: Float64Array, grad: Float64Array, window = this.K): Float64Array {
    if (!this.stored) throw new Error('backward needs forward(..., store = true) first');
    const { net, B, K, S } = this;
    const BD = B * net.spec.D;
    const stop = Math.max(0, K - Math.min(window, K));
    const norms = this.adjointNorms;
    theta = this.k.params(theta, net, true);
    const out = grad;
    grad = this.k.gradient(grad);
    norms.fill(NaN, 0, K + 1);
    for (let k = 0; k < BD; k++) this.aCur[k] = aK[k];
    norms[K] = norm(this.aCur, BD);
    for (let c = Math.ceil(K / S) - 1; c >= 0 && (c + 1) * S > stop; c--) {
      const t0 = c * S;
      const n = Math.min(S, K - t0);
      if (this.held !== c) {
        // Recompute the segment from its checkpoint: the same steps on the same inputs, same bits.
        for (let i = 0; i < BD; i++) this.O[i] = this.checkpoints[c * BD + i];
        for (let u = 0; u < n; u++) this.step(theta, u * BD, (u + 1) * BD, u * this.stride);
        this.held = c;
      }
      for (let u = n - 1; u >= 0 && t0 + u >= stop; u--) {
        this.reverseStep(theta, grad, u * BD, u * this.stride);
        norms[t0 + u] = norm(this.aCur, BD);
      }
    }
    this.k.gradientOut(grad, out);
    this.cost += 2 * B * (K - stop);
    return this.aCur.subarray(0, BD);
  }

  /** Terminal MSE loss and, on the stored pass, its gradient; grad is overwritten. */
  lossAndGrad(theta: Float64Array, x0: Float64Array, y: Float64Array, B: number, K: number, grad: Float64Array, window = K): number {
    const oK = this.forward(theta, x0, B, K, true);
    const aK = this.aPrev.subarray(0, B * this.net.spec.D);
    const loss = mse(oK, y, aK);
    // aK aliases aPrev, which backward copies into aCur before it writes aPrev again.
    this.backward(theta, aK, grad, window);
    return loss;
  }

  /** Terminal MSE loss, forward only, storing nothing. */
  loss(theta: Float64Array, x0: Float64Array, y: Float64Array, B: number, K: number): number {
    return mse(this.forward(theta, x0, B, K, false), y);
  }

  /** One application of the net: o at O[oIn..] to O[oOut..], activations at acts[base..]. */
  private step(theta: Float64Array, oIn: number, oOut: number, base: number): void {
    const { net, B, O, hOff, zOff } = this;
    const A = this.acts;
    const { sizes, L, phi } = net;
    const k = this.k;
    const D = net.spec.D;
    const F = sizes[0];
    const BD = B * D;
    const i0 = base + hOff[0];
    for (let s = 0; s < B; s++) phi.apply(O, oIn + s * D, D, A, i0 + s * F);
    for (let l = 1; l < L; l++) {
      const z = base + zOff[l];
      const h = base + hOff[l];
      const n = B * sizes[l];
      k.denseForward(theta, net.wOff[l - 1], net.bOff[l - 1], sizes[l - 1], sizes[l], A, base + hOff[l - 1], A, z, B);
      k.activate(net.act, A, z, h, n);
    }
    k.denseForward(theta, net.wOff[L - 1], net.bOff[L - 1], sizes[L - 1], D, A, base + hOff[L - 1], O, oOut, B);
    if (net.spec.residual) for (let k = 0; k < BD; k++) O[oOut + k] += O[oIn + k];
  }

  /**
   * One step of the reverse pass through the step whose input is O[oIn..] and activations
   * acts[base..]: accumulates dL/dtheta into grad and moves the adjoint in aCur from o_{t+1} to o_t.
   */
  private reverseStep(theta: Float64Array, grad: Float64Array, oIn: number, base: number): void {
    const { net, B, hOff, zOff } = this;
    const A = this.acts;
    const { sizes, L, phi } = net;
    const vjp = requireVjp(phi, 'the reverse pass');
    const k = this.k;
    const D = net.spec.D;
    const F = sizes[0];
    const BD = B * D;
    // g holds dL/dz of the layer being processed; the output layer's z is o_{t+1} itself.
    let g = this.aCur;
    let other = this.gA;
    for (let l = L; l >= 1; l--) {
      const nin = sizes[l - 1];
      const nout = sizes[l];
      const xo = base + hOff[l - 1];
      k.denseParamGrad(grad, net.wOff[l - 1], net.bOff[l - 1], nin, nout, A, xo, g, 0, B);
      k.denseInputGrad(theta, net.wOff[l - 1], nin, nout, g, 0, other, 0, B);
      if (l > 1) k.activateBackward(net.act, other, 0, A, base + zOff[l - 1], xo, B * nin);
      g = other;
      other = other === this.gA ? this.gB : this.gA;
    }
    // g = dL/di_t; carry it through phi (and the skip connection) to dL/do_t.
    const aPrev = this.aPrev;
    if (net.spec.residual) for (let k = 0; k < BD; k++) aPrev[k] = this.aCur[k];
    else aPrev.fill(0, 0, BD);
    for (let s = 0; s < B; s++) vjp(this.O, oIn + s * D, D, g, s * F, aPrev, s * D);
    this.aPrev = this.aCur;
    this.aCur = aPrev;
  }

  private layout(B: number, K: number, store: boolean): void {
    const { sizes, L } = this.net;
    const D = this.net.spec.D;
    let off = 0;
    for (let l = 0; l < L; l++) {
      this.hOff[l] = off;
      off += B * sizes[l];
      if (l >= 1) {
        this.zOff[l] = off;
        off += B * sizes[l];
      }
    }
    this.stride = off;
    this.B = B;
    this.K = K;
    this.stored = store;
    this.held = -1;
    const S = store ? segmentLength(this.memory, K, off) : 1;
    this.S = Math.max(1, S);
    const BD = B * D;
    const width = store ? B * this.maxWidth : 0;
    const lengths = [(this.S + 1) * BD, this.S * off, store && this.S < K ? Math.ceil(K / this.S) * BD : 0, width, width, store ? BD : 0, store ? BD : 0];
    // A layout a wasm32 memory cannot hold (4 GiB) runs on the JavaScript kernels: the same bits.
    if (!this.k.fits(lengths)) this.k = makeKernels(this.net.nParams, 'js');
    [this.O, this.acts, this.checkpoints, this.gA, this.gB, this.aCur, this.aPrev] = this.k.buffers(lengths);
    if (store) this.adjointNorms = grow(this.adjointNorms, K + 1);
  }
}

/** mean((o - y)^2); if a is given, a = dLoss/do = 2 (o - y) / n. */
export function mse(o: Float64Array, y: Float64Array, a?: Float64Array): number {
  const n = o.length;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const e = o[k] - y[k];
    sum += e * e;
    if (a) a[k] = (2 * e) / n;
  }
  return sum / n;
}

function norm(v: Float64Array, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += v[k] * v[k];
  return Math.sqrt(s);
}

function grow(buf: Float64Array, n: number): Float64Array {
  return buf.length >= n ? buf : new Float64Array(n);
}
