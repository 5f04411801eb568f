// Every registered activation: its derivative against central differences of f, and gamma = sup |f'|
// against a dense scan. Parametrised over the registry, so a new entry is tested automatically.
import { describe, expect, it } from 'vitest';
import { activationNames, activations, getActivation } from '../../src/core/activations.js';

/** Points in [-8, 8], none closer than 1e-3 to 0 (where the ReLU family has its kink). */
function points(): number[] {
  const xs: number[] = [];
  for (let i = 0; i <= 1600; i++) {
    const x = -8 + i * 0.01 + 0.0037;
    if (Math.abs(x) > 1e-3) xs.push(x);
  }
  return xs;
}

/** Golden-section refinement of the max of g on [a, b] (g unimodal there). */
function refineMax(g: (x: number) => number, a: number, b: number): number {
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 100; i++) {
    const c = b - phi * (b - a);
    const d = a + phi * (b - a);
    if (g(c) > g(d)) b = d;
    else a = c;
  }
  return g((a + b) / 2);
}

describe('activation registry', () => {
  it('has the ten activations of the issue', () => {
    expect([...activationNames].sort()).toEqual(
      ['elu', 'gelu', 'identity', 'leaky_relu', 'relu', 'sigmoid', 'silu', 'sin', 'softplus', 'tanh'].sort(),
    );
  });

  it('refuses an unknown name, listing the allowed ones', () => {
    expect(() => getActivation('swish')).toThrow(/^activation: unknown value 'swish' \(allowed: identity, tanh, .*sin\)$/);
  });

  it('flags exactly the ReLU family as having a kink', () => {
    expect(activationNames.filter((n) => getActivation(n).kink).sort()).toEqual(['leaky_relu', 'relu']);
  });
});

describe.each(activationNames)('%s', (name) => {
  const a = activations.get(name)!;

  it('df(x, f(x)) matches a central difference of f', () => {
    const h = 1e-5;
    for (const x of points()) {
      const fd = (a.f(x + h) - a.f(x - h)) / (2 * h);
      // Truncation ~ h^2 |f'''| / 6 and rounding ~ 1e-16 |f| / h, both far below 1e-8 here.
      expect(Math.abs(a.df(x, a.f(x)) - fd)).toBeLessThan(1e-8 * Math.max(1, Math.abs(x)));
    }
  });

  it('gamma equals max |f\'| over a dense scan of [-20, 20] (to 1e-6)', () => {
    const g = (x: number) => Math.abs(a.df(x, a.f(x)));
    const step = 1e-3;
    let best = -Infinity;
    let arg = 0;
    for (let i = 0; i <= 40_000; i++) {
      const x = -20 + i * step;
      const v = g(x);
      if (v > best) {
        best = v;
        arg = x;
      }
    }
    // The scan brackets the maximiser; refine it unless |f'| is flat there (identity, ReLU).
    if (!a.kink && name !== 'identity') best = Math.max(best, refineMax(g, arg - step, arg + step));
    expect(Math.abs(best - a.gamma)).toBeLessThan(1e-6);
  });

  it('its layer loops give f and G df value by value, bit for bit, at an offset, specials included', () => {
    const xs = [...points(), 0, -0, 1e-300, -1e-300, 5e-324, 800, -800, Infinity, -Infinity, NaN];
    const n = xs.length;
    // z at 3, h at 3 + n + 5: offsets that are not 0 and not aligned, as a rollout's layers are
    const A = new Float64Array(2 * n + 11).fill(0.125);
    A.set(xs, 3);
    const h = 3 + n + 5;
    a.forward(A, 3, h, n);
    for (let k = 0; k < n; k++) expect(Object.is(A[h + k], a.f(xs[k])), `f(${xs[k]})`).toBe(true);
    expect(A[h - 1]).toBe(0.125);
    expect(A[h + n]).toBe(0.125);
    const g0 = xs.map((_, k) => [1, -2.5, 0, -0, Infinity][k % 5]);
    const G = new Float64Array(n + 2).fill(7);
    G.set(g0, 1);
    a.backward(G, 1, A, 3, h, n);
    for (let k = 0; k < n; k++) expect(Object.is(G[1 + k], g0[k] * a.df(xs[k], A[h + k])), `df at ${xs[k]}`).toBe(true);
    expect([G[0], G[n + 1]]).toEqual([7, 7]);
  });

  it('is finite and gives a finite derivative far out (no overflow at |x| = 800)', () => {
    for (const x of [-800, -50, 50, 800]) {
      const y = a.f(x);
      expect(Number.isFinite(y)).toBe(true);
      expect(Number.isFinite(a.df(x, y))).toBe(true);
    }
  });
});

describe('known values', () => {
  it('Pascanu constants: sigmoid gamma = 1/4, tanh gamma = 1', () => {
    expect(getActivation('sigmoid').gamma).toBe(0.25);
    expect(getActivation('tanh').gamma).toBe(1);
  });

  it('closed forms at a few points', () => {
    const f = (n: string, x: number) => getActivation(n).f(x);
    expect(f('sigmoid', 0)).toBe(0.5);
    expect(f('sigmoid', 2)).toBeCloseTo(1 / (1 + Math.exp(-2)), 15);
    expect(f('sigmoid', -2)).toBeCloseTo(1 / (1 + Math.exp(2)), 15);
    expect(f('softplus', 0)).toBeCloseTo(Math.LN2, 15);
    expect(f('softplus', 800)).toBe(800);
    expect(f('softplus', -800)).toBe(0);
    expect(f('silu', 1)).toBeCloseTo(1 / (1 + Math.exp(-1)), 15);
    expect(f('elu', -1)).toBeCloseTo(Math.exp(-1) - 1, 15);
    expect(f('elu', 2)).toBe(2);
    expect(f('relu', -3)).toBe(0);
    expect(f('leaky_relu', -3)).toBeCloseTo(-0.03, 15);
    // GELU (tanh approximation, Hendrycks & Gimpel 2016) at x = 1: 0.8411919906082768.
    expect(f('gelu', 1)).toBeCloseTo(0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * 1.044715)), 15);
    expect(f('gelu', 1)).toBeCloseTo(0.8411919906, 9);
    expect(f('sin', Math.PI / 6)).toBeCloseTo(0.5, 15);
  });
});
