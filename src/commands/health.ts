/**
 * `kstep health`: per-K gradient diagnostics of a network, at initialisation or from a
 * `run --save-params` file: gradient norm, adjoint ratio, gradient SNR, per-step Jacobian norm,
 * Lyapunov exponents of net and task, Pascanu's bound and the health label, as a table and a
 * log-scale chart (or `--json`).
 */
import type { Command } from 'commander';
import type { Net } from '../core/mlp.js';
import { assemble } from '../core/setup.js';
import type { TaskInstance } from '../core/tasks.js';
import { UsageError } from '../errors.js';
import { readJsonFile } from '../json-file.js';
import { loadTaskInput, requireTrueMap } from '../experiment/task-module.js';
import { type CellConfig, describeConfig, formatValue, parseDecimal, preview, resolveConfig } from '../experiment/config.js';
import type { Health } from '../health/classify.js';
import { type Diagnosis, diagnose, diagnoseDefaults } from '../health/diagnose.js';
import { lyapunovDefaults } from '../health/lyapunov.js';
import { snrDefaults } from '../health/snr.js';
import { colorFor, plainTable } from '../output/color.js';
import { fmt } from '../output/format.js';
import { header, netRecord, taskRecord, toJson } from '../output/records.js';
import { addConfigOptions, configInput } from './options.js';

/** Keys that define the task and the net (what `health` and `lyapunov` accept as flags or --set). */
export const netKeys = ['activation', 'hidden', 'features', 'init', 'gain', 'residual'] as const;
export const healthKeys = ['task', ...netKeys, 'seed'] as const;

/** A network to diagnose: its config, task, net and parameters, and where they came from. */
export interface Subject {
  cfg: CellConfig;
  task: TaskInstance;
  net: Net;
  theta: Float64Array;
  /** 'init' or the params file. */
  source: string;
}

/** What a `run --save-params` file holds besides its format. */
export interface ParamsFile {
  config: Record<string, unknown>;
  /** The task and net records written with the config, when present: checked against it. */
  task?: unknown;
  net?: unknown;
  theta: Float64Array;
}

/** Reads a `run --save-params` file (format kstep-params/1); every problem is a UsageError. */
export function loadParams(file: string): ParamsFile {
  const rec = readJsonFile(file, '--params');
  const r = rec as { format?: unknown; config?: unknown; task?: unknown; net?: unknown; theta?: unknown };
  if (typeof rec !== 'object' || rec === null || r.format !== 'kstep-params/1') {
    throw new UsageError('--params', `${file} is not a kstep-params/1 file (write one with kstep run --save-params)`);
  }
  if (typeof r.config !== 'object' || r.config === null || Array.isArray(r.config)) throw new UsageError('--params', `${file} has no config object`);
  if (!Array.isArray(r.theta) || !r.theta.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new UsageError('--params', `${file}: theta must be an array of finite numbers`);
  }
  return { config: r.config as Record<string, unknown>, task: r.task, net: r.net, theta: Float64Array.from(r.theta as number[]) };
}

/**
 * The file's `task` and `net` records must be those its config builds: a file edited (or written by
 * another version) so that they disagree would be diagnosed as something it is not. The first
 * difference is refused, naming the field and both values.
 */
function checkParamsRecords(file: string, p: ParamsFile): void {
  let cfg: CellConfig;
  try {
    cfg = resolveConfig(p.config, true, 'json');
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError('--params', `${file}: config.${err.message}`);
    throw err;
  }
  const { task, net } = assemble(cfg);
  const expected: [string, unknown, Record<string, unknown>][] = [
    ['task', p.task, taskRecord(task)],
    ['net', p.net, netRecord(net)],
  ];
  for (const [name, got, want] of expected) {
    if (got === undefined) continue;
    if (typeof got !== 'object' || got === null || Array.isArray(got)) throw new UsageError('--params', `${file}: ${name} must be an object, got ${preview(got)}`);
    for (const [k, v] of Object.entries(want)) {
      const g = (got as Record<string, unknown>)[k];
      if (JSON.stringify(g) !== JSON.stringify(v))
        throw new UsageError('--params', `${file}: ${name}.${k} is ${preview(g)} but the file's config gives ${preview(v)}`);
    }
  }
}

