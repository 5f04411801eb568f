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
  /** A[h + k] = f(A[z + k]) for k < n: a layer's activation, the same bits as f value by value. */
  readonly forward: (A: Float64Array, z: number, h: number, n: number) => void;
  /** G[g + k] *= df(A[z + k], A[h + k]) for k < n: the reverse pass through a layer's activation. */
  readonly backward: (G: Float64Array, g: number, A: Float64Array, z: number, h: number, n: number) => void;
  /** sup over x of |f'(x)|. */
  readonly gamma: number;
  /** f' jumps somewhere, so finite differences across the jump are meaningless. */
  readonly kink: boolean;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;
const LEAK = 0.01;

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

const identity = (x: number): number => x;
const identityD = (): number => 1;
const tanhD = (_x: number, y: number): number => 1 - y * y;
const sigmoidD = (_x: number, y: number): number => y * (1 - y);
const relu = (x: number): number => (x > 0 ? x : 0);
const reluD = (x: number): number => (x > 0 ? 1 : 0);
const leakyRelu = (x: number): number => (x > 0 ? x : LEAK * x);
const leakyReluD = (x: number): number => (x > 0 ? 1 : LEAK);
const elu = (x: number): number => (x > 0 ? x : Math.expm1(x));
const eluD = (x: number, y: number): number => (x > 0 ? 1 : y + 1);
const gelu = (x: number): number => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + GELU_C * x * x * x)));
const geluD = (x: number): number => {
  const t = Math.tanh(SQRT_2_OVER_PI * (x + GELU_C * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_C * x * x);
};
const silu = (x: number): number => x * sigmoid(x);
const siluD = (x: number): number => {
  const s = sigmoid(x);
  return s * (1 + x * (1 - s));
};
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

// The loops over a layer are written out once per activation, not built by one shared function:
// V8 inlines f into a loop only where the call site has only ever seen that f, and a shared loop
// (or closures made by one factory, which share their feedback) sees every activation of the
// process. Called through an unspecialised call site, relu costs about 7 ns a value instead of 1.
const list: Activation[] = [
  {
    name: 'identity',
    help: 'f(x) = x',
    f: identity,
    df: identityD,
    forward: (A, z, h, n) => {
      for (let k = 0; k < n; k++) A[h + k] = identity(A[z + k]);
    },
    backward: (G, g, _A, _z, _h, n) => {
      for (let k = 0; k < n; k++) G[g + k] *= identityD();
    },
    gamma: 1,
    kink: false,
  },
  {
    name: 'tanh',
    help: 'hyperbolic tangent',
    f: Math.tanh,
    df: tanhD,
    forward: (A, z, h, n) => {
      for (let k = 0; k < n; k++) A[h + k] = Math.tanh(A[z + k]);
    },
    backward: (G, g, A, z, h, n) => {
      for (let k = 0; k < n; k++) G[g + k] *= tanhD(A[z + k], A[h + k]);
    },
    gamma: 1,
    kink: false,
  },
  {
    name: 'sigmoid',
    help: 'logistic 1/(1+e^-x)',
    f: sigmoid,
    df: sigmoidD,
    forward: (A, z, h, n) => {
      for (let k = 0; k < n; k++) A[h + k] = sigmoid(A[z + k]);
    },
    backward: (G, g, A, z, h, n) => {
      for (let k = 0; k < n; k++) G[g + k] *= sigmoidD(A[z + k], A[h + k]);
    },
    gamma: 0.25,
    kink: false,
  },
  {
    name: 'relu',
    help: 'max(0, x)',
    f: relu,
    df: reluD,
    forward: (A, z, h, n) => {
      for (let k = 0; k < n; k++) A[h + k] = relu(A[z + k]);
    },
    backward: (G, g, A, z, _h, n) => {
      for (let k = 0; k < n; k++) G[g + k] *= reluD(A[z + k]);
    },
    gamma: 1,
    kink: true,
  },
  {
    name: 'leaky_relu',
    help: `max(${LEAK}x, x)`,
    f: leakyRelu,
    df: leakyReluD,
    forward: (A, z, h, n) => {
      for (let k = 0; k < n; k++) A[h + k] = leakyRelu(A[z + k]);
    },
    backward: (G, g, A, z, _h, n) => {
      for (let k = 0; k < n; k++) G[g + k] *= leakyReluD(A[z + k]);
    },
    gamma: 1,
    kink: true,
  },
  {
    name: 'elu',
    help: 'x if x > 0 else e^x - 1 (alpha 1)',
    f: elu,
    df: eluD,
    forward: (A, z, h, n) => {
      for (let k = 0; k < n; k++) A[h + k] = elu(A[z + k]);
    },
    backward: (G, g, A, z, h, n) => {
      for (let k = 0; k < n; k++) G[g + k] *= eluD(A[z + k], A[h + k]);
    },
    gamma: 1,
    kink: false,
  },
  {
    name: 'gelu',
    help: 'GELU, tanh approximation',
    f: gelu,
    df: geluD,
    forward: (A, z, h, n) => {
      for (let k = 0; k < n; k++) A[h + k] = gelu(A[z + k]);
    },
    backward: (G, g, A, z, _h, n) => {
      for (let k = 0; k < n; k++) G[g + k] *= geluD(A[z + k]);
    },
    // max of f' at x = 1.41850...; checked against a dense scan in the tests.
    gamma: 1.1289930686587715,
    kink: false,
  },
  {
    name: 'silu',
    help: 'x * sigmoid(x) (swish)',
    f: silu,
    df: siluD,
    forward: (A, z, h, n) => {
      for (let k = 0; k < n; k++) A[h + k] = silu(A[z + k]);
    },
    backward: (G, g, A, z, _h, n) => {
      for (let k = 0; k < n; k++) G[g + k] *= siluD(A[z + k]);
    },
    // max of f' at x = 2.39936...
    gamma: 1.0998393201288668,
    kink: false,
  },
  {
    name: 'softplus',
    help: 'log(1 + e^x)',
    f: softplus,
    df: sigmoid,
    forward: (A, z, h, n) => {
      for (let k = 0; k < n; k++) A[h + k] = softplus(A[z + k]);
    },
    backward: (G, g, A, z, _h, n) => {
      for (let k = 0; k < n; k++) G[g + k] *= sigmoid(A[z + k]);
    },
    gamma: 1,
    kink: false,
  },
  {
    name: 'sin',
    help: 'sin(x)',
    f: Math.sin,
    df: Math.cos,
    forward: (A, z, h, n) => {
      for (let k = 0; k < n; k++) A[h + k] = Math.sin(A[z + k]);
    },
    backward: (G, g, A, z, _h, n) => {
      for (let k = 0; k < n; k++) G[g + k] *= Math.cos(A[z + k]);
    },
    gamma: 1,
    kink: false,
  },
];

export const activations: ReadonlyMap<string, Activation> = new Map(list.map((a) => [a.name, a]));
export const activationNames: readonly string[] = list.map((a) => a.name);

export function getActivation(name: string): Activation {
  const a = activations.get(name);
  if (!a) throw unknownName('activation', name, activationNames);
  return a;
}
