/**
 * The verdict of `kstep advise`, computed from the rows of its cells.csv and nothing else: the step
 * size chosen per optimizer from the selection sweep, the verdict table per variant, the ranking
 * and the command that reproduces the best configuration.
 *
 * Selection rule (documented in the README and printed): a variant ranks above another when its
 * median test nmse over seeds is lower; on a tie, when more of its seeds reached the target; then
 * when its median cost to target is lower. A cell that ended in error counts as not reached, with
 * test nmse +inf.
 */
import { parseNumber } from '../output/csv.js';
import type { HealthNumbers } from '../health/advice.js';
import { type CellsTable, dominant, summarize } from '../output/summary.js';
import { median } from '../stats/quantile.js';
import { cellKeys, formatValue } from './config.js';
import { STEP_KEYS } from './advise-plan.js';
import { getOptimizer } from '../optimizers/index.js';

export interface VerdictRow {
  variant: string;
  optimizer: string;
  seeds: number;
  /** Median, first and third quartile of test nmse over seeds (errors and NaN as +inf). */
  median: number;
  q25: number;
  q75: number;
  /** Share of seeds that reached the target. */
  success: number;
  /** Median cost to target over the seeds that reached it (NaN: none did). */
  costToTarget: number;
  errors: number;
}

function column(table: CellsTable, name: string): number {
  const i = table.header.indexOf(name);
  if (i < 0) throw new Error(`cells.csv has no column ${name}`);
  return i;
}

/** One row per variant, in cells.csv's order. */
export function verdictRows(table: CellsTable): VerdictRow[] {
  return summarize(table).rows.map((r) => ({
    variant: r.config.variant ?? '',
    optimizer: r.config.optimizer ?? '',
    seeds: r.seeds,
    // summarize leaves error rows out of the quantiles; with every seed in error there are none.
    median: Number.isNaN(r.test_nmse_median) ? Infinity : r.test_nmse_median,
    q25: Number.isNaN(r.test_nmse_q25) ? Infinity : r.test_nmse_q25,
    q75: Number.isNaN(r.test_nmse_q75) ? Infinity : r.test_nmse_q75,
    success: r.success_rate,
    costToTarget: r.cost_to_target_median,
    errors: r.errors,
  }));
}

/** Negative when a ranks above b by the selection rule; NaN costs rank last. */
export function compareRows(a: VerdictRow, b: VerdictRow): number {
  if (a.median !== b.median) return a.median < b.median ? -1 : 1;
  if (a.success !== b.success) return b.success - a.success;
  const ca = Number.isNaN(a.costToTarget) ? Infinity : a.costToTarget;
  const cb = Number.isNaN(b.costToTarget) ? Infinity : b.costToTarget;
  return ca === cb ? 0 : ca < cb ? -1 : 1;
}

/** The rows ranked by the selection rule (stable: ties keep cells.csv's order). */
export function rankRows(rows: readonly VerdictRow[]): VerdictRow[] {
  return [...rows].sort(compareRows);
}

/** The best variant of a verdict cells.csv. */
export function bestVariant(table: CellsTable): VerdictRow {
  const ranked = rankRows(verdictRows(table));
  if (ranked.length === 0) throw new Error('cells.csv has no rows');
  return ranked[0];
}

export interface StepChoice {
  optimizer: string;
  key: string;
  /** Each value tried with its held-out nmse, in increasing value. */
  tried: { value: number; nmse: number }[];
  chosen: number;
}

/**
 * The step size chosen per optimizer from the selection sweep's cells.csv: the value with the lowest
 * test nmse of its held-out cell (errors and NaN as +inf); ties go to the smaller value.
 */
export function chooseSteps(table: CellsTable): StepChoice[] {
  const opt = column(table, 'optimizer');
  const status = column(table, 'status');
  const nmse = column(table, 'test_nmse');
  const byOpt = new Map<string, { value: number; nmse: number }[]>();
  for (const row of table.rows) {
    const o = row[opt];
    const key = STEP_KEYS[o];
    if (key === undefined) continue;
    const value = parseNumber(row[column(table, key)]);
    const x = row[status] === 'error' ? Infinity : parseNumber(row[nmse]);
    let list = byOpt.get(o);
    if (!list) byOpt.set(o, (list = []));
    list.push({ value, nmse: Number.isNaN(x) ? Infinity : x });
  }
  return [...byOpt].map(([optimizer, list]) => {
    const tried = list.sort((a, b) => a.value - b.value);
    let best = tried[0];
    for (const t of tried) if (t.nmse < best.nmse) best = t;
    return { optimizer, key: STEP_KEYS[optimizer], tried, chosen: best.value };
  });
}

/** The row of a variant whose test nmse is the median of its seeds (the lower middle for even counts). */
export function medianRow(table: CellsTable, variant: string): string[] {
  const v = column(table, 'variant');
  const nmse = column(table, 'test_nmse');
  const rows = table.rows.filter((r) => r[v] === variant);
  if (rows.length === 0) throw new Error(`cells.csv has no rows of variant ${variant}`);
  const value = (r: string[]) => {
    const x = parseNumber(r[nmse]);
    return Number.isNaN(x) ? Infinity : x;
  };
  const sorted = [...rows].sort((a, b) => value(a) - value(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * `kstep run` flags that reproduce a cells.csv row: every key whose value differs from its default
 * (task parameters and optimizer options included), from the row alone. `showTask` turns the task
 * value (a module's absolute path) into what to type.
 */
export function runCommand(table: CellsTable, row: readonly string[], showTask: (t: string) => string = (t) => t): string {
  const at = (name: string) => {
    const i = table.header.indexOf(name);
    return i < 0 ? '' : row[i];
  };
  const parts = ['kstep run', `--task ${quote(showTask(at('task')))}`];
  for (const k of cellKeys) {
    if (k.name === 'task') continue;
    const v = at(k.name);
    if (v === '' || (v === formatValue(k.default as never) && k.name !== 'K' && k.name !== 'seed' && k.name !== 'budget')) continue;
    parts.push(`--${k.name} ${v}`);
  }
  for (const h of table.header) if (h.startsWith('task.') && at(h) !== '') parts.push(`--set ${h}=${at(h)}`);
  const opt = getOptimizer(at('optimizer'));
  for (const o of opt.options) {
    const v = at(o.name);
    if (v !== '' && v !== String(o.default)) parts.push(`--${o.name} ${v}`);
  }
  return parts.join(' ');
}

function quote(s: string): string {
  return /^[\w./+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The health numbers of a variant at the start or end of training: medians over its seeds (NaN where empty). */
export function healthOf(table: CellsTable, variant: string, phase: 'start' | 'end', K: number): HealthNumbers & { lyapTask: number } {
  const v = column(table, 'variant');
  const rows = table.rows.filter((r) => r[v] === variant && r[column(table, 'status')] !== 'error');
  const med = (name: string) => median(rows.map((r) => parseNumber(r[column(table, name)])).filter((x) => !Number.isNaN(x)));
  const ratio = med(`adjoint_ratio_${phase}`);
  return {
    ratio,
    rate: Math.log(ratio) / K,
    snr: med(`snr_${phase}`),
    lyapNet: med(`lyap_net_${phase}`),
    pascanu: med(`pascanu_bound_${phase}`),
    label: dominant(rows.map((r) => r[column(table, `health_${phase}`)])),
    lyapTask: med('lyap_task'),
  };
}