/**
 * The task and network from flags, or from --params with task flags (task, task.*, seed) allowed
 * to override the file's; net flags next to --params are refused (they would not match theta).
 */
export async function resolveSubject(opts: Record<string, unknown>, command = 'health'): Promise<Subject> {
  const input = configInput(opts, healthKeys);
  await loadTaskInput(input);
  if (typeof input.task === 'string') requireTrueMap(input.task, `kstep ${command}`);
  for (const key of Object.keys(input)) {
    if (!(healthKeys as readonly string[]).includes(key) && !key.startsWith('task.')) {
      throw new UsageError(key, `not a task or net key (allowed here: ${healthKeys.join(', ')}, task.<param>)`);
    }
  }
  const file = opts.params as string | undefined;
  if (file === undefined) {
    const cfg = resolveConfig(input);
    const { task, net, theta0 } = assemble(cfg);
    return { cfg, task, net, theta: theta0(), source: 'init' };
  }
  const given = (netKeys as readonly string[]).filter((k) => k in input);
  if (given.length) throw new UsageError(given[0], 'the net comes from --params; drop this flag');
  const loaded = loadParams(file);
  await loadTaskInput(loaded.config);
  if (input.task === undefined && typeof loaded.config.task === 'string') requireTrueMap(loaded.config.task, `kstep ${command}`);
  checkParamsRecords(file, loaded);
  const { config, theta } = loaded;
  const merged: Record<string, unknown> = { ...config };
  if (input.task !== undefined && input.task !== config.task) {
    // Another task: the file's task parameters do not apply to it.
    for (const k of Object.keys(merged)) if (k.startsWith('task.')) delete merged[k];
  }
  Object.assign(merged, input);
  let cfg: CellConfig;
  try {
    cfg = resolveConfig(merged, true);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError('--params', `${file}: ${err.message}`);
    throw err;
  }
  const { task, net } = assemble(cfg);
  if (theta.length !== net.nParams) {
    throw new UsageError('--params', `${file}: theta has ${theta.length} entries, the net ${net.layout()} has ${net.nParams}`);
  }
  return { cfg, task, net, theta, source: file };
}

/**
 * The ranges of the sample and step counts of `health` and `lyapunov` (their cost grows with each):
 * [min, max], shown in the flags' help.
 */
export const countFlags = {
  samples: [1, 1_000_000],
  snrBatches: [2, 100_000],
  snrBatch: [1, 100_000],
  steps: [1, 10_000_000],
  burnin: [0, 10_000_000],
  lyapSamples: [1, 100_000],
} as const satisfies Record<string, readonly [number, number]>;

/** ` (min..max)` for a flag's help. */
export const rangeHelp = (r: readonly [number, number]): string => ` (${r[0]}..${r[1]})`;

/** An integer flag in min..max, in decimal notation. */
export function positiveInt(flag: string, raw: unknown, min: number, max: number): number {
  const n = typeof raw === 'number' ? raw : parseDecimal(String(raw));
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(flag, `must be an integer in ${min}..${max}, got ${preview(raw)}`);
  return n;
}

/** A comma-separated list of Ks: positive integers, at most 100000, sorted and unique. */
export function parseKs(raw: unknown): number[] {
  const parts = String(raw).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!parts.length) throw new UsageError('--K', `expected a list like 1,2,4,8, got ${JSON.stringify(raw)}`);
  const Ks = parts.map((p) => {
    const n = parseDecimal(p);
    if (!Number.isInteger(n) || n < 1 || n > 100000) throw new UsageError('--K', `each K must be an integer in 1..100000, got '${p}'`);
    return n;
  });
  return [...new Set(Ks)].sort((a, b) => a - b);
}

