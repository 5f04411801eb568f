/**
 * summary.csv: one row per configuration (every descriptor column of cells.csv except `seed`),
 * aggregated over its seeds: median and quartiles of test nmse, median validation nmse, success
 * rate (the share of cells that reached the target), median cost to target over the cells that
 * reached it, the total cost of its cells, the share of diverged cells, errors, and the dominant
 * gradient-health label at start and end with the median adjoint ratio ||dL/do_0|| / ||dL/do_K||.
 * The medians of test nmse, validation nmse and cost to target carry a 95% percentile-bootstrap
 * interval over the seeds, drawn from a stream named after the column and the configuration
 * (`summary/bootstrap/<column>/<configuration>`), so the same cells give the same interval however
 * they were run, merged or resumed.
 *
 * Rows of kind `config` are the configurations as run. When the experiment tunes options (cells.csv's
 * `tune` column), each group of configurations that differ only in the tuned options also gets a row
 * of kind `tuned`, right after them: the setting chosen on the validation set (output/tuning.ts),
 * its statistics, the number of settings tried and the total cost of all of them (`cost_total`: what
 * the tuned result cost, tuning included).
 *
 * It is computed from cells.csv alone (the sweep and `kstep summarize` use the same function), in
 * the order configurations first appear there (the grid's canonical order), so its bytes are as
 * deterministic as cells.csv's.
 */
import { derive } from '../core/rng.js';
import { bootstrapMedianCI, median, quantile } from '../stats/index.js';
import { type CsvValue, EOL, formatRecord, parseNumber } from './csv.js';
import { chooseSetting, tunedKeys } from './tuning.js';

/** cells.csv as read: header and string fields. */
export interface CellsTable {
  header: string[];
  rows: string[][];
}

/**
 * cells.csv's gradient-health columns, from the cell's health.csv rows at the cell's own K
 * (experiment option `health`). They are always in cells.csv, so its columns do not depend on the
 * option: without it they are empty (as is any NaN value).
 *   snr_start, snr_end                  gradient SNR over minibatches (src/health/snr.ts)
 *   lyap_net_start, lyap_net_end        maximal Lyapunov exponent of the net's map, per step
 *   lyap_task                           maximal Lyapunov exponent of the task's true map
 *   pascanu_bound_start, pascanu_bound_end   Pascanu's bound; < 1: vanishing for sure
 */
export const HEALTH_RESULT_COLUMNS = ['snr_start', 'snr_end', 'lyap_net_start', 'lyap_net_end', 'lyap_task', 'pascanu_bound_start', 'pascanu_bound_end'] as const;

export const RESULT_COLUMNS = [
  'status',
  'error',
  'train_nmse',
  'val_nmse',
  'test_nmse',
  'extrap_nmse',
  'onestep_nmse',
  'cost_to_target',
  'cost',
  'iterations',
  'nonfinite',
  'grad_norm_start',
  'adjoint_ratio_start',
  'health_start',
  'grad_norm_end',
  'adjoint_ratio_end',
  'health_end',
  ...HEALTH_RESULT_COLUMNS,
  'wall_ms',
] as const;

export const SUMMARY_STATS = [
  'seeds',
  'test_nmse_median',
  'test_nmse_ci_lo',
  'test_nmse_ci_hi',
  'test_nmse_q25',
  'test_nmse_q75',
  'test_nmse_iqr',
  'val_nmse_median',
  'val_nmse_ci_lo',
  'val_nmse_ci_hi',
  'success_rate',
  'cost_to_target_median',
  'cost_to_target_ci_lo',
  'cost_to_target_ci_hi',
  'cost_total',
  'settings',
  'diverged_share',
  'errors',
  'adjoint_ratio_start_median',
  'health_start',
  'adjoint_ratio_end_median',
  'health_end',
] as const;

/** summary.csv's first column: a configuration as run, or the setting tuning chose. */
export const KIND_COLUMN = 'kind';
export type RowKind = 'config' | 'tuned';

