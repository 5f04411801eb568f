/**
 * Experiment files (`experiments/*.json`) and Hydra-style command-line overrides.
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
 *   "health": true                          // or { "K": [1, 2, 4, 8, 16, 32, 64], "snr_batches": 64, ... }
 * }
 * ```
 *
 * Every key of `grid`, `fixed` and `variants` is a key of the one configuration namespace (config.ts):
 * the same names as `kstep run` flags and CSV columns. `optimizers.<name>` holds options that apply
 * only to cells of that optimizer. `variants` are named partial configurations (an extra grid axis),
 * for comparisons that are not a product of single keys: bptt vs bptt+clip vs ga.
 * Precedence within a cell: registry defaults < fixed < optimizers.<its optimizer> < its variant < grid.
 *
 * Overrides (`kstep sweep x.json K=1,2,4,8 activation=tanh,relu seed=0..4 budget=2e6`): one value sets
 * `fixed` (or the base seed), several values set a grid axis; `a..b` is an integer range; a list-valued
 * key takes brackets for several values (`hidden=[16],[32,32]`); `ga.sigma=0.1` sets a per-optimizer
 * option; `variant=bptt,ga` keeps only those variants. An override replaces the key wherever the file
 * set it.
 *
 * `health` (default off) makes every cell also diagnose its network at the start (initial
 * parameters) and at the end (trained parameters) at several K, with src/health/diagnose.ts: the
 * rows go to health.csv, the values at the cell's own K to cells.csv's health columns (see
 * HealthSpec). It measures, it does not change training: cells and their ids are the same with or
 * without it. Overrides: `health=true`, `health.K=1,2,4,8,16,32,64`, `health.snr_batches=64`.
 *
 * Everything is checked before any cell runs, and every error names the JSON path of the field (or the
 * override) and what was expected.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { getTask, taskNames } from '../core/tasks.js';
import { UsageError } from '../errors.js';
import { optimizerNames, optimizers } from '../optimizers/index.js';
import type { OptionSpec, OptionValue } from '../optimizers/types.js';
import { type ConfigValue, type KeySpec, cellKeys, parseValue } from './config.js';

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
  /** Per-K gradient-health diagnostics of every cell (absent: off). */
  health?: HealthSpec;
}

/**
 * The `health` option, every field resolved (an experiment file may give `true` for all defaults,
 * or an object with some of the fields).
 */
export interface HealthSpec {
  /**
   * The Ks at which each cell's network is diagnosed, ascending; the cell's own K is always added.
   * Absent: 1, 2, 4, ... up to the cell's K (and K itself).
   */
  K?: number[];
  /** Initial states for loss, gradient norm, adjoints and Jacobians. */
  samples: number;
  /** Minibatches M of the gradient SNR: pure noise gives snr about 1/sqrt(M - 1). */
  snr_batches: number;
  /** Initial states per SNR minibatch. */
  snr_batch: number;
  /** Measured steps of the Lyapunov exponents of net and task (0: not measured, empty columns). */
  lyapunov_steps: number;
  /** Initial states the Lyapunov exponents average over. */
  lyapunov_samples: number;
}

/**
 * The defaults of `health: true`: some 30 ms per diagnosis of a 16x16 net at K = 1..16. The SNR
 * dominates the cost, which grows like snr_batches x snr_batch x (the sum of the Ks).
 */
export const healthDefaults: Readonly<HealthSpec> = {
  samples: 128,
  snr_batches: 32,
  snr_batch: 16,
  lyapunov_steps: 200,
  lyapunov_samples: 8,
};

/** The fields of `health` and what each accepts (for messages and the override `health.<field>=v`). */
const HEALTH_FIELDS: Record<keyof HealthSpec, { min: number; max: number; help: string }> = {
  K: { min: 1, max: 100_000, help: 'an integer K >= 1' },
  samples: { min: 2, max: 1_000_000, help: 'an integer >= 2' },
  snr_batches: { min: 2, max: 100_000, help: 'an integer >= 2' },
  snr_batch: { min: 1, max: 100_000, help: 'an integer >= 1' },
  lyapunov_steps: { min: 0, max: 10_000_000, help: 'an integer >= 0 (0: no Lyapunov exponents)' },
  lyapunov_samples: { min: 1, max: 100_000, help: 'an integer >= 1' },
};

