/**
 * Grid expansion: an experiment spec -> its cells, in one canonical order.
 *
 * Axes nest in the order of the configuration namespace (task, task.<param>, K, activation, ...,
 * optimizer, ..., then the optimizers' options), then the variants, then the tuned options of the
 * cell's variant or optimizer (`tune`, in namespace order), then the seed (innermost), each axis in
 * the order its values were listed. The order depends on the spec only, never on the order of
 * keys in the file, on workers or shards; cells.csv is sorted in this order.
 *
 * Each cell's flat input is defaults < fixed < optimizers.<its optimizer> < its variant < grid point
 * and tune point;
 * keys that the cell's optimizer or task does not have are dropped for that cell (a grid over `lr`
 * with optimizers bptt and ga gives bptt cells per lr and one ga cell), then `resolveConfig` checks
 * every value with the same code as `kstep run`. Cells that resolve to the same canonical key are
 * one cell. A grid, fixed or variant key that no cell uses is an error (it would otherwise silently do
 * nothing); an `optimizers.<name>` block of an optimizer no cell uses is not.
 */
import { createHash } from 'node:crypto';
import { Rng } from '../core/rng.js';
import { allTasks, getTask, hasTask } from '../core/tasks.js';
import { UsageError } from '../errors.js';
import { getOptimizer, optimizerNames, optimizers } from '../optimizers/index.js';
import { type CellConfig, type ConfigValue, cellKey, cellKeys, describeConfig, resolveConfig } from './config.js';
import { checkCellResources, memoryLimit } from './resources.js';
import { MAX_CELLS, type ParsedExperiment, sourceOf } from './spec.js';
import type { SweepCellConfig } from './sweep-cell.js';

export interface Cell {
  /** Position in the full expansion (the canonical order). */
  index: number;
  /** The canonical key: `describeConfig` as `k=v` pairs. */
  key: string;
  /** A short stable hash of the key: the cell's id in every CSV. */
  id: string;
  /** The variant's name, when the experiment has variants. */
  variant?: string;
  /** The options this cell's setting of `tune` chose values of (absent: an untuned cell). */
  tune?: string[];
  config: CellConfig;
}

/**
 * `c` and 12 hex digits of SHA-256 of the canonical key. The leading letter keeps every id a string
 * for CSV readers: a bare hex id can be all digits or digits with one `e` (`367094771e62`), which
 * pandas reads as a number.
 */
export const CELL_ID_PATTERN = /^c[0-9a-f]{12}$/;