/** One cell of a summary row, as the comparisons and the horizon need it (not written to summary.csv). */
export interface CellObs {
  id: string;
  seed: string;
  status: string;
  /** Test nmse; +inf for a blow-up or an error (the worst outcome, not a missing one). */
  test: number;
  val: number;
  onestep: number;
  lyap_task: number;
  cost: number;
}

export interface SummaryRow {
  kind: RowKind;
  /** Descriptor values (strings as in cells.csv), every descriptor column but seed. */
  config: Record<string, string>;
  seeds: number;
  test_nmse_median: number;
  test_nmse_ci_lo: number;
  test_nmse_ci_hi: number;
  test_nmse_q25: number;
  test_nmse_q75: number;
  test_nmse_iqr: number;
  val_nmse_median: number;
  val_nmse_ci_lo: number;
  val_nmse_ci_hi: number;
  success_rate: number;
  cost_to_target_median: number;
  cost_to_target_ci_lo: number;
  cost_to_target_ci_hi: number;
  /** The cost of the row's cells; for a tuned row, of every setting tried (tuning included). */
  cost_total: number;
  /** Settings the row stands for: 1, or for a tuned row the number tried. */
  settings: number;
  diverged_share: number;
  errors: number;
  adjoint_ratio_start_median: number;
  health_start: string;
  adjoint_ratio_end_median: number;
  health_end: string;
  /** The row's cells (for a tuned row, those of the chosen setting), in cells.csv order. */
  cells: CellObs[];
}

export interface Summary {
  /** The descriptor columns that identify a configuration (cells.csv's, without cell_id and seed). */
  configColumns: string[];
  rows: SummaryRow[];
  /** The health pivots, when the folder has health.csv (set by the caller: see summarizeHealth). */
  health?: HealthSummary;
}

/** The descriptor columns of a cells.csv header: those between cell_id and status. */
export function descriptorColumnsOf(header: readonly string[]): string[] {
  const s = header.indexOf('status');
  if (header[0] !== 'cell_id' || s < 0) throw new Error('not a kstep cells.csv (expected cell_id first and a status column)');
  return header.slice(1, s);
}

/** Severity order, for ties of the dominant label. */
const SEVERITY = ['nonfinite', 'exploding', 'vanishing', 'healthy'];

/** The most frequent label; ties go to the more severe one. Empty string if none. */
export function dominant(labels: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const l of labels) if (l !== '') counts.set(l, (counts.get(l) ?? 0) + 1);
  let best = '';
  let bestN = 0;
  const rank = (l: string) => {
    const i = SEVERITY.indexOf(l);
    return i < 0 ? SEVERITY.length : i;
  };
  for (const [l, n] of counts) if (n > bestN || (n === bestN && rank(l) < rank(best))) [best, bestN] = [l, n];
  return best;
}

/** The 95% percentile-bootstrap interval of a median, from the stream of its column and configuration. */
function medianCI(values: readonly number[], column: string, configKey: string): [number, number] {
  if (values.length === 0) return [NaN, NaN];
  return bootstrapMedianCI(values, derive('summary', `bootstrap/${column}/${configKey}`), { level: 0.95 });
}

/** Finite values and +inf as they are; NaN (a blow-up) as +inf: the worst outcome. */
const worstIfNaN = (x: number) => (Number.isNaN(x) ? Infinity : x);

