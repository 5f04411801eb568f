/**
 * The `task` key's values: a built-in task's name, the path of a user module, or `data:` and the
 * path of a data file (both loaded by task-module.ts). Only file paths name modules: they start
 * with ./, ../ or /, or end in .mjs or .js; URLs and package names are refused. A file's canonical
 * value is its absolute path (after `data:` for a data file): in an experiment file relative to the
 * file's folder, anywhere else relative to the working directory. Pure string work, so the
 * synchronous parsing of configurations can use it.
 */
import { isAbsolute, resolve } from 'node:path';
import { taskNames } from '../core/tasks.js';

/** Why a string cannot be a `task` value; undefined when it is a built-in name or a module path. */
export function taskValueProblem(value: string): string | undefined {
  if (taskNames.includes(value)) return undefined;
  if (/^data:/i.test(value)) {
    const path = value.slice(5);
    if (path === '') return `'${value}': data: needs a file path, like data:./pairs.csv`;
    if (/^[a-z][a-z0-9+.-]*:/i.test(path) && !/^[a-z]:[\\/]/i.test(path)) return `'${value}': URLs are not accepted, only a data file path like data:./pairs.csv`;
    return undefined;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^(https?|file):/i.test(value))
    return `'${value}': URLs are not accepted, only a module file path like ./my-sim.mjs`;
  if (value.startsWith('./') || value.startsWith('../') || isAbsolute(value) || /\.(mjs|js)$/.test(value)) return undefined;
  return `must be one of ${taskNames.join(', ')} or a module file path like ./my-sim.mjs (not a package name), got ${JSON.stringify(value)}`;
}

/** Whether a value names a data file (`data:` and a path). */
export function isDataValue(value: string): boolean {
  return /^data:/i.test(value) && taskValueProblem(value) === undefined;
}

/** Whether a value names a file to load, a module or a data file (not a built-in, not refused). */
export function isModuleValue(value: string): boolean {
  return !taskNames.includes(value) && taskValueProblem(value) === undefined;
}

/** The canonical `task` value: a built-in name as it is, a file path made absolute against `baseDir` (`data:` kept). */
export function canonicalTask(value: string, baseDir = process.cwd()): string {
  if (isDataValue(value)) return `data:${resolve(baseDir, value.slice(5))}`;
  return isModuleValue(value) ? resolve(baseDir, value) : value;
}

/** The file a loadable value names (without `data:`). */
export function taskFilePath(value: string): string {
  return isDataValue(value) ? value.slice(5) : value;
}

type Json = Record<string, unknown>;
const section = (s: unknown): Json => (s !== null && typeof s === 'object' && !Array.isArray(s) ? (s as Json) : {});

/** The `task` values of an experiment file's raw JSON (fixed, grid and variants). */
export function experimentTaskValues(json: unknown): string[] {
  const j = section(json);
  const out: unknown[] = [section(j.fixed).task];
  const g = section(j.grid).task;
  if (Array.isArray(g)) out.push(...g);
  for (const v of Object.values(section(j.variants))) out.push(section(v).task);
  return out.filter((v): v is string => typeof v === 'string');
}

/** Makes the module paths among an experiment file's `task` values absolute against the file's folder (in place). */
export function absolutizeExperimentTasks(json: unknown, baseDir: string): void {
  const j = section(json);
  const fix = (v: unknown) => (typeof v === 'string' ? canonicalTask(v, baseDir) : v);
  const fixed = section(j.fixed);
  if ('task' in fixed) fixed.task = fix(fixed.task);
  const grid = section(j.grid);
  if (Array.isArray(grid.task)) grid.task = grid.task.map(fix);
  for (const v of Object.values(section(j.variants))) {
    const vs = section(v);
    if ('task' in vs) vs.task = fix(vs.task);
  }
}
