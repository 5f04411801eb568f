/**
 * `npm run bench`: the speed of the core rollout on fixed workloads, single thread, float64.
 *
 *   W1   one BPTT gradient (Rollout.lossAndGrad): task rotation (D = 2), identity features,
 *        hidden [32, 32], tanh, batch 64, K = 64                                   (issue 2)
 *   W2   the same at hidden [128, 128], batch 256, K = 512                        (issue 2)
 *   GA   one generation of P = 64 forward-only evaluations (Rollout.loss) of W1's net and batch,
 *        compared per network application with W1's stored forward pass           (issue 3)
 *
 * flops of a forward = 2 B K sum_l(fan_in fan_out); a gradient counts 3 x forward (DESIGN.md's cost).
 * Each workload is warmed up, then repeated until it has enough repetitions and seconds; the table
 * gives the median and the minimum of one call. `--json` prints the same figures as JSON.
 * The PyTorch cross-check of W1 and W2 is bench/torch_reference.py.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Net, initParams } from '../src/core/mlp.js';
import { derive } from '../src/core/rng.js';
import { Rollout } from '../src/core/rollout.js';
import { makeTask } from '../src/core/tasks.js';
import { type SweepBenchResult, benchSweep } from './sweep.js';

const SEED = 1;
/** Population of the GA workload. */
const P_GA = 64;

interface Options {
  json: boolean;
  quick: boolean;
  only: Set<string> | null;
  exportFile: string | null;
}

interface Timing {
  reps: number;
  medianMs: number;
  minMs: number;
}

/** How long a workload is measured: until it has minReps and minSeconds, unless maxSeconds passed with >= 3 reps. */
interface Budget {
  warmup: number;
  minReps: number;
  minSeconds: number;
  maxSeconds: number;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { json: false, quick: false, only: null, exportFile: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') opts.json = true;
    else if (a === '--quick') opts.quick = true;
    else if (a === '--only') {
      const v = argv[++i];
      if (!v) usage('--only needs a list, e.g. --only W1,GA');
      const names = v.split(',').map((s) => s.trim().toUpperCase());
      for (const n of names) if (!['W1', 'W2', 'GA', 'SWEEP'].includes(n)) usage(`--only: unknown workload ${n} (allowed: W1, W2, GA, SWEEP)`);
      opts.only = new Set(names);
    } else if (a === '--export') {
      const v = argv[++i];
      if (!v) usage('--export needs a file name, e.g. --export /tmp/kstep-workloads.json');
      opts.exportFile = v;
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: npm run bench -- [--json] [--quick] [--only W1,W2,GA,SWEEP] [--export FILE]\n' +
          '  --json         print the figures as JSON on stdout\n' +
          '  --quick        fewer repetitions (a smoke test, not a measurement)\n' +
          '  --only         run a subset of the workloads W1, W2, GA, SWEEP\n' +
          '  --export FILE  write the W1 and W2 workloads (weights, x0, y, kstep loss and gradient norm)\n' +
          '                 as JSON for bench/torch_reference.py --workloads FILE, and time nothing\n' +
          'example: npm run bench -- --only W1 --json\n',
      );
      process.exit(0);
    } else usage(`unknown option ${a} (allowed: --json, --quick, --only, --export)`);
  }
  return opts;
}