export function healthCommand(program: Command): void {
  const cmd = program
    .command('health')
    .description('per-K gradient health of a network: gradient norm, adjoint ratio, SNR, Jacobians, Lyapunov exponents, Pascanu bound')
    .addHelpText(
      'after',
      '\nExample:\n  kstep health --task logistic --set task.r=3.9 --activation tanh --K 1,2,4,8,16,32,64\n' +
        '  kstep run --task logistic --K 1 --save-params net.json && kstep health --params net.json --json',
    );
  addConfigOptions(cmd, healthKeys)
    .option('--K <list>', 'Ks to diagnose, comma-separated', diagnoseDefaults.Ks.join(','))
    .option('--params <file>', 'diagnose a trained network saved by kstep run --save-params (default: the initialisation)')
    .option('--samples <n>', 'initial states for loss, gradient, adjoints and Jacobians' + rangeHelp(countFlags.samples), String(diagnoseDefaults.samples))
    .option('--snr-batches <M>', 'minibatches for the gradient SNR' + rangeHelp(countFlags.snrBatches), String(snrDefaults.batches))
    .option('--snr-batch <b>', 'initial states per SNR minibatch' + rangeHelp(countFlags.snrBatch), String(snrDefaults.batch))
    .option('--lyap-steps <n>', 'measured steps of the Lyapunov exponents' + rangeHelp(countFlags.steps), '500')
    .option('--lyap-samples <n>', 'initial states of the Lyapunov exponents' + rangeHelp(countFlags.lyapSamples), String(lyapunovDefaults.samples))
    .option('--json', 'print the diagnostics as JSON')
    .action(async (opts: Record<string, unknown>) => {
      const Ks = parseKs(opts.K);
      const samples = positiveInt('--samples', opts.samples, ...countFlags.samples);
      const batches = positiveInt('--snr-batches', opts.snrBatches, ...countFlags.snrBatches);
      const batch = positiveInt('--snr-batch', opts.snrBatch, ...countFlags.snrBatch);
      const steps = positiveInt('--lyap-steps', opts.lyapSteps, ...countFlags.steps);
      const lyapSamples = positiveInt('--lyap-samples', opts.lyapSamples, ...countFlags.lyapSamples);
      const subject = await resolveSubject(opts);
      const { cfg, task, net, theta } = subject;
      const d = diagnose(task, net, theta, {
        Ks,
        samples,
        snr: { batches, batch },
        lyapunov: { steps, burnin: lyapunovDefaults.burnin, samples: lyapSamples },
        seed: cfg.seed,
      });
      if (opts.json) {
        process.stdout.write(toJson(healthRecord(subject, d, { samples, snr_batches: batches, snr_batch: batch, lyap_steps: steps, lyap_samples: lyapSamples })));
        return;
      }
      process.stdout.write(`${renderHealth(subject, d)}\n`);
    });
}

export function healthRecord(s: Subject, d: Diagnosis, options: Record<string, number>) {
  return {
    ...header('kstep-health/1'),
    source: s.source,
    config: Object.fromEntries(describeConfig(s.cfg).filter(([k]) => (healthKeys as readonly string[]).includes(k) || k.startsWith('task.'))),
    task: taskRecord(s.task),
    net: netRecord(s.net),
    options,
    pascanu: {
      ...d.pascanu,
      definition: 'gamma^(L-1) * prod_l ||W_l||_2 * sup ||J_phi|| (+1 if residual); bound < 1 is sufficient for vanishing',
    },
    lyapunov: { net: d.lyapunov.net, task: d.lyapunov.task },
    rows: d.rows,
  };
}

function labelColor(c: ReturnType<typeof colorFor>, label: Health): string {
  return label === 'healthy' ? c.green(label) : label === 'nonfinite' ? c.red(label) : label === 'exploding' ? c.red(label) : c.yellow(label);
}

