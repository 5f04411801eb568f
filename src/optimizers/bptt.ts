/**
 * BPTT: the exact gradient of the terminal loss through all K steps (or the last `truncate`),
 * followed by Adam (Kingma & Ba 2015) or SGD with momentum. Clipping by global norm follows
 * Pascanu, Mikolov & Bengio (2013), Algorithm 1: if ||g|| > c then g <- c g / ||g||.
 */
import type { Rng } from '../core/rng.js';
import { Adam } from './adam.js';
import type { ObjectiveLike, Optimizer, OptimizerEntry, OptionValue, StepResult } from './types.js';

class Bptt implements Optimizer {
  private readonly theta: Float64Array;
  private readonly grad: Float64Array;
  /** SGD's momentum buffer. */
  private readonly m: Float64Array;
  private readonly adam: Adam;

  constructor(
    theta0: Float64Array,
    private readonly o: {
      method: string;
      lr: number;
      momentum: number;
      clip: number;
      clip_value: number;
      truncate: number;
    },
  ) {
    this.theta = Float64Array.from(theta0);
    this.grad = new Float64Array(theta0.length);
    this.m = new Float64Array(theta0.length);
    this.adam = new Adam(theta0.length, o.lr);
  }

  step(objective: ObjectiveLike): StepResult {
    const { theta, grad, m, o } = this;
    const loss = objective.lossAndGrad(theta, grad, o.truncate > 0 ? o.truncate : undefined);
    let sq = 0;
    for (let i = 0; i < grad.length; i++) sq += grad[i] * grad[i];
    const gradNorm = Math.sqrt(sq);
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      return { loss: Number.isFinite(loss) ? NaN : loss, nonfinite: 1, diverged: true, metrics: { grad_norm: gradNorm } };
    }
    const scale = o.clip > 0 && gradNorm > o.clip ? o.clip / gradNorm : 1;
    const cv = o.clip_value;
    for (let i = 0; i < grad.length; i++) grad[i] = clamp(grad[i] * scale, cv);
    if (o.method === 'adam') this.adam.step(theta, grad);
    else {
      for (let i = 0; i < theta.length; i++) {
        m[i] = o.momentum * m[i] + grad[i];
        theta[i] -= o.lr * m[i];
      }
    }
    return { loss, nonfinite: 0, diverged: false, metrics: { grad_norm: gradNorm } };
  }

  solution(): Float64Array {
    return this.theta;
  }
}

function clamp(g: number, c: number): number {
  return c > 0 ? Math.max(-c, Math.min(c, g)) : g;
}

export const bptt: OptimizerEntry = {
  name: 'bptt',
  help: 'backprop through the K steps, Adam or SGD+momentum, clipping, truncation',
  cite: 'Werbos 1990; Kingma & Ba 2015 (Adam); Pascanu et al. 2013, Algorithm 1 (clipping)',
  options: [
    { name: 'method', kind: 'enum', default: 'adam', choices: ['adam', 'sgd'], help: 'update rule' },
    { name: 'lr', kind: 'number', default: 3e-3, min: 0, minExclusive: true, help: 'learning rate' },
    { name: 'momentum', kind: 'number', default: 0.9, min: 0, max: 1, help: 'SGD momentum' },
    { name: 'clip', kind: 'number', default: 0, min: 0, help: 'clip the gradient to this global norm (0 = off)' },
    { name: 'clip_value', kind: 'number', default: 0, min: 0, help: 'clip each gradient entry to +-this (0 = off)' },
    { name: 'truncate', kind: 'int', default: 0, min: 0, max: 100000, help: 'backprop through the last T steps only (0 = all K)' },
  ],
  create(theta0: Float64Array, options: Readonly<Record<string, OptionValue>>, _rng: Rng): Optimizer {
    return new Bptt(theta0, {
      method: String(options.method),
      lr: Number(options.lr),
      momentum: Number(options.momentum),
      clip: Number(options.clip),
      clip_value: Number(options.clip_value),
      truncate: Number(options.truncate),
    });
  },
};
