// The CLI end to end, through bin/kstep.js and the compiled dist/ (npm test builds first).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Net } from '../src/core/mlp.js';
import { derive } from '../src/core/rng.js';
import { Rollout } from '../src/core/rollout.js';

const bin = new URL('../bin/kstep.js', import.meta.url).pathname;

function kstep(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('usage errors: exit 2, one line naming the field and the allowed values, nothing on stdout', () => {
  const cases: [string[], RegExp][] = [
    [['run', '--task', 'nope'], /^kstep: task: must be one of rotation, pendulum, logistic, lorenz or a module file path like \.\/my-sim\.mjs \(not a package name\), got "nope"$/],
    [['run', '--activation', 'swish'], /^kstep: activation: must be one of identity, tanh, .*sin, got "swish"$/],
    [['run', '--optimizer', 'sgd'], /^kstep: optimizer: must be one of bptt, .*got "sgd"$/],
    [['run', '--K', '0'], /^kstep: K: must be >= 1, got "0"$/],
    [['run', '--K', '2.5'], /^kstep: K: must be an integer, got "2.5"$/],
    [['run', '--lr', 'fast'], /^kstep: lr: must be a finite number, got "fast"$/],
    [['run', '--hidden', '32,x'], /^kstep: hidden: must be an integer, got "x"$/],
    [['run', '--set', 'task.q=1'], /^kstep: task.q: unknown parameter of task rotation \(allowed: task.rho, task.theta\)$/],
    [['run', '--set', 'depth=3'], /^kstep: depth: unknown key \(allowed: task, K, .*\)$/],
    [['run', '--set', 'noequals'], /^kstep: --set: expected key=value, got 'noequals'$/],
    [['run', '--population', '8'], /^kstep: population: not an option of optimizer bptt \(its options: method, lr, .*\)$/],
    [['run', '--task', 'logistic', '--set', 'task.r=5'], /^kstep: task.r: must be <= 4, got "5"$/],
    [['run', '--bogus'], /^error: unknown option '--bogus'$/],
    [['gradcheck', '--json'], /^kstep: --json: prints one configuration: give one --activation and one --K$/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), () => {
      const r = kstep(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd()).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    });
  }

  it('writes no params file when the input is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kstep-'));
    const file = join(dir, 'p.json');
    expect(kstep('run', '--K', '-1', '--save-params', file).code).toBe(2);
    expect(existsSync(file)).toBe(false);
  });
});

