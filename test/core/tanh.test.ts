// The WebAssembly tanh (kernels.wat, a two-lane port of fdlibm's tanh and expm1 as V8 compiles them,
// with a shorter path for pairs in [2^-28, 1)) against Math.tanh, bit for bit, on over a million points: the working range, the tails, subnormals,
// random bit patterns of every exponent, +-0, +-Inf, NaN, and a few ulps around every threshold of
// the two algorithms. Also its reverse pass against the JavaScript activation's derivative.
import { expect, it } from 'vitest';
import { getActivation } from '../../src/core/activations.js';
import { makeKernels } from '../../src/core/kernel-set.js';
import { derive } from '../../src/core/rng.js';

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const fromBits = (b: bigint): number => ((u64[0] = b), f64[0]);
const toBits = (x: number): bigint => ((f64[0] = x), u64[0]);

/** x and its `m` neighbours on each side, as bit patterns one ulp apart (for x > 0, with signs). */
function around(x: number, m: number, out: number[]): void {
  const b = toBits(x);
  for (let d = -m; d <= m; d++) {
    const y = fromBits(b + BigInt(d));
    out.push(y, -y);
  }
}

function points(): Float64Array {
  const rng = derive(1, 'test/tanh');
  const xs: number[] = [0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, 2.2250738585072009e-308, 2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE];
  for (let i = 0; i < 400_000; i++) xs.push(rng.between(-25, 25));
  // (-1, 1), where pairs of values take the shorter path of 2^-28 <= |x| < 1
  for (let i = 0; i < 200_000; i++) xs.push(rng.between(-1, 1));
  // magnitudes from 1e-320 to 1e3, log-uniform, both signs
  for (let i = 0; i < 300_000; i++) xs.push((rng.uniform() < 0.5 ? -1 : 1) * 10 ** rng.between(-320, 3));
  // random bit patterns: every exponent, NaNs with payloads
  for (let i = 0; i < 200_000; i++) xs.push(fromBits((BigInt(Math.floor(rng.uniform() * 2 ** 32)) << 32n) | BigInt(Math.floor(rng.uniform() * 2 ** 32))));
  // tanh's thresholds on |x| (high words 0x3E300000: 2^-28, 0x3FF00000: 1, 0x40360000: 22) and
  // expm1's on |2x| (0x3FD62E42: 0.5 ln2, 0x3FF0A2B2: 1.5 ln2), from the high word, at +-64 ulps
  for (const hw of [0x3e300000n, 0x3ff00000n, 0x40360000n]) around(fromBits(hw << 32n), 64, xs);
  for (const hw of [0x3fd62e43n, 0x3ff0a2b2n]) around(fromBits(hw << 32n) / 2, 64, xs);
  // where k = round(2x / ln2) changes, k = -3..64 (the reconstructions differ at k = -1, 0, 1, 2, 20, 57)
  for (let k = -3; k <= 64; k++) around(Math.abs(((k + 0.5) * Math.LN2) / 2), 16, xs);
  // odd length: the last value goes through the one-lane tail
  if (xs.length % 2 === 0) xs.push(0.5);
  return Float64Array.from(xs);
}

it('tanh in WebAssembly is Math.tanh bit for bit on over a million points', () => {
  const xs = points();
  const N = xs.length;
  expect(N).toBeGreaterThan(1_000_000);
  expect(N % 2).toBe(1);
  // Both paths of the kernel get well over 10^5 pairs: both lanes in [2^-28, 1), and the rest.
  let small = 0;
  const inSmall = (x: number): boolean => Math.abs(x) >= 2 ** -28 && Math.abs(x) < 1;
  for (let i = 0; i + 1 < N; i += 2) if (inSmall(xs[i]) && inSmall(xs[i + 1])) small++;
  expect(small).toBeGreaterThan(100_000);
  expect((N - 1) / 2 - small).toBeGreaterThan(100_000);
  const tanh = getActivation('tanh');
  const k = makeKernels(1, 'wasm');
  const [A] = k.buffers([2 * N]);
  A.set(xs);
  k.activate(tanh, A, 0, N, N);
  const bad: string[] = [];
  for (let i = 0; i < N; i++) {
    const want = Math.tanh(xs[i]);
    if (!Object.is(A[N + i], want)) bad.push(`tanh(${xs[i]}) = ${A[N + i]}, Math.tanh ${want}`);
  }
  expect(bad.slice(0, 5)).toEqual([]);
  expect(bad.length).toBe(0);
});

it('the reverse pass through tanh multiplies by 1 - y^2 as the JavaScript activation does, bit for bit', () => {
  const rng = derive(2, 'test/tanh/backward');
  const n = 1001;
  const tanh = getActivation('tanh');
  const z = Float64Array.from({ length: n }, () => rng.between(-4, 4));
  const g = Float64Array.from({ length: n }, () => rng.normal());
  const got: Float64Array[] = [];
  for (const name of ['js', 'wasm'] as const) {
    const k = makeKernels(1, name);
    const [A, G] = k.buffers([2 * n, n]);
    A.set(z);
    G.set(g);
    k.activate(tanh, A, 0, n, n);
    k.activateBackward(tanh, G, 0, A, 0, n, n);
    got.push(G.slice(0, n));
  }
  for (let i = 0; i < n; i++) expect(Object.is(got[1][i], got[0][i]), `index ${i}`).toBe(true);
  // and the derivative is the derivative: 1 - tanh^2 against a central difference
  for (let i = 0; i < n; i += 100) {
    const h = 1e-6;
    const fd = (Math.tanh(z[i] + h) - Math.tanh(z[i] - h)) / (2 * h);
    expect(got[1][i] / g[i]).toBeCloseTo(fd, 8);
  }
});
