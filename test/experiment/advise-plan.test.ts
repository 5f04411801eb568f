// The plan of `kstep advise`: which entries, which step sizes, the budget sized from a given
// throughput, and the two specs as ordinary experiments.
import { describe, expect, it } from 'vitest';
import { SELECT_SEED, VERDICT_SEEDS, defaultStep, observedRate, planEntries, selectionSpec, sizeBudget, stepValues, verdictSpec } from '../../src/experiment/advise-plan.js';
import { parseExperiment } from '../../src/experiment/spec.js';
import { prepareExperiment } from '../../src/experiment/sweep.js';

const sizing = { rate: 1e6, seconds: 100, workers: 2, cells: [12, 27], cellOverhead: 0, sweepOverhead: 0, efficiency: 1 };

describe('sizing the budget from a measured throughput', () => {
  it('splits the seconds over the rounds of cells, workers at a time', () => {
    // 6 + 14 rounds of 2 cells: 100 s / 20 = 5 s a cell at 1e6 applications/s.
    expect(sizeBudget(sizing)).toEqual({ budget: 5e6, rounds: 20, secondsPerCell: 5 });
    expect(sizeBudget({ ...sizing, workers: 1 }).budget).toBe(2.5e6);
    expect(sizeBudget({ ...sizing, workers: 0 }).rounds).toBe(39); // the main thread: one at a time
    expect(sizeBudget({ ...sizing, rate: 2e6 }).budget).toBe(1e7);
  });

  it('subtracts the overheads, applies the efficiency and rounds down to two digits', () => {
    const p = sizeBudget({ ...sizing, cellOverhead: 0.5, sweepOverhead: 2, efficiency: 0.8 });
    // (100 - 2*2 - 20*0.5) / 20 = 4.3 s; 1e6 * 0.8 * 4.3 = 3.44e6 -> 3.4e6
    expect(p.secondsPerCell).toBeCloseTo(4.3, 12);
    expect(p.budget).toBe(3.4e6);
  });

  it('gives 0 when the overheads leave no time', () => {
    expect(sizeBudget({ ...sizing, seconds: 3, sweepOverhead: 2 }).budget).toBe(0);
    expect(sizeBudget({ ...sizing, rate: 0 }).budget).toBe(0);
  });
});

describe('the rate a finished sweep ran at', () => {
  it('is total cost over total wall time, cells without a wall time left out', () => {
    expect(observedRate([{ cost: 1e6, wall_ms: 1000 }, { cost: 3e6, wall_ms: 1000 }])).toBe(2e6);
    expect(observedRate([{ cost: 1e6, wall_ms: 500 }, { cost: NaN, wall_ms: 100 }, { cost: 5, wall_ms: NaN }])).toBe(2e6);
    expect(observedRate([])).toBeNaN();
  });
});

describe('plan entries', () => {
  it('are every remedy and optimizer at K >= 2', () => {
    expect(planEntries(16, false).map((e) => e.name)).toEqual(['bptt', 'bptt+clip', 'bptt+truncate', 'bptt+residual', 'bptt+ramp', 'bptt+mixed', 'ga', 'es', 'cmaes']);
    expect(planEntries(16, false).find((e) => e.name === 'bptt+truncate')!.set.truncate).toBe(8);
  });
  it('leave out truncation and curricula at K = 1 and the residual entry for a residual net', () => {
    expect(planEntries(1, true).map((e) => e.name)).toEqual(['bptt', 'bptt+clip', 'ga', 'es', 'cmaes']);
  });
  it('try three step sizes a factor 3 apart around the default', () => {
    expect(defaultStep('bptt')).toBe(3e-3);
    expect(stepValues(defaultStep('bptt'))).toEqual([0.001, 0.003, 0.009]);
    expect(stepValues(0.01)).toEqual([0.0033, 0.01, 0.03]);
  });
});

describe('the specs are ordinary experiments', () => {
  const fixed = { task: 'rotation', K: 8, hidden: [4], train: 16, test: 16 };
  it('selection: one cell per optimizer and step value on the held-out seed', () => {
    const exp = prepareExperiment(parseExperiment(selectionSpec('advise-rotation-K8', fixed, 1e5, new Map([['bptt', 3e-3], ['ga', 3e-3]]))));
    expect(exp.spec.name).toBe('advise-rotation-K8-select');
    expect(exp.cells).toHaveLength(6);
    expect(new Set(exp.cells.map((c) => c.config.seed))).toEqual(new Set([SELECT_SEED]));
    expect(exp.cells.filter((c) => c.config.optimizer === 'bptt').map((c) => c.config.options.lr).sort()).toEqual([0.001, 0.003, 0.009]);
    expect(exp.cells.every((c) => c.config.budget === 1e5)).toBe(true);
  });
  it('verdict: every entry on the verdict seeds with its chosen step size, health at K', () => {
    const entries = planEntries(8, false);
    const exp = prepareExperiment(parseExperiment(verdictSpec('advise-rotation-K8', fixed, 1e5, entries, new Map([['bptt', 0.009], ['es', 0.03]]))));
    expect(exp.cells).toHaveLength(entries.length * VERDICT_SEEDS.length);
    const ramp = exp.cells.filter((c) => c.variant === 'bptt+ramp');
    expect(ramp.map((c) => c.config.seed)).toEqual([...VERDICT_SEEDS]);
    expect(ramp.every((c) => c.config.curriculum === 'ramp' && c.config.options.lr === 0.009)).toBe(true);
    expect(exp.cells.find((c) => c.variant === 'es')!.config.options.lr).toBe(0.03);
    expect(exp.cells.find((c) => c.variant === 'ga')!.config.options.sigma).toBe(defaultStep('ga'));
    expect(exp.spec.health?.K).toEqual([8]);
  });
});
