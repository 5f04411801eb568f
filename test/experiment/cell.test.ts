// One cell end to end: it learns the baseline task, it is reproducible from its seed, a blow-up is
// a result (status `diverged`), and bad configurations are refused naming the field.
import { beforeAll, describe, expect, it } from 'vitest';
import { type CellResult, runCell } from '../../src/experiment/cell.js';
import { cellKey, resolveConfig } from '../../src/experiment/config.js';
import { getOptimizer, optimizers } from '../../src/optimizers/index.js';

/** The result without its timing, for bit-for-bit comparisons. */
const untimed = (r: CellResult) => ({ ...r, wall_ms: 0 });

describe('runCell', () => {
  it('rotation, K = 4, tanh, budget 2e6, seed 1 reaches test nmse < 1e-2', () => {
    const cfg = resolveConfig({ task: 'rotation', K: 4, activation: 'tanh', budget: 2e6, seed: 1 });
    const r = runCell(cfg);
    expect(r.status).toBe('reached');
    expect(r.eval.test_nmse).toBeLessThan(1e-2);
    expect(r.eval.train_nmse).toBeLessThan(1e-2);
    // Reached: the training nmse met the target (1e-3) within the budget, and that is when it stopped.
    expect(r.cost).toBeLessThanOrEqual(2e6 + 3 * 256 * 4);
    expect(r.cost_to_target).toBe(r.cost);
    // A full-batch BPTT step costs 3 B K.
    expect(r.cost).toBe(r.iterations * 3 * 256 * 4);
    expect(r.key).toBe(cellKey(cfg));
    // The curve starts untrained at cost 0, is ordered by cost and ends at the final cost, far lower.
    expect(r.curve[0].cost).toBe(0);
    for (let i = 1; i < r.curve.length; i++) expect(r.curve[i].cost).toBeGreaterThan(r.curve[i - 1].cost);
    expect(r.curve[r.curve.length - 1].cost).toBe(r.cost);
    expect(r.curve[r.curve.length - 1].nmse).toBeLessThan(r.curve[0].nmse / 100);
    // Probes at start and end: K + 1 adjoint norms, and the loss fell.
    expect(r.start.adjoints).toHaveLength(5);
    expect(r.end.adjoints).toHaveLength(5);
    expect(r.end.loss).toBeLessThan(r.start.loss / 100);
    expect(r.theta).toHaveLength(2 * 32 + 32 + 32 * 32 + 32 + 32 * 2 + 2);
  });

  const small = { task: 'rotation', K: 4, activation: 'tanh', hidden: [16], train: 64, test: 64, budget: 2e5 };

  it('the same config twice gives identical results except wall_ms', () => {
    const a = runCell(resolveConfig({ ...small, seed: 3 }));
    const b = runCell(resolveConfig({ ...small, seed: 3 }));
    expect(a.iterations).toBeGreaterThan(10);
    expect(untimed(a)).toEqual(untimed(b));
    expect(a.wall_ms).toBeGreaterThan(0);
  });

  it('different seeds give different data, initial networks and results', () => {
    const a = runCell(resolveConfig({ ...small, seed: 3 }));
    const b = runCell(resolveConfig({ ...small, seed: 4 }));
    expect(a.start.loss).not.toBe(b.start.loss);
    expect(a.eval.test_nmse).not.toBe(b.eval.test_nmse);
    expect(a.theta).not.toEqual(b.theta);
  });

  it('an absurd learning rate ends with status diverged and a full record, not a throw', () => {
    const cfg = resolveConfig({ task: 'rotation', K: 4, activation: 'identity', lr: 1e6, method: 'sgd', budget: 2e5, seed: 1 });
    let r: CellResult | undefined;
    expect(() => {
      r = runCell(cfg);
    }).not.toThrow();
    r = r!;
    expect(r.status).toBe('diverged');
    expect(r.nonfinite).toBeGreaterThan(0);
    expect(r.cost).toBeLessThan(2e5);
    expect(r.end.label).toBe('nonfinite');
    expect(Number.isNaN(r.cost_to_target)).toBe(true);
    // Every metric is a number: finite, NaN, or an overflow to +Infinity (nmse is >= 0).
    const numbers = [...Object.values(r.eval), r.end.loss, r.end.grad_norm, r.end.ratio, r.end.rate, ...r.curve.map((p) => p.nmse)];
    for (const v of numbers) {
      expect(typeof v).toBe('number');
      expect(Number.isFinite(v) || Number.isNaN(v) || v === Infinity).toBe(true);
    }
    // The start was finite: the blow-up happened during training.
    expect(Number.isFinite(r.start.loss)).toBe(true);
    expect(r.start.label).not.toBe('nonfinite');
  });

  it('Adam with lr 1e6 on an identity net also ends diverged', () => {
    const r = runCell(resolveConfig({ task: 'rotation', K: 4, activation: 'identity', lr: 1e6, budget: 2e5, seed: 1 }));
    expect(r.status).toBe('diverged');
  });

  it('a budget smaller than one step ends with status budget after one step', () => {
    const r = runCell(resolveConfig({ ...small, budget: 1, seed: 1 }));
    expect(r.status).toBe('budget');
    expect(r.iterations).toBe(1);
    expect(r.cost).toBe(3 * 64 * 4);
  });
});

