/** Every registry entry: its defaults satisfy its own OptionSpec, and it runs with them. */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { getOptimizer, optimizerNames, optimizers } from '../../src/optimizers/index.js';
import type { OptionSpec, OptionValue } from '../../src/optimizers/types.js';
import { Quadratic } from './helpers.js';

function satisfies(spec: OptionSpec, v: OptionValue): void {
  switch (spec.kind) {
    case 'number':
    case 'int':
      expect(typeof v, spec.name).toBe('number');
      expect(Number.isFinite(v), spec.name).toBe(true);
      if (spec.kind === 'int') expect(Number.isInteger(v), spec.name).toBe(true);
      if (spec.zeroIsDefault && v === 0) break;
      if (spec.min !== undefined && spec.minExclusive) expect(v as number, spec.name).toBeGreaterThan(spec.min);
      else if (spec.min !== undefined) expect(v as number, spec.name).toBeGreaterThanOrEqual(spec.min);
      if (spec.max !== undefined) expect(v as number, spec.name).toBeLessThanOrEqual(spec.max);
      expect(spec.choices, spec.name).toBeUndefined();
      break;
    case 'enum':
      expect(spec.choices?.length, spec.name).toBeGreaterThan(0);
      expect(spec.choices, spec.name).toContain(v);
      expect(new Set(spec.choices).size, spec.name).toBe(spec.choices!.length);
      break;
    case 'bool':
      expect(typeof v, spec.name).toBe('boolean');
      break;
  }
}

test('the registry holds the evolutionary optimizers next to bptt', () => {
  expect(optimizerNames).toEqual(expect.arrayContaining(['bptt', 'ga', 'es', 'cmaes', 'random']));
  expect(new Set(optimizerNames).size).toBe(optimizerNames.length);
  expect(() => getOptimizer('nope')).toThrow(/optimizer/);
});

test('options shared by name between optimizers share their kind (one configuration namespace)', () => {
  const kinds = new Map<string, string>();
  for (const entry of optimizers.values()) {
    for (const spec of entry.options) {
      const k = kinds.get(spec.name);
      if (k !== undefined) expect(`${spec.name}:${spec.kind}`).toBe(`${spec.name}:${k}`);
      kinds.set(spec.name, spec.kind);
    }
  }
});

describe.each([...optimizers.values()])('$name', (entry) => {
  test('has a name, help, a citation and uniquely named options', () => {
    expect(entry.name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(entry.help.length).toBeGreaterThan(10);
    expect(entry.cite.length).toBeGreaterThan(5);
    const names = entry.options.map((o) => o.name);
    expect(new Set(names).size).toBe(names.length);
    for (const o of entry.options) {
      expect(o.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(o.help.length, o.name).toBeGreaterThan(3);
    }
  });

  test.each(entry.options.map((o) => [o.name, o] as const))('default of %s satisfies its spec', (_, spec) => {
    satisfies(spec, spec.default);
  });

  test('runs a few steps with its defaults and improves (or holds) on a quadratic', () => {
    const defaults: Record<string, OptionValue> = {};
    for (const o of entry.options) defaults[o.name] = o.default;
    const theta0 = new Float64Array(6);
    const opt = entry.create(theta0, defaults, new Rng(`registry/${entry.name}`));
    const obj = new Quadratic(6);
    const start = obj.loss(theta0);
    obj.calls = 0;
    let last = NaN;
    for (let s = 0; s < 20; s++) {
      const r = opt.step(obj);
      expect(r.diverged).toBe(false);
      expect(r.nonfinite).toBe(0);
      expect(Number.isFinite(r.loss)).toBe(true);
      for (const v of Object.values(r.metrics ?? {})) expect(typeof v).toBe('number');
      last = r.loss;
    }
    expect(obj.calls).toBeGreaterThan(0);
    expect(opt.solution()).toHaveLength(6);
    expect(last).toBeLessThan(start);
    expect(Array.from(theta0)).toEqual(new Array(6).fill(0)); // theta0 is not modified
  });
});