/**
 * Where each entry of the spec came from, for error messages: `grid.K` -> "grid.K" or
 * "override K=1,2" (not part of the spec itself).
 */
export type Sources = Map<string, string>;

export interface ParsedExperiment {
  spec: ExperimentSpec;
  sources: Sources;
}

const TOP_KEYS = ['name', 'description', 'seed', 'budget', 'target', 'grid', 'fixed', 'optimizers', 'variants', 'health'] as const;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
/** A sweep larger than this is almost certainly a typo (e.g. seed=0..1000000). */
export const MAX_CELLS = 100_000;

const scalar = z.union([z.number(), z.string(), z.boolean()], {
  error: 'expected a number, a string or true/false',
});
const value = z.union([z.number(), z.string(), z.boolean(), z.array(z.number(), { error: 'expected a list of numbers' })], {
  error: 'expected a number, a string, true/false or a list of integers',
});
const keyedValues = z.record(z.string(), value, { error: 'expected an object of key: value' });

const healthInt = (f: keyof HealthSpec) => {
  const { min, max, help } = HEALTH_FIELDS[f];
  return z
    .number({ error: `expected ${help}` })
    .int({ error: `expected ${help}` })
    .min(min, { error: `expected ${help}` })
    .max(max, { error: `expected at most ${max}` });
};
const healthSchema = z.union(
  [
    z.boolean(),
    z.strictObject({
      K: z.array(healthInt('K'), { error: 'expected a list of Ks, e.g. [1, 2, 4, 8, 16, 32, 64]' }).min(1, { error: 'expected a non-empty list of Ks' }).optional(),
      samples: healthInt('samples').optional(),
      snr_batches: healthInt('snr_batches').optional(),
      snr_batch: healthInt('snr_batch').optional(),
      lyapunov_steps: healthInt('lyapunov_steps').optional(),
      lyapunov_samples: healthInt('lyapunov_samples').optional(),
    }),
  ],
  { error: 'expected true, false or an object {K, samples, snr_batches, snr_batch, lyapunov_steps, lyapunov_samples}' },
);

const schema = z.strictObject(
  {
    name: z
      .string({ error: 'expected a string' })
      .regex(NAME_RE, { error: 'expected letters, digits, and . _ + - (it names the results folder)' }),
    description: z.string({ error: 'expected a string' }).optional(),
    seed: z.number({ error: 'expected an integer' }).int({ error: 'expected an integer' }).min(0, { error: 'expected an integer >= 0' }).optional(),
    budget: z.number({ error: 'expected a number' }).optional(),
    target: z.number({ error: 'expected a number' }).optional(),
    grid: z
      .record(
        z.string(),
        z.array(value, { error: 'expected a list of values, e.g. [1, 4, 16]' }).min(1, { error: 'expected a non-empty list of values' }),
        { error: 'expected an object of key: [values]' },
      )
      .optional(),
    fixed: keyedValues.optional(),
    optimizers: z
      .record(z.string(), z.record(z.string(), scalar, { error: 'expected an object of option: value' }), {
        error: 'expected an object of optimizer: {option: value}',
      })
      .optional(),
    variants: z
      .record(z.string(), keyedValues, { error: 'expected an object of variant name: {key: value}' })
      .optional(),
    health: healthSchema.optional(),
  },
  { error: 'expected a JSON object' },
);