export function cellId(key: string): string {
  return `c${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/** The namespace order of every possible column: cell keys, with task.<param> after task, then options. */
export function namespaceOrder(): string[] {
  const out: string[] = [];
  for (const k of cellKeys) {
    out.push(k.name);
    // Built-in tasks' parameters first, then those of module tasks in path order: a fixed order.
    if (k.name === 'task') for (const [, t] of allTasks()) for (const p of t.params) if (!out.includes(`task.${p.name}`)) out.push(`task.${p.name}`);
  }
  for (const name of optimizerNames) for (const s of optimizers.get(name)!.options) if (!out.includes(s.name)) out.push(s.name);
  return out;
}

/**
 * Descriptor columns of a set of cells: `variant` (if any), `tune` (if any cell is tuned), then the
 * union of their config keys in namespace order.
 */
export function descriptorColumns(cells: readonly Cell[], hasVariants: boolean): string[] {
  const present = new Set<string>();
  for (const c of cells) for (const [k] of describeConfig(c.config)) present.add(k);
  const cols = namespaceOrder().filter((k) => present.has(k));
  if (cells.some((c) => c.tune)) cols.unshift(TUNE_COLUMN);
  return hasVariants ? ['variant', ...cols] : cols;
}

/**
 * The descriptor column that names a cell's tuned options, space-separated (`lr`, `population
 * sigma`), empty for an untuned cell: the summary chooses among the cells that differ only in them.
 */
export const TUNE_COLUMN = 'tune';

/** The descriptor values of a cell, keyed by column. */
export function descriptorValues(cell: Cell): Map<string, ConfigValue> {
  const m = new Map<string, ConfigValue>(describeConfig(cell.config));
  if (cell.variant !== undefined) m.set('variant', cell.variant);
  m.set(TUNE_COLUMN, cell.tune ? cell.tune.join(' ') : '');
  return m;
}

interface Axis {
  key: string;
  values: ConfigValue[];
}

/** Expands a validated experiment into its cells (throws a UsageError naming the field on any bad cell). */
export function expandGrid(parsed: ParsedExperiment): Cell[] {
  const { spec, sources } = parsed;
  const order = namespaceOrder();
  const rank = (k: string) => {
    const i = order.indexOf(k);
    return i < 0 ? order.length : i;
  };
  const axes: Axis[] = Object.entries(spec.grid)
    .filter(([k]) => k !== 'seed')
    .map(([key, values]) => ({ key, values }))
    .sort((a, b) => rank(a.key) - rank(b.key) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const variantNames = spec.variants ? Object.keys(spec.variants) : [undefined];
  const seeds = spec.grid.seed ?? [spec.seed];

  // The tune section multiplies a cell by at most its largest entry's number of settings.
  const tuneEntries = Object.values(spec.tune ?? {});
  const maxSettings = Math.max(1, ...tuneEntries.map((e) => Object.values(e).reduce((n, vs) => n * vs.length, 1)));
  let total = variantNames.length * seeds.length * maxSettings;
  for (const a of axes) total *= a.values.length;
  if (total > MAX_CELLS) throw new UsageError('grid', `${total} cells, more than the limit of ${MAX_CELLS}`);

  const used = new Set<string>();
  const cells: Cell[] = [];
  const byKey = new Map<string, Cell>();
  const byId = new Map<string, string>();
  const checkedOptimizers = new Set<string>();
  const point: ConfigValue[] = new Array(axes.length);
  const limit = memoryLimit();

  /** The optimizer of a cell of this variant at the current grid point. */
  const optimizerOf = (variant: string | undefined): string => {
    const vspec = variant !== undefined ? spec.variants![variant] : {};
    const gridOpt = axes.findIndex((a) => a.key === 'optimizer');
    return String(gridOpt >= 0 ? point[gridOpt] : (vspec.optimizer ?? spec.fixed.optimizer ?? cellKeys.find((k) => k.name === 'optimizer')!.default));
  };

  /**
   * The tune entry of a cell of this variant (its own, else its optimizer's) and the settings it
   * expands into, each a list of [key, value, index] in namespace order; [[]] for an untuned cell.
   */
  const tuneOf = (variant: string | undefined, optimizer: string): { name?: string; settings: [string, ConfigValue, number][][] } => {
    const name = variant !== undefined && spec.tune?.[variant] ? variant : spec.tune?.[optimizer] ? optimizer : undefined;
    if (name === undefined) return { settings: [[]] };
    const entry = spec.tune![name];
    const keys = Object.keys(entry).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    const opt = optimizers.get(optimizer);
    const vspec = variant !== undefined ? spec.variants![variant] : {};
    for (const k of keys) {
      const src = sourceOf(sources, 'tune', name, k);
      if (opt && !opt.options.some((o) => o.name === k))
        throw new UsageError(src, `not an option of ${optimizer}, the optimizer of variant ${variant} (its options: ${opt.options.map((o) => o.name).join(', ')})`);
      if (k in vspec) throw new UsageError(src, `variant ${variant} sets ${k} too (variants.${variant}.${k}): a key is either set by the variant or tuned`);
    }
    let settings: [string, ConfigValue, number][][] = [[]];
    for (const k of keys) settings = settings.flatMap((prefix) => entry[k].map((v, i): [string, ConfigValue, number][] => [...prefix, [k, v, i]]));
    return { name, settings };
  };

  const emit = (variant: string | undefined, tuneName: string | undefined, setting: readonly [string, ConfigValue, number][], seed: number) => {
    // Which section each key of this cell comes from, for error messages.
    const origin = new Map<string, string>();
    const input: Record<string, ConfigValue> = {};
    const set = (k: string, v: ConfigValue, src: string, tag: string) => {
      input[k] = v;
      origin.set(k, src);
      origin.set(`tag:${k}`, tag);
    };
    for (const [k, v] of Object.entries(spec.fixed)) set(k, v, sourceOf(sources, 'fixed', k), `fixed:${k}`);
    const vspec = variant !== undefined ? spec.variants![variant] : {};
    const optimizer = optimizerOf(variant);
    for (const [k, v] of Object.entries(spec.optimizers[optimizer] ?? {}))
      set(k, v, sourceOf(sources, 'optimizers', optimizer, k), `optimizers:${optimizer}:${k}`);
    for (const [k, v] of Object.entries(vspec)) set(k, v, sourceOf(sources, 'variants', variant!, k), `variants:${variant}:${k}`);
    axes.forEach((a, i) => {
      const at = a.values.findIndex((x) => x === point[i]);
      set(a.key, point[i], `${sourceOf(sources, 'grid', a.key)}[${at}]`, `grid:${a.key}`);
    });
    for (const [k, v, i] of setting) set(k, v, `${sourceOf(sources, 'tune', tuneName!, k)}[${i}]`, `tune:${tuneName}:${k}`);
    set('seed', seed, spec.grid.seed ? `${sourceOf(sources, 'grid', 'seed')}[${seeds.indexOf(seed)}]` : 'seed', 'seed');
    // Drop the keys this cell's optimizer and task do not have.
    const opt = optimizers.get(optimizer);
    const taskName = String(input.task ?? 'rotation');
    const task = hasTask(taskName) ? getTask(taskName) : undefined;
    const cellInput: Record<string, ConfigValue> = {};
    for (const [k, v] of Object.entries(input)) {
      if (k.startsWith('task.')) {
        if (task && !task.params.some((p) => p.name === k.slice(5))) continue;
      } else if (!cellKeys.some((c) => c.name === k)) {
        if (opt && !opt.options.some((s) => s.name === k)) continue;
      }
      cellInput[k] = v;
      used.add(origin.get(`tag:${k}`)!);
    }

    let config: CellConfig;
    try {
      config = resolveConfig(cellInput, true);
    } catch (e) {
      if (e instanceof UsageError) {
        const src = origin.get(e.field);
        const msg = e.message.slice(e.field.length + 2);
        throw new UsageError(src ?? e.field, `${msg} (in the cell ${describePoint(cellInput)})`);
      }
      throw e;
    }
    // Tuning chooses on the validation set: a tuned cell needs one.
    if (setting.length > 0 && config.val === 0)
      throw new UsageError(origin.get('val') ?? 'val', `tuning (${sourceOf(sources, 'tune', tuneName!, setting[0][0])}) chooses on the validation set: val must be >= 1 (in the cell ${describePoint(cellInput)})`);
    // Option combinations an optimizer refuses at creation (e.g. an odd ES population) are refused now.
    const optKey = `${config.optimizer} ${JSON.stringify(config.options)}`;
    if (!checkedOptimizers.has(optKey)) {
      checkedOptimizers.add(optKey);
      try {
        getOptimizer(config.optimizer).create(new Float64Array(4), config.options, new Rng('validate'));
      } catch (e) {
        if (e instanceof UsageError) {
          const src = origin.get(e.field);
          const msg = e.message.slice(e.field.length + 2);
          throw new UsageError(src ?? e.field, `${msg} (optimizer ${config.optimizer}, in the cell ${describePoint(cellInput)})`);
        }
        // Anything else is a problem of the dummy vector, not of the options.
      }
    }
    // Memory and the largest step are checked for every cell before any cell runs.
    checkCellResources(config, 'cell', limit);
    const key = cellKey(config);
    const prev = byKey.get(key);
    if (prev) {
      if (variant !== undefined && prev.variant !== variant)
        throw new UsageError(
          `variants.${variant}`,
          `gives the same cells as variant ${prev.variant} (${describePoint(cellInput)}); variants must differ`,
        );
      return;
    }
    // The health option rides along with the config to the worker; it is not part of the key.
    if (spec.health) (config as SweepCellConfig).health = spec.health;
    const id = cellId(key);
    const clash = byId.get(id);
    if (clash !== undefined) throw new Error(`cell id collision between '${clash}' and '${key}'`);
    byId.set(id, key);
    const cell: Cell = { index: cells.length, key, id, config };
    if (variant !== undefined) cell.variant = variant;
    if (setting.length > 0) cell.tune = setting.map(([k]) => k);
    cells.push(cell);
    byKey.set(key, cell);
  };

  const rec = (i: number) => {
    if (i === axes.length) {
      for (const v of variantNames) {
        const { name, settings } = tuneOf(v, optimizerOf(v));
        for (const setting of settings) for (const s of seeds) emit(v, name, setting, s as number);
      }
      return;
    }
    for (const v of axes[i].values) {
      point[i] = v;
      rec(i + 1);
    }
  };
  rec(0);

  // Every key the spec sets must reach at least one cell.
  const all: [string, string][] = [
    ...Object.keys(spec.fixed).map((k): [string, string] => [`fixed:${k}`, sourceOf(sources, 'fixed', k)]),
    ...Object.keys(spec.grid)
      .filter((k) => k !== 'seed')
      .map((k): [string, string] => [`grid:${k}`, sourceOf(sources, 'grid', k)]),
    ...Object.entries(spec.optimizers).flatMap(([o, opts]) =>
      Object.keys(opts).map((k): [string, string] => [`optimizers:${o}:${k}`, sourceOf(sources, 'optimizers', o, k)]),
    ),
    ...Object.entries(spec.variants ?? {}).flatMap(([n, v]) =>
      Object.keys(v).map((k): [string, string] => [`variants:${n}:${k}`, sourceOf(sources, 'variants', n, k)]),
    ),
    ...Object.entries(spec.tune ?? {}).flatMap(([n, e]) => Object.keys(e).map((k): [string, string] => [`tune:${n}:${k}`, sourceOf(sources, 'tune', n, k)])),
  ];
  const cellOptimizers = [...new Set(cells.map((c) => c.config.optimizer))];
  const cellTasks = [...new Set(cells.map((c) => c.config.task))];
  for (const [tag, src] of all) {
    if (used.has(tag)) continue;
    // A per-optimizer block applies if that optimizer is used: blocks of unused optimizers in the file
    // are fine (an override like optimizer=bptt or variant=... must not break the file). An override
    // `ga.sigma=0.1` that no cell uses would silently do nothing: refused.
    if (tag.startsWith('optimizers:')) {
      if (!src.startsWith('override ')) continue;
      const opt = tag.split(':')[1];
      throw new UsageError(src, `an option of ${opt}, but no cell uses ${opt} (the cells' optimizers: ${cellOptimizers.join(', ')})`);
    }
    // The same for tune entries: one of an optimizer or variant no cell has is fine in the file.
    if (tag.startsWith('tune:')) {
      if (!src.startsWith('override ')) continue;
      const name = tag.split(':')[1];
      throw new UsageError(src, `no cell is of optimizer or variant ${name} (the cells' optimizers: ${cellOptimizers.join(', ')})`);
    }
    const key = tag.split(':').pop()!;
    if (key.startsWith('task.'))
      throw new UsageError(src, `not a parameter of the experiment's tasks (${cellTasks.map((t) => `${t}: ${getTask(t).params.map((p) => `task.${p.name}`).join(', ')}`).join('; ')})`);
    const owners = [...optimizers.values()].filter((o) => o.options.some((s) => s.name === key)).map((o) => o.name);
    throw new UsageError(src, `an option of ${owners.join(', ')}, but no cell uses ${owners.length > 1 ? 'them' : 'it'} (the cells' optimizers: ${cellOptimizers.join(', ')}; options of one optimizer go under optimizers.<name>)`);
  }
  return cells;
}

function describePoint(input: Record<string, ConfigValue>): string {
  return Object.entries(input)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ');
}

/** The cells of shard i of n: every n-th cell of the canonical order, starting at i. */
export function shardCells(cells: readonly Cell[], shard: { index: number; count: number } | undefined): Cell[] {
  if (!shard) return [...cells];
  return cells.filter((c) => c.index % shard.count === shard.index);
}

/** The folder of shard i of n inside a results folder; `index` may be a shell expression in a job script. */
export function shardFolderName(index: number | string, count: number): string {
  return `shard-${index}-of-${count}`;
}

/** Parses `i/n` (0 <= i < n). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new UsageError('--shard', `expected i/n such as 0/3, got '${text}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new UsageError('--shard', `n must be >= 1, got ${count}`);
  if (index >= count) throw new UsageError('--shard', `i must be in 0..${count - 1}, got ${index}`);
  return { index, count };
}

