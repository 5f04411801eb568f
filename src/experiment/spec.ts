/**
 * Experiment specs: the experiment file (`experiments/*.json`) validated into an ExperimentSpec.
 *
 * ```json
 * {
 *   "name": "quick",                        // results go to results/<name>/
 *   "description": "what the study shows",
 *   "seed": 0,                              // the cells' seed when `seed` is not in the grid
 *   "budget": 3e5, "target": 1e-3,          // shorthands for fixed.budget / fixed.target
 *   "grid":  { "K": [1, 4, 16], "activation": ["tanh", "relu"], "optimizer": ["bptt", "ga"], "seed": [0, 1, 2] },
 *   "fixed": { "task": "rotation", "hidden": [16, 16] },
 *   "optimizers": { "bptt": { "lr": 0.01 }, "ga": { "sigma": 0.05 } },
 *   "variants": { "bptt+clip": { "optimizer": "bptt", "clip": 1 } },
 *   "tune": { "bptt": { "lr": [0.001, 0.003, 0.01] }, "ga": { "sigma": [0.01, 0.03] } },
 *   "health": true                          // or { "K": [1, 2, 4, 8, 16, 32, 64], "snr_batches": 64, ... }
 * }
 * ```
 *
 * Every key of `grid`, `fixed` and `variants` is a key of the one configuration namespace (config.ts):
 * the same names as `kstep run` flags and CSV columns. `optimizers.<name>` holds options that apply
 * only to cells of that optimizer. `variants` are named partial configurations (an extra grid axis),
 * for comparisons that are not a product of single keys: bptt vs bptt+clip vs ga. `tune` lists, per
 * optimizer or variant, values of its options to choose from: they expand into cells like a grid
 * axis that only that optimizer's (or variant's) cells have, and the summary chooses among them on
 * the validation set (output/tuning.ts).
 * Precedence within a cell: registry defaults < fixed < optimizers.<its optimizer> < its variant < grid, tune.
 *
 * The parts: the file's shape (schema.ts), its keys and values (spec-keys.ts), the `health` option
 * (health-option.ts), command-line overrides (overrides.ts) and the built-in experiments
 * (experiment-file.ts). Everything is checked before any cell runs, and every error names the JSON
 * path of the field (or the override) and what was expected.
 */
import { UsageError } from '../errors.js';
import type { OptionValue } from '../optimizers/types.js';
import type { ConfigValue } from './config.js';
import { type HealthSpec, resolveHealth } from './health-option.js';
import { NAME_RE, checkSchema } from './schema.js';
import { optimizerNames, optimizers } from '../optimizers/index.js';
import { checkKey, checkOptimizerOptions, parseFor, parseList } from './spec-keys.js';

/** A validated experiment, with every value parsed (numbers are numbers, lists are arrays). */
export interface ExperimentSpec {
  name: string;
  description?: string;
  /** The seed of every cell when `seed` is not a grid axis. */
  seed: number;
  grid: Record<string, ConfigValue[]>;
  fixed: Record<string, ConfigValue>;
  optimizers: Record<string, Record<string, OptionValue>>;
  variants?: Record<string, Record<string, ConfigValue>>;
  /**
   * Options to tune, per optimizer or variant name: option -> the values to try. A cell takes the
   * entry of its variant, else that of its optimizer (absent: no tuning).
   */
  tune?: Record<string, Record<string, ConfigValue[]>>;
  /** Per-K gradient-health diagnostics of every cell (absent: off). */
  health?: HealthSpec;
}

/**
 * Where each entry of the spec came from, for error messages: `grid.K` -> "grid.K" or
 * "override K=1,2" (not part of the spec itself).
 */
export type Sources = Map<string, string>;

export interface ParsedExperiment {
  spec: ExperimentSpec;
  sources: Sources;
}

export { MAX_CELLS } from './spec-keys.js';