describe('status reached is true of the network the cell returns', () => {
  // Curricula and minibatches make every step measure another K or batch; the target is judged on
  // the returned solution, on the whole training set at the cell's K.
  const target = 0.02;
  const cases = [...optimizers.keys()].flatMap((optimizer) =>
    (['none', 'ramp'] as const).flatMap((curriculum) => [0, 16].flatMap((batch) => [1, 2].map((seed) => ({ optimizer, curriculum, batch, seed })))),
  );
  const results = new Map<(typeof cases)[number], CellResult>();
  beforeAll(() => {
    for (const c of cases) results.set(c, runCell(resolveConfig({ task: 'rotation', K: 4, hidden: [8], ...c, budget: 3e5, target })));
  });

  it.each(cases)('$optimizer, curriculum $curriculum, batch $batch, seed $seed', (c) => {
    const r = results.get(c)!;
    if (r.status === 'reached') {
      expect(r.eval.train_nmse).toBeLessThanOrEqual(target);
      // It stopped where it was checked, and the last curve point is that measurement.
      expect(r.cost_to_target).toBe(r.cost);
      expect(r.curve.at(-1)!.nmse).toBe(r.eval.train_nmse);
    } else {
      expect(r.cost_to_target).toBeNaN();
      if (r.status === 'budget') expect(r.eval.train_nmse).toBeGreaterThan(target);
    }
  });

  it('some of these cells do reach the target: the check above is not vacuous', () => {
    expect([...results.values()].filter((r) => r.status === 'reached').length).toBeGreaterThanOrEqual(4);
  });
});

describe('resolveConfig', () => {
  it('fills every default and keeps the values given', () => {
    const cfg = resolveConfig({ task: 'logistic', K: '8', hidden: '4,3', residual: 'true', 'task.r': '3.2', lr: 0.01 });
    expect(cfg.task).toBe('logistic');
    expect(cfg.K).toBe(8);
    expect(cfg.hidden).toEqual([4, 3]);
    expect(cfg.residual).toBe(true);
    expect(cfg.taskParams).toEqual({ r: 3.2 });
    expect(cfg.options).toEqual({ method: 'adam', lr: 0.01, momentum: 0.9, clip: 0, clip_value: 0, truncate: 0 });
    expect(cfg.activation).toBe('tanh');
    expect(cfg.seed).toBe(1);
    expect(resolveConfig({ hidden: '' }).hidden).toEqual([]);
  });

  it('cellKey does not depend on the order keys were given in', () => {
    expect(cellKey(resolveConfig({ K: 4, seed: 2, lr: 0.1 }))).toBe(cellKey(resolveConfig({ lr: 0.1, seed: 2, K: 4 })));
    expect(cellKey(resolveConfig({ K: 4 }))).not.toBe(cellKey(resolveConfig({ K: 5 })));
  });

  it.each([
    [{ foo: 1 }, /^foo: unknown key \(allowed: task, K, activation, .*task\.<param>, method, lr/],
    [{ activation: 'swish' }, /^activation: must be one of identity, tanh, sigmoid, relu, leaky_relu, elu, gelu, silu, softplus, sin, got "swish"$/],
    [{ task: 'henon' }, /^task: must be one of rotation, pendulum, logistic, lorenz or a module file path like \.\/my-sim\.mjs \(not a package name\), got "henon"$/],
    [{ K: 0 }, /^K: must be >= 1, got 0$/],
    [{ K: -3 }, /^K: must be >= 1, got -3$/],
    [{ K: 1.5 }, /^K: must be an integer, got 1.5$/],
    [{ K: 'many' }, /^K: must be an integer, got "many"$/],
    [{ K: 4, K0: 5 }, /^K0: must be <= K \(4\), got 5$/],
    [{ 'task.r': 3 }, /^task\.r: unknown parameter of task rotation \(allowed: task\.rho, task\.theta\)$/],
    [{ task: 'logistic', 'task.r': 5 }, /^task\.r: must be <= 4, got 5$/],
    [{ residual: 'yes' }, /^residual: must be true or false, got "yes"$/],
    [{ hidden: '32,x' }, /^hidden: must be an integer, got "x"$/],
    [{ method: 'rmsprop' }, /^method: must be one of adam, sgd, got "rmsprop"$/],
    [{ lr: -1 }, /^lr: must be > 0, got -1$/],
    [{ optimizer: 'sgd' }, /^optimizer: must be one of bptt/],
  ])('refuses %o naming the field', (input, message) => {
    expect(() => resolveConfig(input)).toThrow(message);
    try {
      resolveConfig(input);
    } catch (e) {
      expect((e as Error).name).toBe('UsageError');
    }
  });

  it('refuses an option of another optimizer, naming it and the chosen optimizer\'s options', () => {
    // Every (optimizer, option of another optimizer it lacks) pair in the registry.
    const pairs: [string, string][] = [];
    for (const [name, entry] of optimizers) {
      const own = new Set(entry.options.map((o) => o.name));
      for (const other of optimizers.values()) for (const o of other.options) if (!own.has(o.name)) pairs.push([name, o.name]);
    }
    expect(pairs.length).toBeGreaterThan(0);
    for (const [name, key] of pairs) {
      const entry = getOptimizer(name);
      const spec = [...optimizers.values()].flatMap((o) => o.options).find((o) => o.name === key)!;
      const input = { optimizer: name, [key]: spec.default };
      expect(() => resolveConfig(input)).toThrow(
        `${key}: not an option of optimizer ${name} (its options: ${entry.options.map((o) => o.name).join(', ')})`,
      );
      // Sweeps over several optimizers share keys: then foreign options are ignored.
      expect(resolveConfig(input, true).options).not.toHaveProperty(key);
    }
  });
});
