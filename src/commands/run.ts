/** `kstep run`: one cell, trained and measured, printed as tables or as one JSON record. */
import { readFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { type CellResult, buildCell, runCell } from '../experiment/cell.js';
import { type CellConfig, describeConfig, formatValue, resolveConfig } from '../experiment/config.js';
import { checkCellResources } from '../experiment/resources.js';
import { recordedPairs } from '../core/tasks.js';
import { loadTaskInput } from '../experiment/task-module.js';
import { colorFor, plainTable } from '../output/color.js';
import { writeFileAtomic } from '../output/csv.js';
import { fmt, fmtCost, fmtMs } from '../output/format.js';
import { checkFileTarget, showPath } from '../output/paths.js';
import { header, netRecord, taskRecord, toJson } from '../output/records.js';
import { logSparkline } from '../output/sparkline.js';
import { MEMORY_HELP, addConfigOptions, configInput, parseMemory } from './options.js';

export function runCommand(program: Command): void {
  const cmd = program
    .command('run')
    .description('train one cell and print its metrics and gradient health')
    .addHelpText('after', '\nExample:\n  kstep run --task rotation --K 16 --activation tanh --optimizer bptt --seed 1\n  kstep run --task logistic --set task.r=3.9 --K 8 --clip 1 --json\n  kstep run --task ./examples/lotka-volterra.mjs --K 8    # a task module (runs its code)');
  addConfigOptions(cmd)
    .option('--json', 'print the record as JSON on stdout')
    .option('--save-params <file>', 'write the trained network (spec + parameter vector) as JSON; an existing file only if it holds this configuration\'s parameters')
    .option('--force', 'with --save-params: replace the file whatever it holds')
    .option('--memory <mode>', MEMORY_HELP)
    .action(async (opts: Record<string, unknown>) => {
      const input = configInput(opts);
      const memory = parseMemory(opts.memory as string | undefined);
      await loadTaskInput(input);
      const cfg = resolveConfig(input);
      if (memory) cfg.memory = memory;
      checkCellResources(cfg, 'run');
      const saveTo = opts.saveParams as string | undefined;
      if (saveTo !== undefined) checkParamsFile(saveTo, cfg, Boolean(opts.force));
      const json = Boolean(opts.json);
      if (!json) process.stdout.write(`${headline(cfg)}\n`);
      const result = withProgress(cfg);
      process.stdout.write(json ? toJson(runRecord(result)) : `${renderRun(result)}\n`);
      if (saveTo !== undefined) {
        try {
          writeFileAtomic(saveTo, toJson(paramsRecord(result)));
        } catch (e) {
          process.stderr.write(`kstep: --save-params: could not write ${showPath(saveTo)}: ${(e as Error).message.split('\n')[0]}\n`);
          process.exitCode = 1;
        }
      }
    });
}

/**
 * Checked before training: --save-params names a file in an existing, writable folder; an existing
 * file is replaced only when it holds the parameters of this same configuration (a rerun writes the
 * same numbers), or with --force.
 */
function checkParamsFile(file: string, cfg: CellConfig, force: boolean): void {
  const config = JSON.parse(toJson(Object.fromEntries(describeConfig(cfg))));
  checkFileTarget(file, '--save-params', {
    force,
    refusal: (f) => {
      let old: { format?: unknown; config?: unknown };
      try {
        old = JSON.parse(readFileSync(f, 'utf8'));
      } catch {
        return 'exists and is not a kstep params file';
      }
      if (old?.format !== 'kstep-params/1') return 'exists and is not a kstep params file';
      return JSON.stringify(old.config) === JSON.stringify(config) ? undefined : 'holds the parameters of another configuration';
    },
  });
}

function headline(cfg: CellConfig): string {
  const c = colorFor(process.stdout);
  const keys = ['task', 'K', 'activation', 'hidden', 'optimizer', 'seed', 'budget'];
  const parts = describeConfig(cfg)
    .filter(([k]) => keys.includes(k) || k.startsWith('task.'))
    .map(([k, v]) => `${k}=${formatValue(v)}`);
  return `${c.bold('kstep run')}  ${parts.join(' ')}`;
}

/** Runs the cell with a progress bar on stderr when it is a TTY. */
function withProgress(cfg: CellConfig): CellResult {
  if (!process.stderr.isTTY) return runCell(cfg);
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'training |{bar}| {percentage}%  cost {cost} of {total_cost}  nmse {nmse}',
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1000, 0, { cost: 0, total_cost: fmtCost(cfg.budget), nmse: '-' });
  try {
    return runCell(cfg, (p) => bar.update(Math.min(1000, Math.round((1000 * p.cost) / p.budget)), { cost: fmtCost(p.cost), nmse: fmt(p.nmse) }));
  } finally {
    bar.stop();
  }
}

