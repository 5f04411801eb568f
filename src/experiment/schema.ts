/**
 * The shape of an experiment file, checked with zod, and its errors turned into UsageErrors that
 * name the JSON path of the field and what was expected. Values of configuration keys are checked
 * afterwards against the key registries (spec-keys.ts); the `health` fields here, with their one
 * check (health-option.ts).
 */
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { preview } from './config.js';
import { type HealthSpec, healthFieldError, healthFields } from './health-option.js';

const TOP_KEYS = ['name', 'description', 'seed', 'budget', 'target', 'grid', 'fixed', 'optimizers', 'variants', 'tune', 'health'] as const;
/** An experiment's or a variant's name (it names the results folder): at most 100 characters. */
export const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;

const scalar = z.union([z.number(), z.string(), z.boolean()], {
  error: 'expected a number, a string or true/false',
});
const value = z.union([z.number(), z.string(), z.boolean(), z.array(z.number(), { error: 'expected a list of numbers' })], {
  error: 'expected a number, a string, true/false or a list of integers',
});
const keyedValues = z.record(z.string(), value, { error: 'expected an object of key: value' });

/** A value of a health field, checked by the one rule that also checks overrides. */
const healthInt = (f: keyof HealthSpec) =>
  z.custom<number>((v) => healthFieldError(f, v) === undefined, { error: (issue) => healthFieldError(f, issue.input) });
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

/** The longest experiment description accepted, in characters. */
export const MAX_DESCRIPTION = 10_000;

/** An experiment file as zod checked it: types and names, not yet the values of configuration keys. */
export type RawExperiment = z.infer<typeof schema>;

const schema = z.strictObject(
  {
    name: z
      .string({ error: 'expected a string' })
      .max(100, { error: 'expected at most 100 characters (it names the results folder)' })
      .regex(NAME_RE, { error: 'expected letters, digits, and . _ + - (it names the results folder)' }),
    description: z
      .string({ error: 'expected a string' })
      .max(MAX_DESCRIPTION, { error: `expected at most ${MAX_DESCRIPTION} characters (it is copied into the manifest and the report)` })
      .optional(),
    seed: z
      .number({ error: 'expected an integer' })
      .int({ error: 'expected an integer' })
      .min(0, { error: 'expected an integer >= 0' })
      .max(Number.MAX_SAFE_INTEGER, { error: `expected an integer <= ${Number.MAX_SAFE_INTEGER}` })
      .optional(),
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
    tune: z
      .record(
        z.string(),
        z.record(
          z.string(),
          z.array(value, { error: 'expected a list of values to try, e.g. [0.001, 0.003, 0.01]' }).min(1, { error: 'expected a non-empty list of values' }),
          { error: 'expected an object of option: [values]' },
        ),
        { error: 'expected an object of optimizer or variant name: {option: [values]}' },
      )
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

/** The experiment file's JSON, checked; the first problem as a UsageError naming its field. */
export function checkSchema(json: unknown): RawExperiment {
  const r = schema.safeParse(json);
  if (!r.success) throw zodToUsage(r.error, json);
  return r.data;
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
    const allowed = path === '' ? TOP_KEYS.join(', ') : path === 'health' ? healthFields.join(', ') : '';
    return new UsageError(where, `unknown key${allowed ? ` (allowed: ${allowed})` : ''}`);
  }
  if (path === '') return new UsageError('experiment', 'expected a JSON object with at least "name"');
  const got = valueAt(json, issue.path);
  if (got === undefined) return new UsageError(path, 'required field is missing');
  const brief = typeof got === 'string' && got.length > 80 ? `a string of ${got.length} characters` : preview(got);
  return new UsageError(path, `${issue.message}, got ${brief}`);
}
