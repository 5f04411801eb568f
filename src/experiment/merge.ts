/**
 * `kstep merge dirA dirB ... --out dir`: combines results folders of the same experiment spec
 * (typically the shards of one sweep) into the files a single run writes (health.csv too, when the
 * spec has `health`): the union of their rows,
 * sorted in the grid's canonical order (re-expanded from the spec stored in manifest.json), and a
 * summary.csv computed from the merged cells.csv. Torn last lines and rows of unfinished cells are
 * dropped as in --resume. A cell present in two folders is taken from the first one named. A folder
 * whose sweep has not finished its slice (a shard that failed, was cancelled or still runs) is
 * refused, naming it; a set of finished shards that lacks some shard is merged, and reports the
 * cells it misses.
 */
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { parseCsv, writeFileAtomic } from '../output/csv.js';
import { makeFolder } from '../output/paths.js';
import { type Summary, summarize, summaryCsv } from '../output/summary.js';
import { withHealth } from '../output/with-health.js';
import { version } from '../version.js';
import { checkMergeFolder } from './outdir.js';
import { type Cell, parseShard, shardCells } from './grid.js';
import type { ExperimentSpec } from './spec.js';
import { FILES, type Manifest, type ResultRecords, readManifest, readResults, writeManifest, writeResults } from './resume.js';
import { experimentFromSpec, modulesField, resultFiles } from './sweep.js';
import { checkModulesUnchanged, loadRecordedModules } from './task-module.js';

/**
 * Loads the task modules the folders' manifests record (the merged spec names them), before
 * `mergeResults`; a folder without a manifest is left to mergeResults to refuse.
 */
export async function loadMergedModules(dirs: readonly string[]): Promise<void> {
  for (const d of dirs) await loadRecordedModules(readManifest(d)?.modules, d);
}

/** An input folder whose sweep has not finished its slice of the grid. */
interface Incomplete {
  dir: string;
  /** "shard i/n", or "its sweep" for a whole-grid folder. */
  what: string;
  done: number;
  total: number;
  /** The first missing cell. */
  first: string;
}

/**
 * What a folder misses of its slice of the grid. Folders a merge wrote are exempt: they hold what
 * their inputs held.
 */
function incompleteness(dir: string, m: Manifest, cells: readonly Cell[], r: ResultRecords): Incomplete | undefined {
  if (m.merged_from !== undefined) return undefined;
  let shard: { index: number; count: number } | undefined;
  try {
    shard = m.shard ? parseShard(m.shard) : undefined;
  } catch {
    throw new UsageError(join(dir, FILES.manifest), `its shard ${JSON.stringify(m.shard)} is not of the form i/n`);
  }
  const slice = shardCells(cells, shard);
  const missing = slice.filter((c) => !r.cells.has(c.id));
  if (missing.length === 0) return undefined;
  return { dir, what: m.shard ? `shard ${m.shard}` : 'its sweep', done: slice.length - missing.length, total: slice.length, first: missing[0].id };
}

/**
 * A folder is merged only when its sweep finished its slice: shards (or a whole-grid sweep) that miss
 * cells, because they failed, were cancelled or still run, are refused with their names, so a merge
 * never passes off a part as the whole.
 */
function refuseIncomplete(list: readonly Incomplete[]): void {
  if (list.length === 0) return;
  const [a, ...rest] = list;
  const missing = a.total - a.done;
  const more = rest.length ? `; so ${rest.length === 1 ? 'is' : 'are'} ${rest.map((x) => `${x.what} of ${x.dir} (${x.done} of ${x.total})`).join(', ')}` : '';
  throw new UsageError(
    a.dir,
    `${a.what} is incomplete: ${a.done} of ${a.total} cells done (missing ${a.first}${missing > 1 ? ` and ${missing - 1} more` : ''})${more}; ` +
      `nothing was written. Finish ${list.length === 1 ? 'it' : 'them'} with the same kstep sweep command and --resume, then merge`,
  );
}

