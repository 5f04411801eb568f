/**
 * The experiment option `health` (default off): every cell also diagnoses its network at the start
 * (initial parameters) and at the end (trained parameters) at several K, with src/health/diagnose.ts.
 * The rows go to health.csv, the values at the cell's own K to cells.csv's health columns. It
 * measures, it does not change training: cells and their ids are the same with or without it.
 *
 * Each field's values are checked in one place, `healthFieldError`, whether they come from an
 * experiment file or from an override `health.<field>=value`.
 */
import { powersUpTo } from '../health/diagnose.js';
import { UsageError } from '../errors.js';

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

/** The fields of `health` and what each accepts, in HealthSpec's order. */
const HEALTH_FIELDS: Record<keyof HealthSpec, { min: number; max: number; help: string }> = {
  K: { min: 1, max: 100_000, help: 'an integer K >= 1' },
  samples: { min: 2, max: 1_000_000, help: 'an integer >= 2' },
  snr_batches: { min: 2, max: 100_000, help: 'an integer >= 2' },
  snr_batch: { min: 1, max: 100_000, help: 'an integer >= 1' },
  lyapunov_steps: { min: 0, max: 10_000_000, help: 'an integer >= 0 (0: no Lyapunov exponents)' },
  lyapunov_samples: { min: 1, max: 100_000, help: 'an integer >= 1' },
};

/** The field names, in HealthSpec's order. */
export const healthFields = Object.keys(HEALTH_FIELDS) as (keyof HealthSpec)[];

export function isHealthField(name: string): name is keyof HealthSpec {
  return Object.hasOwn(HEALTH_FIELDS, name);
}

/** What is wrong with a value of a field (one of K's values, for K), or undefined when it is valid. */
export function healthFieldError(field: keyof HealthSpec, value: unknown): string | undefined {
  const { min, max, help } = HEALTH_FIELDS[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) return `expected ${help}`;
  if (value > max) return `expected at most ${max}`;
  return undefined;
}

/** What a field expects, for messages that are not about one value. */
export function healthFieldHelp(field: keyof HealthSpec): string {
  return HEALTH_FIELDS[field].help;
}

/** The resolved `health` option (undefined: off); the Ks sorted, duplicates refused. */
export function resolveHealth(raw: boolean | Partial<HealthSpec> | undefined, field: string): HealthSpec | undefined {
  if (raw === undefined || raw === false) return undefined;
  const given = raw === true ? {} : raw;
  let K: number[] | undefined;
  if (given.K !== undefined) {
    const seen = new Set<number>();
    given.K.forEach((k, i) => {
      if (seen.has(k)) throw new UsageError(`${field}.K[${i}]`, `duplicate value ${k}`);
      seen.add(k);
    });
    K = [...given.K].sort((a, b) => a - b);
  }
  // Fields in HealthSpec's order (K first, then the defaults' order), so that the stored spec
  // (manifest.json) compares byte for byte.
  const out: HealthSpec = { ...(K === undefined ? {} : { K }), ...healthDefaults };
  for (const f of ['samples', 'snr_batches', 'snr_batch', 'lyapunov_steps', 'lyapunov_samples'] as const) if (given[f] !== undefined) out[f] = given[f];
  return out;
}

/** The Ks a cell is diagnosed at: the option's list (default 1, 2, 4, ... up to K) and the cell's K, ascending. */
export function healthKs(K: number, health: HealthSpec): number[] {
  const ks = new Set(health.K ?? powersUpTo(K));
  ks.add(K);
  return [...ks].sort((a, b) => a - b);
}
