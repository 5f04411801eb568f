// Lotka-Volterra predator-prey, a task module for kstep (not a built-in task):
//   dx/dt = alpha x - beta x y      (prey)
//   dy/dt = delta x y - gamma y     (predators)
// One kstep step is `substeps` classical RK4 steps of size dt / substeps. No Jacobian is given, so
// kstep reports the task's Lyapunov exponents as not available; everything else works as usual.
//   kstep run --task examples/lotka-volterra.mjs --K 8 --hidden 16,16
/** @type {import('kstep').Task} */
export default {
  name: 'lotka-volterra',
  help: 'predator-prey populations (x, y), substeps RK4 steps per step of dt',
  D: 2,
  params: [
    { name: 'alpha', default: 1.0, help: 'prey growth rate', min: 0 },
    { name: 'beta', default: 0.5, help: 'predation rate', min: 0 },
    { name: 'gamma', default: 1.0, help: 'predator death rate', min: 0 },
    { name: 'delta', default: 0.5, help: 'predator growth per prey eaten', min: 0 },
    { name: 'dt', default: 0.2, help: 'time per step', min: 1e-9 },
    { name: 'substeps', default: 4, help: 'RK4 steps per step', min: 1 },
  ],
  make(p) {
    const { alpha, beta, gamma, delta } = p;
    const n = Math.max(1, Math.round(p.substeps));
    const h = p.dt / n;
    const fx = (x, y) => alpha * x - beta * x * y;
    const fy = (x, y) => delta * x * y - gamma * y;
    return {
      name: 'lotka-volterra',
      D: 2,
      params: p,
      step(o, io, out, oo) {
        let x = o[io];
        let y = o[io + 1];
        for (let s = 0; s < n; s++) {
          const k1x = fx(x, y), k1y = fy(x, y);
          const k2x = fx(x + 0.5 * h * k1x, y + 0.5 * h * k1y), k2y = fy(x + 0.5 * h * k1x, y + 0.5 * h * k1y);
          const k3x = fx(x + 0.5 * h * k2x, y + 0.5 * h * k2y), k3y = fy(x + 0.5 * h * k2x, y + 0.5 * h * k2y);
          const k4x = fx(x + h * k3x, y + h * k3y), k4y = fy(x + h * k3x, y + h * k3y);
          x += (h / 6) * (k1x + 2 * k2x + 2 * k3x + k4x);
          y += (h / 6) * (k1y + 2 * k2y + 2 * k3y + k4y);
        }
        out[oo] = x;
        out[oo + 1] = y;
      },
      // Populations around the equilibrium (gamma / delta, alpha / beta) = (2, 2).
      sample(rng, out, oo) {
        out[oo] = rng.between(1, 3);
        out[oo + 1] = rng.between(1, 3);
      },
    };
  },
};
