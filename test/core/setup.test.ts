// assemble: the one place a task, net, initial parameters and data are built from a setup. Its
// streams are named after the seed and their purpose only (`init`, `data/<task>`), so cells that
// share a seed share them, and every caller of assemble builds the same things.
import { describe, expect, it } from 'vitest';
import { Net, initParams } from '../../src/core/mlp.js';
import { Dataset } from '../../src/core/objective.js';
import { derive } from '../../src/core/rng.js';
import { type Setup, assemble } from '../../src/core/setup.js';
import { makeTask } from '../../src/core/tasks.js';
import { buildCell } from '../../src/experiment/cell.js';
import { resolveConfig } from '../../src/experiment/config.js';

const setup: Setup = {
  task: 'logistic',
  taskParams: { r: 3.7 },
  features: 'identity',
  hidden: [5, 3],
  activation: 'tanh',
  residual: false,
  init: 'he',
  gain: 0.8,
  K: 3,
  train: 6,
  test: 4,
  val: 5,
  batch: 0,
  curriculum: 'none',
  K0: 1,
  seed: 7,
};

describe('assemble', () => {
  it('builds the task with its parameters and the net on its state dimension', () => {
    const { task, net } = assemble(setup);
    expect(task.name).toBe('logistic');
    expect(task.params.r).toBe(3.7);
    expect(net.sizes).toEqual([1, 5, 3, 1]);
    expect(net.spec.activation).toBe('tanh');
  });

  it('draws theta0 from the stream init of the seed, the same vector on every call', () => {
    const a = assemble(setup);
    const net = new Net({ D: 1, features: 'identity', hidden: [5, 3], activation: 'tanh', residual: false });
    const expected = initParams(net, 'he', 0.8, derive(7, 'init'));
    expect(Array.from(a.theta0())).toEqual(Array.from(expected));
    expect(Array.from(a.theta0())).toEqual(Array.from(expected));
    expect(Array.from(assemble({ ...setup, seed: 8 }).theta0())).not.toEqual(Array.from(expected));
  });

  it('draws the training and test sets from the stream data/<task> of the seed', () => {
    const objective = assemble(setup).objective();
    const task = makeTask('logistic', { r: 3.7 });
    const data = derive(7, 'data/logistic');
    expect(Array.from(objective.trainSet.states[3])).toEqual(Array.from(new Dataset(task, 6, 3, data.derive('train')).states[3]));
    expect(Array.from(objective.testSet.states[6])).toEqual(Array.from(new Dataset(task, 4, 6, data.derive('test')).states[6]));
    expect(Array.from(assemble(setup).dataset(6, 2).states[2])).toEqual(Array.from(new Dataset(task, 6, 2, derive(7, 'data/logistic')).states[2]));
  });

  it('a scope prefixes both stream names', () => {
    const a = assemble(setup, 'gradcheck/');
    const task = makeTask('logistic', { r: 3.7 });
    expect(Array.from(a.theta0())).toEqual(Array.from(initParams(a.net, 'he', 0.8, derive(7, 'gradcheck/init'))));
    expect(Array.from(a.dataset(4, 1).states[1])).toEqual(Array.from(new Dataset(task, 4, 1, derive(7, 'gradcheck/data/logistic')).states[1]));
    expect(Array.from(a.theta0())).not.toEqual(Array.from(assemble(setup).theta0()));
  });

  it('keys that are not part of the setup do not change what a cell starts from', () => {
    const base = { task: 'rotation', K: '4', hidden: '4', train: '8', test: '8', seed: '3' };
    const bptt = buildCell(resolveConfig({ ...base, optimizer: 'bptt', budget: '1000' }));
    const ga = buildCell(resolveConfig({ ...base, optimizer: 'ga', budget: '5000' }));
    expect(Array.from(ga.theta0)).toEqual(Array.from(bptt.theta0));
    expect(Array.from(ga.objective.trainSet.states[4])).toEqual(Array.from(bptt.objective.trainSet.states[4]));
    const cfg = resolveConfig(base);
    expect(Array.from(buildCell(cfg).theta0)).toEqual(Array.from(assemble(cfg).theta0()));
  });
});
