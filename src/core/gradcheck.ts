/**
 * Central finite differences of the terminal loss, to check the rollout's reverse pass:
 * fd_i = (L(theta + h e_i) - L(theta - h e_i)) / 2h, compared normwise:
 * err = ||g - fd|| / max(||g||, ||fd||).
 */
import type { Rollout } from './rollout.js';

export interface GradCheck {
  loss: number;
  grad: Float64Array;
  fd: Float64Array;
  relError: number;
}

export function gradCheck(
  rollout: Rollout, theta: Float64Array, x0: Float64Array, y: Float64Array, B: number, K: number, h = 1e-6,
): GradCheck {
  const n = theta.length;
  const grad = new Float64Array(n);
  const loss = rollout.lossAndGrad(theta, x0, y, B, K, grad);
  const fd = new Float64Array(n);
  const th = Float64Array.from(theta);
  for (let i = 0; i < n; i++) {
    // Step relative to the entry's size so every entry sees the same relative perturbation.
    const step = h * Math.max(1, Math.abs(theta[i]));
    th[i] = theta[i] + step;
    const up = rollout.loss(th, x0, y, B, K);
    th[i] = theta[i] - step;
    const down = rollout.loss(th, x0, y, B, K);
    th[i] = theta[i];
    fd[i] = (up - down) / (2 * step);
  }
  let diff = 0;
  let ng = 0;
  let nf = 0;
  for (let i = 0; i < n; i++) {
    diff += (grad[i] - fd[i]) ** 2;
    ng += grad[i] ** 2;
    nf += fd[i] ** 2;
  }
  const scale = Math.sqrt(Math.max(ng, nf));
  return { loss, grad, fd, relError: scale === 0 ? 0 : Math.sqrt(diff) / scale };
}
