/**
 * The rollout: the one module that unrolls the net K times. Everything that needs o_K, a loss or
 * a gradient (BPTT, GA, ES, CMA-ES, the health diagnostics) goes through it.
 *
 *   o_0 = x0,  i_t = phi(o_t),  o_{t+1} = N(i_t) [+ o_t if residual],  L = mean((o_K - y)^2)
 *
 * `forward` with store = true keeps every layer's activations of every step for the exact reverse
 * pass; with store = false it keeps one step's worth (the path for evolutionary methods).
 * `backward` is the vector-Jacobian product of the whole rollout: given a_K = dL/do_K it
 * accumulates dL/dtheta and walks the adjoint a_t = dL/do_t back to t = K - window.
 *
 * Cost counts network applications to one sample: forward 1, backward 2 more (docs/ARCHITECTURE.md, "Cost").
 * Buffers grow to the largest (B, K) seen and are reused: no allocation per step or per call.
 */
import { requireVjp } from './features.js';
import { type Kernels, makeKernels } from './kernel-set.js';
import type { Net } from './mlp.js';

export class Rollout {
  /** Network applications to one sample, forward = 1, backward = 2. */
  cost = 0;
  /** ||dL/do_t|| (Frobenius norm over the batch) for t = 0..K after backward; NaN beyond the window. */
  adjointNorms: Float64Array = new Float64Array(0);

  private O: Float64Array = new Float64Array(0);
  private acts: Float64Array = new Float64Array(0);
  private gA: Float64Array = new Float64Array(0);
  private gB: Float64Array = new Float64Array(0);
  private aCur: Float64Array = new Float64Array(0);
  private aPrev: Float64Array = new Float64Array(0);
  private B = 0;
  private K = 0;
  private stored = false;
  private stride = 0;
  private readonly hOff: number[] = [];
  private readonly zOff: number[] = [];
  private readonly maxWidth: number;

  private k: Kernels;

  constructor(
    readonly net: Net,
    kernels?: Kernels,
  ) {
    this.maxWidth = Math.max(...net.sizes);
    this.k = kernels ?? makeKernels(net.nParams);
  }

  /** Runs K steps from x0 (B x D, batch-major) and returns o_K as a view of B x D values. */
  forward(theta: Float64Array, x0: Float64Array, B: number, K: number, store: boolean): Float64Array {
    const { net } = this;
    const { sizes, L, phi, act } = net;
    const D = net.spec.D;
    const F = sizes[0];
    this.layout(B, K, store);
    const k = this.k;
    theta = k.params(theta, net, false);
    const O = this.O;
    const A = this.acts;
    const { stride, hOff, zOff } = this;
    const residual = net.spec.residual;
    const BD = B * D;
    for (let i = 0; i < BD; i++) O[i] = x0[i];
    for (let t = 0; t < K; t++) {
      const base = store ? t * stride : 0;
      const oIn = store ? t * BD : (t & 1) * BD;
      const oOut = store ? (t + 1) * BD : ((t + 1) & 1) * BD;
      const i0 = base + hOff[0];
      for (let s = 0; s < B; s++) phi.apply(O, oIn + s * D, D, A, i0 + s * F);
      for (let l = 1; l < L; l++) {
        const z = base + zOff[l];
        const h = base + hOff[l];
        const n = B * sizes[l];
        k.denseForward(theta, net.wOff[l - 1], net.bOff[l - 1], sizes[l - 1], sizes[l], A, base + hOff[l - 1], A, z, B);
        k.activate(act, A, z, h, n);
      }
      k.denseForward(theta, net.wOff[L - 1], net.bOff[L - 1], sizes[L - 1], D, A, base + hOff[L - 1], O, oOut, B);
      if (residual) for (let k = 0; k < BD; k++) O[oOut + k] += O[oIn + k];
    }
    this.cost += B * K;
    const end = store ? K * BD : (K & 1) * BD;
    return O.subarray(end, end + BD);
  }

  /** o_t (B x D) of the last stored forward pass. */
  state(t: number): Float64Array {
    if (!this.stored || t < 0 || t > this.K) throw new Error(`state(${t}) needs a stored forward pass with K >= ${t}`);
    const BD = this.B * this.net.spec.D;
    return this.O.subarray(t * BD, (t + 1) * BD);
  }

  /**
   * Reverse pass over the last stored forward pass: writes dL/dtheta into grad (overwriting it),
   * given aK = dL/do_K (B x D), backpropagating through the last `window` steps only (truncated
   * BPTT when window < K). Returns dL/do_{K-window} as a view (B x D), valid until the next call.
   */
  backward(theta: Float64Array, aK: Float64Array, grad: Float64Array, window = this.K): Float64Array {
    if (!this.stored) throw new Error('backward needs forward(..., store = true) first');
    const { net, B, K, stride, hOff, zOff } = this;
    const { sizes, L, phi, act } = net;
    const vjp = requireVjp(phi, 'the reverse pass');
    const D = net.spec.D;
    const F = sizes[0];
    const BD = B * D;
    const residual = net.spec.residual;
    const k = this.k;
    theta = k.params(theta, net, true);
    const out = grad;
    grad = k.gradient(grad);
    const stop = Math.max(0, K - Math.min(window, K));
    const A = this.acts;
    const O = this.O;
    const norms = this.adjointNorms;
    norms.fill(NaN, 0, K + 1);
    let aCur = this.aCur;
    let aPrev = this.aPrev;
    for (let k = 0; k < BD; k++) aCur[k] = aK[k];
    norms[K] = norm(aCur, BD);
    for (let t = K - 1; t >= stop; t--) {
      const base = t * stride;
      // g holds dL/dz of the layer being processed; the output layer's z is o_{t+1} itself.
      let g = aCur;
      let other = this.gA;
      for (let l = L; l >= 1; l--) {
        const nin = sizes[l - 1];
        const nout = sizes[l];
        const xo = base + hOff[l - 1];
        k.denseParamGrad(grad, net.wOff[l - 1], net.bOff[l - 1], nin, nout, A, xo, g, 0, B);
        k.denseInputGrad(theta, net.wOff[l - 1], nin, nout, g, 0, other, 0, B);
        if (l > 1) k.activateBackward(act, other, 0, A, base + zOff[l - 1], xo, B * nin);
        g = other;
        other = other === this.gA ? this.gB : this.gA;
      }
      // g = dL/di_t; carry it through phi (and the skip connection) to dL/do_t.
      if (residual) for (let k = 0; k < BD; k++) aPrev[k] = aCur[k];
      else aPrev.fill(0, 0, BD);
      const oIn = t * BD;
      for (let s = 0; s < B; s++) vjp(O, oIn + s * D, D, g, s * F, aPrev, s * D);
      const tmp = aCur;
      aCur = aPrev;
      aPrev = tmp;
      norms[t] = norm(aCur, BD);
    }
    this.aCur = aCur;
    this.aPrev = aPrev;
    k.gradientOut(grad, out);
    this.cost += 2 * B * (K - stop);
    return aCur.subarray(0, BD);
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
    const steps = store ? K : 1;
    const width = store ? B * this.maxWidth : 0;
    const BD = store ? B * D : 0;
    const lengths = [(store ? K + 1 : 2) * B * D, steps * off, width, width, BD, BD];
    if (!this.k.fits(lengths)) this.k = makeKernels(this.net.nParams, 'js');
    [this.O, this.acts, this.gA, this.gB, this.aCur, this.aPrev] = this.k.buffers(lengths);
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
