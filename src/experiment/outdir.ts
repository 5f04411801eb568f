/**
 * May a sweep or a merge write into this results folder? A command never destroys results it did not
 * write for the same spec, so before anything runs the folder's contents are compared with what the
 * command would write (src/output/paths.ts has already checked that the path is a folder that can be
 * written):
 *
 *   - a missing or empty folder, or one whose cells.csv has no rows of the same spec: written;
 *   - results of the same spec (manifest.json's spec and shard equal): a sweep refuses (--resume keeps
 *     them, --force runs every cell again); a merge writes when every cell already there is among the
 *     merged ones (a merge of more shards), and refuses when it would drop cells;
 *   - results of another spec or shard, kstep files without a manifest, or files kstep did not write:
 *     refused unless --force (which replaces kstep's files and leaves the others as they are);
 *   - a merge's --out that is one of its input folders or inside one: always refused.
 *
 * kstep's own entries are its result files, report.html, the shard-<i>-of-<n> folders, the slurm
 * folder of `kstep sweep --slurm` (when it holds only its scripts, jobs.json and Slurm's logs) and the
 * leftovers of an interrupted atomic write (<file>.tmp-<pid>).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { splitRecords } from '../output/csv.js';
import { checkFolderTarget, isWithin, pathKind, showPath } from '../output/paths.js';
import { SLURM_ENTRY, SLURM_FOLDER } from './cluster.js';
import { FILES, type Manifest, readManifest } from './resume.js';

const KSTEP_FILES: ReadonlySet<string> = new Set([...Object.values(FILES), 'report.html']);
const SHARD_FOLDER = /^shard-\d+-of-\d+$/;
const TEMP_FILE = /\.tmp-\d+$/;
/** Written by file browsers, never a result. */
const IGNORED = new Set(['.DS_Store', 'Thumbs.db']);

interface Contents {
  /** Entries kstep did not write. */
  foreign: string[];
  /** kstep's result files present. */
  kstepFiles: string[];
  manifest?: Manifest;
  /** manifest.json exists but cannot be read. */
  badManifest: boolean;
  /** Cell ids of cells.csv's rows. */
  ids: string[];
}

function isKstepEntry(dir: string, name: string): boolean {
  if (IGNORED.has(name)) return true;
  const kind = pathKind(join(dir, name));
  if (kind === 'dir') return SHARD_FOLDER.test(name) || (name === SLURM_FOLDER && readdirSync(join(dir, name)).every((n) => SLURM_ENTRY.test(n)));
  return kind === 'file' && (KSTEP_FILES.has(name) || (TEMP_FILE.test(name) && KSTEP_FILES.has(name.replace(TEMP_FILE, ''))));
}

function cellIds(dir: string): string[] {
  const file = join(dir, FILES.cells);
  if (pathKind(file) !== 'file') return [];
  const records = splitRecords(readFileSync(file, 'utf8')).records.filter((r) => r !== '');
  return records.slice(1).map((r) => r.slice(0, Math.max(0, r.indexOf(','))) || r);
}

function contentsOf(dir: string): Contents {
  const names = readdirSync(dir).sort();
  const out: Contents = { foreign: [], kstepFiles: [], badManifest: false, ids: [] };
  for (const name of names) {
    if (!isKstepEntry(dir, name)) out.foreign.push(name);
    else if (KSTEP_FILES.has(name)) out.kstepFiles.push(name);
  }
  try {
    out.manifest = readManifest(dir);
  } catch {
    out.badManifest = true;
  }
  out.ids = cellIds(dir);
  return out;
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, 3).map(showPath).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

function sameSpec(m: Manifest, spec: unknown, shard: string | null): boolean {
  return JSON.stringify(m.spec) === JSON.stringify(spec) && (m.shard ?? null) === shard;
}

