/**
 * The check of a task that came from a user module: every field of the task contract
 * (core/tasks.ts `Task`) with its type, then one made instance, one initial state drawn from a fixed
 * stream and stepped once (and its Jacobian, when the module has one), all finite. A module that
 * passes is used exactly like a built-in task; one that fails is refused with one line naming the
 * field, before anything is run or written.
 */
import type { FeatureMap } from '../core/features.js';
import { Rng } from '../core/rng.js';
import type { Task, TaskInstance, TaskParam } from '../core/tasks.js';

/** A task name is used in stream names (`data/<name>`) and tables: a short word. */
const TASK_NAME_RE = /^[A-Za-z][A-Za-z0-9_.+-]{0,63}$/;
/** A parameter is written `task.<name>` in keys, overrides and CSV columns. */
const PARAM_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Why `value` is not a task, in one line naming the field; undefined when it is one. */
export function taskProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return `the default export must be a task object, got ${describe(value)}`;
  const t = value as Record<string, unknown>;
  if (typeof t.name !== 'string' || !TASK_NAME_RE.test(t.name))
    return `name must be a word of letters, digits and _ . + - starting with a letter, got ${describe(t.name)}`;
  if (t.help !== undefined && typeof t.help !== 'string') return `help must be a string, got ${describe(t.help)}`;
  if (typeof t.D !== 'number' || !Number.isInteger(t.D) || t.D < 1) return `D must be a positive integer, got ${describe(t.D)}`;
  if (!Array.isArray(t.params)) return `params must be an array of { name, default, help?, min?, max? }, got ${describe(t.params)}`;
  const seen = new Set<string>();
  for (let i = 0; i < t.params.length; i++) {
    const problem = paramProblem(t.params[i], `params[${i}]`, seen);
    if (problem) return problem;
  }
  if (typeof t.make !== 'function') return `make must be a function (params) => instance, got ${describe(t.make)}`;
  if (t.features !== undefined) {
    if (!Array.isArray(t.features)) return `features must be an array of feature maps { name, help?, dim, apply, vjp? }, got ${describe(t.features)}`;
    for (let i = 0; i < t.features.length; i++) {
      const problem = featureProblem(t.features[i], `features[${i}]`, t.D as number);
      if (problem) return problem;
    }
  }
  return undefined;
}

/**
 * Why a module's feature map cannot be used: its fields, then phi of one state drawn from a fixed
 * stream, all finite (a name already taken is refused when the map is registered). A map without
 * `vjp` is valid: only the evolutionary optimizers can train a net through it.
 */
function featureProblem(value: unknown, at: string, D: number): string | undefined {
  if (value === null || typeof value !== 'object') return `${at} must be an object { name, help?, dim, apply, vjp? }, got ${describe(value)}`;
  const f = value as Record<string, unknown>;
  if (typeof f.name !== 'string' || !TASK_NAME_RE.test(f.name)) return `${at}.name must be a word of letters, digits and _ . + - starting with a letter, got ${describe(f.name)}`;
  if (f.help !== undefined && typeof f.help !== 'string') return `${at}.help must be a string, got ${describe(f.help)}`;
  for (const k of ['dim', 'apply'] as const) if (typeof f[k] !== 'function') return `${at}.${k} must be a function, got ${describe(f[k])}`;
  if (f.vjp !== undefined && typeof f.vjp !== 'function') return `${at}.vjp must be a function or absent, got ${describe(f.vjp)}`;
  const map = f as unknown as FeatureMap;
  let F: number;
  try {
    F = map.dim(D);
  } catch (e) {
    return `${at}.dim threw: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
  if (!Number.isInteger(F) || F < 1 || F > 4096) return `${at}.dim(${D}) must be an integer in 1..4096, got ${describe(F)}`;
  const o = new Float64Array(D);
  const rng = new Rng('task-check/features');
  for (let d = 0; d < D; d++) o[d] = rng.normal();
  const out = new Float64Array(F).fill(NaN);
  try {
    map.apply(o, 0, D, out, 0);
  } catch (e) {
    return `${at}.apply threw: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  }
  const bad = firstNonFinite(out);
  if (bad !== undefined) return `${at}.apply left a non-finite value (${out[bad]}) at feature ${bad} of ${F}`;
  return undefined;
}

