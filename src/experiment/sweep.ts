/**
 * A sweep, start to end: validate the experiment and every cell (nothing is written before that),
 * pick the slice (--shard i/n), prepare the results folder (fresh, or --resume: keep the done
 * cells), run the rest in the worker pool while appending each finished cell's rows, then rewrite
 * the CSVs in canonical order, write summary.csv and return the summary for the tables.
 *
 * Results folder: results/<experiment name>/ (shards: results/<name>/shard-<i>-of-<n>/) or --out.
 * With the experiment option `health`, each cell also writes its diagnostics to health.csv (one
 * row per phase start|end and K, see sweep-cell.ts) and fills cells.csv's health columns; cells.csv has
 * those columns in every sweep (empty without `health`), so its schema does not depend on the option.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MultiBar, Presets } from 'cli-progress';
import type { MemoryMode } from '../core/rollout.js';
import { UsageError } from '../errors.js';
import { parseCsv, writeFileAtomic } from '../output/csv.js';
import { makeFolder } from '../output/paths.js';
import { REPORT_FILE } from '../output/report/index.js';
import { RESULT_COLUMNS, type Summary, summarize, summaryCsv } from '../output/summary.js';
import { withHealth } from '../output/with-health.js';
import { version } from '../version.js';
import { formatValue } from './config.js';
import { readExperimentFile } from './experiment-file.js';
import { type Cell, descriptorColumns, descriptorValues, expandGrid, shardCells, shardFolderName } from './grid.js';
import { checkSweepFolder } from './outdir.js';
import { applyOverrides } from './overrides.js';
import { type PoolEnd, type PoolOptions, runPool, workerScript } from './pool.js';
import { FILES, type Manifest, type ResultFiles, readManifest, readResults, writeHeaders, writeManifest, writeResults } from './resume.js';
import { checkCellResources, memoryLimit } from './resources.js';
import { appendCell } from './rows.js';
import type { ExperimentSpec, ParsedExperiment } from './spec.js';
import { runSweepCell } from './sweep-cell.js';
import { type ModuleRecord, checkModulesUnchanged, moduleRecords } from './task-module.js';

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

/** manifest.json's `modules` entry: the task modules the cells use (nothing when they use built-in tasks only). */
export function modulesField(cells: readonly Cell[]): { modules?: ModuleRecord[] } {
  const modules = moduleRecords(cells.map((c) => c.config.task));
  return modules.length ? { modules } : {};
}

/** The optional files of an experiment's results folder. */
export function resultFiles(exp: Experiment): ResultFiles {
  return { health: exp.spec.health !== undefined };
}

// ---- the sweep --------------------------------------------------------------------------------

export interface SweepOptions {
  /** Results folder; default results/<name> (shards: results/<name>/shard-<i>-of-<n>). */
  out?: string;
  workers: number;
  resume?: boolean;
  /** Replace results of another spec, or of this spec, already in the folder (src/experiment/outdir.ts). */
  force?: boolean;
  /** How refusals name the folder (default '--out'). */
  field?: string;
  shard?: { index: number; count: number };
  failFast?: boolean;
  signal?: AbortSignal;
  /** `bar` (a TTY), `lines` (one line per cell), `none`. */
  progress?: 'bar' | 'lines' | 'none';
  /** Where logs and progress go (stderr). */
  log?: (line: string) => void;
  /** Stream for the progress bar. */
  stream?: NodeJS.WritableStream;
  /** How BPTT's stored passes keep their steps (default auto); not part of the spec: every mode gives the same bits. */
  memory?: MemoryMode;
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
  return shard ? join(base, shardFolderName(shard.index, shard.count)) : base;
}

/** The keys that name a cell in progress lines: the grid axes, the variant, the tuned options, the seed. */
export function labelKeys(exp: Experiment): string[] {
  const axes = new Set(Object.keys(exp.spec.grid));
  if (exp.spec.variants) axes.add('variant');
  for (const entry of Object.values(exp.spec.tune ?? {})) for (const k of Object.keys(entry)) axes.add(k);
  axes.add('seed');
  return exp.header.filter((k) => axes.has(k));
}

export function cellLabel(cell: Cell, keys: readonly string[]): string {
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
  if (opts.resume && opts.force) throw new UsageError('--force', 'cannot be combined with --resume (--resume keeps the results, --force replaces them)');
  if (opts.memory) {
    // The grid was checked under auto; another mode changes what a cell keeps, so check again.
    const limit = memoryLimit();
    for (const c of slice) {
      c.config.memory = opts.memory;
      checkCellResources(c.config, '--memory', limit);
    }
  }
  const replacing = checkSweepFolder(dir, opts.field ?? '--out', { spec: exp.spec, shard: shardText, resume: opts.resume, force: opts.force });
  // Results of another version of a task module are not continued.
  if (opts.resume && existsSync(join(dir, FILES.cells))) checkModulesUnchanged(readManifest(dir)?.modules, '--resume', dir);

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
    ...modulesField(exp.cells),
  };
  const hasResults = existsSync(join(dir, FILES.cells));
  if (opts.resume && hasResults) {
    const old = readManifest(dir); // its spec and shard were checked with the folder (outdir.ts)
    const records = readResults(dir, exp.header);
    const order = exp.cells.map((c) => c.id);
    const inSlice = new Set(slice.map((c) => c.id));
    for (const id of records.cells.keys()) if (!inSlice.has(id)) throw new UsageError('--resume', `${dir} has a row for cell ${id}, which is not in this slice of the grid`);
    if (records.torn.length) log(`resume: dropped a torn last line of ${records.torn.join(', ')}`);
    const invalid = records.invalid ?? [];
    if (invalid.length) {
      const [first] = invalid;
      log(`resume: running ${invalid.length} cell${invalid.length === 1 ? '' : 's'} again whose rows hold invalid values (cell ${first.id}: ${first.file} column ${first.column} = ${JSON.stringify(first.value)})`);
    }
    // Rewrite clean files, then append to them.
    writeResults(dir, exp.header, order, records, files);
    if (old) manifest.started = old.started;
    done = new Set(records.cells.keys());
    log(`resume: ${done.size} of ${slice.length} cells already done in ${dir}`);
  } else {
    makeFolder(dir);
    if (replacing) log(`${dir}: replacing the results there (--force)`);
    rmSync(join(dir, FILES.summary), { force: true });
    rmSync(join(dir, REPORT_FILE), { force: true });
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
  return withHealth(summary, cells, join(dir, FILES.health));
}

