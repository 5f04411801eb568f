/**
 * Timing of one workload: warm it up, then call it until it has enough repetitions and seconds, and
 * keep the median and the minimum of one call. The median is the figure reported; the minimum is the
 * better estimate when other processes share the cores.
 */
import { performance } from 'node:perf_hooks';

export interface Timing {
  reps: number;
  medianMs: number;
  minMs: number;
}

/** How long a workload is measured: until it has minReps and minSeconds, unless maxSeconds passed with >= 3 reps. */
export interface Budget {
  warmup: number;
  minReps: number;
  minSeconds: number;
  maxSeconds: number;
}

/** The budgets of the three sizes of call the workloads make. */
export interface Budgets {
  /** Calls of milliseconds (W1 and its stored forward). */
  small: Budget;
  /** A GA generation: 64 rollouts (~0.2 s), so two generations warm it up and 10 make over 2 s. */
  gen: Budget;
  /** Calls of seconds (W2). */
  big: Budget;
  /** Batches of about a millisecond of one kernel (kernels.ts): 15 shapes and kernels per set. */
  kernel: Budget;
}

/** `quick`: fewer repetitions, a smoke test rather than a measurement. */
export function budgets(quick: boolean): Budgets {
  return quick
    ? {
        small: { warmup: 3, minReps: 5, minSeconds: 0.2, maxSeconds: 1 },
        gen: { warmup: 1, minReps: 3, minSeconds: 0, maxSeconds: 1 },
        big: { warmup: 0, minReps: 1, minSeconds: 0, maxSeconds: 0 },
        kernel: { warmup: 1, minReps: 5, minSeconds: 0.05, maxSeconds: 0.2 },
      }
    : {
        small: { warmup: 20, minReps: 20, minSeconds: 2, maxSeconds: 10 },
        gen: { warmup: 2, minReps: 10, minSeconds: 2, maxSeconds: 10 },
        big: { warmup: 1, minReps: 5, minSeconds: 2, maxSeconds: 25 },
        kernel: { warmup: 20, minReps: 50, minSeconds: 0.5, maxSeconds: 2 },
      };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function measure(fn: () => void, budget: Budget): Timing {
  for (let i = 0; i < budget.warmup; i++) fn();
  const times: number[] = [];
  const start = performance.now();
  for (;;) {
    const t0 = performance.now();
    fn();
    const t1 = performance.now();
    times.push(t1 - t0);
    const elapsed = (t1 - start) / 1e3;
    if (times.length >= budget.minReps && elapsed >= budget.minSeconds) break;
    if (times.length >= 3 && elapsed >= budget.maxSeconds) break;
  }
  return { reps: times.length, medianMs: median(times), minMs: times.reduce((a, b) => Math.min(a, b), Infinity) };
}
