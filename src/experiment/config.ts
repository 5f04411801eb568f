/**
 * One configuration namespace (docs/ARCHITECTURE.md): a cell is one flat set of keys. The same key is a `run`
 * flag, a `--set key=value`, an experiment file's grid/fixed entry, a sweep override and a CSV
 * column. Keys and defaults are defined here and in the task and optimizer registries, once.
 */
import { activationNames } from '../core/activations.js';
import { featureNames, getFeatureMap } from '../core/features.js';
import { initNames } from '../core/mlp.js';
import { curriculumNames } from '../core/objective.js';
import type { Setup } from '../core/setup.js';
import { pairsProblem } from '../core/pairs.js';
import { getTask, hasTask, recordedPairs, taskNames } from '../core/tasks.js';
import { UsageError } from '../errors.js';
import { canonicalTask, taskValueProblem } from './task-value.js';
import { getOptimizer, optimizerNames, optimizers } from '../optimizers/index.js';
import { MAX_POPULATION, type NumericRange, type OptionSpec, type OptionValue } from '../optimizers/types.js';

export type ConfigValue = OptionValue | number[];

export interface KeySpec extends NumericRange {
  readonly name: string;
  /** `task`: a built-in task's name (the choices) or a module file path (task-value.ts). */
  readonly kind: 'number' | 'int' | 'enum' | 'bool' | 'intlist' | 'task';
  readonly default: ConfigValue;
  readonly help: string;
  readonly choices?: readonly string[];
  /** intlist: the most entries (the range applies to each entry). */
  readonly maxItems?: number;
}

/** The widest hidden layer and the most hidden layers: a bound checked before anything is allocated. */
export const MAX_HIDDEN = 4096;
export const MAX_LAYERS = 64;
/** The largest training, test and minibatch size (initial states). */
export const MAX_SAMPLES = 1_000_000;
export { MAX_POPULATION };

/** Keys every cell has, in CSV column order. */
export const cellKeys: readonly KeySpec[] = [
  { name: 'task', kind: 'task', default: 'rotation', choices: taskNames, help: 'ground-truth system, or a module file ./my-sim.mjs' },
  { name: 'K', kind: 'int', default: 16, min: 1, max: 100000, help: 'sequential applications of the net' },
  { name: 'activation', kind: 'enum', default: 'tanh', choices: activationNames, help: 'hidden-layer activation' },
  { name: 'hidden', kind: 'intlist', default: [32, 32], min: 1, max: MAX_HIDDEN, maxItems: MAX_LAYERS, help: `hidden layer sizes, e.g. 32,32 (empty: linear net; at most ${MAX_LAYERS} layers)` },
  { name: 'features', kind: 'enum', default: 'identity', choices: featureNames, help: 'feature map i_t = phi(o_t)' },
  { name: 'init', kind: 'enum', default: 'xavier', choices: initNames, help: 'weight initialisation' },
  { name: 'gain', kind: 'number', default: 1, min: 0, help: 'multiplies the initial weights' },
  { name: 'residual', kind: 'bool', default: false, help: 'o_{t+1} = o_t + N(phi(o_t))' },
  { name: 'optimizer', kind: 'enum', default: 'bptt', choices: optimizerNames, help: 'optimizer' },
  { name: 'budget', kind: 'number', default: 2e7, min: 1, help: 'cost budget in network applications to one sample' },
  { name: 'target', kind: 'number', default: 1e-3, min: 0, help: 'stop when the training nmse at K reaches this' },
  { name: 'train', kind: 'int', default: 256, min: 1, max: MAX_SAMPLES, help: 'training set size (initial states)' },
  { name: 'test', kind: 'int', default: 256, min: 1, max: MAX_SAMPLES, help: 'test set size (fresh initial states)' },
  { name: 'val', kind: 'int', default: 256, min: 0, max: MAX_SAMPLES, help: 'validation set size (fresh initial states that tuning chooses on; 0: none)' },
  { name: 'batch', kind: 'int', default: 0, min: 0, max: MAX_SAMPLES, help: 'minibatch size per step (0 = whole training set; at most train)' },
  { name: 'curriculum', kind: 'enum', default: 'none', choices: curriculumNames, help: 'schedule of K over training' },
  { name: 'K0', kind: 'int', default: 1, min: 1, max: 100000, help: 'first K of a curriculum' },
  { name: 'seed', kind: 'int', default: 1, min: 0, max: Number.MAX_SAFE_INTEGER, help: 'seed of every random stream of the cell' },
];

/**
 * A resolved cell: the setup its task, net, data and initial parameters are assembled from
 * (core/setup.ts), and how it is trained.
 */
export interface CellConfig extends Setup {
  hidden: number[];
  optimizer: string;
  budget: number;
  target: number;
  /** The optimizer's options, all of them. */
  options: Record<string, OptionValue>;
}