describe('run', () => {
  const args = ['run', '--task', 'rotation', '--K', '4', '--budget', '3e5', '--hidden', '8', '--seed', '3', '--json'];

  it('prints identical records for the same seed, apart from wall time', () => {
    const strip = (s: string) => ({ ...JSON.parse(s), wall_ms: 0 });
    const a = kstep(...args);
    const b = kstep(...args);
    expect(a.code).toBe(0);
    expect(strip(a.stdout)).toEqual(strip(b.stdout));
    const c = kstep(...args.slice(0, -3), '--seed', '4', '--json');
    expect(strip(c.stdout).test_nmse).not.toBe(strip(a.stdout).test_nmse);
  });

  it('saves a network that reproduces the reported training loss, nmse and gradient norm', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kstep-'));
    const file = join(dir, 'p.json');
    const r = kstep(...args, '--save-params', file);
    expect(r.code).toBe(0);
    const record = JSON.parse(r.stdout);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.format).toBe('kstep-params/1');
    expect(saved.config).toEqual(record.config);
    // The layout in the file is the documented flat one: per layer W_l [fan_in][fan_out] row-major,
    // then b_l, layer after layer, sizes [F, ...hidden, D] = [2, 8, 2].
    expect(saved.net.sizes).toEqual([2, 8, 2]);
    expect(saved.net.layout).toEqual([
      { layer: 1, W: { offset: 0, rows: 2, cols: 8 }, b: { offset: 16, size: 8 } },
      { layer: 2, W: { offset: 24, rows: 8, cols: 2 }, b: { offset: 40, size: 2 } },
    ]);
    expect(saved.net.n_params).toBe(42);
    expect(saved.theta).toHaveLength(42);

    // The training set, rebuilt outside kstep's task and objective code: initial states are the
    // rotation sampler's normal draws from the cell's data stream, targets rho^K R(K theta) x0 in
    // closed form.
    const K = 4;
    const n = record.config.train as number;
    const rng = derive(3, 'data/rotation').derive('train');
    const x0 = Array.from({ length: n }, () => [rng.normal(), rng.normal()]);
    const [rho, th] = [0.95, 0.5];
    const [c, s] = [rho ** K * Math.cos(K * th), rho ** K * Math.sin(K * th)];
    const y = x0.map(([a, b]) => [c * a - s * b, s * a + c * b]);

    // A plain forward of the saved network, written from the layout above.
    const forward = (theta: number[], o: number[]): number[] => {
      for (let t = 0; t < K; t++) {
        const h = Array.from({ length: 8 }, (_, j) => Math.tanh(theta[16 + j] + o[0] * theta[j] + o[1] * theta[8 + j]));
        o = [0, 1].map((d) => h.reduce((acc, v, i) => acc + v * theta[24 + i * 2 + d], theta[40 + d]));
      }
      return o;
    };
    const loss = (theta: number[]) => x0.reduce((acc, x, k) => acc + forward(theta, x).reduce((e, v, d) => e + (v - y[k][d]) ** 2, 0), 0) / (2 * n);
    const mean = [0, 1].map((d) => y.reduce((acc, v) => acc + v[d], 0) / n);
    const variance = [0, 1].reduce((acc, d) => acc + y.reduce((v, p) => v + (p[d] - mean[d]) ** 2, 0) / n, 0) / 2;

    const L = loss(saved.theta);
    expect(Math.abs(L - record.end.loss) / record.end.loss).toBeLessThan(1e-12);
    expect(Math.abs(L / variance - record.train_nmse) / record.train_nmse).toBeLessThan(1e-12);
    // The gradient norm at the end, against central differences of the plain forward.
    const g = saved.theta.map((v: number, i: number) => {
      const h = 1e-5 * Math.max(1, Math.abs(v));
      const up = saved.theta.with(i, v + h);
      const down = saved.theta.with(i, v - h);
      return (loss(up) - loss(down)) / (2 * h);
    });
    expect(Math.abs(Math.hypot(...g) - record.end.grad_norm) / record.end.grad_norm).toBeLessThan(1e-7);
  });

  it('prints the metric table and the adjoint profile', () => {
    const r = kstep(...args.slice(0, -1));
    expect(r.code).toBe(0);
    for (const label of ['status', 'test nmse', 'extrapolation nmse (2K = 8)', 'one-step nmse', 'cost to target', 'Gradient health', 't=4', 't=0']) {
      expect(r.stdout).toContain(label);
    }
  });
});

describe('gradcheck', () => {
  it('passes for every activation and prints one row each', () => {
    const r = kstep('gradcheck', '--task', 'pendulum', '--K', '1,4');
    expect(r.code).toBe(0);
    expect(r.stdout.match(/ ok /g)).toHaveLength(10);
  });

  it('--json gives a record another framework can recompute', () => {
    const r = kstep('gradcheck', '--activation', 'tanh', '--K', '3', '--json');
    const rec = JSON.parse(r.stdout);
    expect(rec.format).toBe('kstep-gradcheck/1');
    expect(rec.rel_error).toBeLessThan(1e-6);
    // Recompute loss and gradient from the record alone.
    const net = new Net({ D: rec.net.D, features: rec.net.features, hidden: rec.net.hidden, activation: rec.net.activation, residual: rec.net.residual });
    const grad = new Float64Array(net.nParams);
    const loss = new Rollout(net).lossAndGrad(
      Float64Array.from(rec.theta), Float64Array.from(rec.x0.flat()), Float64Array.from(rec.y.flat()), rec.batch, rec.K, grad,
    );
    expect(loss).toBe(rec.loss);
    expect(Array.from(grad)).toEqual(rec.grad);
  });
});

describe('list', () => {
  it('--json lists the registries', () => {
    const r = JSON.parse(kstep('list', '--json').stdout);
    expect(r.tasks.map((t: { name: string }) => t.name)).toEqual(['rotation', 'pendulum', 'logistic', 'lorenz']);
    expect(r.activations.find((a: { name: string }) => a.name === 'sigmoid').gamma).toBe(0.25);
    expect(r.optimizers.map((o: { name: string }) => o.name)).toContain('bptt');
  });
});
