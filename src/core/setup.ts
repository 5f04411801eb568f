/**
 * The one way to assemble a network on a task from a flat setup: the task instance, the net, the
 * initial parameters and the data. Training, the health diagnostics and the gradient check all build
 * theirs here, so the same setup gives the same net, theta0 and data sets wherever it is built.
 *
 * Every draw comes from a stream named after the seed and its purpose only: `init` for the initial
 * parameters, `data/<task name>` for the data sets, from which Objective derives `train`, `test`,
 * `val` and `schedule`. It is the task's declared name, not the `task` value: a module task that calls itself
 * `rotation` draws the built-in rotation's data. Setups that differ in anything else (the optimizer, the budget, ...) but share a seed
 * therefore start from the same data and the same initial network: paired comparisons. A `scope`
 * prefixes both names, for a caller that needs streams of its own (`gradcheck/init`, ...).
 */
import { type InitName, Net, initParams } from './mlp.js';
import { type Curriculum, Dataset, Objective } from './objective.js';
import { type Rng, derive } from './rng.js';
import type { MemoryMode } from './rollout.js';
import { type TaskInstance, makeTask, recordedPairs } from './tasks.js';

/** What task, net, data and initial parameters are made of (a cell's config has all of it). */
export interface Setup {
  task: string;
  /** The task's parameters, without the `task.` prefix (missing ones take the task's defaults). */
  taskParams: Record<string, number>;
  features: string;
  hidden: readonly number[];
  activation: string;
  residual: boolean;
  init: InitName;
  gain: number;
  /** The K of the loss, the data sets' horizon. */
  K: number;
  train: number;
  test: number;
  /** Validation set size (0: none). */
  val: number;
  batch: number;
  curriculum: Curriculum;
  K0: number;
  /** Root of every stream. */
  seed: number;
  /** How BPTT's stored passes keep their steps (core/rollout.ts); not part of a cell's identity, since every mode gives the same bits. */
  memory?: MemoryMode;
}

/** A setup's task and net, and its seeded parts, each drawn on demand from its own stream. */
export interface Assembly {
  task: TaskInstance;
  net: Net;
  /** The initial parameters from the `init` stream (a fresh copy of the same vector on each call). */
  theta0(): Float64Array;
  /** The training objective: training and test sets, minibatches and curriculum from the `data/<task>` stream. */
  objective(): Objective;
  /** `size` initial states and their trajectories up to step T from the `data/<task>` stream (throws for a data task: no true map). */
  dataset(size: number, T: number): Dataset;
}

export function assemble(setup: Setup, scope = ''): Assembly {
  const task = makeTask(setup.task, setup.taskParams);
  const net = new Net({ D: task.D, features: setup.features, hidden: setup.hidden, activation: setup.activation, residual: setup.residual });
  const stream = (purpose: string): Rng => derive(setup.seed, `${scope}${purpose}`);
  const data = () => stream(`data/${task.name}`);
  return {
    task,
    net,
    theta0: () => initParams(net, setup.init, setup.gain, stream('init')),
    objective: () =>
      new Objective(
        task,
        net,
        { K: setup.K, train: setup.train, test: setup.test, val: setup.val, batch: setup.batch, curriculum: setup.curriculum, K0: setup.K0, memory: setup.memory },
        data(),
        recordedPairs(setup.task),
      ),
    dataset: (size, T) => new Dataset(task, size, T, data()),
  };
}
