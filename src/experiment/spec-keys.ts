/**
 * The keys of an experiment's grid, fixed values, variants and overrides, and their values: every
 * key is a key of the one configuration namespace (config.ts), a task parameter `task.<param>` of
 * some task, or an option of some optimizer. Values are parsed here by their key's kind; ranges of options
 * and task parameters, which depend on the cell, are checked per cell by resolveConfig.
 */
import { allTasks } from '../core/tasks.js';
import { UsageError } from '../errors.js';
import { optimizerNames, optimizers } from '../optimizers/index.js';
import type { OptionSpec, OptionValue } from '../optimizers/types.js';
import { type ConfigValue, type KeySpec, cellKeys, parseValue } from './config.js';

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
    if (allTasks().some(([, t]) => t.params.some((q) => q.name === p)))
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

export function checkKey(key: string, field: string): KeyInfo {
  const info = keyInfo(key);
  if (info) return info;
  if (key.startsWith('task.')) {
    const params = allTasks().map(([k, t]) => `${k}: ${t.params.map((p) => `task.${p.name}`).join(', ')}`).join('; ');
    throw new UsageError(field, `unknown task parameter (${params})`);
  }
  throw new UsageError(field, `unknown key '${key}' (allowed: ${allowedKeysHint()})`);
}

/** A sweep larger than this is almost certainly a typo (e.g. seed=0..1000000). */
export const MAX_CELLS = 100_000;

/**
 * Parses a value for a key; enums of options are checked against all their optimizers' choices.
 * `from`: `json` for a file's values (typed), `text` for the command line's (parsed).
 */
export function parseFor(key: string, raw: unknown, field: string, from: 'text' | 'json' = 'text'): ConfigValue {
  const info = checkKey(key, field);
  return parseValue(info.spec, raw, field, from);
}

/** A value's identity for duplicate checks: typed, so 1 and "1" differ, and lists compare by entries. */
function valueId(v: ConfigValue): string {
  return Array.isArray(v) ? `[${v.join(',')}]` : `${typeof v}:${String(v)}`;
}

/**
 * The values of one axis, parsed, duplicates refused. More values than MAX_CELLS are refused before
 * any is parsed (no axis of a sweep can have more), and the duplicate check is linear.
 */
export function parseList(key: string, raws: readonly unknown[], field: string, indexed = true, from: 'text' | 'json' = 'text'): ConfigValue[] {
  if (raws.length > MAX_CELLS) throw new UsageError(field, `${raws.length} values, more than the limit of ${MAX_CELLS} cells`);
  const out: ConfigValue[] = [];
  const seen = new Set<string>();
  raws.forEach((raw, i) => {
    const at = indexed ? `${field}[${i}]` : field;
    const v = parseFor(key, raw, at, from);
    const id = valueId(v);
    if (seen.has(id)) throw new UsageError(at, `duplicate value ${JSON.stringify(v)}`);
    seen.add(id);
    out.push(v);
  });
  return out;
}

export function checkOptimizerOptions(
  opt: string,
  options: Record<string, unknown>,
  field: string,
  exact = false,
  from: 'text' | 'json' = 'text',
): Record<string, OptionValue> {
  const at = (k: string) => (exact ? field : `${field}.${k}`);
  const entry = optimizers.get(opt);
  if (!entry) throw new UsageError(field, `unknown optimizer '${opt}' (allowed: ${optimizerNames.join(', ')})`);
  const out: Record<string, OptionValue> = {};
  for (const [k, raw] of Object.entries(options)) {
    const spec = entry.options.find((s) => s.name === k);
    if (!spec) throw new UsageError(at(k), `not an option of ${opt} (its options: ${entry.options.map((s) => s.name).join(', ')})`);
    out[k] = parseValue(spec, raw, at(k), from) as OptionValue;
  }
  return out;
}
