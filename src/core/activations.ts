/**
 * Activation registry. Each entry has f, its derivative, and gamma = sup |f'|, the constant in
 * Pascanu et al. (2013)'s sufficient condition for vanishing gradients: ||W|| < 1/gamma.
 * The derivative receives both the pre-activation x and y = f(x): tanh and sigmoid are cheapest
 * from y, gelu and silu need x, and the MLP stores both anyway.
 */
import { unknownName } from '../errors.js';

export interface Activation {
  readonly name: string;
  readonly help: string;
  readonly f: (x: number) => number;
  readonly df: (x: number, y: number) => number;
  /** sup over x of |f'(x)|. */
  readonly gamma: number;
  /** f' jumps somewhere, so finite differences across the jump are meaningless. */
  readonly kink: boolean;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;
const LEAK = 0.01;

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

const list: Activation[] = [
  { name: 'identity', help: 'f(x) = x', f: (x) => x, df: () => 1, gamma: 1, kink: false },
  { name: 'tanh', help: 'hyperbolic tangent', f: Math.tanh, df: (_x, y) => 1 - y * y, gamma: 1, kink: false },
  { name: 'sigmoid', help: 'logistic 1/(1+e^-x)', f: sigmoid, df: (_x, y) => y * (1 - y), gamma: 0.25, kink: false },
  { name: 'relu', help: 'max(0, x)', f: (x) => (x > 0 ? x : 0), df: (x) => (x > 0 ? 1 : 0), gamma: 1, kink: true },
  {
    name: 'leaky_relu',
    help: `max(${LEAK}x, x)`,
    f: (x) => (x > 0 ? x : LEAK * x),
    df: (x) => (x > 0 ? 1 : LEAK),
    gamma: 1,
    kink: true,
  },
  {
    name: 'elu',
    help: 'x if x > 0 else e^x - 1 (alpha 1)',
    f: (x) => (x > 0 ? x : Math.expm1(x)),
    df: (x, y) => (x > 0 ? 1 : y + 1),
    gamma: 1,
    kink: false,
  },
  {
    name: 'gelu',
    help: 'GELU, tanh approximation',
    f: (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + GELU_C * x * x * x))),
    df: (x) => {
      const t = Math.tanh(SQRT_2_OVER_PI * (x + GELU_C * x * x * x));
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_C * x * x);
    },
    // max of f' at x = 1.41850...; checked against a dense scan in the tests.
    gamma: 1.1289930686587715,
    kink: false,
  },
  {
    name: 'silu',
    help: 'x * sigmoid(x) (swish)',
    f: (x) => x * sigmoid(x),
    df: (x) => {
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    },
    // max of f' at x = 2.39936...
    gamma: 1.0998393201288668,
    kink: false,
  },
  {
    name: 'softplus',
    help: 'log(1 + e^x)',
    f: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
    df: (x) => sigmoid(x),
    gamma: 1,
    kink: false,
  },
  { name: 'sin', help: 'sin(x)', f: Math.sin, df: (x) => Math.cos(x), gamma: 1, kink: false },
];

export const activations: ReadonlyMap<string, Activation> = new Map(list.map((a) => [a.name, a]));
export const activationNames: readonly string[] = list.map((a) => a.name);

export function getActivation(name: string): Activation {
  const a = activations.get(name);
  if (!a) throw unknownName('activation', name, activationNames);
  return a;
}
