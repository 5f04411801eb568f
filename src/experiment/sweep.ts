/**
 * A sweep, start to end: validate the experiment and every cell (nothing is written before that),
 * pick the slice (--shard i/n), prepare the results folder (fresh, or --resume: keep the done
 * cells), run the rest in the worker pool while appending each finished cell's rows, then rewrite
 * the CSVs in canonical order, write summary.csv and return the summary for the tables.
 *
 * Results folder: results/<experiment name>/ (shards: results/<name>/shard-<i>-of-<n>/) or --out.
 * With the experiment option `health`, each cell also writes its diagnostics to health.csv (one
 * row per phase start|end and K, see worker.ts) and fills cells.csv's health columns; cells.csv has
 * those columns in every sweep (empty without `health`), so its schema does not depend on the option.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MultiBar, Presets } from 'cli-progress';
import { UsageError } from '../errors.js';
import { type HealthRow, cellHealthRows, healthColumns, powersUpTo } from '../health/diagnose.js';
import { type CsvValue, appendRecords, formatRecord, parseCsv, writeFileAtomic } from '../output/csv.js';
import { type CellsTable, RESULT_COLUMNS, type Summary, summarize, summarizeHealth, summaryCsv } from '../output/summary.js';
import { version } from '../version.js';
import { buildCell, runCell } from './cell.js';
import { type CellConfig, formatValue } from './config.js';
import { type Cell, descriptorColumns, descriptorValues, expandGrid, shardCells } from './grid.js';
import { type Outcome, type PoolEnd, type PoolOptions, errorMessage, runPool, workerScript } from './pool.js';
import { FILES, type Manifest, type ResultFiles, readManifest, readResults, writeHeaders, writeManifest, writeResults } from './resume.js';
import { type ExperimentSpec, type HealthSpec, type ParsedExperiment, applyOverrides, readExperimentFile } from './spec.js';

export interface Experiment extends ParsedExperiment {
  /** Every cell of the grid, in canonical order. */
  cells: Cell[];
  /** cells.csv's columns. */
  header: string[];
}

/** Reads, overrides and expands an experiment; every error is a UsageError naming the field. */
export function loadExperiment(fileOrName: string, overrides: readonly string[] = []): Experiment {
  return prepareExperiment(applyOverrides(readExperimentFile(fileOrName), overrides));
}

/** Expands an already parsed experiment (e.g. the spec stored in a manifest). */
export function prepareExperiment(parsed: ParsedExperiment): Experiment {
  const cells = expandGrid(parsed);
  const header = ['cell_id', ...descriptorColumns(cells, parsed.spec.variants !== undefined), ...RESULT_COLUMNS];
  return { ...parsed, cells, header };
}

/** The experiment of a manifest's stored spec (already validated and normalised when it was written). */
export function experimentFromSpec(spec: ExperimentSpec): Experiment {
  return prepareExperiment({ spec, sources: new Map() });
}

// ---- one cell -------------------------------------------------------------------------------

/** A cell's config as a sweep sends it: the resolved config, plus the health option when on. */
export type SweepCellConfig = CellConfig & { health?: HealthSpec };

/** The diagnostics of one cell: rows at each K of `healthKs`, at start and at end. */
export interface CellHealth {
  start: HealthRow[];
  end: HealthRow[];
}

/** An outcome with the cell's health rows (present when the sweep asked for them and the cell ran). */
export type SweepOutcome = Outcome & { health?: CellHealth };

/** The Ks a cell is diagnosed at: the option's list (default 1, 2, 4, ... up to K) and the cell's K, ascending. */
export function healthKs(K: number, health: HealthSpec): number[] {
  const ks = new Set(health.K ?? powersUpTo(K));
  ks.add(K);
  return [...ks].sort((a, b) => a - b);
}

/** The health rows of a cell at theta (deterministic: the cell's seed draws the initial states). */
export function diagnoseCell(cfg: CellConfig, health: HealthSpec, theta: Float64Array): HealthRow[] {
  return cellHealthRows(cfg, theta, {
    Ks: healthKs(cfg.K, health),
    samples: health.samples,
    snr: { batches: health.snr_batches, batch: health.snr_batch },
    lyapunov: health.lyapunov_steps > 0 ? { steps: health.lyapunov_steps, samples: health.lyapunov_samples } : false,
  });
}

/**
 * Start-of-training rows, per thread: they depend only on what the key lists (the task, the net, its
 * initialisation and the seed, which draws both theta0 and the probe states), not on the optimizer,
 * the budget or any other knob, so the cells of a sweep that differ only in those share them.
 */
const startRows = new Map<string, HealthRow[]>();