/** Every optimizer option name, with its spec (options of the same name share their kind). */
export function optimizerOptionSpecs(): Map<string, OptionSpec> {
  const m = new Map<string, OptionSpec>();
  for (const o of optimizers.values()) for (const spec of o.options) if (!m.has(spec.name)) m.set(spec.name, spec);
  return m;
}

/**
 * Numbers in text: plain decimal notation, optionally with an exponent (`0.5`, `-3`, `2e4`, `1e3` for
 * an integer key too). `0x10`, `0b101`, `Infinity` and `1_000`, which Number() would also read, are refused.
 */
const DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A number in decimal notation (DECIMAL_RE), or NaN. */
export function parseDecimal(text: string): number {
  const t = text.trim();
  return DECIMAL_RE.test(t) ? Number(t) : NaN;
}

/** A value as an error message shows it: JSON, at most 60 characters, whatever its depth. */
export function preview(v: unknown): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    s = Array.isArray(v) ? '[...]' : '{...}';
  }
  s ??= String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The accepted values of a numeric spec in words: `> 0`, `1..4096`, `0 or 3..10000`, `>= 0`. */
export function describeRange(r: NumericRange): string {
  const lo = r.min === undefined ? undefined : `${r.minExclusive ? '> ' : ''}${r.min}`;
  let s: string;
  if (lo !== undefined && r.max !== undefined) s = r.minExclusive ? `${lo} and <= ${r.max}` : `${r.min}..${r.max}`;
  else if (lo !== undefined) s = r.minExclusive ? lo : `>= ${r.min}`;
  else if (r.max !== undefined) s = `<= ${r.max}`;
  else s = 'any';
  return r.zeroIsDefault ? `0 or ${s}` : s;
}

/**
 * Parses a raw value for a key; throws a UsageError naming the key. `from` says where the value
 * comes from: `text` (the command line: strings are parsed, numbers in decimal notation only) or
 * `json` (an experiment or params file: numbers must be JSON numbers, lists JSON arrays, booleans
 * true/false; a string is only an enum's value). Integers must be safe (|n| <= 2^53 - 1), and every
 * range is the spec's NumericRange.
 */
export function parseValue(spec: KeySpec | OptionSpec, raw: unknown, field = spec.name, from: 'text' | 'json' = 'text'): ConfigValue {
  const fail = (what: string, value: unknown = raw): never => {
    throw new UsageError(field, `${what}, got ${preview(value)}`);
  };
  const isInt = spec.kind !== 'number';
  const what = isInt ? 'an integer' : 'a finite number';
  const num = (v: unknown): number => {
    let n: number;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'string' && from === 'text') {
      n = parseDecimal(v);
      if (Number.isNaN(n)) fail(v.trim() !== '' && Number.isFinite(Number(v)) ? `must be ${what} in decimal notation` : `must be ${what}`, v);
    } else return fail(from === 'json' ? `must be ${what} (a JSON number, not a string)` : `must be ${what}`, v);
    if (!Number.isFinite(n)) fail(`must be ${what}`, v);
    if (isInt && !Number.isInteger(n)) fail('must be an integer', v);
    if (isInt && !Number.isSafeInteger(n)) fail(`must be an integer of at most ${Number.MAX_SAFE_INTEGER} in magnitude`, v);
    if (spec.zeroIsDefault && n === 0) return n;
    const { min: lo, max: hi } = spec;
    const zero = spec.zeroIsDefault ? '0 (the default) or ' : '';
    if (lo !== undefined && (spec.minExclusive ? n <= lo : n < lo)) fail(`must be ${zero}${spec.minExclusive ? '>' : '>='} ${lo}`, v);
    if (hi !== undefined && n > hi) fail(`must be <= ${hi}`, v);
    return n;
  };
  switch (spec.kind) {
    case 'number':
    case 'int':
      return num(raw);
    case 'bool':
      if (raw === true || (from === 'text' && (raw === 'true' || raw === '1'))) return true;
      if (raw === false || (from === 'text' && (raw === 'false' || raw === '0'))) return false;
      return fail(from === 'json' ? 'must be true or false (JSON booleans)' : 'must be true or false');
    case 'enum':
      if (typeof raw !== 'string' || !spec.choices!.includes(raw)) fail(`must be one of ${spec.choices!.join(', ')}`);
      return raw as string;
    case 'task': {
      if (typeof raw !== 'string') return fail('must be a task name or a module file path');
      const problem = taskValueProblem(raw);
      if (problem !== undefined) throw new UsageError(field, problem);
      return canonicalTask(raw);
    }
    case 'intlist': {
      const items = Array.isArray(raw)
        ? raw
        : typeof raw === 'string' && from === 'text'
          ? raw.trim() === ''
            ? []
            : raw.split(',')
          : fail(from === 'json' ? 'must be a JSON list of integers like [32, 32]' : 'must be a list of integers like 32,32');
      const maxItems = (spec as KeySpec).maxItems;
      if (maxItems !== undefined && items.length > maxItems) fail(`must have at most ${maxItems} entries`);
      return items.map((v) => num(v));
    }
  }
}

