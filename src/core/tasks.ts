/**
 * Task registry: the ground-truth systems. A task has a state dimension D, a true step f, an
 * initial-state sampler and named parameters a user can override (`task.r=3.9`). Targets are
 * y = f^K(o_0); the feature map belongs to the net, not to the task.
 *
 * The built-in tasks are listed here; tasks of user modules are added at run time by
 * `registerTask` under their module's absolute path (experiment/task-module.ts loads and checks
 * them), so every lookup by a cell's `task` value goes through `getTask` alike. Data files register
 * the same way with their pairs (`registerData`).
 */
import { UsageError, unknownName } from '../errors.js';
import type { RecordedPairs } from './pairs.js';
import type { FeatureMap } from './features.js';
import type { Rng } from './rng.js';

export interface TaskParam {
  readonly name: string;
  readonly default: number;
  readonly help: string;
  readonly min?: number;
  readonly max?: number;
}

/** A task with its parameters fixed. */
export interface TaskInstance {
  readonly name: string;
  readonly D: number;
  readonly params: Readonly<Record<string, number>>;
  /** out[oo..oo+D) = f(o[io..io+D)); out may alias o only if io === oo. */
  step(o: Float64Array, io: number, out: Float64Array, oo: number): void;
  /**
   * Jacobian of f at o, row-major D x D: J[i*D + j] = d f_i / d o_j. Optional: without it the
   * task's Lyapunov exponents are not available (NaN, an empty CSV field); nothing else needs it.
   */
  jacobian?(o: Float64Array, io: number, J: Float64Array): void;
  /** Draws one initial state into out[oo..oo+D). */
  sample(rng: Rng, out: Float64Array, oo: number): void;
}

export interface Task {
  readonly name: string;
  readonly help: string;
  readonly D: number;
  readonly params: readonly TaskParam[];
  make(p: Record<string, number>): TaskInstance;
  /** A module's own feature maps, registered when it is loaded (`--features <name>`); vjp optional. */
  readonly features?: readonly FeatureMap[];
}

const rotation: Task = {
  name: 'rotation',
  help: '2-D linear map rho * R(theta) o: contracting, the well-behaved baseline',
  D: 2,
  params: [
    { name: 'rho', default: 0.95, help: 'contraction factor (spectral radius)', min: 0 },
    { name: 'theta', default: 0.5, help: 'rotation angle per step, radians' },
  ],
  make(p) {
    const a = p.rho * Math.cos(p.theta);
    const b = p.rho * Math.sin(p.theta);
    return {
      name: 'rotation',
      D: 2,
      params: p,
      step(o, io, out, oo) {
        const x = o[io];
        const y = o[io + 1];
        out[oo] = a * x - b * y;
        out[oo + 1] = b * x + a * y;
      },
      jacobian(_o, _io, J) {
        J[0] = a;
        J[1] = -b;
        J[2] = b;
        J[3] = a;
      },
      sample(rng, out, oo) {
        out[oo] = rng.normal();
        out[oo + 1] = rng.normal();
      },
    };
  },
};

const pendulum: Task = {
  name: 'pendulum',
  help: 'damped pendulum (angle, velocity), one semi-implicit Euler step of size dt',
  D: 2,
  params: [
    { name: 'g', default: 9.81, help: 'gravity, m/s^2', min: 0 },
    { name: 'length', default: 1, help: 'length, m', min: 1e-9 },
    { name: 'damping', default: 0.5, help: 'velocity damping, 1/s', min: 0 },
    { name: 'dt', default: 0.05, help: 'time step, s', min: 1e-9 },
  ],
  make(p) {
    const w2 = p.g / p.length;
    const { damping: c, dt } = p;
    return {
      name: 'pendulum',
      D: 2,
      params: p,
      step(o, io, out, oo) {
        const th = o[io];
        const v = o[io + 1] + dt * (-w2 * Math.sin(th) - c * o[io + 1]);
        out[oo] = th + dt * v;
        out[oo + 1] = v;
      },
      jacobian(o, io, J) {
        const k = -dt * w2 * Math.cos(o[io]);
        const m = 1 - dt * c;
        J[0] = 1 + dt * k;
        J[1] = dt * m;
        J[2] = k;
        J[3] = m;
      },
      sample(rng, out, oo) {
        out[oo] = rng.between(-2, 2);
        out[oo + 1] = rng.between(-1, 1);
      },
    };
  },
};