/** diagnoseCell at the cell's initial parameters, computed once per distinct key in this thread. */
export function diagnoseStart(cfg: CellConfig, health: HealthSpec): HealthRow[] {
  const { task, taskParams, features, hidden, activation, residual, init, gain, seed } = cfg;
  const key = JSON.stringify([task, taskParams, features, hidden, activation, residual, init, gain, seed, healthKs(cfg.K, health), health]);
  let rows = startRows.get(key);
  if (!rows) {
    // The initial parameters, rebuilt from the cell's seed exactly as runCell built them.
    rows = diagnoseCell(cfg, health, buildCell(cfg).theta0);
    startRows.set(key, rows);
  }
  return rows.map((r) => ({ ...r }));
}

/**
 * Runs one cell of a sweep with runCell and, when the sweep asked for gradient health
 * (`config.health`, the experiment's `health` option), diagnoses the cell's network at its initial
 * parameters (phase `start`) and at its trained parameters (phase `end`) at each K of `healthKs`
 * (src/health/diagnose.ts): the rows of health.csv. An exception becomes an error outcome with its
 * message. The worker threads (worker.ts) and `--workers 0` both run cells with it.
 */
export function runSweepCell(index: number, config: SweepCellConfig): SweepOutcome {
  const t0 = performance.now();
  try {
    const { health, ...cfg } = config;
    const { theta, ...result } = runCell(cfg);
    if (!health) return { type: 'done', index, result };
    const start = diagnoseStart(cfg, health);
    const end = diagnoseCell(cfg, health, theta);
    return { type: 'done', index, result, health: { start, end } };
  } catch (e) {
    return { type: 'error', index, message: errorMessage(e), wall_ms: performance.now() - t0 };
  }
}

// ---- rows -------------------------------------------------------------------------------------

/** The optional files of an experiment's results folder. */
export function resultFiles(exp: Experiment): ResultFiles {
  return { health: exp.spec.health !== undefined };
}

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

// ---- the sweep --------------------------------------------------------------------------------

export interface SweepOptions {
  /** Results folder; default results/<name> (shards: results/<name>/shard-<i>-of-<n>). */
  out?: string;
  workers: number;
  resume?: boolean;
  shard?: { index: number; count: number };
  failFast?: boolean;
  signal?: AbortSignal;
  /** `bar` (a TTY), `lines` (one line per cell), `none`. */
  progress?: 'bar' | 'lines' | 'none';
  /** Where logs and progress go (stderr). */
  log?: (line: string) => void;
  /** Stream for the progress bar. */
  stream?: NodeJS.WritableStream;
}

export interface SweepReport {
  dir: string;
  /** Cells in this slice. */
  total: number;
  /** Cells already done when the sweep started (--resume). */
  skipped: number;
  /** Cells run now. */
  ran: number;
  errors: number;
  end: PoolEnd;
  /** The summary, when the slice finished. */
  summary?: Summary;
  wall_ms: number;
}

export function defaultOutDir(name: string, shard?: { index: number; count: number }): string {
  const base = join('results', name);
  return shard ? join(base, `shard-${shard.index}-of-${shard.count}`) : base;
}

/** The keys that name a cell in progress lines: the grid axes, the variant, the seed. */
function labelKeys(exp: Experiment): string[] {
  const axes = new Set(Object.keys(exp.spec.grid));
  if (exp.spec.variants) axes.add('variant');
  axes.add('seed');
  return exp.header.filter((k) => axes.has(k));
}

function cellLabel(cell: Cell, keys: readonly string[]): string {
  const d = descriptorValues(cell);
  return keys
    .filter((k) => d.has(k))
    .map((k) => `${k}=${formatValue(d.get(k)!)}`)
    .join(' ');
}

function sci(x: number): string {
  return Number.isFinite(x) ? x.toExponential(2) : String(x);
}

