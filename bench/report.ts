/** The bench's output: the figures as JSON, or a table of the workloads with the comparisons below it. */
import Table from 'cli-table3';
import type { BenchInfo, ForwardResult, GaVsBpttForward, MemoryResult, WorkloadResult } from './results.js';
import type { SweepBenchResult } from './sweep.js';

export interface BenchReport {
  info: BenchInfo;
  workloads: WorkloadResult[];
  ga_vs_bptt_forward: GaVsBpttForward | null;
  memory: MemoryResult | null;
  sweep: SweepBenchResult | null;
}

export function formatJson(r: BenchReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

export function formatText(r: BenchReport, quick: boolean): string {
  const { info, ga_vs_bptt_forward: comparison, memory, sweep } = r;
  const out: string[] = [];
  out.push(`kstep bench  Node ${info.node} (V8 ${info.v8})  CPU ${info.cpu} x${info.cores}  ${info.platform}  float64, 1 thread${quick ? '  [--quick]' : ''}`);
  out.push('');
  out.push(workloadTable(r.workloads));
  out.push('');
  out.push('GFLOP/s counts 2 B K sum(fan_in fan_out) per forward, 3x that per gradient. ns/appl = time of one network');
  out.push('application to one sample (a gradient counts as one application of forward + backward).');
  if (comparison) {
    out.push('');
    out.push(
      `GA forward-only vs BPTT forward, per network application: ${comparison.ga_ns_per_application.toFixed(1)} ns vs ` +
        `${comparison.w1_forward_store_ns_per_application.toFixed(1)} ns for W1's stored forward: ratio ` +
        `${comparison.ratio_vs_forward_store.toFixed(2)} (of the minimum times ${comparison.ratio_vs_forward_store_of_mins.toFixed(2)}; goal <= 1).`,
    );
    out.push(
      `(Against a third of W1's gradient, ${comparison.w1_gradient_third_ns_per_application.toFixed(1)} ns, the ratio is ` +
        `${comparison.ratio_vs_gradient_third.toFixed(2)}, but that reference is unfair: the reverse pass has no tanh to evaluate.)`,
    );
  }
  if (memory) {
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    out.push('');
    out.push(
      `${memory.workload} (hidden ${memory.hidden.join(',')}, B ${memory.batch}, K ${memory.K}), one BPTT gradient: memory full ${memory.full_median_ms.toFixed(0)} ms, ` +
        `${mb(memory.full_bytes)} of rollout buffers; memory sqrt ${memory.sqrt_median_ms.toFixed(0)} ms, ${mb(memory.sqrt_bytes)}: ` +
        `time x${memory.time_ratio.toFixed(2)} (goal <= 1.5), memory 1/${(1 / memory.memory_ratio).toFixed(0)} (goal <= 1/20), ` +
        `gradient and adjoint norms ${memory.bits_equal ? 'the same bits' : 'NOT the same bits'}.`,
    );
  }
  if (sweep) {
    out.push('');
    out.push(
      `Sweep of ${sweep.cells} cells (${sweep.workload}), fastest of ${sweep.repeats}: 1 worker ${sweep.workers1_ms.toFixed(0)} ms, ` +
        `2 workers ${sweep.workers2_ms.toFixed(0)} ms: ratio ${sweep.ratio.toFixed(3)} (goal <= ${sweep.target} on ${sweep.cores} cores: ${sweep.pass ? 'met' : 'NOT met'}).`,
    );
  }
  out.push('');
  out.push(`load average (1 min) ${info.loadavg_1min_start.toFixed(2)} at start, ${info.loadavg_1min_end.toFixed(2)} at end, ${info.cores} cores`);
  // A load above the cores inflates the medians; the minimum times are the better estimate then.
  const busy = Math.max(info.loadavg_1min_start, info.loadavg_1min_end) > Math.max(1, info.cores - 0.5);
  if (busy) out.push('warning: the machine was busy while measuring; medians are inflated, the minimum times are the better estimate.');
  return `${out.join('\n')}\n`;
}

function workloadTable(results: WorkloadResult[]): string {
  const head = ['workload', 'what', 'hidden', 'B', 'K', 'reps', 'median ms', 'min ms', 'GFLOP/s', 'ns/appl', 'evals/s'];
  // Names left, numbers right; no cli-table3 colours, so the output is the same on a terminal and in a file.
  const table = new Table({ head, style: { head: [], border: [] }, colAligns: head.map((_, c) => (c < 2 ? 'left' : 'right')) });
  for (const r of results) {
    table.push([
      r.workload,
      r.kind === 'gradient' ? 'BPTT gradient' : r.kind === 'forward-store' ? 'forward, stored' : `P=${(r as ForwardResult).population} loss() forward-only`,
      r.hidden.join(','),
      String(r.batch),
      String(r.K),
      String(r.reps),
      r.median_ms.toFixed(3),
      r.min_ms.toFixed(3),
      r.gflops.toFixed(2),
      r.ns_per_application.toFixed(1),
      'evals_per_s' in r && r.evals_per_s !== undefined ? r.evals_per_s.toFixed(0) : '',
    ]);
  }
  return table.toString();
}
