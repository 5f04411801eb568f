// Writes a kstep data file from a system kstep does not have: an unforced damped Duffing oscillator
//   x'' + delta x' + alpha x + beta x^3 = 0,   state (x, v = x')
// integrated with classical RK4 (`substeps` steps per kstep step of dt). Each row is an initial
// state and the state K steps later, at the horizons given (a K column), as a simulation of one's
// own would record them; kstep never sees the equations, only the pairs.
//   node examples/duffing-pairs.mjs duffing.csv [rows per K = 2000] [Ks = 2,4,8] [seed = 1]
//   kstep run --task data:duffing.csv --K 8 --hidden 32,32
import { writeFileSync } from 'node:fs';

const [file = 'duffing.csv', rowsArg = '2000', KsArg = '2,4,8', seedArg = '1'] = process.argv.slice(2);
const rows = Number(rowsArg);
const Ks = KsArg.split(',').map(Number);
const delta = 0.3;
const alpha = -1; // a double well: two stable points at x = +-1
const beta = 1;
const dt = 0.1;
const substeps = 4;

// A small seeded generator (mulberry32), so the same arguments write the same file.
let seed = Number(seedArg) >>> 0;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const field = (x, v) => [v, -delta * v - alpha * x - beta * x * x * x];
function step([x, v]) {
  const h = dt / substeps;
  for (let i = 0; i < substeps; i++) {
    const k1 = field(x, v);
    const k2 = field(x + (h / 2) * k1[0], v + (h / 2) * k1[1]);
    const k3 = field(x + (h / 2) * k2[0], v + (h / 2) * k2[1]);
    const k4 = field(x + h * k3[0], v + h * k3[1]);
    x += (h / 6) * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]);
    v += (h / 6) * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]);
  }
  return [x, v];
}

const lines = ['x0_1,x0_2,y_1,y_2,K'];
for (const K of Ks) {
  for (let r = 0; r < rows; r++) {
    const x0 = [-2 + 4 * random(), -1 + 2 * random()];
    let o = x0;
    for (let t = 0; t < K; t++) o = step(o);
    lines.push([...x0, ...o, K].join(','));
  }
}
writeFileSync(file, lines.join('\n') + '\n');
console.log(`${file}: ${rows * Ks.length} rows, K = ${Ks.join(', ')}`);
