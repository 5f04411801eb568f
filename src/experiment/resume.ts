/**
 * The results folder on disk: what is in it, cleaned, and written back in canonical order.
 *
 * During a sweep each finished cell appends its curve block, its adjoint block, its health block
 * (health.csv, when the experiment has `health`) and then its cells.csv row, each with one synchronous write; a cell counts as done exactly when its cells.csv
 * row is complete. Reading a folder (for --resume, merge, or the final sort) therefore:
 *   - drops a torn last record of any file (no line break: the writer was interrupted),
 *   - keeps the first row per cell_id in cells.csv (a duplicate would be a bug; it is reported),
 *   - keeps curve, adjoint and health records only of cells that have a cells.csv row (blocks appended
 *     before an interruption hit the cells row belong to a cell that will be run again),
 *   - drops a cell (its cells.csv row and its other records) when any of its records holds a value
 *     a sweep never writes: a numeric column that is not a number (written numbers, the empty field
 *     for NaN, `inf`, `-inf`), an unknown status, health label or phase. Such a cell is run again.
 * Writing sorts rows by the cells' canonical order (records within a cell keep their order) and
 * replaces each file atomically (temporary file + rename), so a finished folder has the same bytes
 * however the rows were appended: in any completion order, on any number of workers, resumed or
 * merged from shards.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { healthLabels } from '../health/classify.js';
import { healthColumns } from '../health/diagnose.js';
import { csvText, formatRecord, parseRecord, splitRecords, writeFileAtomic } from '../output/csv.js';
import { RESULT_COLUMNS } from '../output/summary.js';
import { statusNames } from './cell.js';
import type { ModuleRecord } from './task-module.js';

export const FILES = {
  cells: 'cells.csv',
  curves: 'curves.csv',
  adjoints: 'adjoints.csv',
  health: 'health.csv',
  summary: 'summary.csv',
  manifest: 'manifest.json',
} as const;

export const CURVE_HEADER = ['cell_id', 'cost', 'nmse'];
export const ADJOINT_HEADER = ['cell_id', 'phase', 't', 'norm'];
/** health.csv: per cell, phase (start | end) and K, the diagnostics of src/health/diagnose.ts. */
export const HEALTH_HEADER: readonly string[] = ['cell_id', 'phase', ...healthColumns];

export interface ResultRecords {
  /** cells.csv's header, as found (empty if the file is missing). */
  header: string[];
  /** cell_id -> its raw cells.csv record. */
  cells: Map<string, string>;
  /** cell_id -> its raw curves.csv records, in file order. */
  curves: Map<string, string[]>;
  /** cell_id -> its raw adjoints.csv records, in file order. */
  adjoints: Map<string, string[]>;
  /** cell_id -> its raw health.csv records, in file order (empty without health.csv). */
  health: Map<string, string[]>;
  /** Files whose last record was torn (and dropped). */
  torn: string[];
  /** Records dropped for other reasons (duplicates, orphans of unfinished cells, wrong field count). */
  dropped: number;
  /** Cells dropped (by readResults) because a record of theirs holds an invalid value: id and the first bad value. */
  invalid?: { id: string; file: string; column: string; value: string }[];
}

/** A number as formatNumber writes it (finite, shortest round-trip form), or NaN / an infinity as written. */
const NUMBER = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?$/;

function numberField(s: string): boolean {
  return s === '' || s === 'inf' || s === '-inf' || NUMBER.test(s);
}

const LABELS: readonly string[] = ['', ...healthLabels];
const PHASES: readonly string[] = ['start', 'end'];

/** The check of each column of a results file, by column name; columns without one are free text. */
function columnCheck(column: string): ((s: string) => boolean) | undefined {
  if (column === 'cell_id' || column === 'error') return undefined;
  if (column === 'status') return (s) => (statusNames as readonly string[]).includes(s);
  if (column === 'health_start' || column === 'health_end' || column === 'label') return (s) => LABELS.includes(s);
  if (column === 'phase') return (s) => PHASES.includes(s);
  return numberField;
}

/** The first field of a record that fails its column's check, as [column, value]. */
function firstInvalid(header: readonly string[], fields: readonly string[], columns: readonly string[]): [string, string] | undefined {
  for (let i = 0; i < header.length; i++) {
    if (!columns.includes(header[i])) continue;
    const check = columnCheck(header[i]);
    if (check && !check(fields[i])) return [header[i], fields[i]];
  }
  return undefined;
}

function idOf(record: string): string {
  const c = record.indexOf(',');
  return c < 0 ? record : record.slice(0, c);
}

interface FileRead {
  header: string[] | undefined;
  records: string[];
  torn: boolean;
}

function readFile(file: string): FileRead {
  if (!existsSync(file)) return { header: undefined, records: [], torn: false };
  const { records, torn } = splitRecords(readFileSync(file, 'utf8'));
  const nonEmpty = records.filter((r) => r !== '');
  if (nonEmpty.length === 0) return { header: undefined, records: [], torn };
  return { header: parseRecord(nonEmpty[0]), records: nonEmpty.slice(1), torn };
}