function usage(msg: string): never {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function measure(fn: () => void, budget: Budget): Timing {
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
  return { reps: times.length, medianMs: median(times), minMs: Math.min(...times) };
}

interface Setup {
  net: Net;
  theta: Float64Array;
  x0: Float64Array;
  y: Float64Array;
  /** Multiply-adds x 2 of one forward pass over the batch and the K steps. */
  forwardFlops: number;
}

/** Standard deviation of the benchmark's biases (see setup). */
const BIAS_SD = 0.2;

/**
 * The reference workload: rotation targets y = f^K(x0), xavier-initialised tanh MLP, all from seeded
 * streams. The biases are drawn from N(0, BIAS_SD^2) rather than left at zero: with zero biases the
 * freshly initialised net contracts every state to about 1e-74 within 64 steps (1e-240 at K = 512),
 * so 95-99% of the tanh calls would take Math.tanh's fast path for tiny arguments (about 3 ns instead
 * of 8.5 ns) and the timing would describe no network anyone trains. With these biases the states stay
 * O(0.3) for all K.
 */
function setup(hidden: number[], B: number, K: number): Setup {
  const task = makeTask('rotation');
  const D = task.D;
  const net = new Net({ D, features: 'identity', hidden, activation: 'tanh', residual: false });
  const theta = initParams(net, 'xavier', 1, derive(SEED, `bench/init/${hidden.join(',')}`));
  const biasRng = derive(SEED, `bench/bias/${hidden.join(',')}`);
  for (let l = 1; l <= net.L; l++) {
    for (let j = 0; j < net.sizes[l]; j++) theta[net.bOff[l - 1] + j] = BIAS_SD * biasRng.normal();
  }
  const rng = derive(SEED, `bench/data/${B}`);
  const x0 = new Float64Array(B * D);
  const y = new Float64Array(B * D);
  for (let s = 0; s < B; s++) task.sample(rng, x0, s * D);
  y.set(x0);
  for (let t = 0; t < K; t++) for (let s = 0; s < B; s++) task.step(y, s * D, y, s * D);
  let macs = 0;
  for (let l = 1; l <= net.L; l++) macs += net.sizes[l - 1] * net.sizes[l];
  return { net, theta, x0, y, forwardFlops: 2 * B * K * macs };
}

interface GradResult {
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

function gradWorkload(name: string, hidden: number[], B: number, K: number, budget: Budget): { res: GradResult; s: Setup; rollout: Rollout } {
  const s = setup(hidden, B, K);
  const rollout = new Rollout(s.net);
  const grad = new Float64Array(s.net.nParams);
  let loss = NaN;
  const t = measure(() => {
    loss = rollout.lossAndGrad(s.theta, s.x0, s.y, B, K, grad);
  }, budget);
  if (!Number.isFinite(loss)) throw new Error(`${name}: loss is ${loss}`);
  return {
    s,
    rollout,
    res: {
      workload: name,
      kind: 'gradient',
      hidden,
      batch: B,
      K,
      nParams: s.net.nParams,
      reps: t.reps,
      median_ms: t.medianMs,
      min_ms: t.minMs,
      gflops: (3 * s.forwardFlops) / (t.medianMs * 1e-3) / 1e9,
      ns_per_application: (t.medianMs * 1e6) / (B * K),
      loss,
    },
  };
}

interface ForwardResult {
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

/** The W1 and W2 inputs exactly, with kstep's loss and gradient norm, for the PyTorch cross-check. */
function exportWorkloads(file: string): void {
  const out: Record<string, unknown> = {};
  for (const [name, hidden, B, K] of [['W1', [32, 32], 64, 64], ['W2', [128, 128], 256, 512]] as const) {
    const s = setup([...hidden], B, K);
    const { net } = s;
    const D = net.spec.D;
    const grad = new Float64Array(net.nParams);
    const loss = new Rollout(net).lossAndGrad(s.theta, s.x0, s.y, B, K, grad);
    const W: number[][][] = [];
    const b: number[][] = [];
    for (let l = 1; l <= net.L; l++) {
      const nin = net.sizes[l - 1];
      const nout = net.sizes[l];
      const Wl: number[][] = [];
      for (let i = 0; i < nin; i++) Wl.push(Array.from(s.theta.subarray(net.wOff[l - 1] + i * nout, net.wOff[l - 1] + (i + 1) * nout)));
      W.push(Wl);
      b.push(Array.from(s.theta.subarray(net.bOff[l - 1], net.bOff[l - 1] + nout)));
    }
    const rows = (v: Float64Array): number[][] => Array.from({ length: B }, (_, r) => Array.from(v.subarray(r * D, (r + 1) * D)));
    let g2 = 0;
    for (const g of grad) g2 += g * g;
    out[name] = { hidden, batch: B, K, activation: 'tanh', W, b, x0: rows(s.x0), y: rows(s.y), loss, grad_norm: Math.sqrt(g2) };
  }
  writeFileSync(file, `${JSON.stringify({ layout: 'W[l][in][out], b[l][out]; h = tanh(h W + b), last layer linear', ...out })}\n`);
  process.stderr.write(`bench: wrote ${file}\n`);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.exportFile !== null) {
    exportWorkloads(opts.exportFile);
    return;
  }
  const run = (w: string): boolean => opts.only === null || opts.only.has(w);
  const q = opts.quick;
  const small: Budget = q ? { warmup: 3, minReps: 5, minSeconds: 0.2, maxSeconds: 1 } : { warmup: 20, minReps: 20, minSeconds: 2, maxSeconds: 10 };
  // A GA generation is 64 rollouts (~0.2 s), so two generations warm it up and 10 make over 2 s.
  const gen: Budget = q ? { warmup: 1, minReps: 3, minSeconds: 0, maxSeconds: 1 } : { warmup: 2, minReps: 10, minSeconds: 2, maxSeconds: 10 };
  const big: Budget = q ? { warmup: 0, minReps: 1, minSeconds: 0, maxSeconds: 0 } : { warmup: 1, minReps: 5, minSeconds: 2, maxSeconds: 25 };
  const info = {
    node: process.version,
    v8: process.versions.v8,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    platform: `${os.platform()} ${os.arch()}`,
    dtype: 'float64',
    threads: 1,
    loadavg_1min_start: os.loadavg()[0],
    loadavg_1min_end: NaN,
    /** What every workload shares. */
    common: { task: 'rotation', D: 2, features: 'identity', activation: 'tanh', residual: false, init: 'xavier', bias_sd: BIAS_SD, loss: 'terminal MSE', seed: SEED },
  };
  const results: (GradResult | ForwardResult)[] = [];
  const log = (msg: string): void => {
    if (!opts.json) process.stderr.write(msg);
  };

  // W1, its stored forward pass (the forward third of the gradient) and the GA generation share one setup.
  const B1 = 64;
  const K1 = 64;
  const H1 = [32, 32];
  let fwdStore: ForwardResult | null = null;
  let w1: GradResult | null = null;
  if (run('W1') || run('GA')) {
    log('W1 gradient ...\n');
    const g = gradWorkload('W1', H1, B1, K1, small);
    w1 = g.res;
    if (run('W1')) results.push(g.res);
    log('W1 forward with store ...\n');
    const t = measure(() => void g.rollout.forward(g.s.theta, g.s.x0, B1, K1, true), small);
    fwdStore = {
      workload: 'W1-fwd',
      kind: 'forward-store',
      hidden: H1,
      batch: B1,
      K: K1,
      reps: t.reps,
      median_ms: t.medianMs,
      min_ms: t.minMs,
      gflops: g.s.forwardFlops / (t.medianMs * 1e-3) / 1e9,
      ns_per_application: (t.medianMs * 1e6) / (B1 * K1),
    };
    results.push(fwdStore);
  }

  let ga: ForwardResult | null = null;
  if (run('GA')) {
    log('GA generation ...\n');
    const P = P_GA;
    const s = setup(H1, B1, K1);
    const rollout = new Rollout(s.net);
    // A population around theta0 as a GA would hold it: Gaussian mutations with sigma 0.02.
    const rng = derive(SEED, 'bench/population');
    const pop: Float64Array[] = [];
    for (let p = 0; p < P; p++) {
      const th = rng.fillNormal(new Float64Array(s.net.nParams), 0.02);
      for (let i = 0; i < th.length; i++) th[i] += s.theta[i];
      pop.push(th);
    }
    const losses = new Float64Array(P);
    const t = measure(() => {
      for (let p = 0; p < P; p++) losses[p] = rollout.loss(pop[p], s.x0, s.y, B1, K1);
    }, gen);
    if (!losses.every(Number.isFinite)) throw new Error('GA: a population member has a non-finite loss');
    ga = {
      workload: 'GA',
      kind: 'ga-generation',
      hidden: H1,
      batch: B1,
      K: K1,
      population: P,
      reps: t.reps,
      median_ms: t.medianMs,
      min_ms: t.minMs,
      gflops: (P * s.forwardFlops) / (t.medianMs * 1e-3) / 1e9,
      ns_per_application: (t.medianMs * 1e6) / (P * B1 * K1),
      evals_per_s: P / (t.medianMs * 1e-3),
    };
    results.push(ga);
  }

  if (run('W2')) {
    log('W2 gradient (slow: seconds per call) ...\n');
    results.push(gradWorkload('W2', [128, 128], 256, 512, big).res);
  }

  // Forward-only per application against the forward part of the BPTT workload (ratio <= 1 is the goal).
  const comparison =
    ga && fwdStore && w1
      ? {
          ga_ns_per_application: ga.ns_per_application,
          w1_forward_store_ns_per_application: fwdStore.ns_per_application,
          w1_gradient_third_ns_per_application: w1.ns_per_application / 3,
          ratio_vs_forward_store: ga.ns_per_application / fwdStore.ns_per_application,
          ratio_vs_forward_store_of_mins: ga.min_ms / P_GA / fwdStore.min_ms,
          ratio_vs_gradient_third: ga.ns_per_application / (w1.ns_per_application / 3),
        }
      : null;

  let sweep: SweepBenchResult | null = null;
  if (run('SWEEP')) {
    log('sweep on 1 and on 2 workers ...\n');
    sweep = await benchSweep({ quick: q });
  }

  info.loadavg_1min_end = os.loadavg()[0];
  const busy = Math.max(info.loadavg_1min_start, info.loadavg_1min_end) > Math.max(1, info.cores - 0.5);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ info, workloads: results, ga_vs_bptt_forward: comparison, sweep }, null, 2)}\n`);
    return;
  }
  const out: string[] = [];
  out.push(`kstep bench  Node ${info.node} (V8 ${info.v8})  CPU ${info.cpu} x${info.cores}  ${info.platform}  float64, 1 thread${q ? '  [--quick]' : ''}`);
  out.push('');
  const head = ['workload', 'what', 'hidden', 'B', 'K', 'reps', 'median ms', 'min ms', 'GFLOP/s', 'ns/appl', 'evals/s'];
  const rows = results.map((r) => [
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
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const fmt = (r: string[]): string => r.map((v, c) => (c < 2 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  out.push(fmt(head));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) out.push(fmt(r));
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
  if (sweep) {
    out.push('');
    out.push(
      `Sweep of ${sweep.cells} cells (${sweep.workload}), fastest of ${sweep.repeats}: 1 worker ${sweep.workers1_ms.toFixed(0)} ms, ` +
        `2 workers ${sweep.workers2_ms.toFixed(0)} ms: ratio ${sweep.ratio.toFixed(3)} (goal <= ${sweep.target} on ${sweep.cores} cores: ${sweep.pass ? 'met' : 'NOT met'}).`,
    );
  }
  out.push('');
  out.push(`load average (1 min) ${info.loadavg_1min_start.toFixed(2)} at start, ${info.loadavg_1min_end.toFixed(2)} at end, ${info.cores} cores`);
  if (busy) out.push('warning: the machine was busy while measuring; medians are inflated, the minimum times are the better estimate.');
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