export async function runSweep(exp: Experiment, opts: SweepOptions): Promise<SweepReport> {
  const t0 = performance.now();
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const dir = opts.out ?? defaultOutDir(exp.spec.name, opts.shard);
  const slice = shardCells(exp.cells, opts.shard);
  const shardText = opts.shard ? `${opts.shard.index}/${opts.shard.count}` : null;
  if (!Number.isInteger(opts.workers) || opts.workers < 0) throw new UsageError('--workers', `must be an integer >= 0, got ${opts.workers}`);
  if (opts.workers > 0) workerScript(); // fails before anything is written if the build is missing

  // Prepare the folder: all checks first, then writes.
  const files = resultFiles(exp);
  let done = new Set<string>();
  const manifest: Manifest = {
    experiment: exp.spec.name,
    kstep: version,
    node: process.version,
    started: new Date().toISOString(),
    cells: slice.length,
    grid_cells: exp.cells.length,
    shard: shardText,
    spec: exp.spec,
  };
  const hasResults = existsSync(join(dir, FILES.cells));
  if (opts.resume && hasResults) {
    const old = readManifest(dir);
    if (old && JSON.stringify(old.spec) !== JSON.stringify(exp.spec))
      throw new UsageError('--resume', `${dir} holds results of a different spec of '${old.experiment}' (compare its manifest.json); use another --out`);
    if (old && old.shard !== shardText)
      throw new UsageError('--resume', `${dir} holds shard ${old.shard ?? 'none'}, not ${shardText ?? 'the whole grid'}`);
    const records = readResults(dir, exp.header);
    const order = exp.cells.map((c) => c.id);
    const inSlice = new Set(slice.map((c) => c.id));
    for (const id of records.cells.keys()) if (!inSlice.has(id)) throw new UsageError('--resume', `${dir} has a row for cell ${id}, which is not in this slice of the grid`);
    if (records.torn.length) log(`resume: dropped a torn last line of ${records.torn.join(', ')}`);
    // Rewrite clean files, then append to them.
    writeResults(dir, exp.header, order, records, files);
    if (old) manifest.started = old.started;
    done = new Set(records.cells.keys());
    log(`resume: ${done.size} of ${slice.length} cells already done in ${dir}`);
  } else {
    mkdirSync(dir, { recursive: true });
    if (hasResults) log(`${dir}: replacing the previous results (use --resume to continue them instead)`);
    rmSync(join(dir, FILES.summary), { force: true });
    writeHeaders(dir, exp.header, files);
  }
  writeManifest(dir, manifest);

  const todo = slice.filter((c) => !done.has(c.id));
  const keys = labelKeys(exp);
  let finished = 0;
  let errors = 0;
  const mode = opts.progress ?? 'lines';
  const total = slice.length;
  let multibar: MultiBar | undefined;
  let bar: ReturnType<MultiBar['create']> | undefined;
  if (mode === 'bar' && todo.length > 0) {
    multibar = new MultiBar(
      {
        format: 'cells {bar} {value}/{total} | {percentage}% | ETA {eta_formatted} | failed {failed}',
        hideCursor: true,
        clearOnComplete: false,
        stream: (opts.stream ?? process.stderr) as NodeJS.WriteStream,
        etaBuffer: 20,
      },
      Presets.shades_classic,
    );
    bar = multibar.create(total, done.size, { failed: 0 });
  }
  const say = (line: string) => (multibar ? multibar.log(`${line}\n`) : log(line));
  log(`sweep ${exp.spec.name}: ${todo.length} cells to run${done.size ? ` (${done.size} done)` : ''}${shardText ? `, shard ${shardText}` : ''}, ${opts.workers} worker${opts.workers === 1 ? '' : 's'}, results in ${dir}`);

  const pool: PoolOptions = { workers: opts.workers, failFast: opts.failFast, signal: opts.signal, run: runSweepCell };
  const end = await runPool(todo, pool, (cell, outcome) => {
    appendCell(dir, cell, exp.header, outcome, files);
    finished++;
    const n = done.size + finished;
    if (outcome.type === 'error') {
      errors++;
      say(`error in cell ${cell.id} (${cellLabel(cell, keys)}): ${outcome.message}`);
    } else if (mode === 'lines') {
      const r = outcome.result;
      say(
        `[${String(n).padStart(String(total).length)}/${total}] ${cellLabel(cell, keys)}: ${r.status}, test nmse ${sci(r.eval.test_nmse)}, ${(r.wall_ms / 1000).toFixed(1)} s`,
      );
    }
    bar?.update(n, { failed: errors });
  });
  multibar?.stop();

  const report: SweepReport = { dir, total, skipped: done.size, ran: finished, errors, end, wall_ms: 0 };
  if (end === 'done') {
    report.summary = finalizeResults(dir, exp);
  } else if (end === 'aborted') {
    log(`interrupted: ${done.size + finished} of ${total} cells done in ${dir}; run the same command with --resume to finish`);
  } else {
    log(`stopped at the first error (--fail-fast): ${done.size + finished} of ${total} cells done in ${dir}`);
  }
  report.wall_ms = performance.now() - t0;
  return report;
}

/** Rewrites the folder's CSVs in canonical order and writes summary.csv; returns the summary. */
export function finalizeResults(dir: string, exp: Experiment): Summary {
  const records = readResults(dir, exp.header);
  const files = resultFiles(exp);
  const cellsText = writeResults(
    dir,
    exp.header,
    exp.cells.map((c) => c.id),
    records,
    files,
  );
  const cells = parseCsv(cellsText);
  const summary = summarize(cells);
  writeFileAtomic(join(dir, FILES.summary), summaryCsv(summary));
  return withHealth(summary, cells, dir);
}

/** The summary with its health pivots, when `dir` has a health.csv (summary.csv is not affected). */
export function withHealth(summary: Summary, cells: CellsTable, dir: string): Summary {
  const file = join(dir, FILES.health);
  if (!existsSync(file)) return summary;
  const health = summarizeHealth(cells, parseCsv(readFileSync(file, 'utf8')));
  return health ? { ...summary, health } : summary;
}