export function renderHealth(s: Subject, d: Diagnosis): string {
  const c = colorFor(process.stdout);
  const keys = ['task', 'activation', 'hidden', 'features', 'residual', 'seed'];
  const parts = describeConfig(s.cfg)
    .filter(([k]) => keys.includes(k) || k.startsWith('task.'))
    .map(([k, v]) => `${k}=${formatValue(v)}`);
  const head = `${c.bold('kstep health')}  ${parts.join(' ')}  net: ${s.source === 'init' ? `initialisation (${s.cfg.init}, gain ${fmt(s.cfg.gain)})` : s.source}`;
  const t = plainTable(
    ['K', 'nmse', 'grad norm', '||a_0||/||a_K||', 'per step', 'grad SNR', '||J_t|| (gm)', 'lambda net', 'lambda task', 'Pascanu', 'health'].map((h) => c.bold(h)),
  );
  for (const r of d.rows) {
    t.push([
      String(r.K),
      fmt(r.nmse),
      fmt(r.grad_norm),
      fmt(r.adjoint_ratio),
      fmt(r.adjoint_step),
      fmt(r.snr),
      fmt(r.jac_norm),
      fmt(r.lyap_net),
      fmt(r.lyap_task),
      fmt(r.pascanu_bound),
      labelColor(c, r.label),
    ]);
  }
  const p = d.pascanu;
  const ln = d.lyapunov.net;
  const lt = d.lyapunov.task;
  const spectrum = (x: typeof ln) => (x ? `${x.exponents.map((v) => fmt(v)).join(', ')}  (${x.used}/${x.samples} states, ${x.steps} steps)` : '-');
  const pascanuLine =
    `Pascanu bound on ||J_t||: gamma^${s.net.L - 1} x prod ||W_l|| x ||J_phi|| = ${fmt(p.gamma)}^${s.net.L - 1} x ` +
    `${p.layerNorms.map((n) => fmt(n)).join(' x ')} x ${fmt(p.phiNorm)}${s.net.spec.residual ? ' + 1 (residual)' : ''} = ${fmt(p.bound)}: ` +
    (p.vanishes
      ? c.yellow('< 1, gradients must vanish (per-step adjoint ratio <= bound)')
      : 'not < 1, the sufficient condition for vanishing does not hold');
  const chart = logChart(
    d.rows.map((r) => r.K),
    [
      { name: 'grad norm', mark: 'g', values: d.rows.map((r) => r.grad_norm) },
      { name: '||a_0||/||a_K||', mark: 'a', values: d.rows.map((r) => r.adjoint_ratio) },
      { name: 'grad SNR', mark: 's', values: d.rows.map((r) => r.snr) },
    ],
  );
  return [
    head,
    t.toString(),
    `Lyapunov exponents per step, net:  ${spectrum(ln)}`,
    `Lyapunov exponents per step, task: ${spectrum(lt)}`,
    pascanuLine,
    '',
    c.bold('log10 scale against K'),
    chart,
  ].join('\n');
}

export interface ChartSeries {
  name: string;
  /** One character drawn at each point. */
  mark: string;
  values: readonly number[];
}

/**
 * A log10-scale scatter chart for the terminal: one column block per x label, `height` rows, each
 * series drawn with its mark ('*' where two meet); non-finite or non-positive values are left out.
 */
export function logChart(xs: readonly number[], series: readonly ChartSeries[], height = 10): string {
  const logs = series.map((s) => s.values.map((v) => (v > 0 && Number.isFinite(v) ? Math.log10(v) : NaN)));
  const finite = logs.flat().filter((v) => !Number.isNaN(v));
  if (!finite.length) return '(nothing finite to plot)';
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const colw = Math.max(3, ...xs.map((x) => String(x).length + 1));
  const grid = Array.from({ length: height }, () => new Array<string>(xs.length * colw).fill(' '));
  logs.forEach((ls, si) => {
    ls.forEach((v, i) => {
      if (Number.isNaN(v)) return;
      const row = height - 1 - Math.round(((v - lo) / (hi - lo)) * (height - 1));
      const col = i * colw + Math.floor(colw / 2);
      const cur = grid[row][col];
      grid[row][col] = cur === ' ' || cur === series[si].mark ? series[si].mark : '*';
    });
  });
  const label = (v: number) => `1e${Math.round(v)}`;
  const lw = Math.max(label(hi).length, label(lo).length, label((hi + lo) / 2).length);
  const lines = grid.map((cells, r) => {
    const tick = r === 0 ? label(hi) : r === height - 1 ? label(lo) : r === Math.floor((height - 1) / 2) ? label(hi - ((hi - lo) * r) / (height - 1)) : '';
    return `${tick.padStart(lw)} |${cells.join('')}`;
  });
  lines.push(`${' '.repeat(lw)} +${'-'.repeat(xs.length * colw)}`);
  lines.push(`${' '.repeat(lw)}  ${xs.map((x) => String(x).padStart(Math.floor(colw / 2) + Math.ceil(String(x).length / 2)).padEnd(colw)).join('')}  K`);
  lines.push(`${' '.repeat(lw)}  ${series.map((s) => `${s.mark} = ${s.name}`).join('   ')}   (* = overlap)`);
  return lines.join('\n');
}