export function runRecord(r: CellResult) {
  return {
    ...header('kstep-run/1'),
    config: Object.fromEntries(describeConfig(r.config)),
    key: r.key,
    status: r.status,
    ...r.eval,
    cost: r.cost,
    cost_to_target: r.cost_to_target,
    iterations: r.iterations,
    nonfinite: r.nonfinite,
    wall_ms: r.wall_ms,
    start: r.start,
    end: r.end,
    curve: r.curve,
  };
}

function paramsRecord(r: CellResult) {
  const { net, task } = buildCell(r.config);
  return {
    ...header('kstep-params/1'),
    config: Object.fromEntries(describeConfig(r.config)),
    task: taskRecord(task),
    net: netRecord(net),
    theta: Array.from(r.theta),
  };
}

/** A metric that needs the task's true map: a data task has none, and then it is not available. */
function trueMap(v: number, data: boolean): string {
  return data ? 'not available (data file: no true map)' : fmt(v);
}

/** Metrics table, then the adjoint profile at start and end. */
export function renderRun(r: CellResult): string {
  const c = colorFor(process.stdout);
  const statusColor = r.status === 'reached' ? c.green : r.status === 'budget' ? c.yellow : c.red;
  const K = r.config.K;
  const data = recordedPairs(r.config.task) !== undefined;
  const metrics = plainTable([c.bold('metric'), c.bold('value')]);
  metrics.push(
    ['status', statusColor(r.status)],
    ['train nmse', fmt(r.eval.train_nmse)],
    ['validation nmse', r.config.val > 0 ? fmt(r.eval.val_nmse) : 'no validation set (val = 0)'],
    ['test nmse', fmt(r.eval.test_nmse)],
    [`extrapolation nmse (2K = ${2 * K})`, trueMap(r.eval.extrap_nmse, data)],
    ['one-step nmse', trueMap(r.eval.onestep_nmse, data)],
    ['cost (network applications)', `${fmtCost(r.cost)} of ${fmtCost(r.config.budget)}`],
    ['cost to target', Number.isNaN(r.cost_to_target) ? `not reached (target ${fmt(r.config.target)})` : fmtCost(r.cost_to_target)],
    ['iterations', String(r.iterations)],
    ['non-finite losses', String(r.nonfinite)],
    ['wall time', fmtMs(r.wall_ms)],
  );
  const curve = logSparkline(r.curve.map((p) => p.nmse), 48);
  const head = [metrics.toString(), `training nmse against cost (log): ${curve.line}  ${fmt(curve.min)}..${fmt(curve.max)}`, ''];
  if (r.start.adjoints.length === 0)
    return [...head, `${c.bold('Gradient health')}: not available (the feature map ${r.config.features} has no vjp: nothing differentiates through it)`].join('\n');
  const health = plainTable([c.bold('phase'), c.bold('grad norm'), c.bold('||a_0||/||a_K||'), c.bold('health'), c.bold(`log10 ||dL/do_t||, t = 0..${K}`)]);
  for (const [phase, p] of [['start', r.start], ['end', r.end]] as const) {
    const s = logSparkline(p.adjoints, 48);
    const label = p.label === 'healthy' ? c.green(p.label) : c.red(p.label);
    health.push([phase, fmt(p.grad_norm), fmt(p.ratio), label, `${s.line}  ${fmt(s.min)}..${fmt(s.max)}`]);
  }
  const ts = [...new Set([K, Math.round((3 * K) / 4), Math.round(K / 2), Math.round(K / 4), 0])];
  const atT = plainTable([c.bold('||dL/do_t||'), ...ts.map((t) => c.bold(`t=${t}`))]);
  atT.push(['start', ...ts.map((t) => fmt(r.start.adjoints[t]))], ['end', ...ts.map((t) => fmt(r.end.adjoints[t]))]);
  return [
    ...head,
    c.bold('Gradient health') + ` (whole training set at K = ${K}; a_t = dL/do_t)`,
    health.toString(),
    atT.toString(),
  ].join('\n');
}
