/**
 * `npm run bench`: the speed of the core rollout on fixed workloads, single thread, float64, on each
 * kernel set (WebAssembly first, then JavaScript), and PyTorch on the same workloads side by side.
 *
 *   W1       one BPTT gradient (Rollout.lossAndGrad): task rotation (D = 2), identity features,
 *            hidden [32, 32], tanh, batch 64, K = 64                                 (gradient.ts)
 *   W1-fwd   W1's forward pass with the states stored for the reverse pass            (gradient.ts)
 *   W1-relu  W1's gradient with relu, whose layer loops are JavaScript on both kernel sets   (gradient.ts)
 *   W2       the same gradient at hidden [128, 128], batch 256, K = 512               (gradient.ts)
 *   GA       one GA generation (the optimizer's step, P = 64, forward-only evaluations) on W1's
 *            net and batch, compared per network application with W1's stored forward (generations.ts)
 *   CMAES    one CMA-ES generation (its default lambda) on W1's net and batch         (generations.ts)
 *   KERNELS  each dense kernel and tanh alone, on W1's and W2's layer shapes            (kernels.ts)
 *   LONG     one gradient at hidden [32, 32], batch 64, K = 16384 with every step stored and
 *            checkpointed (memory full vs sqrt): time, rollout buffers, same bits     (memory.ts)
 *   SWEEP    one fixed sweep on 1 and on 2 worker threads                             (sweep.ts)
 *   TORCH    bench/torch_reference.py on W1, W1-fwd and W2 exported exactly           (torch.ts)
 *
 * The shared net and data are in setup.ts, the timing in harness.ts, the output in report.ts.
 */
import os from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { type KernelName, activeKernels, kernelNames } from '../src/core/kernel-set.js';
import { exportWorkloads } from './export.js';
import { gaVsBpttForward, generationWorkload } from './generations.js';
import { forwardStoreWorkload, gradientWorkload } from './gradient.js';
import { budgets } from './harness.js';
import { kernelWorkloads } from './kernels.js';
import { type BenchReport, formatJson, formatText } from './report.js';
import { memoryWorkload } from './memory.js';
import type { BenchInfo, ForwardResult, GaVsBpttForward, GenerationResult, GradResult, KernelResult, MemoryResult, TorchSideBySide, WorkloadResult } from './results.js';
import { COMMON, W1, W1_RELU, W2 } from './setup.js';
import { type SweepBenchResult, benchSweep } from './sweep.js';
import { torchSideBySide } from './torch.js';

const WORKLOADS = ['W1', 'W2', 'GA', 'CMAES', 'KERNELS', 'LONG', 'SWEEP', 'TORCH'] as const;

interface Options {
  json?: boolean;
  quick?: boolean;
  only?: Set<string>;
  kernels?: KernelName[];
  export?: string;
}

function parseOnly(value: string): Set<string> {
  const names = value.split(',').map((s) => s.trim().toUpperCase());
  for (const n of names) {
    if (!(WORKLOADS as readonly string[]).includes(n)) throw new InvalidArgumentError(`unknown workload ${n} (allowed: ${WORKLOADS.join(', ')})`);
  }
  return new Set(names);
}

function parseKernels(value: string): KernelName[] {
  const names = value.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(kernelNames as readonly string[]).includes(n)) throw new InvalidArgumentError(`unknown kernel set ${n} (allowed: ${kernelNames.join(', ')})`);
  }
  return names as KernelName[];
}

function program(): Command {
  return new Command('npm run bench --')
    .description('the speed of the core rollout on fixed workloads, single thread, float64, beside PyTorch')
    .option('--json', 'print the figures as JSON on stdout')
    .option('--quick', 'fewer repetitions (a smoke test, not a measurement)')
    .option('--only <list>', `run a subset of the workloads ${WORKLOADS.join(', ')}, e.g. W1,TORCH`, parseOnly)
    .option('--kernels <list>', `the kernel sets to measure (default: ${kernelNames.join(',')})`, parseKernels)
    .option('--export <file>', 'write the W1 and W2 workloads (weights, x0, y, kstep loss and gradient norm) as JSON for bench/torch_reference.py --workloads FILE, and time nothing')
    .addHelpText('after', '\nexample: npm run bench -- --only W1,TORCH --kernels wasm --json')
    .exitOverride()
    .configureOutput({ outputError: (msg, write) => write(`bench: ${msg.replace(/^error: /, '')}`) });
}