function pathString(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s;
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = json;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function zodToUsage(err: z.ZodError, json: unknown): UsageError {
  let issue = err.issues[0];
  // A union's issue: report the branch that matched the value's type (health: the object).
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const branch = issue.errors.find((e) => e.length > 0 && !(e[0].code === 'invalid_type' && e[0].path.length === 0));
    if (branch) issue = { ...branch[0], path: [...issue.path, ...branch[0].path] } as typeof issue;
  }
  const path = pathString(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const where = path === '' ? key : `${path}.${key}`;
    const allowed = path === '' ? TOP_KEYS.join(', ') : path === 'health' ? Object.keys(HEALTH_FIELDS).join(', ') : '';
    return new UsageError(where, `unknown key${allowed ? ` (allowed: ${allowed})` : ''}`);
  }
  if (path === '') return new UsageError('experiment', 'expected a JSON object with at least "name"');
  const got = valueAt(json, issue.path);
  if (got === undefined) return new UsageError(path, 'required field is missing');
  return new UsageError(path, `${issue.message}, got ${JSON.stringify(got)}`);
}

/** What a key may be, for pre-validation of its values. */
interface KeyInfo {
  /** The exact spec (cell keys), or a spec with the kind only (options and task parameters, whose ranges depend on the cell). */
  spec: KeySpec | OptionSpec;
  kind: 'cell' | 'task' | 'option';
}

const cellKeyMap = new Map(cellKeys.map((k) => [k.name, k]));

function optionKinds(): Map<string, OptionSpec> {
  const m = new Map<string, OptionSpec>();
  for (const o of optimizers.values())
    for (const s of o.options) {
      if (m.has(s.name)) continue;
      // Ranges differ between optimizers: they are checked per cell by resolveConfig.
      const owners = [...optimizers.values()].filter((q) => q.options.some((t) => t.name === s.name));
      const choices = s.kind === 'enum' ? [...new Set(owners.flatMap((q) => q.options.find((t) => t.name === s.name)!.choices ?? []))] : undefined;
      m.set(s.name, { name: s.name, kind: s.kind, default: s.default, help: s.help, choices });
    }
  return m;
}

function keyInfo(key: string): KeyInfo | undefined {
  const ck = cellKeyMap.get(key);
  if (ck) return { spec: ck, kind: 'cell' };
  if (key.startsWith('task.')) {
    const p = key.slice(5);
    if (taskNames.some((t) => getTask(t).params.some((q) => q.name === p)))
      return { spec: { name: key, kind: 'number', default: 0, help: '' }, kind: 'task' };
    return undefined;
  }
  const opt = optionKinds().get(key);
  if (opt) return { spec: opt, kind: 'option' };
  return undefined;
}

function allowedKeysHint(): string {
  return [...cellKeys.map((k) => k.name), 'task.<param>', ...optionKinds().keys()].join(', ');
}

function checkKey(key: string, field: string): KeyInfo {
  const info = keyInfo(key);
  if (info) return info;
  if (key.startsWith('task.')) {
    const params = taskNames.map((t) => `${t}: ${getTask(t).params.map((p) => `task.${p.name}`).join(', ')}`).join('; ');
    throw new UsageError(field, `unknown task parameter (${params})`);
  }
  throw new UsageError(field, `unknown key '${key}' (allowed: ${allowedKeysHint()})`);
}

/** Parses a value for a key; enums of options are checked against all their optimizers' choices. */
function parseFor(key: string, raw: unknown, field: string): ConfigValue {
  const info = checkKey(key, field);
  return parseValue(info.spec, raw, field);
}

function sameValue(a: ConfigValue, b: ConfigValue): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b;
}

function parseList(key: string, raws: readonly unknown[], field: string, indexed = true): ConfigValue[] {
  const out: ConfigValue[] = [];
  raws.forEach((raw, i) => {
    const at = indexed ? `${field}[${i}]` : field;
    const v = parseFor(key, raw, at);
    const j = out.findIndex((w) => sameValue(v, w));
    if (j >= 0) throw new UsageError(at, `duplicate value ${JSON.stringify(v)}`);
    out.push(v);
  });
  return out;
}

