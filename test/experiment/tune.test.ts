// The tune section: its values expand into cells like a grid axis of the tuned optimizer's (or
// variant's) cells only, between the variant and the seed; untuned cells keep their keys and ids;
// what is refused, with the field named; the overrides tune.<name>.<option>= and tune=false.
import { describe, expect, it } from 'vitest';
import { cellKey, resolveConfig } from '../../src/experiment/config.js';
import { cellId, descriptorColumns, expandGrid } from '../../src/experiment/grid.js';
import { applyOverrides, overridesBetween } from '../../src/experiment/overrides.js';
import { parseExperiment } from '../../src/experiment/spec.js';
import { usageError } from './helpers.js';

const expand = (json: unknown, overrides: string[] = []) => expandGrid(applyOverrides(parseExperiment(json), overrides));

const base = {
  name: 'x',
  grid: { K: [1, 4], optimizer: ['bptt', 'ga'], seed: [0, 1] },
  fixed: { hidden: [4], budget: 1e4, train: 8, test: 8, val: 8 },
};

describe('tune expands like a grid axis of one optimizer', () => {
  const cells = expand({ ...base, tune: { bptt: { lr: [0.001, 0.01] }, ga: { sigma: [0.01, 0.03, 0.1] } } });

  it('per K: the bptt cells per lr, then the ga cells per sigma, the seed innermost', () => {
    const label = (c: (typeof cells)[number]) => `${c.config.K} ${c.config.optimizer} ${c.config.options.lr ?? c.config.options.sigma} ${c.config.seed}`;
    expect(cells.slice(0, 10).map(label)).toEqual([
      '1 bptt 0.001 0', '1 bptt 0.001 1', '1 bptt 0.01 0', '1 bptt 0.01 1',
      '1 ga 0.01 0', '1 ga 0.01 1', '1 ga 0.03 0', '1 ga 0.03 1', '1 ga 0.1 0', '1 ga 0.1 1',
    ]);
    expect(cells).toHaveLength(2 * (2 + 3) * 2);
  });

  it('each cell names its tuned options; cells.csv gets a tune column', () => {
    expect(new Set(cells.map((c) => c.tune?.join(' ')))).toEqual(new Set(['lr', 'sigma']));
    expect(descriptorColumns(cells, false).slice(0, 2)).toEqual(['tune', 'task']);
  });

  it('a tuned cell is the cell run resolves from its keys (same key and id as untuned)', () => {
    const c = cells.find((x) => x.config.optimizer === 'bptt' && x.config.options.lr === 0.01 && x.config.K === 4 && x.config.seed === 1)!;
    const cfg = resolveConfig({ K: 4, optimizer: 'bptt', lr: 0.01, seed: 1, hidden: '4', budget: 1e4, train: 8, test: 8, val: 8 });
    expect(c.key).toBe(cellKey(cfg));
    expect(c.id).toBe(cellId(cellKey(cfg)));
  });

  it('an untuned experiment keeps its ids, and has no tune column', () => {
    const plain = expand(base);
    const withUnused = expand({ ...base, tune: { es: { lr: [0.01, 0.03] } } });
    expect(withUnused.map((c) => c.id)).toEqual(plain.map((c) => c.id));
    expect(descriptorColumns(plain, false)).not.toContain('tune');
    expect(plain.every((c) => c.tune === undefined)).toBe(true);
  });

  it('a variant takes its own entry, else its optimizer\'s', () => {
    const v = expand({
      name: 'x',
      fixed: { hidden: [4], budget: 1e4 },
      variants: { plain: {}, clip: { clip: 1 }, ramp: { curriculum: 'ramp', K0: 1 } },
      grid: { K: [4] },
      tune: { bptt: { lr: [0.001, 0.01] }, ramp: { lr: [0.03] } },
    });
    expect(v.map((c) => `${c.variant} ${c.config.options.lr}`)).toEqual(['plain 0.001', 'plain 0.01', 'clip 0.001', 'clip 0.01', 'ramp 0.03']);
  });
});