function paramProblem(value: unknown, at: string, seen: Set<string>): string | undefined {
  if (value === null || typeof value !== 'object') return `${at} must be an object { name, default, help?, min?, max? }, got ${describe(value)}`;
  const p = value as Record<string, unknown>;
  if (typeof p.name !== 'string' || !PARAM_NAME_RE.test(p.name)) return `${at}.name must be an identifier (letters, digits, _), got ${describe(p.name)}`;
  if (seen.has(p.name)) return `${at}.name: duplicate parameter '${p.name}'`;
  seen.add(p.name);
  if (p.help !== undefined && typeof p.help !== 'string') return `${at}.help must be a string, got ${describe(p.help)}`;
  for (const k of ['default', 'min', 'max'] as const) {
    const v = p[k];
    if (k !== 'default' && v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${at}.${k} must be a finite number, got ${describe(v)}`;
  }
  const d = p.default as number;
  if (typeof p.min === 'number' && d < p.min) return `${at}.default ${d} is below its min ${p.min}`;
  if (typeof p.max === 'number' && d > p.max) return `${at}.default ${d} is above its max ${p.max}`;
  return undefined;
}

/** Why the task's instance at its defaults is not usable, in one line; undefined when it is. */
export function instanceProblem(task: Task): string | undefined {
  const defaults: Record<string, number> = {};
  for (const p of task.params) defaults[p.name] = p.default;
  let inst: TaskInstance;
  const threw = (what: string, e: unknown) => `${what} threw: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  try {
    inst = task.make({ ...defaults });
  } catch (e) {
    return threw('make(defaults)', e);
  }
  if (inst === null || typeof inst !== 'object') return `make(defaults) must return an instance object, got ${describe(inst)}`;
  const r = inst as unknown as Record<string, unknown>;
  if (r.name !== task.name) return `make(defaults).name must be the task's name ${JSON.stringify(task.name)}, got ${describe(r.name)}`;
  if (r.D !== task.D) return `make(defaults).D must be the task's D ${task.D}, got ${describe(r.D)}`;
  if (r.params === null || typeof r.params !== 'object') return `make(defaults).params must be the parameter values, got ${describe(r.params)}`;
  for (const k of ['step', 'sample'] as const) if (typeof r[k] !== 'function') return `make(defaults).${k} must be a function, got ${describe(r[k])}`;
  if (r.jacobian !== undefined && typeof r.jacobian !== 'function') return `make(defaults).jacobian must be a function or absent, got ${describe(r.jacobian)}`;

  // One state from a fixed stream, stepped once: buffers start as NaN so that an unwritten entry shows.
  const D = task.D;
  const x = new Float64Array(D).fill(NaN);
  try {
    inst.sample(new Rng('kstep/task-check'), x, 0);
  } catch (e) {
    return threw('sample', e);
  }
  const bad = firstNonFinite(x);
  if (bad !== undefined) return `sample wrote a non-finite value (${x[bad]}) at index ${bad} of ${D}: it must fill out[oo..oo+D) with finite numbers`;
  const y = new Float64Array(D).fill(NaN);
  try {
    inst.step(x, 0, y, 0);
  } catch (e) {
    return threw('step', e);
  }
  const badStep = firstNonFinite(y);
  if (badStep !== undefined) return `step wrote a non-finite value (${y[badStep]}) at index ${badStep} of ${D} from the sampled state [${Array.from(x).join(', ')}]`;
  if (inst.jacobian) {
    const J = new Float64Array(D * D).fill(NaN);
    try {
      inst.jacobian(x, 0, J);
    } catch (e) {
      return threw('jacobian', e);
    }
    const badJ = firstNonFinite(J);
    if (badJ !== undefined) return `jacobian wrote a non-finite value (${J[badJ]}) at index ${badJ} of the D x D = ${D * D} entries`;
  }
  return undefined;
}

function firstNonFinite(a: Float64Array): number | undefined {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return undefined;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (Array.isArray(v)) return 'an array';
  return 'an object';
}

/** The parameters of a checked task, typed (help defaults to ''). */
export function checkedParams(task: Task): TaskParam[] {
  return task.params.map((p) => ({ ...p, help: p.help ?? '' }));
}
