// The validation set: a third set of initial states from its own stream (data/<task>/val), so that
// asking for it moves no draw of the training or test set; val = 0 means none.
import { describe, expect, it } from 'vitest';
import { Dataset, targetVariance } from '../../src/core/objective.js';
import { derive } from '../../src/core/rng.js';
import { Rollout, mse } from '../../src/core/rollout.js';
import { assemble } from '../../src/core/setup.js';
import { cellKey, resolveConfig } from '../../src/experiment/config.js';

const cfg = (over: Record<string, unknown>) => resolveConfig({ task: 'logistic', K: 3, hidden: '6', train: 16, test: 12, seed: 5, ...over });

describe('the validation set', () => {
  it('is drawn from data/<task>/val: the training and test sets are the same with or without it', () => {
    const none = assemble(cfg({ val: 0 })).objective();
    const some = assemble(cfg({ val: 40 })).objective();
    expect(some.trainSet!.states).toEqual(none.trainSet!.states);
    expect(some.testSet!.states).toEqual(none.testSet!.states);
    // And they are the streams' own draws (setup.ts: data/<task> then train, test).
    const data = derive(5, 'data/logistic');
    const task = assemble(cfg({})).task;
    expect(none.trainSet!.states[0]).toEqual(new Dataset(task, 16, 3, data.derive('train')).states[0]);
    expect(none.testSet!.states[0]).toEqual(new Dataset(task, 12, 6, data.derive('test')).states[0]);
  });

  it('val_nmse is the nmse at K on the stream val\'s states; NaN without a validation set', () => {
    const a = assemble(cfg({ val: 40 }));
    const theta = a.theta0();
    const e = a.objective().evaluate(theta);
    const v = new Dataset(a.task, 40, 3, derive(5, 'data/logistic').derive('val')).states;
    const want = mse(new Rollout(a.net).forward(theta, v[0], 40, 3, false), v[3]) / targetVariance(v[3], 1);
    expect(e.val_nmse).toBeCloseTo(want, 14);
    // Fresh states: not the training or the test states.
    expect(e.val_nmse).not.toBe(e.test_nmse);
    expect(e.val_nmse).not.toBe(e.train_nmse);
    const none = assemble(cfg({ val: 0 })).objective().evaluate(theta);
    expect(none.val_nmse).toBeNaN();
    expect(none.test_nmse).toBe(e.test_nmse);
    expect(none.train_nmse).toBe(e.train_nmse);
  });

  it('is a key of its own: val=128 and val=256 are different cells; the default is 256', () => {
    expect(cfg({}).val).toBe(256);
    expect(cfg({ val: 0 }).val).toBe(0);
    expect(cellKey(cfg({ val: 128 }))).not.toBe(cellKey(cfg({ val: 256 })));
    expect(cellKey(cfg({ val: 128 }))).toContain(' val=128 ');
  });
});
