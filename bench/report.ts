/** The bench's output: the figures as JSON, or tables of the workloads and of kstep beside PyTorch, with the comparisons below them. */
import Table from 'cli-table3';
import type { BenchInfo, GaVsBpttForward, KernelResult, MemoryResult, TorchSideBySide, WorkloadResult } from './results.js';
import type { SweepBenchResult } from './sweep.js';

export interface BenchReport {
  info: BenchInfo;
  workloads: WorkloadResult[];
  kernels: KernelResult[];
  ga_vs_bptt_forward: GaVsBpttForward | null;
  memory: MemoryResult | null;
  torch: TorchSideBySide | null;
  sweep: SweepBenchResult | null;
}

/** The speed goals against PyTorch: kstep's median time at most this multiple of PyTorch's. */
export const TORCH_GOALS: Readonly<Record<string, number>> = { W1: 0.5, 'W1-fwd': 0.5, W2: 2 };

export function formatJson(r: BenchReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

export function formatText(r: BenchReport, quick: boolean): string {
  const { info, ga_vs_bptt_forward: comparison, memory, sweep } = r;
  const out: string[] = [];
  out.push(`kstep bench  Node ${info.node} (V8 ${info.v8})  CPU ${info.cpu} x${info.cores}  ${info.platform}  float64, 1 thread${quick ? '  [--quick]' : ''}`);
  if (r.workloads.length > 0) {
    out.push('');
    out.push(workloadTable(r.workloads));
    out.push('');
    out.push('GFLOP/s counts 2 B K sum(fan_in fan_out) per forward, 3x that per gradient. ns/appl = time of one network');
    out.push('application to one sample (a gradient counts as one application of forward + backward; a generation');
    out.push('counts its evaluations, and its own work besides them).');
  }
  if (r.kernels.length > 0) {
    out.push('');
    out.push(kernelTable(r.kernels));
  }
  if (r.torch) {
    out.push('');
    out.push(`PyTorch side by side: ${r.torch.note}`);
    if (r.torch.rows.length > 0) out.push(torchTable(r.workloads, r.torch, info.kernels));
  }
  if (comparison) {
    out.push('');
    out.push(
      `GA forward-only vs BPTT forward, per network application: ${comparison.ga_ns_per_application.toFixed(1)} ns vs ` +
        `${comparison.w1_forward_store_ns_per_application.toFixed(1)} ns for W1's stored forward: ratio ` +
        `${comparison.ratio_vs_forward_store.toFixed(2)} (of the minimum times ${comparison.ratio_vs_forward_store_of_mins.toFixed(2)}; goal <= 1).`,
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

function what(r: WorkloadResult): string {
  if (r.kind === 'gradient') return 'BPTT gradient';
  if (r.kind === 'forward-store') return 'forward, stored';
  return `generation, ${r.evaluations} evaluations`;
}

function workloadTable(results: WorkloadResult[]): string {
  const head = ['workload', 'what', 'kernels', 'hidden', 'B', 'K', 'reps', 'median ms', 'min ms', 'GFLOP/s', 'ns/appl', 'gen/s'];
  // Names left, numbers right; no cli-table3 colours, so the output is the same on a terminal and in a file.
  const table = new Table({ head, style: { head: [], border: [] }, colAligns: head.map((_, c) => (c < 3 ? 'left' : 'right')) });
  for (const r of results) {
    table.push([
      r.workload,
      what(r),
      r.kernels,
      r.hidden.join(','),
      String(r.batch),
      String(r.K),
      String(r.reps),
      r.median_ms.toFixed(3),
      r.min_ms.toFixed(3),
      r.kind === 'generation' ? '' : r.gflops.toFixed(2),
      r.ns_per_application.toFixed(1),
      r.kind === 'generation' ? r.generations_per_s.toFixed(1) : '',
    ]);
  }
  return table.toString();
}

/** kstep's median (and minimum) on each kernel set beside PyTorch's, and their ratios, per workload. */
function torchTable(results: WorkloadResult[], torch: TorchSideBySide, sets: readonly string[]): string {
  const head = ['workload', ...sets.map((k) => `kstep ${k} ms`), 'PyTorch ms', ...sets.map((k) => `${k} / PyTorch`), 'goal'];
  const table = new Table({ head, style: { head: [], border: [] }, colAligns: head.map((_, c) => (c < 1 ? 'left' : 'right')) });
  const ms = (median: number, min: number): string => `${median.toFixed(2)} (${min.toFixed(2)})`;
  for (const t of torch.rows) {
    const mine = sets.map((k) => results.find((r) => r.workload === t.workload && r.kernels === k));
    if (mine.every((m) => m === undefined)) continue;
    const goal = TORCH_GOALS[t.workload];
    const first = mine[0];
    const ratio = (m: WorkloadResult | undefined): string => (m ? `${(m.median_ms / t.median_ms).toFixed(2)} (${(m.min_ms / t.min_ms).toFixed(2)})` : '');
    table.push([
      t.workload,
      ...mine.map((m) => (m ? ms(m.median_ms, m.min_ms) : '')),
      ms(t.median_ms, t.min_ms),
      ...mine.map(ratio),
      goal === undefined ? '' : `<= ${goal}: ${first && first.median_ms / t.median_ms <= goal ? 'met' : 'NOT met'}`,
    ]);
  }
  return `${table.toString()}\nmedian (minimum) of one call; ratios of the medians (of the minimums); the goal is judged on the medians of ${sets[0]}.`;
}

/** Each kernel's median per shape, one column per kernel set, and the ratio of the first set to the second. */
function kernelTable(results: KernelResult[]): string {
  const sets = [...new Set(results.map((r) => r.kernels))];
  const head = ['kernel', 'B x in x out', ...sets.map((k) => `${k} us`), ...(sets.length === 2 ? [`${sets[0]} / ${sets[1]}`] : []), 'GFLOP/s or ns/value'];
  const table = new Table({ head, style: { head: [], border: [] }, colAligns: head.map((_, c) => (c < 2 ? 'left' : 'right')) });
  const keys = [...new Set(results.map((r) => `${r.kernel}|${r.shape}`))];
  for (const key of keys) {
    const rows = sets.map((k) => results.find((r) => `${r.kernel}|${r.shape}` === key && r.kernels === k));
    const [kernel, shape] = key.split('|');
    const rate = (r: KernelResult | undefined): string => (!r ? '' : r.ns_per_value !== undefined ? `${r.ns_per_value.toFixed(2)} ns` : (r.gflops ?? NaN).toFixed(2));
    table.push([
      kernel,
      shape,
      ...rows.map((r) => (r ? r.median_us.toFixed(2) : '')),
      ...(sets.length === 2 && rows[0] && rows[1] ? [(rows[0].median_us / rows[1].median_us).toFixed(2)] : sets.length === 2 ? [''] : []),
      rows.map(rate).join(' / '),
    ]);
  }
  return table.toString();
}
