/**
 * Tasks from user files: `--task ./my-sim.mjs`, `task=./my-sim.mjs` in overrides and experiment
 * files, and data files `data:./pairs.csv`. The one loader of such files: it tells a file from a
 * built-in name (and refuses URLs and package names); a module it imports with a dynamic
 * `import()`, checks its default export against the task contract (task-check.ts) and registers in
 * the task registry (core/tasks.ts) under the file's absolute path; a data file it reads and checks
 * (data-file.ts) and registers with its pairs under `data:` and the absolute path. That canonical
 * value is the `task` value of every cell that uses it (in keys, ids, cells.csv and manifest.json).
 * Loading a module runs its code, as `node file` would.
 *
 * Loading is asynchronous and parsing configurations is not: every command loads the modules its
 * input names first (`loadTaskValues`, `preloadExperimentTasks`), then resolves configurations,
 * which only look modules up. Worker threads load the same files at start (pool.ts, worker.ts).
 * The SHA-256 of each loaded file is kept for manifest.json, so that --resume and merge can refuse
 * results written by another version of the module.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { registerFeatureMap } from '../core/features.js';
import { type Task, hasTask, registerData, registerTask, taskNames } from '../core/tasks.js';
import { UsageError } from '../errors.js';
import { resolveExperimentPath } from './experiment-file.js';
import { DataFileError, readDataFile } from './data-file.js';
import { checkedParams, instanceProblem, taskProblem } from './task-check.js';
import { canonicalTask, experimentTaskValues, isDataValue, isModuleValue, taskFilePath, taskValueProblem } from './task-value.js';

/** A module or data task as manifest.json records it. */
export interface ModuleRecord {
  /** The module's absolute path (a data file's with `data:` before it): the `task` value of its cells. */
  path: string;
  /** SHA-256 of the file's bytes when it was loaded, hex. */
  sha256: string;
}

const loaded = new Map<string, ModuleRecord>();

/**
 * Loads, checks and registers the module a `task` value names (relative to `baseDir`); returns
 * its canonical value (the absolute path). A built-in name is returned as it is. Every problem is a
 * UsageError `task <value>: ...` in one line.
 */
export async function loadTaskModule(value: string, baseDir = process.cwd()): Promise<string> {
  const refused = taskValueProblem(value);
  if (refused !== undefined) throw new UsageError('task', refused);
  if (taskNames.includes(value)) return value;
  const path = canonicalTask(value, baseDir);
  if (loaded.has(path)) return path;
  const field = `task ${value}`;
  const file = taskFilePath(path);
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(field, `no such file (${file})`);
  if (isDataValue(path)) return loadDataTask(path, file, field);
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(field, `the module threw when imported: ${firstLine(e)}`);
  }
  if (!('default' in mod) || mod.default === undefined) throw new UsageError(field, 'the module has no default export (export default { name, D, params, make })');
  const problem = taskProblem(mod.default) ?? instanceProblem(mod.default as Task);
  if (problem !== undefined) throw new UsageError(field, problem);
  const t = mod.default as Task;
  registerTask(path, { name: t.name, help: t.help ?? `module ${path}`, D: t.D, params: checkedParams(t), make: (p) => t.make(p) });
  for (const f of t.features ?? []) {
    try {
      registerFeatureMap(f);
    } catch (e) {
      throw new UsageError(field, `features: ${(e as Error).message}`);
    }
  }
  loaded.set(path, { path, sha256 });
  return path;
}

/** Reads, checks and registers a data file; returns its canonical value. */
async function loadDataTask(value: string, file: string, field: string): Promise<string> {
  let data;
  try {
    data = await readDataFile(file);
  } catch (e) {
    if (e instanceof DataFileError) throw new UsageError(field, e.message);
    throw new UsageError(field, `cannot read the file: ${firstLine(e)}`);
  }
  registerData(value, data.pairs);
  loaded.set(value, { path: value, sha256: data.sha256 });
  return value;
}

/**
 * Refuses a data task for a command that draws fresh initial states and their targets from the
 * task's true map (`what` names the command), which a data file does not have.
 */
export function requireTrueMap(task: string, what: string): void {
  if (isDataValue(task)) throw new UsageError('task', `${task} is a data file: ${what} draws fresh states and targets from the task's true map, which a data file does not have (kstep run and kstep sweep train on it)`);
}

/** Loads every module among `values` (each relative to `baseDir`); returns the canonical values. */
export async function loadTaskValues(values: readonly unknown[], baseDir = process.cwd()): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const v of values) out.push(typeof v === 'string' && isModuleValue(v) ? await loadTaskModule(v, baseDir) : v);
  return out;
}

/** The records of the loaded modules among `taskValues` (canonical values), in path order. */
export function moduleRecords(taskValues: Iterable<string>): ModuleRecord[] {
  const paths = [...new Set(taskValues)].filter((v) => loaded.has(v)).sort();
  return paths.map((p) => loaded.get(p)!);
}

/** The absolute paths of every module loaded in this thread (what worker threads load at start). */
export function loadedModulePaths(): string[] {
  return [...loaded.keys()].sort();
}

/**
 * Refuses results written with another version of a module: each recorded module must be loaded
 * now with the same SHA-256 (`where` names the results folder in the message).
 */
export function checkModulesUnchanged(recorded: readonly ModuleRecord[] | undefined, field: string, where: string): void {
  for (const r of recorded ?? []) {
    const now = loaded.get(r.path);
    const what = isDataValue(r.path) ? `data file ${taskFilePath(r.path)}` : `task module ${r.path}`;
    if (!now) throw new UsageError(field, `${where} was written with ${what}, which is not loaded now`);
    if (now.sha256 !== r.sha256)
      throw new UsageError(field, `${what} changed since ${where} was written (sha256 ${r.sha256.slice(0, 12)}... then, ${now.sha256.slice(0, 12)}... now); use another --out, or --force without --resume to run again`);
  }
}

/**
 * Loads the modules an experiment file and its overrides name, before the experiment is parsed:
 * `task` values of `fixed`, `grid` and `variants` relative to the file's folder, `task=` overrides
 * relative to the working directory. A file that cannot be read or parsed is left to the
 * experiment's own checks, which report it.
 */
export async function preloadExperimentTasks(fileOrName: string, overrides: readonly string[]): Promise<void> {
  let json: unknown;
  let file: string | undefined;
  try {
    file = resolveExperimentPath(fileOrName);
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    json = undefined;
  }
  if (file && json !== undefined) await loadTaskValues(experimentTaskValues(json).filter((v) => taskValueProblem(v) === undefined), dirname(file));
  for (const o of overrides) {
    const m = /^task=(.*)$/.exec(o.trim());
    if (!m) continue;
    const values = m[1].split(',').map((s) => s.trim()).filter((s) => s !== '' && taskValueProblem(s) === undefined);
    await loadTaskValues(values);
  }
}

/** Loads the module a flat config input's `task` names, if any, and puts its canonical value in its place. */
export async function loadTaskInput(input: Record<string, unknown>): Promise<void> {
  if (typeof input.task === 'string' && isModuleValue(input.task)) input.task = await loadTaskModule(input.task);
}

/** Loads the modules a manifest records (merge: before its spec is expanded again). */
export async function loadRecordedModules(recorded: readonly ModuleRecord[] | undefined, field: string): Promise<void> {
  for (const r of recorded ?? []) {
    if (!hasTask(r.path)) {
      if (!existsSync(taskFilePath(r.path))) throw new UsageError(field, `task file ${taskFilePath(r.path)} (recorded in manifest.json) no longer exists`);
      await loadTaskModule(r.path);
    }
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
