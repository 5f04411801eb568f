/**
 * Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent neural networks",
 * section 3.1: with a bounded activation derivative |f'| <= gamma, the one-step Jacobian obeys
 * ||d o_{t+1}/d o_t|| <= gamma ||W||, so ||W|| < 1/gamma is sufficient for vanishing gradients.
 *
 * kstep's step is an L-layer MLP after a feature map (row-vector convention, mlp.ts):
 *   J = W_L^T D_{L-1} W_{L-1}^T ... D_1 W_1^T J_phi,   D_l = diag(f'(z_l)),
 * so ||J|| <= gamma^(L-1) ||W_1|| ... ||W_L|| ||J_phi|| =: bound (gamma times the product of the
 * layers' spectral norms, one gamma per hidden layer). A residual net adds the identity: 1 + bound.
 * If bound < 1 then ||a_0|| <= bound^K ||a_K|| for every input: the measured per-step adjoint ratio
 * (||a_0|| / ||a_K||)^(1/K) can never exceed it.
 *
 * Spectral norms of the weight matrices come from core/linalg.ts's spectralNorm (the eigenvalues of
 * W^T W or W W^T, the smaller, by Jacobi rotations): deterministic, so the bound is a pure function
 * of theta.
 */
import { requireVjp } from '../core/features.js';
import { spectralNorm } from '../core/linalg.js';
import type { Net } from '../core/mlp.js';

export interface PascanuBound {
  /** sup |f'| of the activation. */
  gamma: number;
  /** ||W_l||_2 for l = 1..L. */
  layerNorms: number[];
  /** Largest ||J_phi(o)||_2 over the states given (1 for identity, sqrt 2 for fourier features). */
  phiNorm: number;
  /** gamma^(L-1) prod ||W_l|| ||J_phi||, plus 1 if residual: a bound on every ||J_t||. */
  bound: number;
  /** bound < 1: Pascanu's sufficient condition for vanishing gradients holds. */
  vanishes: boolean;
}

/**
 * The bound for the net at theta. `states` (B x D) are where ||J_phi|| is taken (its sup over
 * them); the default, the origin, is exact for the identity and fourier maps, whose Jacobian norm
 * does not depend on the state. For poly2 pass the states the rollout visits.
 */
export function pascanuBound(net: Net, theta: Float64Array, states?: Float64Array): PascanuBound {
  const D = net.spec.D;
  const layerNorms: number[] = [];
  for (let l = 1; l <= net.L; l++) layerNorms.push(spectralNorm(theta, net.wOff[l - 1], net.sizes[l - 1], net.sizes[l]));
  const phiNorm = featureJacobianNorm(net, states ?? new Float64Array(D));
  const gamma = net.act.gamma;
  let bound = gamma ** (net.L - 1) * phiNorm;
  for (const n of layerNorms) bound *= n;
  if (net.spec.residual) bound += 1;
  return { gamma, layerNorms, phiNorm, bound, vanishes: bound < 1 };
}

/** sup over the states of ||J_phi(o)||_2, from the feature map's vector-Jacobian product. */
export function featureJacobianNorm(net: Net, states: Float64Array): number {
  const D = net.spec.D;
  const F = net.sizes[0];
  const e = new Float64Array(F);
  const Jt = new Float64Array(F * D); // row f = J_phi^T e_f = d phi_f / d o
  const vjp = requireVjp(net.phi, "Pascanu's bound");
  let sup = 0;
  for (let s = 0; s < states.length / D; s++) {
    Jt.fill(0);
    for (let f = 0; f < F; f++) {
      e.fill(0);
      e[f] = 1;
      vjp(states, s * D, D, e, 0, Jt, f * D);
    }
    sup = Math.max(sup, spectralNorm(Jt, 0, F, D));
  }
  return sup;
}
