// The built-in `rotation` task written as a task module: f(o) = rho R(theta) o.
// It calls itself `rotation`, so it draws the built-in task's data streams and trains to the same
// numbers, bit for bit (test/experiment/task-module-cli.test.ts checks this).
/** @type {import('kstep').Task} */
export default {
  name: 'rotation',
  help: '2-D linear map rho * R(theta) o, as a module',
  D: 2,
  params: [
    { name: 'rho', default: 0.95, help: 'contraction factor (spectral radius)', min: 0 },
    { name: 'theta', default: 0.5, help: 'rotation angle per step, radians' },
  ],
  make(p) {
    const a = p.rho * Math.cos(p.theta);
    const b = p.rho * Math.sin(p.theta);
    return {
      name: 'rotation',
      D: 2,
      params: p,
      step(o, io, out, oo) {
        const x = o[io];
        const y = o[io + 1];
        out[oo] = a * x - b * y;
        out[oo + 1] = b * x + a * y;
      },
      jacobian(_o, _io, J) {
        J[0] = a;
        J[1] = -b;
        J[2] = b;
        J[3] = a;
      },
      sample(rng, out, oo) {
        out[oo] = rng.normal();
        out[oo + 1] = rng.normal();
      },
    };
  },
};