/** Validates the parsed JSON of an experiment file (types, names, values; not yet the cells). */
export function parseExperiment(json: unknown): ParsedExperiment {
  const raw = checkSchema(json);
  const sources: Sources = new Map();
  const grid: Record<string, ConfigValue[]> = {};
  const fixed: Record<string, ConfigValue> = {};
  for (const [key, values] of Object.entries(raw.grid ?? {})) {
    checkKey(key, `grid.${key}`);
    grid[key] = parseList(key, values, `grid.${key}`, true, 'json');
    sources.set(`grid:${key}`, `grid.${key}`);
  }
  for (const [key, v] of Object.entries(raw.fixed ?? {})) {
    if (key === 'seed') throw new UsageError('fixed.seed', 'the base seed is the top-level "seed"; several seeds go in grid.seed');
    if (key in grid) throw new UsageError(`fixed.${key}`, `also given in grid.${key}: a key is either fixed or a grid axis`);
    fixed[key] = parseFor(key, v, `fixed.${key}`, 'json');
    sources.set(`fixed:${key}`, `fixed.${key}`);
  }
  for (const key of ['budget', 'target'] as const) {
    if (raw[key] === undefined) continue;
    if (key in grid) throw new UsageError(key, `also given in grid.${key}`);
    if (key in fixed) throw new UsageError(key, `also given in fixed.${key}`);
    fixed[key] = parseFor(key, raw[key], key, 'json');
    sources.set(`fixed:${key}`, key);
  }
  const opts: Record<string, Record<string, OptionValue>> = {};
  for (const [opt, options] of Object.entries(raw.optimizers ?? {})) {
    opts[opt] = checkOptimizerOptions(opt, options, `optimizers.${opt}`, false, 'json');
    for (const k of Object.keys(options)) sources.set(`optimizers:${opt}:${k}`, `optimizers.${opt}.${k}`);
  }
  let variants: Record<string, Record<string, ConfigValue>> | undefined;
  if (raw.variants) {
    variants = {};
    const names = Object.keys(raw.variants);
    if (names.length === 0) throw new UsageError('variants', 'expected at least one variant (or leave "variants" out)');
    for (const name of names) {
      if (!NAME_RE.test(name)) throw new UsageError(`variants.${name}`, 'a variant name has letters, digits, and . _ + -, at most 100 characters');
      const v: Record<string, ConfigValue> = {};
      for (const [key, x] of Object.entries(raw.variants[name])) {
        const field = `variants.${name}.${key}`;
        if (key === 'seed') throw new UsageError(field, 'seeds are not a variant: use grid.seed');
        if (key in grid) throw new UsageError(field, `also a grid axis (grid.${key}): a key is either in variants or in the grid`);
        v[key] = parseFor(key, x, field, 'json');
        sources.set(`variants:${name}:${key}`, field);
      }
      variants[name] = v;
    }
  }
  const spec: ExperimentSpec = { name: raw.name, seed: raw.seed ?? 1, grid, fixed, optimizers: opts };
  if (raw.description !== undefined) spec.description = raw.description;
  if (variants) spec.variants = variants;
  if (raw.tune) {
    const tune = parseTune(raw.tune, variants, grid);
    for (const [name, entry] of Object.entries(tune)) for (const key of Object.keys(entry)) sources.set(`tune:${name}:${key}`, `tune.${name}.${key}`);
    spec.tune = tune;
  }
  const health = resolveHealth(raw.health, 'health');
  if (health) spec.health = health;
  return { spec, sources };
}

/**
 * The `tune` section checked: each name an optimizer or a variant, each key an optimizer option
 * (not a grid axis), each list of values parsed by the option's kind without duplicates. Whether
 * an option belongs to a cell's optimizer, and whether a variant sets it too, is checked per cell
 * when the grid is expanded.
 */
export function parseTune(
  raw: Record<string, Record<string, unknown[]>>,
  variants: Record<string, Record<string, ConfigValue>> | undefined,
  grid: Record<string, ConfigValue[]>,
): Record<string, Record<string, ConfigValue[]>> {
  const out: Record<string, Record<string, ConfigValue[]>> = {};
  const names = Object.keys(raw);
  if (names.length === 0) throw new UsageError('tune', 'expected at least one optimizer or variant to tune (or leave "tune" out)');
  for (const name of names) {
    const keys = Object.keys(raw[name]);
    if (keys.length === 0) throw new UsageError(`tune.${name}`, 'expected at least one option: [values]');
    out[name] = {};
    for (const key of keys) out[name][key] = parseTuneValues(name, key, raw[name][key], variants, grid, `tune.${name}.${key}`, 'json');
  }
  return out;
}

/** The values of one tuned option (`tune.<name>.<key>`), checked as parseTune describes. */
export function parseTuneValues(
  name: string,
  key: string,
  raws: readonly unknown[],
  variants: Record<string, Record<string, ConfigValue>> | undefined,
  grid: Record<string, ConfigValue[]>,
  field: string,
  from: 'text' | 'json',
): ConfigValue[] {
  const isVariant = variants !== undefined && name in variants;
  if (!isVariant && !optimizerNames.includes(name))
    throw new UsageError(field, `${name} is not an optimizer or a variant (optimizers: ${optimizerNames.join(', ')}${variants ? `; variants: ${Object.keys(variants).join(', ')}` : ''})`);
  if (checkKey(key, field).kind !== 'option') throw new UsageError(field, `only optimizer options are tuned; ${key} is a configuration key (make it a grid axis)`);
  if (!isVariant) {
    const opt = optimizers.get(name)!;
    if (!opt.options.some((o) => o.name === key)) throw new UsageError(field, `not an option of ${name} (its options: ${opt.options.map((o) => o.name).join(', ')})`);
  }
  if (key in grid) throw new UsageError(field, `also a grid axis (grid.${key}): a key is either tuned or in the grid`);
  return parseList(key, raws, field, from === 'json', from);
}

/** The label of a spec entry in error messages ("grid.K", "override K=1,2", ...). */
export function sourceOf(sources: Sources, section: 'grid' | 'fixed' | 'optimizers' | 'variants' | 'tune', ...parts: string[]): string {
  const k = `${section}:${parts.join(':')}`;
  return sources.get(k) ?? `${section}.${parts.join('.')}`;
}