export function summarize(table: CellsTable): Summary {
  const { header, rows } = table;
  const desc = descriptorColumnsOf(header);
  const configColumns = desc.filter((c) => c !== 'seed');
  const col = new Map(header.map((h, i) => [h, i]));
  const at = (row: string[], name: string) => (col.has(name) ? (row[col.get(name)!] ?? '') : '');
  const groups = new Map<string, string[][]>();
  for (const row of rows) {
    const key = JSON.stringify(configColumns.map((c) => at(row, c)));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(row);
  }
  const obsOf = (r: string[]): CellObs => {
    const error = at(r, 'status') === 'error';
    return {
      id: r[0],
      seed: at(r, 'seed'),
      status: at(r, 'status'),
      test: error ? Infinity : worstIfNaN(parseNumber(at(r, 'test_nmse'))),
      val: parseNumber(at(r, 'val_nmse')),
      onestep: parseNumber(at(r, 'onestep_nmse')),
      lyap_task: parseNumber(at(r, 'lyap_task')),
      cost: parseNumber(at(r, 'cost')),
    };
  };
  const configRows: SummaryRow[] = [];
  for (const [key, g] of groups) {
    const config: Record<string, string> = {};
    for (const c of configColumns) config[c] = at(g[0], c);
    const ran = g.filter((r) => at(r, 'status') !== 'error');
    // A non-finite test nmse (a blow-up) ranks as the worst possible outcome, not as missing.
    const nmse = ran.map((r) => worstIfNaN(parseNumber(at(r, 'test_nmse')))).sort((a, b) => a - b);
    const val = ran.map((r) => worstIfNaN(parseNumber(at(r, 'val_nmse')))).sort((a, b) => a - b);
    const hasVal = ran.some((r) => at(r, 'val_nmse') !== '');
    const reached = g.filter((r) => at(r, 'status') === 'reached');
    const toTarget = reached.map((r) => parseNumber(at(r, 'cost_to_target'))).filter((x) => !Number.isNaN(x));
    const q25 = quantile(nmse, 0.25);
    const q75 = quantile(nmse, 0.75);
    const finiteNum = (name: string) => ran.map((r) => parseNumber(at(r, name))).filter((x) => !Number.isNaN(x));
    const [tlo, thi] = medianCI(nmse, 'test_nmse', key);
    const [vlo, vhi] = hasVal ? medianCI(val, 'val_nmse', key) : [NaN, NaN];
    const [clo, chi] = medianCI(toTarget, 'cost_to_target', key);
    configRows.push({
      kind: 'config',
      config,
      seeds: g.length,
      test_nmse_median: quantile(nmse, 0.5),
      test_nmse_ci_lo: tlo,
      test_nmse_ci_hi: thi,
      test_nmse_q25: q25,
      test_nmse_q75: q75,
      test_nmse_iqr: q75 === Infinity && q25 === Infinity ? NaN : q75 - q25,
      val_nmse_median: hasVal ? quantile(val, 0.5) : NaN,
      val_nmse_ci_lo: vlo,
      val_nmse_ci_hi: vhi,
      success_rate: reached.length / g.length,
      cost_to_target_median: median(toTarget),
      cost_to_target_ci_lo: clo,
      cost_to_target_ci_hi: chi,
      cost_total: g.reduce((sum, r) => sum + (parseNumber(at(r, 'cost')) || 0), 0),
      settings: 1,
      diverged_share: g.filter((r) => at(r, 'status') === 'diverged').length / g.length,
      errors: g.length - ran.length,
      adjoint_ratio_start_median: median(finiteNum('adjoint_ratio_start')),
      health_start: dominant(ran.map((r) => at(r, 'health_start'))),
      adjoint_ratio_end_median: median(finiteNum('adjoint_ratio_end')),
      health_end: dominant(ran.map((r) => at(r, 'health_end'))),
      cells: g.map(obsOf),
    });
  }
  return { configColumns, rows: withTunedRows(configRows, configColumns) };
}

/**
 * The config rows with, after the last setting of each tuned group, that group's tuned row: a copy
 * of the chosen setting's row (output/tuning.ts) with the number of settings and their total cost.
 */
function withTunedRows(configRows: readonly SummaryRow[], configColumns: readonly string[]): SummaryRow[] {
  const groupOf = (r: SummaryRow): string | undefined => {
    const keys = tunedKeys(r.config.tune);
    if (keys.length === 0) return undefined;
    return JSON.stringify(configColumns.filter((c) => !keys.includes(c)).map((c) => r.config[c]));
  };
  const members = new Map<string, SummaryRow[]>();
  for (const r of configRows) {
    const g = groupOf(r);
    if (g === undefined) continue;
    let list = members.get(g);
    if (!list) members.set(g, (list = []));
    list.push(r);
  }
  const out: SummaryRow[] = [];
  for (const r of configRows) {
    out.push(r);
    const g = groupOf(r);
    if (g === undefined) continue;
    const list = members.get(g)!;
    // The tuned row follows the group's last setting in cells.csv's order.
    if (list[list.length - 1] !== r) continue;
    // A cell in error counts as +inf, like a blow-up (its val_nmse is empty).
    const chosen = list[chooseSetting(list.map((s) => s.cells.map((c) => (c.status === 'error' ? Infinity : c.val))))];
    out.push({ ...chosen, kind: 'tuned', settings: list.length, cost_total: list.reduce((sum, s) => sum + s.cost_total, 0) });
  }
  return out;
}

