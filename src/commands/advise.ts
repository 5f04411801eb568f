/**
 * `kstep advise <task>`: for the user's net at the user's K, (1) the gradient check of that net on
 * that task, (2) gradient health at initialisation and after training with one sentence of
 * diagnosis, (3) a compact plan at equal cost fitted to --minutes: the step sizes chosen on
 * held-out cells, then every remedy and optimizer the task allows on three seeds, run as ordinary
 * sweeps (results/<name>-select/ and results/<name>/, with report.html), and the verdict and
 * recommendation computed from the verdict's cells.csv (src/experiment/advise-*.ts).
 *
 * Exit codes as `kstep sweep`: 0 done, 1 a cell ended in error, 2 bad input or a results folder
 * that may not be written (nothing written), 130 interrupted (finish with --resume).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { assemble } from '../core/setup.js';
import { type Fixed, type PlanEntry, SELECT_SEED, STEP_FACTORS, STEP_KEYS, VERDICT_SEEDS, defaultStep, observedRate, planEntries, selectionSpec, sizeBudget, verdictSpec } from '../experiment/advise-plan.js';
import { type StepChoice, type VerdictRow, bestVariant, chooseSteps, healthOf, medianRow, rankRows, runCommand, verdictRows } from '../experiment/advise-verdict.js';
import { type CellConfig, type ConfigValue, describeConfig, parseDecimal, resolveConfig } from '../experiment/config.js';
import { cellNeeds } from '../experiment/resources.js';
import { readManifest } from '../experiment/resume.js';
import { parseExperiment } from '../experiment/spec.js';
import { defaultOutDir, prepareExperiment, runSweep } from '../experiment/sweep.js';
import { loadTaskInput } from '../experiment/task-module.js';
import { measureThroughput } from '../experiment/throughput.js';
import { healthDefaults } from '../experiment/health-option.js';
import { diagnosisSentence } from '../health/advice.js';
import { colorFor, plainTable } from '../output/color.js';
import { parseCsv, parseNumber } from '../output/csv.js';
import type { CellsTable } from '../output/summary.js';
import { fmt, fmtCost } from '../output/format.js';
import { checkFolderTarget, showPath } from '../output/paths.js';
import { writeReport } from '../output/report/index.js';
import { GRADCHECK_TOLERANCE, checkOne } from './gradcheck.js';
import { addConfigOptions, configInput, interruptOnSigint, progressMode } from './options.js';
import { parseWorkers } from './sweep.js';

/** The keys advise takes from the user: the task, the net, the data and the target; it sets the rest. */
export const ADVISE_KEYS = ['task', 'K', 'activation', 'hidden', 'features', 'init', 'gain', 'residual', 'budget', 'target', 'train', 'test', 'val', 'batch', 'K0'] as const;
/** Share of --minutes the plan is sized to: the rest absorbs the load of a shared machine. */
const TIME_SHARE = 0.9;
/**
 * Sizing constants (advise-plan.ts, BudgetSizing). The efficiency is what a worker kept of the
 * single-thread rate with 2 workers on the README's 2-core machine under other load (0.45 to 0.8):
 * erring low keeps the selection within its share, and the verdict is sized again from what it saw.
 */
const SIZING = { cellOverhead: 0.1, sweepOverhead: 1.0, efficiency: 0.6 };
/** Seconds kept for the report and the printing at the end. */
const FINISH_SECONDS = 2;
/** Above this many parameters the gradient check runs on gradcheck's small net of the same kind. */
const GRADCHECK_MAX_PARAMS = 5000;
/** A cell's budget must buy at least this many of its largest steps. */
const MIN_STEPS = 4;

interface AdviseFlags extends Record<string, unknown> {
  minutes?: string;
  workers?: string;
  out?: string;
  resume?: boolean;
  force?: boolean;
  quiet?: boolean;
}