describe('what tune refuses, with the field named', () => {
  it.each([
    [{ tune: { foo: { lr: [1] } } }, 'tune.foo.lr', /foo is not an optimizer or a variant/],
    [{ tune: { bptt: { K: [1, 2] } } }, 'tune.bptt.K', /only optimizer options are tuned/],
    [{ tune: { bptt: { sigma: [1] } } }, 'tune.bptt.sigma', /not an option of bptt/],
    [{ tune: { bptt: { lr: [0.01, 0.01] } } }, 'tune.bptt.lr[1]', /duplicate value/],
    [{ tune: { bptt: { lr: [-1] } } }, 'tune.bptt.lr[0]', /must be > 0/],
    [{ tune: { bptt: { lr: [] } } }, 'tune.bptt.lr', /non-empty list/],
    [{ tune: { bptt: {} } }, 'tune.bptt', /at least one option/],
    [{ grid: { ...base.grid, lr: [0.1, 0.2] }, tune: { bptt: { lr: [0.01] } } }, 'tune.bptt.lr', /also a grid axis/],
    [{ fixed: { ...base.fixed, val: 0 }, tune: { bptt: { lr: [0.01] } } }, 'fixed.val', /val must be >= 1/],
  ])('%j', (extra, field, message) => {
    const e = usageError(() => expand({ ...base, ...extra }));
    expect(e.field.startsWith(field) || e.field === `${field}[0]`, `${e.field}: ${e.message}`).toBe(true);
    expect(e.message).toMatch(message);
  });

  it('a variant that sets a tuned option', () => {
    const e = usageError(() => expand({ name: 'x', variants: { slow: { lr: 0.001 } }, tune: { bptt: { lr: [0.01, 0.1] } } }));
    expect(e.field).toBe('tune.bptt.lr');
    expect(e.message).toMatch(/variant slow sets lr too/);
  });

  it('an override entry no cell uses is refused; a file entry is not', () => {
    expect(expand({ ...base, tune: { es: { lr: [0.1] } } })).toHaveLength(8);
    const e = usageError(() => expand(base, ['tune.es.lr=0.1,0.2']));
    expect(e.field).toBe('override tune.es.lr=0.1,0.2');
  });
});

describe('overrides', () => {
  const tuned = { ...base, tune: { bptt: { lr: [0.001, 0.01] } } };

  it('tune.<optimizer>.<option>= sets the values; tune=false drops the section', () => {
    expect(expand(tuned, ['tune.bptt.lr=0.003']).filter((c) => c.config.optimizer === 'bptt')).toHaveLength(4);
    expect(expand(tuned, ['tune.ga.sigma=0.01,0.02']).filter((c) => c.config.optimizer === 'ga')).toHaveLength(8);
    expect(expand(tuned, ['tune=false']).map((c) => c.id)).toEqual(expand(base).map((c) => c.id));
    expect(usageError(() => expand(tuned, ['tune=true'])).message).toMatch(/expected tune=false/);
  });

  it('setting the option itself stops tuning it', () => {
    expect(expand(tuned, ['lr=0.05']).filter((c) => c.config.optimizer === 'bptt').map((c) => c.config.options.lr)).toEqual([0.05, 0.05, 0.05, 0.05]);
    expect(expand(tuned, ['bptt.lr=0.05']).every((c) => c.tune === undefined)).toBe(true);
  });

  it.each([[['tune.bptt.lr=0.1,0.2']], [['tune.ga.sigma=0.01']], [['tune=false']], [['tune=false', 'tune.es.lr=0.1']], [['lr=0.05', 'tune.ga.sigma=0.5']]])(
    'overridesBetween rebuilds %j',
    (ov) => {
      const from = parseExperiment(tuned);
      const target = applyOverrides(from, ov).spec;
      const found = overridesBetween(from, target);
      expect(found).toBeDefined();
      expect(applyOverrides(from, found!).spec).toEqual(target);
    },
  );
});
