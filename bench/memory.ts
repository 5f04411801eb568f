/**
 * LONG: one BPTT gradient at K = 16384 (hidden [32, 32], batch 64) with every step stored (memory
 * full) and checkpointed (memory sqrt): the time of each, the rollout's buffers after the call (the
 * peak: they only grow), and whether the two gradients and adjoint profiles are the same bits.
 */
import { type MemoryMode, Rollout } from '../src/core/rollout.js';
import { type Budget, measure } from './harness.js';
import type { MemoryResult } from './results.js';
import { type Shape, setup } from './setup.js';

export const LONG: Shape = { hidden: [32, 32], batch: 64, K: 16384 };

export function memoryWorkload(budget: Budget): MemoryResult {
  const { batch: B, K } = LONG;
  const s = setup(LONG);
  const run = (memory: MemoryMode) => {
    const rollout = new Rollout(s.net, memory);
    const grad = new Float64Array(s.net.nParams);
    let loss = NaN;
    const t = measure(() => {
      loss = rollout.lossAndGrad(s.theta, s.x0, s.y, B, K, grad);
    }, budget);
    return { t, loss, grad, norms: Float64Array.from(rollout.adjointNorms.subarray(0, K + 1)), bytes: 8 * rollout.bufferDoubles() };
  };
  const full = run('full');
  const sqrt = run('sqrt');
  const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  return {
    workload: 'LONG',
    hidden: [...LONG.hidden],
    batch: B,
    K,
    full_median_ms: full.t.medianMs,
    sqrt_median_ms: sqrt.t.medianMs,
    time_ratio: sqrt.t.medianMs / full.t.medianMs,
    full_bytes: full.bytes,
    sqrt_bytes: sqrt.bytes,
    memory_ratio: sqrt.bytes / full.bytes,
    bits_equal: Object.is(full.loss, sqrt.loss) && same(full.grad, sqrt.grad) && same(full.norms, sqrt.norms),
  };
}
