/**
 * A results folder read for the report, from its files alone: cells.csv (required), curves.csv,
 * adjoints.csv, health.csv (each optional: a chart without its data is left out) and manifest.json.
 * The summary is recomputed from cells.csv with the code the sweep uses.
 *
 * health.csv (written by sweeps that record per-K diagnostics, src/health/diagnose.ts) is read by
 * column name: cell_id, an optional `phase` (start | end; `start` when absent), the diagnostic `K`
 * (the last column of that name: descriptor columns, which may include the cell's own K, come
 * first) and the numeric columns of `healthColumns`. The cell's descriptors are joined from
 * cells.csv by cell_id.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { FILES, type Manifest } from '../../experiment/resume.js';
import { parseCsv, parseNumber } from '../csv.js';
import { type Summary, descriptorColumnsOf, shownRows, summarize } from '../summary.js';

export const HEALTH_FILE = 'health.csv';

/** One row of cells.csv. */
export interface CellRow {
  id: string;
  /** Descriptor values as written (every column between cell_id and status). */
  desc: Record<string, string>;
  status: string;
  test_nmse: number;
}

export interface CurvePoints {
  cost: number[];
  nmse: number[];
}

export interface AdjointProfiles {
  start: number[];
  end: number[];
}

/** One row of health.csv: a cell's parameters (at start or end) diagnosed at one K. */
export interface HealthRecord {
  cell_id: string;
  phase: string;
  K: number;
  grad_norm: number;
  snr: number;
  lyap_net: number;
  lyap_task: number;
}

export interface ResultsData {
  dir: string;
  manifest: Manifest | undefined;
  /** cells.csv's descriptor columns. */
  descriptors: string[];
  /** Every row of cells.csv. */
  allCells: CellRow[];
  /** The cells the charts show: every untuned cell and, of a tuned arm, the chosen setting's (summary.ts, shownRows). */
  cells: CellRow[];
  summary: Summary;
  /** cell_id -> its training curve (cost ascending, as written). Empty without curves.csv. */
  curves: Map<string, CurvePoints>;
  /** cell_id -> ||dL/do_t||, t = 0..K, at start and end. Empty without adjoints.csv. */
  adjoints: Map<string, AdjointProfiles>;
  /** health.csv's rows; undefined when the folder has no health.csv. */
  health: HealthRecord[] | undefined;
}

function readTable(file: string): { header: string[]; rows: string[][] } | undefined {
  if (!existsSync(file)) return undefined;
  return parseCsv(readFileSync(file, 'utf8'));
}

function column(header: readonly string[], name: string, file: string, last = false): number {
  const i = last ? header.lastIndexOf(name) : header.indexOf(name);
  if (i < 0) throw new UsageError(file, `no column '${name}' (columns: ${header.join(', ')})`);
  return i;
}

/** Reads a results folder; a missing or malformed cells.csv is a UsageError. */
export function loadResults(dir: string): ResultsData {
  const cellsFile = join(dir, FILES.cells);
  const table = readTable(cellsFile);
  if (!table) throw new UsageError('dir', `${cellsFile} not found: not a kstep results folder`);
  let descriptors: string[];
  let summary: Summary;
  try {
    descriptors = descriptorColumnsOf(table.header);
    summary = summarize(table);
  } catch (e) {
    throw new UsageError(cellsFile, (e as Error).message);
  }
  const statusAt = column(table.header, 'status', cellsFile);
  const nmseAt = column(table.header, 'test_nmse', cellsFile);
  const allCells: CellRow[] = table.rows.map((r) => ({
    id: r[0],
    desc: Object.fromEntries(descriptors.map((d, i) => [d, r[i + 1] ?? ''])),
    status: r[statusAt] ?? '',
    test_nmse: parseNumber(r[nmseAt] ?? ''),
  }));

  const curves = new Map<string, CurvePoints>();
  const curvesFile = join(dir, FILES.curves);
  const ct = readTable(curvesFile);
  if (ct && ct.header.length) {
    const [id, cost, nmse] = ['cell_id', 'cost', 'nmse'].map((c) => column(ct.header, c, curvesFile));
    for (const r of ct.rows) {
      let c = curves.get(r[id]);
      if (!c) curves.set(r[id], (c = { cost: [], nmse: [] }));
      c.cost.push(parseNumber(r[cost]));
      c.nmse.push(parseNumber(r[nmse]));
    }
  }

  const adjoints = new Map<string, AdjointProfiles>();
  const adjFile = join(dir, FILES.adjoints);
  const at = readTable(adjFile);
  if (at && at.header.length) {
    const [id, phase, t, norm] = ['cell_id', 'phase', 't', 'norm'].map((c) => column(at.header, c, adjFile));
    for (const r of at.rows) {
      let a = adjoints.get(r[id]);
      if (!a) adjoints.set(r[id], (a = { start: [], end: [] }));
      const p = r[phase] === 'end' ? a.end : r[phase] === 'start' ? a.start : undefined;
      if (p) p[Number(r[t])] = parseNumber(r[norm]);
    }
  }

  let health: HealthRecord[] | undefined;
  const healthFile = join(dir, HEALTH_FILE);
  const ht = readTable(healthFile);
  if (ht && ht.header.length) {
    const h = ht.header;
    const id = column(h, 'cell_id', healthFile);
    const phase = h.indexOf('phase');
    const K = column(h, 'K', healthFile, true);
    const num = (name: string) => {
      const i = h.lastIndexOf(name);
      return (r: string[]) => (i < 0 ? NaN : parseNumber(r[i] ?? ''));
    };
    const [grad, snr, lnet, ltask] = ['grad_norm', 'snr', 'lyap_net', 'lyap_task'].map(num);
    column(h, 'grad_norm', healthFile, true);
    health = ht.rows.map((r) => ({
      cell_id: r[id],
      phase: phase < 0 ? 'start' : r[phase],
      K: Number(r[K]),
      grad_norm: grad(r),
      snr: snr(r),
      lyap_net: lnet(r),
      lyap_task: ltask(r),
    }));
  }

  let manifest: Manifest | undefined;
  const mf = join(dir, FILES.manifest);
  if (existsSync(mf)) {
    try {
      manifest = JSON.parse(readFileSync(mf, 'utf8')) as Manifest;
    } catch (e) {
      throw new UsageError(mf, `not valid JSON: ${(e as Error).message}`);
    }
  }
  const shown = new Set(shownRows(summary).flatMap((r) => r.cells.map((c) => c.id)));
  const cells = allCells.filter((c) => shown.has(c.id));
  return { dir, manifest, descriptors, allCells, cells, summary, curves, adjoints, health };
}