const logistic: Task = {
  name: 'logistic',
  help: 'logistic map r x (1 - x): r = 3.2 periodic, 3.9 chaotic, 4 fully chaotic',
  D: 1,
  params: [{ name: 'r', default: 3.9, help: 'growth rate', min: 0, max: 4 }],
  make(p) {
    const { r } = p;
    return {
      name: 'logistic',
      D: 1,
      params: p,
      step(o, io, out, oo) {
        out[oo] = r * o[io] * (1 - o[io]);
      },
      jacobian(o, io, J) {
        J[0] = r * (1 - 2 * o[io]);
      },
      sample(rng, out, oo) {
        out[oo] = rng.uniform();
      },
    };
  },
};

/**
 * Lorenz (1963), advanced by one classical RK4 step. The state is held in units of `scale` so that
 * a network sees O(1) inputs; the dynamics are those of x = scale * o.
 */
const lorenz: Task = {
  name: 'lorenz',
  help: 'Lorenz system, one RK4 step of size dt, state in units of scale',
  D: 3,
  params: [
    { name: 'sigma', default: 10, help: 'Prandtl number' },
    { name: 'rho', default: 28, help: 'Rayleigh number' },
    { name: 'beta', default: 8 / 3, help: 'geometric factor' },
    { name: 'dt', default: 0.01, help: 'RK4 step size', min: 1e-9 },
    { name: 'scale', default: 10, help: 'state unit: o = x / scale', min: 1e-9 },
    { name: 'burnin', default: 500, help: 'steps from a random point onto the attractor when sampling', min: 0 },
  ],
  make(p) {
    const { sigma, rho, beta, dt, scale } = p;
    // Vector field in scaled units: d o/dt = F(scale o) / scale.
    const field = (x: number, y: number, z: number, k: Float64Array, ko: number) => {
      k[ko] = sigma * (y - x);
      k[ko + 1] = (x * (rho - scale * z) - y);
      k[ko + 2] = scale * x * y - beta * z;
    };
    // Tangent of the field: dF = A(o) do, with A the field's Jacobian in scaled units.
    const tangent = (x: number, y: number, z: number, v: Float64Array, vo: number, k: Float64Array, ko: number) => {
      const dx = v[vo];
      const dy = v[vo + 1];
      const dz = v[vo + 2];
      k[ko] = sigma * (dy - dx);
      k[ko + 1] = (rho - scale * z) * dx - dy - scale * x * dz;
      k[ko + 2] = scale * (y * dx + x * dy) - beta * dz;
    };
    const k = new Float64Array(12);
    const s = new Float64Array(3);
    const rk4 = (o: Float64Array, io: number, out: Float64Array, oo: number) => {
      const x = o[io];
      const y = o[io + 1];
      const z = o[io + 2];
      field(x, y, z, k, 0);
      field(x + 0.5 * dt * k[0], y + 0.5 * dt * k[1], z + 0.5 * dt * k[2], k, 3);
      field(x + 0.5 * dt * k[3], y + 0.5 * dt * k[4], z + 0.5 * dt * k[5], k, 6);
      field(x + dt * k[6], y + dt * k[7], z + dt * k[8], k, 9);
      for (let d = 0; d < 3; d++) out[oo + d] = o[io + d] + (dt / 6) * (k[d] + 2 * k[3 + d] + 2 * k[6 + d] + k[9 + d]);
    };
    return {
      name: 'lorenz',
      D: 3,
      params: p,
      step: rk4,
      jacobian(o, io, J) {
        // Exact Jacobian of the RK4 step: propagate each unit tangent through the four stages.
        const x = o[io];
        const y = o[io + 1];
        const z = o[io + 2];
        const st = new Float64Array(9);
        field(x, y, z, st, 0);
        field(x + 0.5 * dt * st[0], y + 0.5 * dt * st[1], z + 0.5 * dt * st[2], st, 3);
        field(x + 0.5 * dt * st[3], y + 0.5 * dt * st[4], z + 0.5 * dt * st[5], st, 6);
        const p2 = [x + 0.5 * dt * st[0], y + 0.5 * dt * st[1], z + 0.5 * dt * st[2]];
        const p3 = [x + 0.5 * dt * st[3], y + 0.5 * dt * st[4], z + 0.5 * dt * st[5]];
        const p4 = [x + dt * st[6], y + dt * st[7], z + dt * st[8]];
        const dk = new Float64Array(12);
        const v = new Float64Array(3);
        for (let j = 0; j < 3; j++) {
          v.fill(0);
          v[j] = 1;
          tangent(x, y, z, v, 0, dk, 0);
          for (let d = 0; d < 3; d++) s[d] = v[d] + 0.5 * dt * dk[d];
          tangent(p2[0], p2[1], p2[2], s, 0, dk, 3);
          for (let d = 0; d < 3; d++) s[d] = v[d] + 0.5 * dt * dk[3 + d];
          tangent(p3[0], p3[1], p3[2], s, 0, dk, 6);
          for (let d = 0; d < 3; d++) s[d] = v[d] + dt * dk[6 + d];
          tangent(p4[0], p4[1], p4[2], s, 0, dk, 9);
          for (let i = 0; i < 3; i++) J[i * 3 + j] = v[i] + (dt / 6) * (dk[i] + 2 * dk[3 + i] + 2 * dk[6 + i] + dk[9 + i]);
        }
      },
      sample(rng, out, oo) {
        const o = new Float64Array([rng.between(-1, 1), rng.between(-1, 1), rng.between(0.5, 4)]);
        for (let i = 0; i < p.burnin; i++) rk4(o, 0, o, 0);
        out.set(o, oo);
      },
    };
  },
};