export function adviseCommand(program: Command): void {
  const cmd = program
    .command('advise')
    .description('gradcheck, gradient health and a plan at equal cost (remedies, curricula, GA/ES/CMA-ES) for your net on your task, with a recommendation')
    .argument('<task>', 'a built-in task or a module file (./my-sim.mjs)');
  addConfigOptions(cmd, ADVISE_KEYS.filter((k) => k !== 'task'))
    .option('--minutes <m>', 'wall-time limit of the whole advice (the plan is sized to it from a measured throughput)', '3')
    .option('--workers <n>', 'worker threads (default: available cores)')
    .option('--out <dir>', 'results folder (default results/advise-<task>-K<K>; the step-size selection goes to <dir>-select)')
    .option('--resume', 'keep the cells already in the results folders and run the rest (the budget is read from them)')
    .option('--force', 'replace the results already in the results folders')
    .option('--quiet', 'no progress output on stderr')
    .addHelpText(
      'after',
      `
--budget fixes the cost budget of every cell instead of sizing it from --minutes.

Examples:
  kstep advise rotation --K 16
  kstep advise ./examples/lotka-volterra.mjs --K 16 --minutes 3    # a task module (runs its code)
  kstep advise logistic --set task.r=3.9 --K 8 --hidden 16,16 --minutes 5`,
    )
    .action(async (task: string, flags: AdviseFlags) => {
      process.exitCode = await adviseAction(task, flags);
    });
}

function parseMinutes(text: string | undefined): number {
  const m = parseDecimal(String(text ?? '3'));
  if (!(m > 0) || m > 10_080) throw new UsageError('--minutes', `expected a number of minutes in (0, 10080], got '${text}'`);
  return m;
}

/** The user's input as a config (optimizer options and seeds are the plan's, not the user's). */
function userInput(task: string, flags: AdviseFlags): Record<string, unknown> {
  const input = configInput(flags, ADVISE_KEYS);
  for (const key of Object.keys(input))
    if (!(ADVISE_KEYS as readonly string[]).includes(key) && !key.startsWith('task.'))
      throw new UsageError(key, `advise chooses optimizers, their options, curricula and seeds itself; it takes ${ADVISE_KEYS.join(', ')} and task.<param>`);
  if ('task' in input) throw new UsageError('task', 'give the task as the argument of advise, not in --set');
  return { ...input, task };
}

/** The user's net and task as an experiment's fixed block: every key of ADVISE_KEYS and the task parameters. */
function fixedOf(cfg: CellConfig): Fixed {
  const out: Fixed = {};
  for (const [k, v] of describeConfig(cfg)) if (((ADVISE_KEYS as readonly string[]).includes(k) && k !== 'budget') || k.startsWith('task.')) out[k] = v;
  return out;
}

