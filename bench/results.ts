/** The figures the workloads produce, as printed by --json and tabulated by report.ts. */
import type { KernelName } from '../src/core/kernel-set.js';

export interface GradResult {
  workload: string;
  kind: 'gradient';
  kernels: KernelName;
  hidden: number[];
  batch: number;
  K: number;
  nParams: number;
  reps: number;
  median_ms: number;
  min_ms: number;
  gflops: number;
  /** Median time of one network application (forward + backward) to one sample, in ns. */
  ns_per_application: number;
  loss: number;
}

export interface ForwardResult {
  workload: string;
  kind: 'forward-store';
  kernels: KernelName;
  hidden: number[];
  batch: number;
  K: number;
  reps: number;
  median_ms: number;
  min_ms: number;
  gflops: number;
  ns_per_application: number;
}

/** One step of a population method (GA, CMA-ES) as the cell runner calls it. */
export interface GenerationResult {
  workload: string;
  kind: 'generation';
  kernels: KernelName;
  hidden: number[];
  batch: number;
  K: number;
  /** Objective evaluations (forward passes over the batch) in one measured generation. */
  evaluations: number;
  reps: number;
  median_ms: number;
  min_ms: number;
  generations_per_s: number;
  /** Median time per network application to one sample, the generation's other work included. */
  ns_per_application: number;
}

/** One kernel on one layer shape (bench/kernels.ts). */
export interface KernelResult {
  kernel: string;
  kernels: KernelName;
  /** batch x fan_in x fan_out */
  shape: string;
  reps: number;
  median_us: number;
  min_us: number;
  /** For the dense kernels (2 B fan_in fan_out flops per call). */
  gflops?: number;
  /** For tanh: median time per value. */
  ns_per_value?: number;
}

export type WorkloadResult = GradResult | ForwardResult | GenerationResult;

/** One gradient with every step stored against checkpointed (memory full vs sqrt). */
export interface MemoryResult {
  workload: string;
  hidden: number[];
  batch: number;
  K: number;
  full_median_ms: number;
  sqrt_median_ms: number;
  /** sqrt time / full time: goal <= 1.5. */
  time_ratio: number;
  /** The rollout's buffers after the gradient (their peak). */
  full_bytes: number;
  sqrt_bytes: number;
  /** sqrt bytes / full bytes: goal <= 1/20. */
  memory_ratio: number;
  /** Loss, gradient and adjoint norms identical bit for bit. */
  bits_equal: boolean;
}

/** Forward-only (GA) against the forward part of BPTT, per network application: ratio <= 1 is the goal. */
export interface GaVsBpttForward {
  ga_ns_per_application: number;
  w1_forward_store_ns_per_application: number;
  w1_gradient_third_ns_per_application: number;
  ratio_vs_forward_store: number;
  ratio_vs_forward_store_of_mins: number;
  ratio_vs_gradient_third: number;
}

/** bench/torch_reference.py's figures for one workload (its --json rows). */
export interface TorchRow {
  workload: string;
  median_ms: number;
  min_ms: number;
  reps: number;
  gflops: number;
  loss_rel_diff_vs_kstep?: number;
  grad_norm_rel_diff_vs_kstep?: number;
}

/** The PyTorch run side by side, or why there is none. */
export interface TorchSideBySide {
  /** The interpreter that ran it and its torch version, or null when none could. */
  python: string | null;
  torch: string | null;
  note: string;
  rows: TorchRow[];
}

/** The machine and the conditions of the measurement. */
export interface BenchInfo {
  node: string;
  v8: string;
  cpu: string;
  cores: number;
  platform: string;
  dtype: 'float64';
  threads: 1;
  /** The kernel sets measured; the first is the one rollouts use here by default. */
  kernels: KernelName[];
  loadavg_1min_start: number;
  loadavg_1min_end: number;
  /** What every workload shares. */
  common: Readonly<Record<string, string | number | boolean>>;
}
