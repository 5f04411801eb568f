/**
 * The CSV records of a finished (or failed) sweep cell, appended to the results folder as the cell
 * finishes (resume.ts reads them back and rewrites them in canonical order).
 */
import { join } from 'node:path';
import { healthColumns } from '../health/diagnose.js';
import { type CsvValue, appendRecords, formatRecord } from '../output/csv.js';
import { RESULT_COLUMNS } from '../output/summary.js';
import { formatValue } from './config.js';
import { type Cell, descriptorValues } from './grid.js';
import type { Outcome } from './pool.js';
import { FILES, type ResultFiles } from './resume.js';
import type { SweepOutcome } from './sweep-cell.js';

/** The health columns of cells.csv: the diagnostics at the cell's own K (NaN without them). */
function healthValues(cell: Cell, outcome: SweepOutcome): Record<string, number> {
  const h = outcome.type === 'done' ? outcome.health : undefined;
  const at = (rows: readonly { K: number }[] | undefined) => rows?.find((r) => r.K === cell.config.K) as Record<string, number> | undefined;
  const s = at(h?.start);
  const e = at(h?.end);
  return {
    snr_start: s?.snr ?? NaN,
    snr_end: e?.snr ?? NaN,
    lyap_net_start: s?.lyap_net ?? NaN,
    lyap_net_end: e?.lyap_net ?? NaN,
    lyap_task: e?.lyap_task ?? s?.lyap_task ?? NaN,
    pascanu_bound_start: s?.pascanu_bound ?? NaN,
    pascanu_bound_end: e?.pascanu_bound ?? NaN,
  };
}

/** The cells.csv record of a finished (or failed) cell. */
export function cellRecord(cell: Cell, header: readonly string[], outcome: SweepOutcome): string {
  const desc = descriptorValues(cell);
  const values: CsvValue[] = [];
  const res = outcome.type === 'done' ? outcome.result : undefined;
  const health = healthValues(cell, outcome);
  const resultValues: Record<(typeof RESULT_COLUMNS)[number], CsvValue> = res
    ? {
        status: res.status,
        error: res.error ?? '',
        train_nmse: res.eval.train_nmse,
        val_nmse: res.eval.val_nmse,
        test_nmse: res.eval.test_nmse,
        extrap_nmse: res.eval.extrap_nmse,
        onestep_nmse: res.eval.onestep_nmse,
        cost_to_target: res.cost_to_target,
        cost: res.cost,
        iterations: res.iterations,
        nonfinite: res.nonfinite,
        grad_norm_start: res.start.grad_norm,
        adjoint_ratio_start: res.start.ratio,
        health_start: res.start.label,
        grad_norm_end: res.end.grad_norm,
        adjoint_ratio_end: res.end.ratio,
        health_end: res.end.label,
        ...health,
        wall_ms: Math.round(res.wall_ms),
      } as Record<(typeof RESULT_COLUMNS)[number], CsvValue>
    : ({ status: 'error', error: outcome.type === 'error' ? outcome.message : '', wall_ms: outcome.type === 'error' ? Math.round(outcome.wall_ms) : NaN } as Record<
        (typeof RESULT_COLUMNS)[number],
        CsvValue
      >);
  for (const col of header) {
    if (col === 'cell_id') values.push(cell.id);
    else if ((RESULT_COLUMNS as readonly string[]).includes(col)) values.push(resultValues[col as (typeof RESULT_COLUMNS)[number]]);
    else {
      const v = desc.get(col);
      values.push(v === undefined ? '' : Array.isArray(v) ? formatValue(v) : (v as CsvValue));
    }
  }
  return formatRecord(values);
}

export function curveRecords(cell: Cell, outcome: Outcome): string[] {
  if (outcome.type !== 'done') return [];
  return outcome.result.curve.map((p) => formatRecord([cell.id, p.cost, p.nmse]));
}

export function adjointRecords(cell: Cell, outcome: Outcome): string[] {
  if (outcome.type !== 'done') return [];
  const out: string[] = [];
  for (const phase of ['start', 'end'] as const) outcome.result[phase].adjoints.forEach((norm, t) => out.push(formatRecord([cell.id, phase, t, norm])));
  return out;
}

/** health.csv records of a cell: phase start then end, each at every diagnosed K. */
export function healthRecords(cell: Cell, outcome: SweepOutcome): string[] {
  if (outcome.type !== 'done' || !outcome.health) return [];
  const out: string[] = [];
  for (const phase of ['start', 'end'] as const)
    for (const row of outcome.health[phase]) out.push(formatRecord([cell.id, phase, ...healthColumns.map((c) => row[c])]));
  return out;
}

/** Appends a finished cell: curves, adjoints and health first, its cells.csv row last (the row marks it done). */
export function appendCell(dir: string, cell: Cell, header: readonly string[], outcome: SweepOutcome, files: ResultFiles = { health: false }): void {
  appendRecords(join(dir, FILES.curves), curveRecords(cell, outcome));
  appendRecords(join(dir, FILES.adjoints), adjointRecords(cell, outcome));
  if (files.health) appendRecords(join(dir, FILES.health), healthRecords(cell, outcome));
  appendRecords(join(dir, FILES.cells), [cellRecord(cell, header, outcome)]);
}