/** Asks the task (and the config checks) whether an entry can run: undefined if it can, else why not. */
function entryProblem(base: Record<string, unknown>, e: PlanEntry): string | undefined {
  try {
    const cfg = resolveConfig({ ...base, ...stringify(e.set) });
    // A tiny objective: building it runs the task's own checks of what the entry asks (horizons, ...).
    assemble({ ...cfg, train: 2, test: 2, batch: 0 }).objective();
    return undefined;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}

function stringify(set: Record<string, ConfigValue>): Record<string, string> {
  return Object.fromEntries(Object.entries(set).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
}

function checkFolders(dirs: readonly string[], flags: AdviseFlags): void {
  if (flags.resume && flags.force) throw new UsageError('--force', 'cannot be combined with --resume (--resume keeps the results, --force replaces them)');
  for (const dir of dirs)
    checkFolderTarget(dir, '--out', () => {
      if (flags.resume || flags.force) return;
      if (readdirSync(dir).length > 0)
        throw new UsageError('--out', `${showPath(dir)} already holds files; nothing was written. Use --resume to continue this advice, --force to replace its results, or --out DIR for another folder`);
    });
}

function readCells(dir: string) {
  return parseCsv(readFileSync(join(dir, 'cells.csv'), 'utf8'));
}

/** Each cell's cost and wall time, from cells.csv. */
function cellCosts(table: CellsTable): { cost: number; wall_ms: number }[] {
  const cost = table.header.indexOf('cost');
  const wall = table.header.indexOf('wall_ms');
  return table.rows.map((r) => ({ cost: parseNumber(r[cost]), wall_ms: parseNumber(r[wall]) }));
}

export async function adviseAction(taskArg: string, flags: AdviseFlags): Promise<number> {
  const t0 = performance.now();
  const minutes = parseMinutes(flags.minutes);
  const workers = parseWorkers(flags.workers);
  const input = userInput(taskArg, flags);
  await loadTaskInput(input);
  // The net and task alone, under an optimizer every net allows (bptt needs a feature map with a vjp).
  const cfg = resolveConfig({ ...input, optimizer: 'ga' });
  const { task, net } = assemble(cfg);
  const name = `advise-${task.name}-K${cfg.K}`;
  const out = (flags.out ?? defaultOutDir(name)).replace(/\/+$/, '') || '/';
  const selectDir = `${out}-select`;
  checkFolders([selectDir, out], flags);

  const c = colorFor(process.stdout);
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const log = flags.quiet ? () => {} : (s: string) => process.stderr.write(`${s}\n`);
  const showTask = (t: string) => (t.startsWith('/') ? (relative(process.cwd(), t).startsWith('..') ? t : `./${relative(process.cwd(), t)}`) : t);
  const head: string[] = [];
  head.push(`${c.bold('kstep advise')}  task=${showTask(cfg.task)} K=${cfg.K} hidden=${cfg.hidden.join(',')} activation=${cfg.activation} features=${cfg.features} residual=${cfg.residual} train=${cfg.train} test=${cfg.test} target=${fmt(cfg.target)}, --minutes ${minutes} on ${workers} worker${workers === 1 ? '' : 's'}`);

  // 1. The gradient check, through gradcheck's own code path (printed once the plan is known to fit).
  head.push(`\n${c.bold('1. Does backprop make sense here?')} BPTT gradient against central finite differences`);
  try {
    const small = cellNeeds(cfg).nParams > GRADCHECK_MAX_PARAMS;
    const gcfg = small ? { ...cfg, hidden: [6, 5] } : cfg;
    const g = checkOne(gcfg, 4, 1e-6);
    const ok = g.check.relError < GRADCHECK_TOLERANCE;
    head.push(
      `   relative error ${fmt(g.check.relError, 2)} at K = ${cfg.K} on ${small ? 'a small net of the same kind (hidden 6,5)' : 'your net'} (${g.net.nParams} parameters, 4 initial states): ` +
        (ok ? c.green('the reverse pass is exact') : c.red(`above ${fmt(GRADCHECK_TOLERANCE)}: ${g.check.relError > 1e-2 ? 'the gradient is not trustworthy here' : 'a kink of the activation was crossed, or the loss is ill-conditioned at this K'}`)),
    );
  } catch (err) {
    head.push(`   not available: ${(err as Error).message.split('\n')[0]}`);
  }

  // 3a. What the task allows, then the budget.
  const base = { ...input };
  const entries: PlanEntry[] = [];
  const skipped: string[] = [];
  for (const e of planEntries(cfg.K, cfg.residual)) {
    const why = entryProblem(base, e);
    if (why === undefined) entries.push(e);
    else skipped.push(`${e.name} (${why})`);
  }
  if (entries.length === 0) throw new UsageError('task', `no entry of the plan can run on this task and net: ${skipped.join('; ')}`);
  const centers = new Map<string, number>();
  for (const opt of Object.keys(STEP_KEYS)) if (entries.some((e) => e.set.optimizer === opt)) centers.set(opt, defaultStep(opt));
  const nSelect = centers.size * STEP_FACTORS.length;
  const nVerdict = entries.length * VERDICT_SEEDS.length;
  const fixed = fixedOf(cfg);

  // The selection's budget is sized from a throughput measured now, for both sweeps; the verdict's is
  // sized again from the rate the selection cells actually ran at, for the time then left.
  const limit = minutes * 60 * TIME_SHARE - FINISH_SECONDS;
  const sizing: string[] = [];
  const storedBudget = (dir: string) => (flags.resume ? ((readManifest(dir)?.spec as { fixed?: Record<string, unknown> } | undefined)?.fixed?.budget as number | undefined) : undefined);
  let budget: number;
  const stored = storedBudget(selectDir);
  if (flags.budget !== undefined) {
    budget = cfg.budget;
    sizing.push(`budget ${fmtCost(budget)} per cell (--budget)`);
  } else if (typeof stored === 'number') {
    budget = stored;
    sizing.push(`selection budget ${fmtCost(budget)} per cell (read from ${showPath(selectDir)}: --resume)`);
  } else {
    const tp = measureThroughput(cfg);
    const seconds = limit - (performance.now() - t0) / 1000;
    const plan = sizeBudget({ rate: tp.rate, seconds, workers, cells: [nSelect, nVerdict], ...SIZING });
    budget = plan.budget;
    sizing.push(
      `measured ${fmt(tp.rate)} network applications/s on one thread (gradients ${fmt(tp.gradient)}, forward ${fmt(tp.forward)}; B = ${tp.B}, K = ${cfg.K}); ` +
        `${nSelect} + ${nVerdict} cells in ${plan.rounds} rounds of ${Math.max(1, workers)} in ${seconds.toFixed(0)} s: selection budget ${fmtCost(budget)} per cell`,
    );
  }
  const needs = entries.map((e) => ({ e, step: cellNeeds(resolveConfig({ ...base, ...stringify(e.set) })).stepCost }));
  const largest = needs.reduce((a, b) => (b.step > a.step ? b : a));
  const minBudget = MIN_STEPS * largest.step;
  const cheapest = Math.min(...needs.map((n) => MIN_STEPS * n.step));
  const stepOf = (e: PlanEntry) => needs.find((n) => n.e === e)!.step;
  if (!(budget >= minBudget))
    throw new UsageError(
      '--minutes',
      `leaves a budget of ${fmtCost(budget)} per cell, less than ${MIN_STEPS} steps of ${largest.e.name} (${fmtCost(largest.step)} each) at this net, K and batch; give more --minutes, or a smaller --train or --batch`,
    );
  say(head.join('\n'));
  log(sizing[0]);

  // 3b. The step sizes, chosen on the held-out selection cells.
  const interrupt = interruptOnSigint();
  try {
    const progress = progressMode(flags.quiet === true);
    const sweepOpts = { workers, resume: flags.resume, force: flags.force, field: '--out', signal: interrupt.signal, progress, log } as const;
    const selectExp = prepareExperiment(parseExperiment(selectionSpec(name, fixed, budget, centers)));
    const sel = await runSweep(selectExp, { ...sweepOpts, out: selectDir });
    if (sel.end === 'aborted') return 130;
    if (sel.end !== 'done') return 1;
    const choices = chooseSteps(readCells(selectDir));
    const chosen = new Map(choices.map((ch) => [ch.optimizer, ch.chosen]));

    let verdictBudget = budget;
    const storedVerdict = storedBudget(out);
    if (flags.budget !== undefined) {
      // the same budget for both sweeps
    } else if (typeof storedVerdict === 'number') {
      verdictBudget = storedVerdict;
      sizing.push(`verdict budget ${fmtCost(verdictBudget)} per cell (read from ${showPath(out)}: --resume)`);
    } else {
      const rate = observedRate(cellCosts(readCells(selectDir)));
      const seconds = limit - (performance.now() - t0) / 1000;
      const plan = sizeBudget({ rate, seconds, workers, cells: [nVerdict], ...SIZING, efficiency: 1 });
      verdictBudget = Math.max(plan.budget, cheapest);
      sizing.push(
        `the selection cells ran at ${fmt(rate)} per worker; ${nVerdict} cells in ${plan.rounds} rounds in the ${seconds.toFixed(0)} s left: verdict budget ${fmtCost(verdictBudget)} per cell` +
          (plan.budget < cheapest ? ` (the least that buys ${MIN_STEPS} steps of the cheapest entry: the limit will be exceeded)` : ''),
      );
    }
    if (sizing.length > 1) log(sizing[sizing.length - 1]);
    // An entry whose step the verdict budget cannot buy MIN_STEPS times is left out rather than
    // let it overrun the limit (a function of the budget alone, so --resume leaves out the same).
    const planned = entries.filter((e) => MIN_STEPS * stepOf(e) <= verdictBudget);
    for (const e of entries)
      if (!planned.includes(e)) skipped.push(`${e.name} (one step costs ${fmtCost(stepOf(e))}, more than 1/${MIN_STEPS} of the verdict budget this limit leaves)`);
    const verdictExp = prepareExperiment(parseExperiment(verdictSpec(name, fixed, verdictBudget, planned, chosen)));
    const ver = await runSweep(verdictExp, { ...sweepOpts, out });
    if (ver.end === 'aborted') return 130;
    if (ver.end !== 'done') return 1;
    const report = writeReport(out);
    const table = readCells(out);

    // 2. Health, from the verdict's own cells.
    const rows = rankRows(verdictRows(table));
    const best = bestVariant(table);
    const reference = planned[0].name;
    say(`\n${c.bold('2. What happens to the gradients?')} at K = ${cfg.K}, median over seeds ${VERDICT_SEEDS.join(', ')} (cells.csv's health columns)`);
    const init = healthOf(table, reference, 'start', cfg.K);
    const afterRef = healthOf(table, reference, 'end', cfg.K);
    const afterBest = healthOf(table, best.variant, 'end', cfg.K);
    const ht = plainTable([c.bold(''), c.bold(`init (${reference})`), c.bold(`trained: ${reference}`), ...(best.variant !== reference ? [c.bold(`trained: ${best.variant}`)] : [])]);
    const cols = best.variant !== reference ? [init, afterRef, afterBest] : [init, afterRef];
    const na = (x: number) => (Number.isNaN(x) ? 'not available' : fmt(x));
    ht.push(
      ['||a_0||/||a_K||', ...cols.map((h) => fmt(h.ratio))],
      ['rate per step', ...cols.map((h) => fmt(h.rate))],
      ['gradient SNR', ...cols.map((h) => fmt(h.snr))],
      ['Lyapunov exponent, net', ...cols.map((h) => fmt(h.lyapNet))],
      ['Lyapunov exponent, task', ...cols.map(() => na(init.lyapTask))],
      ['Pascanu bound', ...cols.map((h) => fmt(h.pascanu))],
      ['label', ...cols.map((h) => h.label || '-')],
    );
    say(ht.toString());
    const noise = 1 / Math.sqrt(healthDefaults.snr_batches - 1);
    if (net.phi.vjp === undefined)
      say(`No gradient exists here: the feature map ${cfg.features} has no vjp, so nothing differentiates through it; BPTT cannot train this net and only the evolutionary optimizers are in the plan.`);
    else say(diagnosisSentence(cfg.K, init, afterBest, best.variant, init.lyapTask, noise));

    // 3. The plan and the verdict.
    say(`\n${c.bold('3. What works at equal cost?')} ${sizing.join('; ')}`);
    say(`   step sizes tried on held-out cells (seed ${SELECT_SEED}; its test states are never a verdict cell's), chosen by the lowest held-out nmse:`);
    for (const ch of choices) say(`   ${stepLine(ch)}`);
    if (skipped.length) say(`   not in the plan, as the task or net does not allow it: ${skipped.join('; ')}`);
    say(verdictTable(rows, best, c));
    const row = medianRow(table, best.variant);
    say(
      `\n${c.bold('Recommendation:')} ${best.variant} (${Math.round(best.success * best.seeds)}/${best.seeds} seeds reached the target, median test nmse ${fmt(best.median)}` +
        `${Number.isNaN(best.costToTarget) ? '' : `, median cost to target ${fmtCost(best.costToTarget)}`}). Its median seed again:\n  ${runCommand(table, row, showTask)}`,
    );
    say(`Ranked by median test nmse, then seeds that reached the target, then median cost to target; from ${showPath(join(out, 'cells.csv'))}.`);
    if (best.success === 0) say(`No configuration reached the target (${fmt(cfg.target)}) at a budget of ${fmtCost(verdictBudget)}: more --minutes buy a larger budget.`);
    log(`advice in ${((performance.now() - t0) / 1000).toFixed(1)} s (limit ${minutes * 60} s); results in ${showPath(out)} and ${showPath(selectDir)}; report ${showPath(report.file)}`);
    return sel.errors + ver.errors > 0 ? 1 : 0;
  } finally {
    interrupt.release();
  }
}

function stepLine(ch: StepChoice): string {
  const tried = ch.tried.map((t) => `${t.value} -> ${fmt(t.nmse)}`).join(', ');
  return `${ch.optimizer} ${ch.key}: ${tried}; chosen ${ch.chosen}`;
}

function verdictTable(rows: readonly VerdictRow[], best: VerdictRow, c: ReturnType<typeof colorFor>): string {
  const t = plainTable(['#', 'variant', 'median test nmse', 'q25 .. q75', 'reached target', 'median cost to target'].map((h) => c.bold(h)));
  rows.forEach((r, i) => {
    const mark = r === best ? c.green : (s: string) => s;
    t.push([
      String(i + 1),
      mark(r.variant),
      mark(fmt(r.median)),
      `${fmt(r.q25)} .. ${fmt(r.q75)}`,
      `${Math.round(r.success * r.seeds)}/${r.seeds}${r.errors ? ` (${r.errors} errors)` : ''}`,
      Number.isNaN(r.costToTarget) ? '-' : fmtCost(r.costToTarget),
    ]);
  });
  return t.toString();
}
