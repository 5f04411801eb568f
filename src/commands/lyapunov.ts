/**
 * `kstep lyapunov`: Lyapunov exponents of a task's true map and, with --params, of a trained net's
 * map, from the same initial states.
 */
import type { Command } from 'commander';
import type { TaskInstance } from '../core/tasks.js';
import { describeConfig, formatValue } from '../experiment/config.js';
import { lyapunovRegime } from '../health/classify.js';
import { type LyapunovResult, lyapunovDefaults, netLyapunov, taskLyapunov } from '../health/lyapunov.js';
import { colorFor, plainTable } from '../output/color.js';
import { fmt } from '../output/format.js';
import { header, netRecord, taskRecord, toJson } from '../output/records.js';
import { countFlags, healthKeys, positiveInt, rangeHelp, resolveSubject } from './health.js';
import { addConfigOptions } from './options.js';

/** Closed-form exponents where the task has them (for the reader to compare), else undefined. */
export function knownExponents(task: TaskInstance): { values: number[]; why: string } | undefined {
  const p = task.params;
  if (task.name === 'rotation') return { values: [Math.log(p.rho), Math.log(p.rho)], why: 'ln(rho), twice' };
  if (task.name === 'logistic' && p.r === 4) return { values: [Math.LN2], why: 'ln 2 (conjugate to the tent map)' };
  return undefined;
}

export function lyapunovCommand(program: Command): void {
  const cmd = program
    .command('lyapunov')
    .description("Lyapunov exponents of the task's true map (and, with --params, of a trained net's map)")
    .addHelpText(
      'after',
      '\nExample:\n  kstep lyapunov --task logistic --set task.r=4\n  kstep lyapunov --task pendulum --steps 5000\n' +
        '  kstep lyapunov --params net.json --json',
    );
  addConfigOptions(cmd, healthKeys)
    .option('--steps <n>', 'measured steps per initial state' + rangeHelp(countFlags.steps), String(lyapunovDefaults.steps))
    .option('--burnin <n>', 'unmeasured steps first (onto the attractor)' + rangeHelp(countFlags.burnin), String(lyapunovDefaults.burnin))
    .option('--samples <n>', 'initial states averaged over' + rangeHelp(countFlags.lyapSamples), String(lyapunovDefaults.samples))
    .option('--params <file>', 'also the exponents of a network saved by kstep run --save-params')
    .option('--json', 'print the exponents as JSON')
    .action(async (opts: Record<string, unknown>) => {
      const steps = positiveInt('--steps', opts.steps, ...countFlags.steps);
      const burnin = positiveInt('--burnin', opts.burnin, ...countFlags.burnin);
      const samples = positiveInt('--samples', opts.samples, ...countFlags.lyapSamples);
      const subject = await resolveSubject(opts, 'lyapunov');
      const { cfg, task } = subject;
      const lo = { steps, burnin, samples, seed: cfg.seed };
      const taskRes = taskLyapunov(task, lo);
      const netRes = opts.params === undefined ? undefined : netLyapunov(subject.net, subject.theta, task, lo);
      const known = knownExponents(task);
      if (opts.json) {
        process.stdout.write(
          toJson({
            ...header('kstep-lyapunov/1'),
            task: taskRecord(task),
            options: { steps, burnin, samples, seed: cfg.seed },
            definition: 'finite-time exponents per step (natural log), QR re-orthonormalisation, mean over initial states',
            // null: the task has no Jacobian (a module may leave it out), so its exponents are not available.
            true_map: taskRes ?? null,
            known: known ?? null,
            net: netRes ? { source: subject.source, net: netRecord(subject.net), exponents: netRes } : null,
          }),
        );
        return;
      }
      const c = colorFor(process.stdout);
      const params = describeConfig(cfg)
        .filter(([k]) => k.startsWith('task.'))
        .map(([k, v]) => `${k}=${formatValue(v)}`);
      const n = Math.max(taskRes?.exponents.length ?? 1, netRes?.exponents.length ?? 0);
      const t = plainTable(
        ['map', ...Array.from({ length: n }, (_, i) => `lambda_${i + 1}`), 'sum', 'std lambda_1', 'states', 'regime'].map((h) => c.bold(h)),
      );
      const row = (name: string, r: LyapunovResult) => {
        const sum = r.exponents.length === task.D ? fmt(r.exponents.reduce((a, b) => a + b, 0), 4) : '-';
        const cells = Array.from({ length: n }, (_, i) => (i < r.exponents.length ? fmt(r.exponents[i], 4) : '-'));
        t.push([name, ...cells, sum, fmt(r.std[0], 2), `${r.used}/${r.samples}`, lyapunovRegime(r.exponents[0])]);
      };
      if (taskRes) row(`true map f (${task.name})`, taskRes);
      else t.push([`true map f (${task.name})`, c.dim('not available: the task has no jacobian'), ...Array.from({ length: n - 1 }, () => ''), '', '', '', '']);
      if (netRes) row(`net (${subject.source})`, netRes);
      if (known) t.push([c.dim(`closed form: ${known.why}`), ...Array.from({ length: n }, (_, i) => (i < known.values.length ? c.dim(fmt(known.values[i], 4)) : '')), '', '', '', '']);
      process.stdout.write(
        `${c.bold('kstep lyapunov')}  task=${task.name} ${params.join(' ')}  steps=${steps} burnin=${burnin} samples=${samples} seed=${cfg.seed}\n` +
          `${t.toString()}\n` +
          'Exponents are per step (natural log). lambda_1 > 0: nearby states separate, BPTT gradients through K steps grow like exp(lambda_1 K).\n',
      );
    });
}