/**
 * The rows the tables and the report show: the tuned rows in place of the settings they chose
 * from, and every untuned configuration.
 */
export function shownRows(summary: Summary): SummaryRow[] {
  return summary.rows.filter((r) => r.kind === 'tuned' || tunedKeys(r.config.tune).length === 0);
}

/** summary.csv's text. Descriptor values are copied as written in cells.csv. */
export function summaryCsv(summary: Summary): string {
  const lines = [formatRecord([KIND_COLUMN, ...summary.configColumns, ...SUMMARY_STATS])];
  for (const r of summary.rows) {
    const values: CsvValue[] = [r.kind, ...summary.configColumns.map((c) => r.config[c])];
    for (const s of SUMMARY_STATS) values.push(r[s]);
    lines.push(formatRecord(values));
  }
  return lines.join(EOL) + EOL;
}

/** Summary rows as plain JSON objects (numbers as numbers; NaN as null, infinities as "inf"/"-inf"). */
export function summaryJson(summary: Summary): Record<string, unknown>[] {
  const num = (x: number) => (Number.isNaN(x) ? null : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : x);
  return summary.rows.map((r) => {
    const o: Record<string, unknown> = { [KIND_COLUMN]: r.kind, ...r.config };
    for (const s of SUMMARY_STATS) o[s] = typeof r[s] === 'number' ? num(r[s] as number) : r[s];
    return o;
  });
}

// ---- the health pivot (health.csv) ----------------------------------------------------------

/** One pivot cell: medians over the seeds of one column at one K. */
export interface HealthPoint {
  snr: number;
  grad_norm: number;
  lyap_net: number;
  /** Seeds (cells) the medians are over. */
  n: number;
}

/**
 * One health pivot: rows K, columns the configurations of one arm (task parameters, activation,
 * ...), each cell the medians over seeds of the end-of-training diagnostics.
 *   `sweep`     the nets trained at one K (`trainK`), diagnosed at every K of health.csv
 *   `diagonal`  each row's nets trained at that row's K and diagnosed at it (cells.csv's K)
 */
export interface HealthView {
  kind: 'sweep' | 'diagonal';
  /** The arm: the variant, or the optimizer when there are no variants. */
  arm: string;
  /** `sweep`: the K the nets were trained at. */
  trainK?: number;
  columns: string[];
  rows: { K: number; points: (HealthPoint | undefined)[] }[];
  /** Per column: median lyap_net of the nets (sweep: the same nets in every row) and lyap_task. */
  lyapNet: number[];
  lyapTask: number[];
}

export interface HealthSummary {
  views: HealthView[];
}

/**
 * The health pivots of a results folder, from cells.csv and health.csv alone (phase `end`):
 * the arm is the first BPTT arm of the grid (the first arm if none trains by BPTT), the columns
 * every descriptor that varies within it apart from K and seed (task.r, activation, ...).
 * The `sweep` view is there when the nets of the smallest trained K were diagnosed at more than
 * one K; the `diagonal` view when there is more than one trained K (or no sweep view).
 */