/** Why a folder's contents are not this spec's results; undefined when they are (or it holds none). */
function notOurs(dir: string, c: Contents, spec: unknown, shard: string | null): string | undefined {
  const where = showPath(dir);
  if (c.foreign.length) return `${where} holds files kstep did not write (${list(c.foreign)})`;
  if (c.badManifest) return `${where} holds a ${FILES.manifest} that is not valid JSON`;
  if (!c.manifest) return c.kstepFiles.length ? `${where} holds ${list(c.kstepFiles)} without a ${FILES.manifest} (results of an unknown spec)` : undefined;
  if (!sameSpec(c.manifest, spec, shard)) {
    const what = JSON.stringify(c.manifest.spec) === JSON.stringify(spec) ? `shard ${c.manifest.shard ?? 'none (the whole grid)'}` : 'another spec';
    return `${where} holds ${c.ids.length} result rows of ${what} of experiment '${c.manifest.experiment}'`;
  }
  return undefined;
}

export interface SweepFolderOptions {
  /** The spec the sweep writes (as stored in manifest.json) and its shard ("i/n" or null). */
  spec: unknown;
  shard: string | null;
  resume?: boolean;
  force?: boolean;
  /** Try the folder for writing (default); false when the caller checks several folders first. */
  probe?: boolean;
}

/**
 * Checks a sweep's results folder before any cell runs; returns whether the sweep replaces results
 * already there (only with --force). --resume checks only the path here: its compatibility with the
 * folder's manifest is checked here, its rows when they are read (src/experiment/sweep.ts), before anything is written.
 */
export function checkSweepFolder(dir: string, field: string, o: SweepFolderOptions): boolean {
  let replacing = false;
  checkFolderTarget(dir, field, () => {
    if (o.resume) return checkResumable(dir, o.spec, o.shard);
    const c = contentsOf(dir);
    const why = notOurs(dir, c, o.spec, o.shard);
    if (why !== undefined) {
      if (!o.force)
        throw new UsageError(field, `${why}; nothing was written. Use --out DIR for another folder, or --force to replace them (--resume continues only the same spec)`);
      replacing = true;
    } else if (c.ids.length > 0) {
      if (!o.force) {
        const total = c.manifest?.cells;
        throw new UsageError(
          field,
          `${showPath(dir)} already holds ${c.ids.length}${total !== undefined ? ` of ${total}` : ''} cells of this spec; nothing was written. ` +
            `Use --resume to keep them and run the rest, --force to run them all again, or --out DIR for another folder`,
        );
      }
      replacing = true;
    }
  }, o.probe ?? true);
  return replacing;
}

/** --resume continues only results of the same spec and shard (the rows themselves are checked when read). */
function checkResumable(dir: string, spec: unknown, shard: string | null): void {
  if (pathKind(join(dir, FILES.cells)) === 'missing') return;
  const old = readManifest(dir);
  if (old && JSON.stringify(old.spec) !== JSON.stringify(spec))
    throw new UsageError('--resume', `${showPath(dir)} holds results of a different spec of '${old.experiment}' (compare its manifest.json); use another --out, or --force without --resume to replace them`);
  if (old && (old.shard ?? null) !== shard)
    throw new UsageError('--resume', `${showPath(dir)} holds shard ${old.shard ?? 'none'}, not ${shard ?? 'the whole grid'}; use another --out, or --force without --resume to replace them`);
}

export interface MergeFolderOptions {
  /** The folders being merged. */
  inputs: readonly string[];
  spec: unknown;
  /** Cell ids the merge writes. */
  ids: ReadonlySet<string>;
  force?: boolean;
}

/** Checks a merge's --out before anything is written. */
export function checkMergeFolder(out: string, o: MergeFolderOptions): void {
  const field = '--out';
  if (out.trim() !== '')
    for (const d of o.inputs)
      if (isWithin(out, d))
        throw new UsageError(field, `${showPath(out)} is ${isWithin(d, out) ? 'one of the folders being merged' : `inside ${showPath(d)}, one of the folders being merged`}; merge into another folder`);
  checkFolderTarget(out, field, () => {
    const c = contentsOf(out);
    const why = notOurs(out, c, o.spec, null);
    if (why !== undefined) {
      if (o.force) return;
      throw new UsageError(field, `${why}; nothing was written. Merge into another folder, or use --force to replace them`);
    }
    const lost = c.ids.filter((id) => !o.ids.has(id));
    if (lost.length && !o.force)
      throw new UsageError(
        field,
        `${showPath(out)} holds ${lost.length} cells of this spec that none of the merged folders has (${list(lost)}); nothing was written. ` +
          `Merge into another folder, or use --force to replace them`,
      );
  });
}