async function run(opts: Options): Promise<BenchReport> {
  const want = (w: string): boolean => opts.only === undefined || opts.only.has(w);
  const quick = opts.quick === true;
  const { small, gen, big, kernel } = budgets(quick);
  // The kernel set rollouts use here comes first; JavaScript only when asked for or available as the other.
  const sets = opts.kernels ?? (activeKernels() === 'wasm' ? ['wasm', 'js'] : ['js']);
  const info: BenchInfo = {
    node: process.version,
    v8: process.versions.v8,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    platform: `${os.platform()} ${os.arch()}`,
    dtype: 'float64',
    threads: 1,
    kernels: sets,
    loadavg_1min_start: os.loadavg()[0],
    loadavg_1min_end: NaN,
    common: COMMON,
  };
  const workloads: WorkloadResult[] = [];
  const kernels: KernelResult[] = [];
  const log = (msg: string): void => {
    if (!opts.json) process.stderr.write(msg);
  };

  // The GA generation is compared with W1's stored forward pass (of the first kernel set), so GA runs W1 too.
  let comparison: GaVsBpttForward | null = null;
  for (const k of sets) {
    let w1: GradResult | null = null;
    let fwdStore: ForwardResult | null = null;
    if (want('W1') || want('GA')) {
      log(`W1 gradient, ${k} ...\n`);
      const g = gradientWorkload('W1', W1, k, small);
      w1 = g.res;
      if (want('W1')) workloads.push(g.res);
      log(`W1 forward with store, ${k} ...\n`);
      fwdStore = forwardStoreWorkload('W1', W1, g, small);
      workloads.push(fwdStore);
    }
    if (want('W1')) {
      log(`W1 gradient with relu, ${k} ...\n`);
      workloads.push(gradientWorkload('W1-relu', W1_RELU, k, small).res);
    }
    if (want('GA')) {
      log(`GA generation, ${k} ...\n`);
      const ga: GenerationResult = generationWorkload('ga', W1, k, gen);
      workloads.push(ga);
      if (comparison === null && w1 && fwdStore) comparison = gaVsBpttForward(ga, fwdStore, w1);
    }
    if (want('CMAES')) {
      log(`CMA-ES generation, ${k} ...\n`);
      workloads.push(generationWorkload('cmaes', W1, k, gen));
    }
    if (want('KERNELS')) {
      log(`kernels alone, ${k} ...\n`);
      kernels.push(...kernelWorkloads(k, kernel));
    }
    if (want('W2')) {
      log(`W2 gradient, ${k} (seconds per call) ...\n`);
      workloads.push(gradientWorkload('W2', W2, k, big).res);
    }
  }
  let torch: TorchSideBySide | null = null;
  if (want('TORCH')) {
    log('PyTorch: bench/torch_reference.py on the same workloads ...\n');
    torch = torchSideBySide(quick);
  }
  let memory: MemoryResult | null = null;
  if (want('LONG')) {
    log('LONG gradient, memory full and sqrt (seconds per call) ...\n');
    memory = memoryWorkload(big);
  }
  let sweep: SweepBenchResult | null = null;
  if (want('SWEEP')) {
    log('sweep on 1 and on 2 workers ...\n');
    sweep = await benchSweep({ quick });
  }
  info.loadavg_1min_end = os.loadavg()[0];
  return { info, workloads, kernels, ga_vs_bptt_forward: comparison, memory, torch, sweep };
}

async function main(argv: string[]): Promise<number> {
  const cmd = program();
  try {
    cmd.parse(argv);
  } catch (err) {
    // Help ends here with exit code 0; every parse error is a usage error (2).
    return (err as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
  const opts = cmd.opts<Options>();
  if (opts.export !== undefined) {
    exportWorkloads(opts.export);
    return 0;
  }
  const report = await run(opts);
  process.stdout.write(opts.json ? formatJson(report) : formatText(report, opts.quick === true));
  return 0;
}

process.exitCode = await main(process.argv);