/**
 * Resolves a partial flat configuration into a full cell: defaults filled in, every value
 * checked. Keys of other optimizers are refused unless `ignoreForeignOptions` (sweeps over several
 * optimizers share one set of keys). `from` as for parseValue: `json` when the input is a file's.
 * This is where every cell of `run`, `sweep`, `health` and `lyapunov` is resolved, so the checks
 * between keys (K0 <= K, batch <= train) live here.
 */
export function resolveConfig(input: Readonly<Record<string, unknown>>, ignoreForeignOptions = false, from: 'text' | 'json' = 'text'): CellConfig {
  const out: Record<string, ConfigValue> = {};
  const known = new Map(cellKeys.map((k) => [k.name, k]));
  for (const spec of cellKeys) out[spec.name] = input[spec.name] === undefined ? spec.default : parseValue(spec, input[spec.name], spec.name, from);
  if (!hasTask(out.task as string))
    // A module is loaded (task-module.ts) before any configuration naming it is resolved.
    throw new UsageError('task', `module ${out.task as string} is not loaded`);
  const task = getTask(out.task as string);
  const opt = getOptimizer(out.optimizer as string);
  const taskParams: Record<string, number> = {};
  for (const p of task.params) {
    const raw = input[`task.${p.name}`];
    taskParams[p.name] =
      raw === undefined ? p.default : (parseValue({ ...p, kind: 'number' }, raw, `task.${p.name}`, from) as number);
  }
  const options: Record<string, OptionValue> = {};
  for (const spec of opt.options) {
    const raw = input[spec.name];
    options[spec.name] = raw === undefined ? spec.default : (parseValue(spec, raw, spec.name, from) as OptionValue);
  }
  const foreign = optimizerOptionSpecs();
  for (const key of Object.keys(input)) {
    if (known.has(key) || key in options) continue;
    if (key.startsWith('task.')) {
      if (key.slice(5) in taskParams) continue;
      const allowed = task.params.map((p) => `task.${p.name}`).join(', ');
      throw new UsageError(key, `unknown parameter of task ${task.name} (allowed: ${allowed})`);
    }
    if (foreign.has(key)) {
      if (ignoreForeignOptions) continue;
      throw new UsageError(key, `not an option of optimizer ${opt.name} (its options: ${opt.options.map((o) => o.name).join(', ')})`);
    }
    throw new UsageError(key, `unknown key (allowed: ${allowKeysHint()})`);
  }
  const cfg = { ...out, taskParams, options } as unknown as CellConfig;
  if (cfg.K0 > cfg.K) throw new UsageError('K0', `must be <= K (${cfg.K}), got ${cfg.K0}`);
  if (cfg.optimizer === 'bptt' && !getFeatureMap(cfg.features).vjp)
    throw new UsageError('optimizer', `bptt needs the gradient through the feature map, and ${cfg.features} has no vjp: train it with ga, es, cmaes or random`);
  // A minibatch larger than the training set would be clamped while the record kept the larger value.
  if (cfg.batch > cfg.train) throw new UsageError('batch', `must be <= train (${cfg.train}), got ${cfg.batch}`);
  // A data task's K, curriculum and set sizes must fit the rows its file has.
  const pairs = recordedPairs(cfg.task);
  const problem = pairs && pairsProblem(pairs, cfg);
  if (problem) throw new UsageError(problem[0], problem[1]);
  return cfg;
}

function allowKeysHint(): string {
  return [...cellKeys.map((k) => k.name), 'task.<param>', ...optimizerOptionSpecs().keys()].join(', ');
}

/** The cell as ordered (column, value) pairs: cell keys, then task.*, then the optimizer's options. */
export function describeConfig(cfg: CellConfig): [string, ConfigValue][] {
  const rows: [string, ConfigValue][] = cellKeys.map((k) => [k.name, cfg[k.name as keyof CellConfig] as ConfigValue]);
  for (const [k, v] of Object.entries(cfg.taskParams)) rows.push([`task.${k}`, v]);
  for (const [k, v] of Object.entries(cfg.options)) rows.push([k, v]);
  return rows;
}

/** How a value is written in keys, CSV cells and command lines: lists as 32,32 (no spaces). */
export function formatValue(v: ConfigValue): string {
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** The canonical key of a cell: identical configs, identical keys, whatever order keys came in. */
export function cellKey(cfg: CellConfig): string {
  return describeConfig(cfg)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(' ');
}