function checkOptimizerOptions(opt: string, options: Record<string, unknown>, field: string, exact = false): Record<string, OptionValue> {
  const at = (k: string) => (exact ? field : `${field}.${k}`);
  const entry = optimizers.get(opt);
  if (!entry) throw new UsageError(field, `unknown optimizer '${opt}' (allowed: ${optimizerNames.join(', ')})`);
  const out: Record<string, OptionValue> = {};
  for (const [k, raw] of Object.entries(options)) {
    const spec = entry.options.find((s) => s.name === k);
    if (!spec) throw new UsageError(at(k), `not an option of ${opt} (its options: ${entry.options.map((s) => s.name).join(', ')})`);
    out[k] = parseValue(spec, raw, at(k)) as OptionValue;
  }
  return out;
}

/** Validates the parsed JSON of an experiment file (types, names, values; not yet the cells). */
export function parseExperiment(json: unknown): ParsedExperiment {
  const r = schema.safeParse(json);
  if (!r.success) throw zodToUsage(r.error, json);
  const raw = r.data;
  const sources: Sources = new Map();
  const grid: Record<string, ConfigValue[]> = {};
  const fixed: Record<string, ConfigValue> = {};
  for (const [key, values] of Object.entries(raw.grid ?? {})) {
    checkKey(key, `grid.${key}`);
    grid[key] = parseList(key, values, `grid.${key}`);
    sources.set(`grid:${key}`, `grid.${key}`);
  }
  for (const [key, v] of Object.entries(raw.fixed ?? {})) {
    if (key === 'seed') throw new UsageError('fixed.seed', 'the base seed is the top-level "seed"; several seeds go in grid.seed');
    if (key in grid) throw new UsageError(`fixed.${key}`, `also given in grid.${key}: a key is either fixed or a grid axis`);
    fixed[key] = parseFor(key, v, `fixed.${key}`);
    sources.set(`fixed:${key}`, `fixed.${key}`);
  }
  for (const key of ['budget', 'target'] as const) {
    if (raw[key] === undefined) continue;
    if (key in grid) throw new UsageError(key, `also given in grid.${key}`);
    if (key in fixed) throw new UsageError(key, `also given in fixed.${key}`);
    fixed[key] = parseFor(key, raw[key], key);
    sources.set(`fixed:${key}`, key);
  }
  const opts: Record<string, Record<string, OptionValue>> = {};
  for (const [opt, options] of Object.entries(raw.optimizers ?? {})) {
    opts[opt] = checkOptimizerOptions(opt, options, `optimizers.${opt}`);
    for (const k of Object.keys(options)) sources.set(`optimizers:${opt}:${k}`, `optimizers.${opt}.${k}`);
  }
  let variants: Record<string, Record<string, ConfigValue>> | undefined;
  if (raw.variants) {
    variants = {};
    const names = Object.keys(raw.variants);
    if (names.length === 0) throw new UsageError('variants', 'expected at least one variant (or leave "variants" out)');
    for (const name of names) {
      if (!NAME_RE.test(name)) throw new UsageError(`variants.${name}`, 'a variant name has letters, digits, and . _ + -');
      const v: Record<string, ConfigValue> = {};
      for (const [key, x] of Object.entries(raw.variants[name])) {
        const field = `variants.${name}.${key}`;
        if (key === 'seed') throw new UsageError(field, 'seeds are not a variant: use grid.seed');
        if (key in grid) throw new UsageError(field, `also a grid axis (grid.${key}): a key is either in variants or in the grid`);
        v[key] = parseFor(key, x, field);
        sources.set(`variants:${name}:${key}`, field);
      }
      variants[name] = v;
    }
  }
  const spec: ExperimentSpec = { name: raw.name, seed: raw.seed ?? 1, grid, fixed, optimizers: opts };
  if (raw.description !== undefined) spec.description = raw.description;
  if (variants) spec.variants = variants;
  const health = resolveHealth(raw.health, 'health');
  if (health) spec.health = health;
  return { spec, sources };
}

