/** The figures the workloads produce, as printed by --json and tabulated by report.ts. */

export interface GradResult {
  workload: string;
  kind: 'gradient';
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
  kind: 'forward-store' | 'ga-generation';
  hidden: number[];
  batch: number;
  K: number;
  population?: number;
  reps: number;
  median_ms: number;
  min_ms: number;
  gflops: number;
  ns_per_application: number;
  evals_per_s?: number;
}

export type WorkloadResult = GradResult | ForwardResult;

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

/** The machine and the conditions of the measurement. */
export interface BenchInfo {
  node: string;
  v8: string;
  cpu: string;
  cores: number;
  platform: string;
  dtype: 'float64';
  threads: 1;
  loadavg_1min_start: number;
  loadavg_1min_end: number;
  /** What every workload shares. */
  common: Readonly<Record<string, string | number | boolean>>;
}
