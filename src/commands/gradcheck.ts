/** `kstep gradcheck`: the BPTT gradient against central finite differences. */
import type { Command } from 'commander';
import { activationNames, getActivation } from '../core/activations.js';
import { type GradCheck, gradCheck } from '../core/gradcheck.js';
import type { Net } from '../core/mlp.js';
import { derive } from '../core/rng.js';
import { Rollout } from '../core/rollout.js';
import { assemble } from '../core/setup.js';
import type { TaskInstance } from '../core/tasks.js';
import { UsageError } from '../errors.js';
import { loadTaskModule, requireTrueMap } from '../experiment/task-module.js';
import { type CellConfig, resolveConfig } from '../experiment/config.js';
import { colorFor, plainTable } from '../output/color.js';
import { fmt } from '../output/format.js';
import { header, netRecord, rows, taskRecord, toJson } from '../output/records.js';

/** Relative error below which a gradient passes (float64 central differences reach ~1e-9). */
export const GRADCHECK_TOLERANCE = 1e-6;

interface Checked {
  cfg: CellConfig;
  batch: number;
  h: number;
  x0: Float64Array;
  y: Float64Array;
  theta: Float64Array;
  task: TaskInstance;
  net: Net;
  check: GradCheck;
}

/** One configuration: small net, random biases (so no ReLU pre-activation sits exactly on its kink). */
export function checkOne(cfg: CellConfig, batch: number, h: number): Checked {
  // Streams of its own (gradcheck/init, gradcheck/data/<task>): the checked net is not a cell's.
  const { task, net, theta0, dataset } = assemble(cfg, 'gradcheck/');
  const theta = theta0();
  const biasRng = derive(cfg.seed, 'gradcheck/bias');
  for (let l = 0; l < net.L; l++) for (let j = 0; j < net.sizes[l + 1]; j++) theta[net.bOff[l] + j] = 0.1 * biasRng.normal();
  const data = dataset(batch, cfg.K);
  const x0 = data.states[0];
  const y = data.states[cfg.K];
  return { cfg, batch, h, x0, y, theta, task, net, check: gradCheck(new Rollout(net), theta, x0, y, batch, cfg.K, h) };
}

function list(v: unknown, all: readonly string[]): string[] {
  return v === undefined ? [...all] : String(v).split(',').map((s) => s.trim());
}

export function gradcheckCommand(program: Command): void {
  program
    .command('gradcheck')
    .description('compare the BPTT gradient with central finite differences, per activation and K')
    .option('--task <name>', 'task', 'rotation')
    .option('--activation <names>', 'activations, comma-separated (default: all)')
    .option('--K <values>', 'Ks, comma-separated', '1,4,16')
    .option('--hidden <sizes>', 'hidden sizes of the small test net', '6,5')
    .option('--features <name>', 'feature map', 'identity')
    .option('--residual [bool]', 'residual net')
    .option('--batch <n>', 'initial states in the loss', '4')
    .option('--seed <n>', 'seed of parameters and data', '1')
    .option('--h <step>', 'finite-difference step, relative to each parameter', '1e-6')
    .option('--set <key=value>', 'task parameters, e.g. task.r=3.9 (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--json', 'print the full record of one configuration (one activation, one K) as JSON')
    .addHelpText('after', '\nExample:\n  kstep gradcheck --task logistic --K 1,4,16\n  kstep gradcheck --activation tanh --K 4 --json > tanh-k4.json')
    .action(async (opts: Record<string, unknown>) => {
      const batch = Number(opts.batch);
      if (!Number.isInteger(batch) || batch < 1) throw new UsageError('--batch', `must be a positive integer, got ${opts.batch}`);
      const h = Number(opts.h);
      if (!(h > 0 && h < 1)) throw new UsageError('--h', `must be a number in (0, 1), got ${opts.h}`);
      const sets: Record<string, string> = {};
      for (const e of opts.set as string[]) {
        const eq = e.indexOf('=');
        if (eq <= 0 || !e.startsWith('task.')) throw new UsageError('--set', `expected task.<param>=value, got '${e}'`);
        sets[e.slice(0, eq)] = e.slice(eq + 1);
      }
      const task = await loadTaskModule(String(opts.task));
      requireTrueMap(task, 'kstep gradcheck');
      const acts = list(opts.activation, activationNames);
      const Ks = list(opts.K, []);
      // Validate every combination before computing anything.
      const cfgs = acts.map((activation) =>
        Ks.map((K) =>
          resolveConfig({
            ...sets,
            task,
            activation,
            K,
            hidden: opts.hidden,
            features: opts.features,
            residual: opts.residual === true ? 'true' : opts.residual,
            seed: opts.seed,
          }),
        ),
      );
      if (opts.json) {
        if (cfgs.length !== 1 || cfgs[0].length !== 1) {
          throw new UsageError('--json', 'prints one configuration: give one --activation and one --K');
        }
        process.stdout.write(toJson(gradcheckRecord(checkOne(cfgs[0][0], batch, h))));
        return;
      }
      const c = colorFor(process.stdout);
      const table = plainTable([c.bold('activation'), ...Ks.map((K) => c.bold(`K=${K}`)), c.bold('max rel. error'), c.bold('verdict')]);
      let failed = false;
      for (const row of cfgs) {
        const errs = row.map((cfg) => checkOne(cfg, batch, h).check.relError);
        const max = Math.max(...errs.map((e) => (Number.isNaN(e) ? Infinity : e)));
        const kink = getActivation(row[0].activation).kink;
        const ok = max < GRADCHECK_TOLERANCE;
        if (!ok && !kink) failed = true;
        const verdict = ok ? c.green('ok') : kink ? c.yellow('kink crossed') : c.red('FAIL');
        table.push([row[0].activation, ...errs.map((e) => fmt(e, 2)), fmt(max, 2), verdict]);
      }
      const first = cfgs[0][0];
      process.stdout.write(
        `gradcheck  task=${first.task} hidden=${first.hidden.join(',')} features=${first.features} residual=${first.residual} ` +
          `batch=${batch} h=${fmt(h)}  (||g - fd|| / max(||g||, ||fd||), pass below ${fmt(GRADCHECK_TOLERANCE)})\n${table.toString()}\n`,
      );
      if (failed) process.exitCode = 1;
    });
}

export function gradcheckRecord(r: Checked) {
  const { task } = r;
  return {
    ...header('kstep-gradcheck/1'),
    task: taskRecord(task),
    net: netRecord(r.net),
    K: r.cfg.K,
    batch: r.batch,
    loss_definition: 'mean over batch and state dimensions of (o_K - y)^2',
    x0: rows(r.x0, task.D),
    y: rows(r.y, task.D),
    theta: Array.from(r.theta),
    loss: r.check.loss,
    grad: Array.from(r.check.grad),
    finite_difference: { h: r.h, relative_to_parameter: true, grad: Array.from(r.check.fd) },
    rel_error: r.check.relError,
  };
}