const list = [rotation, pendulum, logistic, lorenz];
/** The built-in tasks, by name. */
export const tasks: ReadonlyMap<string, Task> = new Map(list.map((t) => [t.name, t]));
/** The built-in tasks' names. */
export const taskNames: readonly string[] = list.map((t) => t.name);

/** Tasks of user modules, by the module's absolute path (the value of a cell's `task` key). */
const registered = new Map<string, Task>();

/** Adds a checked task of a user module under its key (the module's absolute path). */
export function registerTask(key: string, task: Task): void {
  if (tasks.has(key)) throw new Error(`registerTask: '${key}' is a built-in task`);
  registered.set(key, task);
}

/** The recorded pairs of data tasks, by their `task` value (`data:` and the file's absolute path). */
const recorded = new Map<string, RecordedPairs>();

/**
 * Adds a data task: recorded pairs in place of a true map. Its instance has no step and no sampler
 * (they throw: whatever needs them, one-step and extrapolation nmse, the health diagnostics, the
 * Lyapunov exponents, is not available for it); the objective draws from the pairs instead.
 */
export function registerData(key: string, pairs: RecordedPairs): void {
  const noMap = (): never => {
    throw new Error(`task ${key} is a data file: it has no true map`);
  };
  registerTask(key, {
    name: pairs.name,
    help: `data file ${key.replace(/^data:/, '')}`,
    D: pairs.D,
    params: [],
    make: (p) => ({ name: pairs.name, D: pairs.D, params: p, step: noMap, sample: noMap }),
  });
  recorded.set(key, pairs);
}

/** The recorded pairs of a data task; undefined for a task with a true map. */
export function recordedPairs(key: string): RecordedPairs | undefined {
  return recorded.get(key);
}

/** The keys of the registered module tasks, sorted (a fixed order whatever order they were loaded in). */
export function moduleTaskKeys(): string[] {
  return [...registered.keys()].sort();
}

/** Whether a `task` value names a task: a built-in or a registered module. */
export function hasTask(key: string): boolean {
  return tasks.has(key) || registered.has(key);
}

/** Every known task with its key: the built-ins, then the module tasks in key order. */
export function allTasks(): [string, Task][] {
  return [...tasks.entries(), ...moduleTaskKeys().map((k): [string, Task] => [k, registered.get(k)!])];
}

export function getTask(key: string): Task {
  const t = tasks.get(key) ?? registered.get(key);
  if (!t) throw unknownName('task', key, taskNames);
  return t;
}

/** The task with its defaults overridden by `overrides` (keys are parameter names, without `task.`). */
export function makeTask(name: string, overrides: Record<string, number> = {}): TaskInstance {
  const task = getTask(name);
  const values: Record<string, number> = {};
  for (const p of task.params) values[p.name] = p.default;
  for (const [key, v] of Object.entries(overrides)) {
    const p = task.params.find((q) => q.name === key);
    if (!p) {
      const allowed = task.params.map((q) => `task.${q.name}`).join(', ');
      throw new UsageError(`task.${key}`, `unknown parameter of task ${name} (allowed: ${allowed})`);
    }
    if (!Number.isFinite(v)) throw new UsageError(`task.${key}`, `must be a finite number, got ${v}`);
    if (p.min !== undefined && v < p.min) throw new UsageError(`task.${key}`, `must be >= ${p.min}, got ${v}`);
    if (p.max !== undefined && v > p.max) throw new UsageError(`task.${key}`, `must be <= ${p.max}, got ${v}`);
    values[key] = v;
  }
  return task.make(values);
}