export function summarizeHealth(cells: CellsTable, health: CellsTable): HealthSummary | undefined {
  const desc = descriptorColumnsOf(cells.header);
  const col = new Map(cells.header.map((h, i) => [h, i]));
  const at = (row: string[], name: string) => (col.has(name) ? (row[col.get(name)!] ?? '') : '');
  const armOf = (row: string[]) => (col.has('variant') && at(row, 'variant') !== '' ? at(row, 'variant') : at(row, 'optimizer'));
  const ran = cells.rows.filter((r) => at(r, 'status') !== 'error');
  const arms = [...new Set(ran.map(armOf))];
  const arm = arms.find((a) => ran.some((r) => armOf(r) === a && at(r, 'optimizer') === 'bptt')) ?? arms[0];
  if (arm === undefined) return undefined;
  const mine = ran.filter((r) => armOf(r) === arm);
  // Tuned options take the chosen value of each K: they are not columns.
  const tuned = new Set(mine.flatMap((r) => tunedKeys(at(r, 'tune'))));
  const varying = desc.filter((c) => !['K', 'seed', 'variant', 'optimizer', 'tune'].includes(c) && !tuned.has(c) && new Set(mine.map((r) => at(r, c))).size > 1);
  const labelOf = (row: string[]) => {
    const parts = varying.map((c) => (c === 'activation' ? at(row, c) : `${c}=${at(row, c)}`));
    return parts.length ? parts.join(' ') : at(row, 'activation');
  };
  const columns = [...new Set(mine.map(labelOf))];
  const cellOf = new Map(mine.map((r) => [r[0], { column: columns.indexOf(labelOf(r)), K: Number(at(r, 'K')) }]));

  const hcol = new Map(health.header.map((h, i) => [h, i]));
  for (const need of ['cell_id', 'phase', 'K', 'snr', 'grad_norm', 'lyap_net', 'lyap_task'])
    if (!hcol.has(need)) throw new Error(`not a kstep health.csv (no ${need} column)`);
  const hv = (row: string[], name: string) => row[hcol.get(name)!] ?? '';
  interface Obs {
    column: number;
    trainK: number;
    K: number;
    snr: number;
    grad_norm: number;
    lyap_net: number;
    lyap_task: number;
  }
  const obs: Obs[] = [];
  for (const row of health.rows) {
    if (hv(row, 'phase') !== 'end') continue;
    const c = cellOf.get(hv(row, 'cell_id'));
    if (!c) continue;
    obs.push({
      column: c.column,
      trainK: c.K,
      K: Number(hv(row, 'K')),
      snr: parseNumber(hv(row, 'snr')),
      grad_norm: parseNumber(hv(row, 'grad_norm')),
      lyap_net: parseNumber(hv(row, 'lyap_net')),
      lyap_task: parseNumber(hv(row, 'lyap_task')),
    });
  }
  if (obs.length === 0) return undefined;
  // Medians over the finite values (a blown-up gradient norm counts as infinite, not as missing).
  const med = (xs: number[]) => median(xs.filter((x) => !Number.isNaN(x)));
  const point = (os: Obs[]): HealthPoint | undefined =>
    os.length === 0 ? undefined : { snr: med(os.map((o) => o.snr)), grad_norm: med(os.map((o) => o.grad_norm)), lyap_net: med(os.map((o) => o.lyap_net)), n: os.length };
  const lyapTask = columns.map((_, j) => med(obs.filter((o) => o.column === j).map((o) => o.lyap_task)));
  const trainKs = [...new Set(obs.map((o) => o.trainK))].sort((a, b) => a - b);
  const views: HealthView[] = [];
  const k0 = trainKs[0];
  const swept = obs.filter((o) => o.trainK === k0);
  const sweepKs = [...new Set(swept.map((o) => o.K))].sort((a, b) => a - b);
  if (sweepKs.length > 1) {
    views.push({
      kind: 'sweep',
      arm,
      trainK: k0,
      columns,
      rows: sweepKs.map((K) => ({ K, points: columns.map((_, j) => point(swept.filter((o) => o.K === K && o.column === j))) })),
      // One value per net (the rows at one K): lyap_net does not depend on K.
      lyapNet: columns.map((_, j) => med(swept.filter((o) => o.column === j && o.K === k0).map((o) => o.lyap_net))),
      lyapTask,
    });
  }
  if (trainKs.length > 1 || views.length === 0) {
    const diag = obs.filter((o) => o.K === o.trainK);
    views.push({
      kind: 'diagonal',
      arm,
      columns,
      rows: trainKs.map((K) => ({ K, points: columns.map((_, j) => point(diag.filter((o) => o.K === K && o.column === j))) })),
      lyapNet: columns.map((_, j) => med(diag.filter((o) => o.column === j).map((o) => o.lyap_net))),
      lyapTask,
    });
  }
  return { views };
}
