// A room heated by a thermostat: the heater is on while the temperature is below the setpoint.
// The state is the temperature's offset from the setpoint in units of 10 degrees; one kstep step is
// `dt` hours of dT/dt = -(T - outside) / tau + (T < 0 ? power : 0).
//
// The module brings its own feature map, `thermostat`: the temperature and the switch state
// [T, T < 0 ? 1 : 0]. The switch is a step function: it has no useful derivative, so the map has no
// vjp, BPTT is refused (`--features thermostat --optimizer bptt` exits 2 saying why) and only the
// evolutionary optimizers (ga, es, cmaes, random) can train a net that sees it:
//
//   kstep run --task examples/thermostat.mjs --features thermostat --optimizer ga --K 8 --hidden 8
//   kstep advise examples/thermostat.mjs --features thermostat --K 8 --hidden 8 --minutes 3

/** @type {import('kstep').FeatureMap} */
const thermostat = {
  name: 'thermostat',
  help: 'i = [T, 1 if T < 0 else 0]: the temperature and the heater switch (no vjp)',
  dim: (D) => 2 * D,
  apply(o, io, D, out, oo) {
    for (let d = 0; d < D; d++) {
      out[oo + d] = o[io + d];
      out[oo + D + d] = o[io + d] < 0 ? 1 : 0;
    }
  },
};

/** @type {import('kstep').Task} */
export default {
  name: 'thermostat',
  help: 'room temperature under a bang-bang thermostat (setpoint 0)',
  D: 1,
  params: [
    { name: 'outside', default: -1, help: 'outside temperature, relative to the setpoint' },
    { name: 'tau', default: 5, help: 'time constant of the heat loss, hours', min: 1e-6 },
    { name: 'power', default: 0.5, help: 'heating rate while the heater is on, per hour', min: 0 },
    { name: 'dt', default: 0.5, help: 'hours per step', min: 1e-6 },
  ],
  features: [thermostat],
  make(p) {
    const { outside, tau, power, dt } = p;
    return {
      name: 'thermostat',
      D: 1,
      params: p,
      step(o, io, out, oo) {
        const T = o[io];
        out[oo] = T + dt * (-(T - outside) / tau + (T < 0 ? power : 0));
      },
      // Away from T = 0 the heater term is constant.
      jacobian(_o, _io, J) {
        J[0] = 1 - dt / tau;
      },
      sample(rng, out, oo) {
        out[oo] = rng.between(-1.5, 1.5);
      },
    };
  },
};
