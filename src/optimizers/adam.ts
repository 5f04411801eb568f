/**
 * Adam (Kingma & Ba 2015, Algorithm 1), as torch.optim.Adam computes it:
 * m <- b1 m + (1 - b1) g, v <- b2 v + (1 - b2) g^2, theta <- theta - lr m^ / (sqrt(v^) + eps) with
 * the bias-corrected m^ = m / (1 - b1^t), v^ = v / (1 - b2^t); b1 0.9, b2 0.999, eps 1e-8. The one
 * Adam of the project: bptt applies it to the exact gradient, es to its estimate.
 */
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(
    n: number,
    private readonly lr: number,
  ) {
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }

  /** One update of theta (in place) against the gradient g. */
  step(theta: Float64Array, g: Float64Array): void {
    const { m, v, lr } = this;
    this.t++;
    const c1 = 1 - BETA1 ** this.t;
    const c2 = 1 - BETA2 ** this.t;
    for (let i = 0; i < theta.length; i++) {
      m[i] = BETA1 * m[i] + (1 - BETA1) * g[i];
      v[i] = BETA2 * v[i] + (1 - BETA2) * g[i] * g[i];
      theta[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + EPS);
    }
  }
}
