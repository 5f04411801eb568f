/**
 * Sweep parallelism: wall time of one fixed sweep on 1 worker and on 2 workers.
 * Target: with 2 workers on 2 cores the wall time is at most 0.6 x the single-worker time.
 *
 * The grid: rotation, K = 8, tanh and relu, BPTT and GA, 6 seeds (24 cells of 0.1-0.4 s each), run through runSweep exactly as `kstep sweep` runs it (worker threads, CSV appends, the
 * final sort and summary), into a temporary folder that is removed afterwards. Each worker count is
 * measured `repeats` times, alternating, and the fastest run counts (the others absorb noise from
 * other processes). `benchSweep()` is called by bench/bench.ts; it prints nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseExperiment } from '../src/experiment/spec.js';
import { prepareExperiment, runSweep } from '../src/experiment/sweep.js';

export interface SweepBenchResult {
  workload: string;
  cells: number;
  cores: number;
  repeats: number;
  /** Fastest wall time of the whole sweep with 1 and with 2 workers, ms. */
  workers1_ms: number;
  workers2_ms: number;
  /** workers2_ms / workers1_ms. */
  ratio: number;
  target: number;
  pass: boolean;
}

export interface SweepBenchOptions {
  /** Fewer, cheaper cells: a smoke test, not a measurement. */
  quick?: boolean;
  repeats?: number;
}

export const SWEEP_BENCH_SPEC = {
  name: 'bench-sweep',
  seed: 0,
  budget: 6e5,
  grid: { activation: ['tanh', 'relu'], optimizer: ['bptt', 'ga'], seed: [0, 1, 2, 3, 4, 5] },
  fixed: { task: 'rotation', K: 8, hidden: [16, 16], train: 64, test: 64 },
  optimizers: { ga: { population: 32, parents: 8 } },
};

export async function benchSweep(opts: SweepBenchOptions = {}): Promise<SweepBenchResult> {
  const spec = opts.quick ? { ...SWEEP_BENCH_SPEC, budget: 1e5 } : SWEEP_BENCH_SPEC;
  const exp = prepareExperiment(parseExperiment(spec));
  const repeats = opts.repeats ?? (opts.quick ? 1 : 2);
  const root = mkdtempSync(join(os.tmpdir(), 'kstep-bench-sweep-'));
  const best: Record<1 | 2, number> = { 1: Infinity, 2: Infinity };
  try {
    for (let r = 0; r < repeats; r++)
      for (const workers of [1, 2] as const) {
        const t0 = performance.now();
        const report = await runSweep(exp, { workers, out: join(root, `w${workers}-${r}`), progress: 'none', log: () => {} });
        const ms = performance.now() - t0;
        if (report.end !== 'done' || report.errors > 0) throw new Error(`bench sweep failed: ${report.end}, ${report.errors} errors`);
        best[workers] = Math.min(best[workers], ms);
      }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const ratio = best[2] / best[1];
  return {
    workload: `sweep: ${exp.cells.length} cells (rotation K=8, tanh/relu x bptt/ga x 6 seeds, budget ${spec.budget}), 1 vs 2 workers`,
    cells: exp.cells.length,
    cores: os.availableParallelism(),
    repeats,
    workers1_ms: best[1],
    workers2_ms: best[2],
    ratio,
    target: 0.6,
    pass: ratio <= 0.6,
  };
}
