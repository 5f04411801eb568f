/**
 * The kernels alone, on the layer shapes of W1 and W2: each dense kernel (forward, input gradient,
 * parameter gradient) and the activation tanh, on both kernel sets, over the
 * buffers a rollout would give them. Where a rollout's time goes is the sum of these and of what
 * the rollout does around them (feature maps, residual adds, copies), which the workloads measure.
 */
import { getActivation } from '../src/core/activations.js';
import { type KernelName, makeKernels } from '../src/core/kernel-set.js';
import { derive } from '../src/core/rng.js';
import { performance } from 'node:perf_hooks';
import { type Budget, measure } from './harness.js';
import type { KernelResult } from './results.js';

/** batch x fan_in x fan_out: W1's three layers, W2's middle one. */
export const KERNEL_SHAPES: readonly (readonly [number, number, number])[] = [
  [64, 2, 32],
  [64, 32, 32],
  [64, 32, 2],
  [256, 128, 128],
];

export function kernelWorkloads(kernels: KernelName, budget: Budget): KernelResult[] {
  const out: KernelResult[] = [];
  const rng = derive(1, 'bench/kernels');
  const tanh = getActivation('tanh');
  for (const [B, nin, nout] of KERNEL_SHAPES) {
    const n = nin * nout + nout;
    const k = makeKernels(n, kernels);
    const m = B * nout;
    const [X, Y, GY, GX, G, A] = k.buffers([B * nin, m, m, B * nin, n, 2 * m]);
    for (const a of [X, Y, GY, GX, G, A]) rng.fillNormal(a, 0.5);
    const theta = k.params(rng.fillNormal(new Float64Array(n), 0.2), { sizes: [nin, nout], L: 1, wOff: [0] }, true);
    const flops = 2 * B * nin * nout;
    const time = (name: string, fn: () => void, values = 0): void => {
      // Calls take microseconds: time batches of about a millisecond, and report per call.
      for (let i = 0; i < 100; i++) fn();
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) fn();
      const batch = Math.max(1, Math.round(1 / ((performance.now() - t0) / 100)));
      const tb = measure(() => {
        for (let i = 0; i < batch; i++) fn();
      }, budget);
      const t = { reps: tb.reps * batch, medianMs: tb.medianMs / batch, minMs: tb.minMs / batch };
      out.push({
        kernel: name,
        kernels,
        shape: `${B}x${nin}x${nout}`,
        reps: t.reps,
        median_us: t.medianMs * 1e3,
        min_us: t.minMs * 1e3,
        ...(values ? { ns_per_value: (t.medianMs * 1e6) / values } : { gflops: flops / (t.medianMs * 1e-3) / 1e9 }),
      });
    };
    time('dense forward', () => k.denseForward(theta, 0, nin * nout, nin, nout, X, 0, Y, 0, B));
    time('dense input grad', () => k.denseInputGrad(theta, 0, nin, nout, GY, 0, GX, 0, B));
    time('dense param grad', () => k.denseParamGrad(G, 0, nin * nout, nin, nout, X, 0, GY, 0, B));
    // tanh of a hidden layer's pre-activations, N(0, 0.5^2) (W1's lie within +-1), into the second half of A
    if (nout > 2) time('tanh', () => k.activate(tanh, A, 0, m, m), m);
  }
  return out;
}
