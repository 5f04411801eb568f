/**
 * The override grammar of the command line, both ways: applying overrides to an experiment, and
 * finding the overrides that turn one experiment into another.
 *
 * `kstep sweep x.json K=1,2,4,8 activation=tanh,relu seed=0..4 budget=2e6`: one value sets `fixed`
 * (or the base seed), several values set a grid axis; `a..b` is an integer range; a list-valued
 * key takes brackets for several values (`hidden=[16],[32,32]`); `ga.sigma=0.1` sets a per-optimizer
 * option; `variant=bptt,ga` keeps only those variants; `health=true|false` and `health.<field>=v`
 * (`health.K=1,2,4,8`) set the health option; `tune.<optimizer or variant>.<option>=v1,v2` sets the
 * values tuned, `tune=false` drops the tune section. An override replaces the key wherever the file
 * set it (a tuned option included).
 */
import { UsageError } from '../errors.js';
import { optimizers } from '../optimizers/index.js';
import { type ConfigValue, parseDecimal } from './config.js';
import { type HealthSpec, healthFieldError, healthFieldHelp, healthFields, isHealthField, resolveHealth } from './health-option.js';
import { checkKey, checkOptimizerOptions, parseList } from './spec-keys.js';
import { type ExperimentSpec, type ParsedExperiment, type Sources, parseTuneValues } from './spec.js';

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
  if (!isHealthField(name)) throw new UsageError(field, `unknown health field '${name}' (allowed: ${healthFields.join(', ')})`);
  const parts = splitTopLevel(text.replace(/^\[|\]$/g, ''), field);
  const nums = parts.map((p) => {
    const n = parseDecimal(p);
    const problem = healthFieldError(name, n);
    if (problem) throw new UsageError(field, `${problem}, got '${p}'`);
    return n;
  });
  if (name !== 'K' && nums.length !== 1) throw new UsageError(field, `expected one value (${healthFieldHelp(name)})`);
  const current: Partial<HealthSpec> = spec.health ?? {};
  spec.health = resolveHealth({ ...current, [name]: name === 'K' ? nums : nums[0] }, field);
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
    if (key === 'tune') {
      if (text.trim() !== 'false') throw new UsageError(field, `expected tune=false (no tuning) or tune.<optimizer or variant>.<option>=v1,v2, got '${text}'`);
      delete spec.tune;
      continue;
    }
    if (key.startsWith('tune.')) {
      // Option names have no dots, variant names may: the option is after the last one.
      const dot = key.lastIndexOf('.');
      const name = key.slice('tune.'.length, dot);
      const option = key.slice(dot + 1);
      if (dot <= 'tune.'.length || option === '') throw new UsageError(field, 'expected tune.<optimizer or variant>.<option>=v1,v2 (e.g. tune.bptt.lr=0.001,0.003,0.01)');
      const values = parseTuneValues(name, option, splitTopLevel(text, field), spec.variants, spec.grid, field, 'text');
      spec.tune = { ...spec.tune, [name]: { ...spec.tune?.[name], [option]: values } };
      sources.set(`tune:${name}:${option}`, field);
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
      // A value set for the optimizer is not tuned any more.
      dropTuned(spec, option, opt);
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
    dropTuned(spec, key);
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

/** Removes `key` from the tune entries (of `name` only, when given), and entries and a section left empty. */
function dropTuned(spec: ExperimentSpec, key: string, name?: string): void {
  if (!spec.tune) return;
  for (const [n, entry] of Object.entries(spec.tune)) {
    if (name !== undefined && n !== name) continue;
    delete entry[key];
    if (Object.keys(entry).length === 0) delete spec.tune[n];
  }
  if (Object.keys(spec.tune).length === 0) delete spec.tune;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** One value as an override writes it: lists in brackets. */
function overrideValue(v: ConfigValue): string {
  return Array.isArray(v) ? `[${v.join(',')}]` : String(v);
}

/**
 * The inverse of applyOverrides: overrides that turn `base` into `target` (`K=1,4 seed=0..2
 * health=true`), checked by applying them. [] when the specs are the same; undefined when the
 * difference is not expressible as overrides (e.g. a key the target dropped).
 */
export function overridesBetween(base: ParsedExperiment, target: ExperimentSpec): string[] | undefined {
  const b = base.spec;
  const t = target;
  const ov: string[] = [];
  if (t.variants && b.variants && !same(Object.keys(t.variants), Object.keys(b.variants))) ov.push(`variant=${Object.keys(t.variants).join(',')}`);
  if (t.seed !== b.seed) ov.push(`seed=${t.seed}`);
  for (const [k, v] of Object.entries(t.fixed)) if (!same(v, b.fixed[k])) ov.push(`${k}=${overrideValue(v)}`);
  for (const [k, v] of Object.entries(t.grid)) if (!same(v, b.grid[k])) ov.push(`${k}=${v.map(overrideValue).join(',')}`);
  for (const [o, opts] of Object.entries(t.optimizers))
    for (const [k, v] of Object.entries(opts)) if (!same(v, b.optimizers[o]?.[k])) ov.push(`${o}.${k}=${overrideValue(v)}`);
  try {
    // Tuning, against what the overrides so far leave (they drop tuned keys they set): the entries
    // that differ; when the target lacks one that is left, none then all of its own.
    const bt = applyOverrides(base, ov).spec.tune ?? {};
    const tt = t.tune ?? {};
    const lacks = Object.entries(bt).some(([n, e]) => Object.keys(e).some((k) => tt[n]?.[k] === undefined));
    if (lacks) ov.push('tune=false');
    for (const [n, e] of Object.entries(tt))
      for (const [k, vs] of Object.entries(e)) if (lacks || !same(vs, bt[n]?.[k])) ov.push(`tune.${n}.${k}=${vs.map(overrideValue).join(',')}`);
    if (t.health && !b.health) ov.push('health=true');
    if (!t.health && b.health) ov.push('health=false');
    if (t.health) {
      // The health fields the overrides so far leave different (health=true brings the defaults).
      const h = applyOverrides(base, ov).spec.health;
      for (const f of healthFields) {
        const v = t.health[f];
        if (v !== undefined && !same(v, h?.[f])) ov.push(`health.${f}=${Array.isArray(v) ? v.join(',') : String(v)}`);
      }
    }
    return same(applyOverrides(base, ov).spec, t) ? ov : undefined;
  } catch (e) {
    if (e instanceof UsageError) return undefined;
    throw e;
  }
}