/** The resolved `health` option (undefined: off); the Ks sorted, duplicates refused. */
export function resolveHealth(raw: boolean | Partial<HealthSpec> | undefined, field: string): HealthSpec | undefined {
  if (raw === undefined || raw === false) return undefined;
  const given = raw === true ? {} : raw;
  const out: HealthSpec = { ...healthDefaults };
  if (given.K !== undefined) {
    const seen = new Set<number>();
    given.K.forEach((k, i) => {
      if (seen.has(k)) throw new UsageError(`${field}.K[${i}]`, `duplicate value ${k}`);
      seen.add(k);
    });
    out.K = [...given.K].sort((a, b) => a - b);
  }
  for (const f of ['samples', 'snr_batches', 'snr_batch', 'lyapunov_steps', 'lyapunov_samples'] as const) if (given[f] !== undefined) out[f] = given[f];
  // Field order as in HealthSpec, so that the stored spec (manifest.json) compares byte for byte.
  const ordered: HealthSpec = {} as HealthSpec;
  for (const f of Object.keys(HEALTH_FIELDS) as (keyof HealthSpec)[]) if (out[f] !== undefined) (ordered as unknown as Record<string, unknown>)[f] = out[f];
  return ordered;
}

/** `health=true|false` and `health.<field>=value` (K takes a list: `health.K=1,2,4,8`). */
function applyHealthOverride(spec: ExperimentSpec, key: string, text: string, field: string): void {
  if (key === 'health') {
    const t = text.trim();
    if (t !== 'true' && t !== 'false') throw new UsageError(field, `expected health=true or health=false, got '${text}'`);
    if (t === 'false') delete spec.health;
    else spec.health ??= resolveHealth(true, field);
    return;
  }
  const name = key.slice('health.'.length);
  if (!(name in HEALTH_FIELDS))
    throw new UsageError(field, `unknown health field '${name}' (allowed: ${Object.keys(HEALTH_FIELDS).join(', ')})`);
  const f = name as keyof HealthSpec;
  const { min, max, help } = HEALTH_FIELDS[f];
  const parts = splitTopLevel(text.replace(/^\[|\]$/g, ''), field);
  const nums = parts.map((p) => {
    const n = p.trim() === '' ? NaN : Number(p);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(field, `expected ${help}, got '${p}'`);
    return n;
  });
  if (f !== 'K' && nums.length !== 1) throw new UsageError(field, `expected one value (${help})`);
  const current: Partial<HealthSpec> = spec.health ?? {};
  spec.health = resolveHealth({ ...current, [f]: f === 'K' ? nums : nums[0] }, field);
}

