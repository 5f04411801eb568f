/**
 * Experiment files: the built-in ones (experiments/*.json) by name, any other by path, read and
 * validated (not yet their cells).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { readJsonFile } from '../json-file.js';
import { NAME_RE } from './schema.js';
import { type ParsedExperiment, parseExperiment } from './spec.js';
import { absolutizeExperimentTasks } from './task-value.js';

/** The folder of the built-in experiments (experiments/ next to package.json). */
export function builtinDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'experiments'))) return join(dir, 'experiments');
    const up = dirname(dir);
    if (up === dir) return resolve('experiments');
    dir = up;
  }
}

/** A path, or the name of a built-in experiment (`quick` -> experiments/quick.json). */
export function resolveExperimentPath(arg: string): string {
  if (existsSync(arg) && statSync(arg).isFile()) return arg;
  if (existsSync(arg) && statSync(arg).isDirectory()) throw new UsageError('experiment', `'${arg}' is a directory, not an experiment file (give a .json file)`);
  if (NAME_RE.test(arg) && !arg.endsWith('.json')) {
    const builtin = join(builtinDir(), `${arg}.json`);
    if (existsSync(builtin)) return builtin;
  }
  throw new UsageError('experiment', `no such file '${arg}' (give a path to a .json file or a built-in name: ${builtinNames().join(', ')})`);
}

/** The built-in experiments: the .json files of experiments/. */
export function builtinNames(): string[] {
  const dir = builtinDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Reads and validates an experiment file (not yet its cells). */
export function readExperimentFile(arg: string): ParsedExperiment {
  const file = resolveExperimentPath(arg);
  const json = readJsonFile(file, 'experiment');
  // Module paths in the file are relative to its folder; everything after this sees absolute paths.
  absolutizeExperimentTasks(json, dirname(resolve(file)));
  return parseExperiment(json);
}
