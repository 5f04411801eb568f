/**
 * summary.csv: one row per configuration (every descriptor column of cells.csv except `seed`),
 * aggregated over its seeds: median and quartiles of test nmse, success rate (the share of cells
 * that reached the target), median cost to target over the cells that reached it, the share of
 * diverged cells, errors, and the dominant gradient-health label at start and end with the median
 * adjoint ratio ||dL/do_0|| / ||dL/do_K||.
 *
 * It is computed from cells.csv alone (the sweep and `kstep summarize` use the same function), in
 * the order configurations first appear there (the grid's canonical order), so its bytes are as
 * deterministic as cells.csv's.
 */
import { median, quantile } from '../stats/quantile.js';
import { type CsvValue, EOL, formatRecord, parseNumber } from './csv.js';

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
  'test_nmse_q25',
  'test_nmse_q75',
  'test_nmse_iqr',
  'success_rate',
  'cost_to_target_median',
  'diverged_share',
  'errors',
  'adjoint_ratio_start_median',
  'health_start',
  'adjoint_ratio_end_median',
  'health_end',
] as const;

export interface SummaryRow {
  /** Descriptor values (strings as in cells.csv), every descriptor column but seed. */
  config: Record<string, string>;
  seeds: number;
  test_nmse_median: number;
  test_nmse_q25: number;
  test_nmse_q75: number;
  test_nmse_iqr: number;
  success_rate: number;
  cost_to_target_median: number;
  diverged_share: number;
  errors: number;
  adjoint_ratio_start_median: number;
  health_start: string;
  adjoint_ratio_end_median: number;
  health_end: string;
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

export function summarize(table: CellsTable): Summary {
  const { header, rows } = table;
  const desc = descriptorColumnsOf(header);
  const configColumns = desc.filter((c) => c !== 'seed');
  const col = new Map(header.map((h, i) => [h, i]));
  const at = (row: string[], name: string) => row[col.get(name)!] ?? '';
  const groups = new Map<string, string[][]>();
  for (const row of rows) {
    const key = JSON.stringify(configColumns.map((c) => at(row, c)));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(row);
  }
  const out: SummaryRow[] = [];
  for (const g of groups.values()) {
    const config: Record<string, string> = {};
    for (const c of configColumns) config[c] = at(g[0], c);
    const ran = g.filter((r) => at(r, 'status') !== 'error');
    // A non-finite test nmse (a blow-up) ranks as the worst possible outcome, not as missing.
    const nmse = ran.map((r) => parseNumber(at(r, 'test_nmse'))).map((x) => (Number.isNaN(x) ? Infinity : x)).sort((a, b) => a - b);
    const reached = g.filter((r) => at(r, 'status') === 'reached');
    const q25 = quantile(nmse, 0.25);
    const q75 = quantile(nmse, 0.75);
    const finiteNum = (name: string) => ran.map((r) => parseNumber(at(r, name))).filter((x) => !Number.isNaN(x));
    out.push({
      config,
      seeds: g.length,
      test_nmse_median: quantile(nmse, 0.5),
      test_nmse_q25: q25,
      test_nmse_q75: q75,
      test_nmse_iqr: q75 === Infinity && q25 === Infinity ? NaN : q75 - q25,
      success_rate: reached.length / g.length,
      cost_to_target_median: median(reached.map((r) => parseNumber(at(r, 'cost_to_target')))),
      diverged_share: g.filter((r) => at(r, 'status') === 'diverged').length / g.length,
      errors: g.length - ran.length,
      adjoint_ratio_start_median: median(finiteNum('adjoint_ratio_start')),
      health_start: dominant(ran.map((r) => at(r, 'health_start'))),
      adjoint_ratio_end_median: median(finiteNum('adjoint_ratio_end')),
      health_end: dominant(ran.map((r) => at(r, 'health_end'))),
    });
  }
  return { configColumns, rows: out };
}

/** summary.csv's text. Descriptor values are copied as written in cells.csv. */
export function summaryCsv(summary: Summary): string {
  const lines = [formatRecord([...summary.configColumns, ...SUMMARY_STATS])];
  for (const r of summary.rows) {
    const values: CsvValue[] = summary.configColumns.map((c) => r.config[c]);
    for (const s of SUMMARY_STATS) values.push(r[s]);
    lines.push(formatRecord(values));
  }
  return lines.join(EOL) + EOL;
}

/** Summary rows as plain JSON objects (numbers as numbers; NaN as null, infinities as "inf"/"-inf"). */
export function summaryJson(summary: Summary): Record<string, unknown>[] {
  const num = (x: number) => (Number.isNaN(x) ? null : x === Infinity ? 'inf' : x === -Infinity ? '-inf' : x);
  return summary.rows.map((r) => {
    const o: Record<string, unknown> = { ...r.config };
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
  const varying = desc.filter((c) => !['K', 'seed', 'variant', 'optimizer'].includes(c) && new Set(mine.map((r) => at(r, c))).size > 1);
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
