/**
 * `--export FILE`: the W1 and W2 inputs exactly (weights, initial states, targets), with kstep's loss
 * and gradient norm, as JSON for bench/torch_reference.py --workloads FILE, the PyTorch cross-check.
 */
import { writeFileSync } from 'node:fs';
import { Rollout } from '../src/core/rollout.js';
import { W1, W2, setup } from './setup.js';

export function exportWorkloads(file: string, log = true): void {
  const out: Record<string, unknown> = {};
  for (const [name, shape] of [['W1', W1], ['W2', W2]] as const) {
    const { batch: B, K } = shape;
    const s = setup(shape);
    const { net } = s;
    const D = net.spec.D;
    const grad = new Float64Array(net.nParams);
    const loss = new Rollout(net).lossAndGrad(s.theta, s.x0, s.y, B, K, grad);
    const W: number[][][] = [];
    const b: number[][] = [];
    for (let l = 1; l <= net.L; l++) {
      const nin = net.sizes[l - 1];
      const nout = net.sizes[l];
      const Wl: number[][] = [];
      for (let i = 0; i < nin; i++) Wl.push(Array.from(s.theta.subarray(net.wOff[l - 1] + i * nout, net.wOff[l - 1] + (i + 1) * nout)));
      W.push(Wl);
      b.push(Array.from(s.theta.subarray(net.bOff[l - 1], net.bOff[l - 1] + nout)));
    }
    const rows = (v: Float64Array): number[][] => Array.from({ length: B }, (_, r) => Array.from(v.subarray(r * D, (r + 1) * D)));
    let g2 = 0;
    for (const g of grad) g2 += g * g;
    out[name] = { hidden: [...shape.hidden], batch: B, K, activation: 'tanh', W, b, x0: rows(s.x0), y: rows(s.y), loss, grad_norm: Math.sqrt(g2) };
  }
  writeFileSync(file, `${JSON.stringify({ layout: 'W[l][in][out], b[l][out]; h = tanh(h W + b), last layer linear', ...out })}\n`);
  if (log) process.stderr.write(`bench: wrote ${file}\n`);
}