function sameHeader(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Reads a results folder. With `expectedHeader`, a cells.csv with other columns is refused (it was
 * written by a different experiment).
 */
export function readResults(dir: string, expectedHeader?: readonly string[]): ResultRecords {
  const bad: NonNullable<ResultRecords['invalid']> = [];
  const out: ResultRecords = { header: [], cells: new Map(), curves: new Map(), adjoints: new Map(), health: new Map(), torn: [], dropped: 0, invalid: bad };
  const invalid = new Set<string>();
  const reject = (id: string, file: string, [column, value]: [string, string]) => {
    if (invalid.has(id)) return;
    invalid.add(id);
    bad.push({ id, file, column, value });
  };
  const resultColumns: readonly string[] = RESULT_COLUMNS;
  const cells = readFile(join(dir, FILES.cells));
  if (cells.torn) out.torn.push(FILES.cells);
  if (cells.header) {
    if (expectedHeader && !sameHeader(cells.header, expectedHeader))
      throw new UsageError(
        join(dir, FILES.cells),
        `its columns differ from this experiment's (a different spec wrote it); use another --out or delete it`,
      );
    out.header = cells.header;
    for (const rec of cells.records) {
      let fields: string[];
      try {
        fields = parseRecord(rec);
      } catch {
        out.dropped++;
        continue;
      }
      if (fields.length !== cells.header.length || out.cells.has(fields[0])) {
        out.dropped++;
        continue;
      }
      const wrong = firstInvalid(cells.header, fields, resultColumns);
      if (wrong) reject(fields[0], FILES.cells, wrong);
      out.cells.set(fields[0], rec);
    }
  }
  for (const [name, header, target] of [
    [FILES.curves, CURVE_HEADER, out.curves],
    [FILES.adjoints, ADJOINT_HEADER, out.adjoints],
    [FILES.health, HEALTH_HEADER, out.health],
  ] as const) {
    const f = readFile(join(dir, name));
    if (f.torn) out.torn.push(name);
    if (f.header && !sameHeader(f.header, header)) throw new UsageError(join(dir, name), `unexpected columns ${f.header.join(',')}`);
    for (const rec of f.records) {
      const id = idOf(rec);
      if (!out.cells.has(id)) {
        out.dropped++;
        continue;
      }
      let fields: string[];
      try {
        fields = parseRecord(rec);
      } catch {
        fields = [];
      }
      const wrong: [string, string] | undefined =
        fields.length !== header.length ? ['(record)', rec] : firstInvalid(header, fields, header.slice(1));
      if (wrong) reject(id, name, wrong);
      let list = target.get(id);
      if (!list) target.set(id, (list = []));
      list.push(rec);
    }
  }
  for (const id of invalid) {
    out.cells.delete(id);
    out.curves.delete(id);
    out.adjoints.delete(id);
    out.health.delete(id);
  }
  return out;
}

/** Which optional files a results folder has. */
export interface ResultFiles {
  /** health.csv (the experiment has `health`); without it a stale health.csv is removed. */
  health: boolean;
}

/**
 * Writes cells.csv, curves.csv, adjoints.csv (and health.csv) of `records` sorted by `order` (cell
 * ids in canonical order), atomically. Returns the cells.csv text. Ids not in `order` are an error.
 */
export function writeResults(dir: string, header: readonly string[], order: readonly string[], records: ResultRecords, files: ResultFiles): string {
  const pos = new Map(order.map((id, i) => [id, i]));
  for (const id of records.cells.keys()) if (!pos.has(id)) throw new Error(`cell ${id} in ${dir} is not a cell of this experiment`);
  const ids = [...records.cells.keys()].sort((a, b) => pos.get(a)! - pos.get(b)!);
  const cellsText = csvText(header, ids.map((id) => records.cells.get(id)!));
  writeFileAtomic(join(dir, FILES.curves), csvText(CURVE_HEADER, ids.flatMap((id) => records.curves.get(id) ?? [])));
  writeFileAtomic(join(dir, FILES.adjoints), csvText(ADJOINT_HEADER, ids.flatMap((id) => records.adjoints.get(id) ?? [])));
  if (files.health) writeFileAtomic(join(dir, FILES.health), csvText(HEALTH_HEADER, ids.flatMap((id) => records.health.get(id) ?? [])));
  else rmSync(join(dir, FILES.health), { force: true });
  writeFileAtomic(join(dir, FILES.cells), cellsText);
  return cellsText;
}

/** Empty results files with their headers (a fresh sweep). */
export function writeHeaders(dir: string, header: readonly string[], files: ResultFiles): void {
  writeFileAtomic(join(dir, FILES.curves), formatRecord(CURVE_HEADER) + '\r\n');
  writeFileAtomic(join(dir, FILES.adjoints), formatRecord(ADJOINT_HEADER) + '\r\n');
  if (files.health) writeFileAtomic(join(dir, FILES.health), formatRecord(HEALTH_HEADER) + '\r\n');
  else rmSync(join(dir, FILES.health), { force: true });
  writeFileAtomic(join(dir, FILES.cells), formatRecord(header) + '\r\n');
}

export interface Manifest {
  experiment: string;
  kstep: string;
  node: string;
  started: string;
  /** Cells in this folder's slice of the grid (all cells unless a shard). */
  cells: number;
  /** Cells of the whole grid. */
  grid_cells: number;
  shard: string | null;
  spec: unknown;
  /** The task modules the cells use, with the SHA-256 of each file when the results were written (absent: none). */
  modules?: ModuleRecord[];
  merged_from?: string[];
}

export function readManifest(dir: string): Manifest | undefined {
  const file = join(dir, FILES.manifest);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw new UsageError(file, `not valid JSON: ${(e as Error).message}`);
  }
}

export function writeManifest(dir: string, m: Manifest): void {
  writeFileAtomic(join(dir, FILES.manifest), JSON.stringify(m, null, 2) + '\n');
}