/** Splits an override's value list at top-level commas (commas inside [..] belong to one value). */
function splitTopLevel(s: string, field: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (depth < 0) throw new UsageError(field, `unbalanced ']' in '${s}'`);
    if (c === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  if (depth !== 0) throw new UsageError(field, `unbalanced '[' in '${s}'`);
  parts.push(cur);
  return parts.map((p) => p.trim());
}

const RANGE_RE = /^(-?\d+)\.\.(-?\d+)$/;
const MAX_RANGE = 10_000;

/** The raw values of one override: `1,2,4`, `0..4`, `[16],[32,32]`, `32,32` (one list value). */
function overrideValues(key: string, text: string, field: string): unknown[] {
  const info = checkKey(key, field);
  if (text.trim() === '') {
    if (info.spec.kind === 'intlist') return [''];
    throw new UsageError(field, 'expected a value after =');
  }
  if (info.spec.kind === 'intlist') {
    if (!text.trim().startsWith('[')) return [text];
    return splitTopLevel(text, field).map((p) => {
      if (!p.startsWith('[') || !p.endsWith(']')) throw new UsageError(field, `expected [a,b],[c] for several lists, got '${p}'`);
      return p.slice(1, -1);
    });
  }
  const out: unknown[] = [];
  for (const p of splitTopLevel(text, field)) {
    const m = RANGE_RE.exec(p);
    if (m) {
      if (info.spec.kind !== 'int') throw new UsageError(field, `a range a..b needs an integer key; ${key} is ${info.spec.kind}`);
      const a = Number(m[1]);
      const b = Number(m[2]);
      if (b < a) throw new UsageError(field, `empty range ${p} (expected a..b with a <= b)`);
      if (b - a + 1 > MAX_RANGE) throw new UsageError(field, `range ${p} has more than ${MAX_RANGE} values`);
      for (let x = a; x <= b; x++) out.push(x);
    } else {
      if (p === '') throw new UsageError(field, `empty value in '${text}'`);
      out.push(p);
    }
  }
  return out;
}

/**
 * Applies command-line overrides `key=v1,v2` to a parsed experiment (see the module comment).
 * Returns a new experiment; the input is not modified.
 */
export function applyOverrides(parsed: ParsedExperiment, overrides: readonly string[]): ParsedExperiment {
  const spec: ExperimentSpec = structuredClone(parsed.spec);
  const sources: Sources = new Map(parsed.sources);
  const seen = new Set<string>();
  for (const ov of overrides) {
    const eq = ov.indexOf('=');
    if (eq <= 0) throw new UsageError(ov, 'expected an override key=value (e.g. K=1,2,4 or seed=0..4)');
    const key = ov.slice(0, eq).trim();
    const text = ov.slice(eq + 1);
    const field = `override ${ov}`;
    if (seen.has(key)) throw new UsageError(field, `${key} is overridden twice`);
    seen.add(key);
    if (key === 'variant') {
      if (!spec.variants) throw new UsageError(field, 'this experiment has no variants');
      const keep = splitTopLevel(text, field);
      const names = Object.keys(spec.variants);
      for (const n of keep)
        if (!names.includes(n)) throw new UsageError(field, `unknown variant '${n}' (allowed: ${names.join(', ')})`);
      const kept: Record<string, Record<string, ConfigValue>> = {};
      for (const n of names) if (keep.includes(n)) kept[n] = spec.variants[n];
      spec.variants = kept;
      continue;
    }
    if (key === 'health' || key.startsWith('health.')) {
      applyHealthOverride(spec, key, text, field);
      continue;
    }
    const dot = key.indexOf('.');
    if (dot > 0 && optimizers.has(key.slice(0, dot))) {
      const opt = key.slice(0, dot);
      const option = key.slice(dot + 1);
      const vals = splitTopLevel(text, field);
      if (vals.length !== 1)
        throw new UsageError(field, `a per-optimizer option takes one value; for a grid use ${option}=${text}`);
      const parsedOpt = checkOptimizerOptions(opt, { [option]: vals[0] }, field, true);
      spec.optimizers[opt] = { ...(spec.optimizers[opt] ?? {}), ...parsedOpt };
      // Error messages from the cells must name the override, not the parsed value's field.
      sources.set(`optimizers:${opt}:${option}`, field);
      continue;
    }
    const values = parseList(key, overrideValues(key, text, field), field, false);
    // The override replaces the key wherever the file set it.
    delete spec.grid[key];
    delete spec.fixed[key];
    for (const o of Object.values(spec.optimizers)) delete o[key];
    for (const v of Object.values(spec.variants ?? {})) delete v[key];
    if (key === 'seed') {
      if (values.length === 1) spec.seed = values[0] as number;
      else {
        spec.grid.seed = values;
        sources.set('grid:seed', field);
      }
      continue;
    }
    if (values.length === 1) {
      spec.fixed[key] = values[0];
      sources.set(`fixed:${key}`, field);
    } else {
      spec.grid[key] = values;
      sources.set(`grid:${key}`, field);
    }
  }
  if (spec.variants && Object.keys(spec.variants).length === 0) throw new UsageError('variant', 'no variant left');
  return { spec, sources };
}

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
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError('experiment', `cannot read ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError('experiment', `${file} is not valid JSON: ${(e as Error).message}`);
  }
  return parseExperiment(json);
}

/** The label of a spec entry in error messages ("grid.K", "override K=1,2", ...). */
export function sourceOf(sources: Sources, section: 'grid' | 'fixed' | 'optimizers' | 'variants', ...parts: string[]): string {
  const k = `${section}:${parts.join(':')}`;
  return sources.get(k) ?? `${section}.${parts.join('.')}`;
}

