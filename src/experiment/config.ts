/**
 * One configuration namespace (docs/ARCHITECTURE.md): a cell is one flat set of keys. The same key is a `run`
 * flag, a `--set key=value`, an experiment file's grid/fixed entry, a sweep override and a CSV
 * column. Keys and defaults are defined here and in the task and optimizer registries, once.
 */
import { activationNames } from '../core/activations.js';
import { featureNames } from '../core/features.js';
import { initNames } from '../core/mlp.js';
import { curriculumNames } from '../core/objective.js';
import type { Setup } from '../core/setup.js';
import { getTask, hasTask, taskNames } from '../core/tasks.js';
import { UsageError } from '../errors.js';
import { canonicalTask, taskValueProblem } from './task-value.js';
import { getOptimizer, optimizerNames, optimizers } from '../optimizers/index.js';
import type { OptionSpec, OptionValue } from '../optimizers/types.js';

export type ConfigValue = OptionValue | number[];

export interface KeySpec {
  readonly name: string;
  /** `task`: a built-in task's name (the choices) or a module file path (task-value.ts). */
  readonly kind: 'number' | 'int' | 'enum' | 'bool' | 'intlist' | 'task';
  readonly default: ConfigValue;
  readonly help: string;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
}

/** Keys every cell has, in CSV column order. */
export const cellKeys: readonly KeySpec[] = [
  { name: 'task', kind: 'task', default: 'rotation', choices: taskNames, help: 'ground-truth system, or a module file ./my-sim.mjs' },
  { name: 'K', kind: 'int', default: 16, min: 1, max: 100000, help: 'sequential applications of the net' },
  { name: 'activation', kind: 'enum', default: 'tanh', choices: activationNames, help: 'hidden-layer activation' },
  { name: 'hidden', kind: 'intlist', default: [32, 32], min: 1, help: 'hidden layer sizes, e.g. 32,32 (empty: linear net)' },
  { name: 'features', kind: 'enum', default: 'identity', choices: featureNames, help: 'feature map i_t = phi(o_t)' },
  { name: 'init', kind: 'enum', default: 'xavier', choices: initNames, help: 'weight initialisation' },
  { name: 'gain', kind: 'number', default: 1, min: 0, help: 'multiplies the initial weights' },
  { name: 'residual', kind: 'bool', default: false, help: 'o_{t+1} = o_t + N(phi(o_t))' },
  { name: 'optimizer', kind: 'enum', default: 'bptt', choices: optimizerNames, help: 'optimizer' },
  { name: 'budget', kind: 'number', default: 2e7, min: 1, help: 'cost budget in network applications to one sample' },
  { name: 'target', kind: 'number', default: 1e-3, min: 0, help: 'stop when the training nmse at K reaches this' },
  { name: 'train', kind: 'int', default: 256, min: 1, help: 'training set size (initial states)' },
  { name: 'test', kind: 'int', default: 256, min: 1, help: 'test set size (fresh initial states)' },
  { name: 'batch', kind: 'int', default: 0, min: 0, help: 'minibatch size per step (0 = whole training set)' },
  { name: 'curriculum', kind: 'enum', default: 'none', choices: curriculumNames, help: 'schedule of K over training' },
  { name: 'K0', kind: 'int', default: 1, min: 1, help: 'first K of a curriculum' },
  { name: 'seed', kind: 'int', default: 1, min: 0, help: 'seed of every random stream of the cell' },
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

/** Parses a raw value (a CLI string or a JSON value) for a key; throws a UsageError naming the key. */
export function parseValue(spec: KeySpec | OptionSpec, raw: unknown, field = spec.name): ConfigValue {
  const fail = (what: string, value: unknown = raw): never => {
    throw new UsageError(field, `${what}, got ${JSON.stringify(value)}`);
  };
  const num = (v: unknown): number => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) fail(`must be ${spec.kind === 'number' ? 'a finite number' : 'an integer'}`, v);
    if (spec.kind !== 'number' && !Number.isInteger(n)) fail('must be an integer', v);
    const lo = spec.min;
    const hi = spec.max;
    if (lo !== undefined && n < lo) fail(`must be >= ${lo}`, v);
    if (hi !== undefined && n > hi) fail(`must be <= ${hi}`, v);
    return n;
  };
  switch (spec.kind) {
    case 'number':
    case 'int':
      return num(raw);
    case 'bool':
      if (raw === true || raw === 'true' || raw === '1') return true;
      if (raw === false || raw === 'false' || raw === '0') return false;
      return fail('must be true or false');
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
      const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? (raw.trim() === '' ? [] : raw.split(',')) : fail('must be a list of integers like 32,32');
      return items.map((v) => num(v));
    }
  }
}

/**
 * Resolves a partial flat configuration into a full cell: defaults filled in, every value
 * checked. Keys of other optimizers are refused unless `ignoreForeignOptions` (sweeps over several
 * optimizers share one set of keys).
 */
export function resolveConfig(input: Readonly<Record<string, unknown>>, ignoreForeignOptions = false): CellConfig {
  const out: Record<string, ConfigValue> = {};
  const known = new Map(cellKeys.map((k) => [k.name, k]));
  for (const spec of cellKeys) out[spec.name] = input[spec.name] === undefined ? spec.default : parseValue(spec, input[spec.name]);
  if (!hasTask(out.task as string))
    // A module is loaded (task-module.ts) before any configuration naming it is resolved.
    throw new UsageError('task', `module ${out.task as string} is not loaded`);
  const task = getTask(out.task as string);
  const opt = getOptimizer(out.optimizer as string);
  const taskParams: Record<string, number> = {};
  for (const p of task.params) {
    const raw = input[`task.${p.name}`];
    taskParams[p.name] =
      raw === undefined ? p.default : (parseValue({ ...p, kind: 'number' }, raw, `task.${p.name}`) as number);
  }
  const options: Record<string, OptionValue> = {};
  for (const spec of opt.options) {
    const raw = input[spec.name];
    options[spec.name] = raw === undefined ? spec.default : (parseValue(spec, raw) as OptionValue);
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