export interface MergeReport {
  out: string;
  experiment: string;
  /** Cells of the grid. */
  gridCells: number;
  /** Cells in the merged folder. */
  cells: number;
  /** Ids of the grid's cells no folder had. */
  missing: string[];
  /** Cells found in more than one folder (the first folder's rows were kept). */
  duplicates: number;
  summary: Summary;
}

/**
 * Merges `dirs` into `out`. `out` is checked before anything is written (src/experiment/outdir.ts):
 * never one of `dirs` or inside one; results of another spec, or cells of this spec that the merge
 * would drop, only with `force`.
 */
export function mergeResults(dirs: readonly string[], out: string, log: (s: string) => void = () => {}, force = false): MergeReport {
  if (dirs.length === 0) throw new UsageError('dirs', 'give at least one results folder to merge');
  // Check everything before writing anything.
  const manifests: Manifest[] = dirs.map((d) => {
    const m = readManifest(d);
    if (!m) throw new UsageError(d, `no ${FILES.manifest}: not a kstep results folder`);
    return m;
  });
  // Every folder's task modules must be the files that are loaded now (loadMergedModules).
  manifests.forEach((m, i) => checkModulesUnchanged(m.modules, dirs[i], dirs[i]));
  const specText = JSON.stringify(manifests[0].spec);
  manifests.forEach((m, i) => {
    if (JSON.stringify(m.spec) !== specText)
      throw new UsageError(dirs[i], `its experiment spec differs from ${dirs[0]}'s (compare their manifest.json): only results of one spec merge`);
  });
  let exp;
  try {
    exp = experimentFromSpec(manifests[0].spec as ExperimentSpec);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(join(dirs[0], FILES.manifest), `its spec is no longer valid: ${e.message}`);
    throw e;
  }
  const inGrid = new Set(exp.cells.map((c) => c.id));
  const merged: ResultRecords = { header: exp.header, cells: new Map(), curves: new Map(), adjoints: new Map(), health: new Map(), torn: [], dropped: 0 };
  let duplicates = 0;
  const incomplete: Incomplete[] = [];
  dirs.forEach((d, i) => {
    const r = readResults(d, exp.header);
    const gap = incompleteness(d, manifests[i], exp.cells, r);
    if (gap) incomplete.push(gap);
    if (r.torn.length) log(`${d}: dropped a torn last line of ${r.torn.join(', ')}`);
    for (const [id, rec] of r.cells) {
      if (!inGrid.has(id)) throw new UsageError(d, `has a row for cell ${id}, which is not a cell of its experiment`);
      if (merged.cells.has(id)) {
        duplicates++;
        continue;
      }
      merged.cells.set(id, rec);
      merged.curves.set(id, r.curves.get(id) ?? []);
      merged.adjoints.set(id, r.adjoints.get(id) ?? []);
      merged.health.set(id, r.health.get(id) ?? []);
    }
  });
  refuseIncomplete(incomplete);
  checkMergeFolder(out, { inputs: dirs, spec: exp.spec, ids: new Set(merged.cells.keys()), force });
  makeFolder(out);
  const cellsText = writeResults(
    out,
    exp.header,
    exp.cells.map((c) => c.id),
    merged,
    resultFiles(exp),
  );
  const cells = parseCsv(cellsText);
  const summary = withHealth(summarize(cells), cells, join(out, FILES.health));
  writeFileAtomic(join(out, FILES.summary), summaryCsv(summary));
  const started = manifests.map((m) => m.started).sort()[0];
  writeManifest(out, {
    experiment: exp.spec.name,
    kstep: version,
    node: process.version,
    started,
    cells: merged.cells.size,
    grid_cells: exp.cells.length,
    shard: null,
    spec: exp.spec,
    ...modulesField(exp.cells),
    merged_from: [...dirs],
  });
  const missing = exp.cells.filter((c) => !merged.cells.has(c.id)).map((c) => c.id);
  return { out, experiment: exp.spec.name, gridCells: exp.cells.length, cells: merged.cells.size, missing, duplicates, summary };
}
