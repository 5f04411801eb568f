/**
 * CMA-ES after N. Hansen, "The CMA Evolution Strategy: A Tutorial" (arXiv:1604.00772, 2016),
 * Table 1 and Appendix A (Figure 7's algorithm), with pycma's defaults: lambda = 4 + floor(3 ln n),
 * mu = floor(lambda / 2), weights w'_i = ln((lambda + 1) / 2) - ln i for all lambda ranks, the
 * positive ones for the mean and the negative ones for the active covariance update (eq. 46-53,
 * `active`, on by default as in pycma), c_sigma, d_sigma, c_c, c_1, c_mu from Table 1 (alpha_cov = 2).
 * The eigendecomposition of C is refreshed lazily every max(1, floor(1 / ((c_1 + c_mu) n 10)))
 * generations as in pycma, by a cyclic Jacobi solver warm-started from the previous eigenbasis.
 *
 * Two departures from pycma's defaults, both from Hansen's group and both options, because they are
 * what makes CMA-ES work on a network's 1218 parameters within a cell's budget (README, Optimizers):
 * - `mirrored` (on): mirrored sampling with pairwise selection (Brockhoff, Auger, Hansen, Arnold &
 *   Hohm 2010; Auger, Brockhoff & Hansen 2011, "Mirrored sampling in evolution strategies with
 *   weighted recombination"): candidates come in pairs m +- sigma y and only the better of each pair
 *   can be selected, so lambda is rounded up to even and the weights (positive and active negative
 *   ones) are those of lambda / 2 ranks; the losers of the pairs take part in no update.
 * - `step_size` = tpa (default): two-point step-size adaptation (Hansen 2008, arXiv:0805.0231) with
 *   the constants of Akimoto & Hansen 2016 ("Projection-based restricted covariance matrix adaptation
 *   for high dimension"): the first pair is m +- sigma ||z|| dm / ||dm||_{C^-1} along the last mean
 *   shift dm, s <- (1 - 0.3) s + 0.3 (rank(-) - rank(+)) / (lambda - 1), sigma <- sigma exp(s / sqrt(n)),
 *   h_sigma = [s < 0.5]. Cumulative step-size adaptation (`csa`, pycma's default) changes sigma by
 *   about c_sigma ~ mu_eff / n per generation; in 1218 dimensions it barely moves within a budget.
 *   With csa the step-size change per generation is capped at a factor exp(1).
 *
 * `diagonal`: sep-CMA-ES (Ros & Hansen 2008, "A Simple Modification in CMA-ES Achieving Linear Time
 * and Space Complexity"): C is kept diagonal and c_1, c_mu are multiplied by (n + 1.5) / 3.
 * `auto` uses it when n > 200 (full covariance costs O(n^2) memory and O(n^3) per decomposition).
 *
 * Cost: lambda candidate evaluations per step, plus one evaluation of the updated mean when
 * `eval_mean` (default): lambda + 1 objective.loss calls, and one more in a step whose K or
 * minibatch differs from the last step's, when the incumbent is measured again. solution() is the
 * incumbent: the best point measured on the current K and batch, candidates and (with eval_mean)
 * means alike, i.e. pycma's xbest with the mean in the running, never compared across batches.
 * metrics: pop_best/pop_mean over the finite candidates, mean_loss (NaN without eval_mean), sigma,
 * axis_ratio = sqrt(cond C). NaN/Inf candidates rank last (so the active update pushes variance away
 * from them) and are counted in `nonfinite`, the mean's evaluation included. If fewer than mu
 * candidates are finite, only the finite ones are recombined (their weights renormalised); if none
 * is, the distribution is left unchanged. StepResult.loss and diverged follow the common rule of
 * `Evaluations` (population.ts).
 *
 * Default sigma_0 = 0.01, a tenth of a typical initial weight; with TPA the result on rotation
 * barely depends on it (sigma_0 = 0.005 to 0.03 all end below test nmse 8e-3 on seeds 1-3).
 */
import { jacobiEigen } from '../core/linalg.js';
import type { Rng } from '../core/rng.js';
import { UsageError } from '../errors.js';
import { Evaluations, finiteStats, rankByLoss, readOptions, rowViews } from './population.js';
import { MAX_POPULATION, type ObjectiveLike, type Optimizer, type OptimizerEntry, type OptionSpec, type OptionValue, type StepResult } from './types.js';

/** Above this dimension `diagonal = auto` uses sep-CMA. */
export const FULL_MAX_N = 200;

/** TPA's cumulation constant (Akimoto & Hansen 2016); its damping is sqrt(n). */
const TPA_C = 0.3;

const options: readonly OptionSpec[] = [
  {
    name: 'population',
    kind: 'int',
    default: 0,
    min: 3,
    max: MAX_POPULATION,
    zeroIsDefault: true,
    // Fewer than 3 leaves one rank when mirrored (2 / 2 pairs): its weight ln((1 + 1) / 2) - ln 1 = 0 is normalised 0 / 0.
    help: 'lambda, candidates per step (0 = 4 + floor(3 ln n)); rounded up to even when mirrored; at least 3 (two ranks to recombine)',
  },
  { name: 'sigma', kind: 'number', default: 0.01, min: 0, minExclusive: true, help: 'initial step size sigma_0' },
  { name: 'diagonal', kind: 'enum', default: 'auto', choices: ['auto', 'on', 'off'], help: `sep-CMA (diagonal C); auto = on when n > ${FULL_MAX_N}` },
  { name: 'active', kind: 'bool', default: true, help: 'active covariance update: negative weights for the worst half (as pycma)' },
  { name: 'mirrored', kind: 'bool', default: true, help: 'mirrored sampling m +- sigma y with pairwise selection' },
  { name: 'step_size', kind: 'enum', default: 'tpa', choices: ['tpa', 'csa'], help: 'step-size adaptation: two-point (tpa) or cumulative (csa, pycma\'s default)' },
  { name: 'eval_mean', kind: 'bool', default: true, help: 'also evaluate the mean each step (one more call); it may become the solution' },
];

/** pycma's default population size for dimension n. */
export function defaultPopulation(n: number): number {
  return 4 + Math.floor(3 * Math.log(Math.max(1, n)));
}

class CmaEs implements Optimizer {
  readonly n: number;
  /** Candidates per step. */
  readonly popsize: number;
  /** Ranks that can be selected: popsize, or popsize / 2 pair winners when mirrored. */
  readonly ranks: number;
  readonly mu: number;
  readonly sep: boolean;
  readonly mirrored: boolean;
  readonly tpa: boolean;
  /** Recombination weights by rank, `ranks` of them: mu positive summing to 1, then negative ones (active). */
  private readonly weights: Float64Array;
  /** Sum of all weights, 1 + (negative sum). */
  private readonly weightSum: number;
  /** This step's weights by rank, negative ones already multiplied by n / ||C^{-1/2} y||^2. */
  private readonly w: Float64Array;
  readonly muEff: number;
  readonly cs: number;
  readonly ds: number;
  readonly cc: number;
  readonly c1: number;
  readonly cmu: number;
  private readonly chiN: number;
  private readonly eigenGap: number;

  private readonly mean: Float64Array;
  private sigma: number;
  private readonly ps: Float64Array;
  private readonly pc: Float64Array;
  /** Full: n x n row-major covariance; sep: its diagonal. */
  private readonly C: Float64Array;
  /** Full: eigenvectors of C in its columns (row-major), the tutorial's B; empty in sep mode. */
  private readonly basis: Float64Array;
  /** Square roots of the eigenvalues of C (sep: of its diagonal), the tutorial's D. */
  private readonly scale: Float64Array;
  private readonly work: Float64Array;
  private readonly work2: Float64Array;

  private readonly Z: Float64Array[];
  private readonly Y: Float64Array[];
  private readonly cand: Float64Array;
  private readonly losses: Float64Array;
  private readonly order: Int32Array;
  /** Pair winners in rank order (mirrored). */
  private readonly winners: Int32Array;
  private readonly seen: Uint8Array;
  /** The last mean shift: TPA's direction. */
  private readonly shift: Float64Array;
  /** TPA's state s, and whether candidates 0 and 1 of this step are its pair. */
  private tpaS = 0;
  private tpaPair = false;
  private readonly zw: Float64Array;
  private readonly yw: Float64Array;
  private readonly evals: Evaluations;
  private readonly evalMean: boolean;
  private updates = 0;
  private lastEigen = 0;

  constructor(
    theta0: Float64Array,
    o: { population: number; sigma: number; diagonal: string; active: boolean; mirrored: boolean; step_size: string; eval_mean: boolean },
    private readonly rng: Rng,
  ) {
    const n = theta0.length;
    this.evalMean = o.eval_mean;
    this.n = n;
    this.sep = o.diagonal === 'on' || (o.diagonal === 'auto' && n > FULL_MAX_N);
    this.mirrored = o.mirrored;
    this.tpa = o.step_size === 'tpa';
    let popsize = o.population > 0 ? o.population : defaultPopulation(n);
    if (this.mirrored) popsize += popsize % 2;
    this.popsize = popsize;
    // The weights of the mirrored ES are those of popsize / 2 ranks, one per pair.
    const ranks = this.mirrored ? popsize / 2 : popsize;
    // One rank has the weight ln((1 + 1) / 2) - ln 1 = 0, normalised 0 / 0: nothing to recombine.
    if (ranks < 2) throw new UsageError('population', `must be 0 (the default) or >= 3, got ${o.population}`);
    this.ranks = ranks;
    const mu = Math.max(1, Math.floor(ranks / 2));
    this.mu = mu;
    // Tutorial eq. (49)-(53): w'_i = ln((ranks + 1) / 2) - ln i for i = 1..ranks; the first mu
    // (positive) sum to 1, the rest (negative, used by the active update only) are scaled below.
    const raw = new Float64Array(ranks);
    for (let i = 0; i < ranks; i++) raw[i] = Math.log((ranks + 1) / 2) - Math.log(i + 1);
    let pos = 0;
    let posSq = 0;
    let neg = 0;
    let negSq = 0;
    for (let i = 0; i < ranks; i++) {
      if (i < mu) {
        pos += raw[i];
        posSq += raw[i] * raw[i];
      } else if (raw[i] < 0) {
        neg -= raw[i];
        negSq += raw[i] * raw[i];
      }
    }
    const muEff = (pos * pos) / posSq;
    const muEffNeg = negSq > 0 ? (neg * neg) / negSq : 0;
    this.muEff = muEff;
    this.cs = (muEff + 2) / (n + muEff + 5);
    this.ds = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + this.cs;
    this.cc = (4 + muEff / n) / (n + 4 + (2 * muEff) / n);
    const alphaCov = 2;
    let c1 = alphaCov / ((n + 1.3) ** 2 + muEff);
    let cmu = (alphaCov * (muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + (alphaCov * muEff) / 2);
    if (this.sep) {
      c1 *= (n + 1.5) / 3;
      cmu *= (n + 1.5) / 3;
    }
    c1 = Math.min(1, c1);
    this.c1 = c1;
    this.cmu = Math.max(0, Math.min(1 - c1, cmu));
    // Negative weights: scaled by min(alpha_mu^-, alpha_mueff^-, alpha_posdef^-) / sum |w'^-|.
    const alphaNeg = Math.min(1 + c1 / this.cmu, 1 + (2 * muEffNeg) / (muEff + 2), (1 - c1 - this.cmu) / (n * this.cmu));
    this.weights = new Float64Array(ranks);
    this.weightSum = 1;
    for (let i = 0; i < ranks; i++) {
      if (i < mu) this.weights[i] = raw[i] / pos;
      else if (o.active && raw[i] < 0 && this.cmu > 0) {
        this.weights[i] = (alphaNeg * raw[i]) / neg;
        this.weightSum += this.weights[i];
      }
    }
    this.w = new Float64Array(ranks);
    this.chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
    this.eigenGap = Math.max(1, Math.floor(1 / ((this.c1 + this.cmu) * n * 10)));

    this.mean = Float64Array.from(theta0);
    this.sigma = o.sigma;
    this.ps = new Float64Array(n);
    this.pc = new Float64Array(n);
    this.scale = new Float64Array(n).fill(1);
    if (this.sep) {
      this.C = new Float64Array(n).fill(1);
      this.basis = new Float64Array(0);
      this.work = new Float64Array(0);
      this.work2 = new Float64Array(0);
    } else {
      this.C = new Float64Array(n * n);
      this.basis = new Float64Array(n * n);
      for (let i = 0; i < n; i++) this.C[i * n + i] = this.basis[i * n + i] = 1;
      this.work = new Float64Array(n * n);
      this.work2 = new Float64Array(n * n);
    }
    const all = this.popsize;
    this.Z = rowViews(new Float64Array(all * n), all, n);
    this.Y = rowViews(new Float64Array(all * n), all, n);
    this.cand = new Float64Array(n);
    this.losses = new Float64Array(all);
    this.order = new Int32Array(all);
    this.winners = new Int32Array(this.ranks);
    this.seen = new Uint8Array(all);
    this.shift = new Float64Array(n);
    this.zw = new Float64Array(n);
    this.yw = new Float64Array(n);
    this.evals = new Evaluations(theta0, true);
  }

  step(objective: ObjectiveLike): StepResult {
    const { n, popsize, Z, Y, scale, mean, cand, losses, evals } = this;
    const sigma = this.sigma;
    evals.begin(objective);
    this.tpaPair = this.tpa && popsize >= 2 && this.updates > 0 && this.sampleAlongShift(Z[0], Y[0]);
    for (let k = 0; k < popsize; k++) {
      const z = Z[k];
      const y = Y[k];
      if (k % 2 === 1 && (this.mirrored || (k === 1 && this.tpaPair))) {
        const z0 = Z[k - 1];
        const y0 = Y[k - 1];
        for (let i = 0; i < n; i++) {
          z[i] = -z0[i];
          y[i] = -y0[i];
        }
      } else if (k > 0 || !this.tpaPair) this.sample(z, y);
      for (let i = 0; i < n; i++) cand[i] = mean[i] + sigma * y[i];
      losses[k] = evals.evaluate(objective, cand);
    }
    const s = finiteStats(losses);
    if (s.finite > 0) this.update();
    const meanLoss = this.evalMean ? evals.evaluate(objective, mean) : NaN;
    let dmax = 0;
    let dmin = Infinity;
    for (let i = 0; i < n; i++) {
      if (scale[i] > dmax) dmax = scale[i];
      if (scale[i] < dmin) dmin = scale[i];
    }
    return evals.result({ pop_best: s.min, pop_mean: s.mean, mean_loss: meanLoss, sigma: this.sigma, axis_ratio: dmax / dmin });
  }

  /** y = basis scale z (the tutorial's B D z) for a fresh z ~ N(0, I): y ~ N(0, C). */
  private sample(z: Float64Array, y: Float64Array): void {
    const { n, basis, scale } = this;
    this.rng.fillNormal(z);
    if (this.sep) {
      for (let i = 0; i < n; i++) y[i] = scale[i] * z[i];
      return;
    }
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let j = 0; j < n; j++) s += basis[row + j] * scale[j] * z[j];
      y[i] = s;
    }
  }

  /**
   * TPA's first candidate: y = ||z|| dm / ||dm||_{C^-1} for a fresh z, so that it is as long as a
   * random one in the metric of C, and z = scale^-1 basis^T y. False (nothing usable) if dm = 0.
   */
  private sampleAlongShift(z: Float64Array, y: Float64Array): boolean {
    const { n, basis, scale, shift } = this;
    this.rng.fillNormal(z);
    let zz = 0;
    for (let i = 0; i < n; i++) zz += z[i] * z[i];
    let qq = 0;
    for (let j = 0; j < n; j++) {
      let t = shift[j];
      if (!this.sep) {
        t = 0;
        for (let i = 0; i < n; i++) t += basis[i * n + j] * shift[i];
      }
      z[j] = t / scale[j];
      qq += z[j] * z[j];
    }
    if (!(qq > 0) || !Number.isFinite(qq)) return false;
    const f = Math.sqrt(zz / qq);
    for (let i = 0; i < n; i++) {
      z[i] *= f;
      y[i] = shift[i] * f;
    }
    return true;
  }

  /** The pair winners (the first of each pair m +- sigma y to appear) in rank order. */
  private pairWinners(order: Int32Array): Int32Array {
    const { seen, winners } = this;
    seen.fill(0);
    let c = 0;
    for (let r = 0; r < this.popsize; r++) {
      const k = order[r];
      if (seen[k ^ 1]) continue;
      seen[k] = 1;
      winners[c++] = k;
    }
    return winners;
  }

  /** One update of mean, paths, C and sigma from this step's (partly finite) losses. */
  private update(): void {
    const { n, Z, Y, zw, yw, ps, pc, mean, C, basis, w, cs, cc, c1, cmu, losses, shift } = this;
    const ranks = this.ranks;
    const all = rankByLoss(losses, this.order);
    if (this.tpaPair) {
      // rank(-) - rank(+): positive when the step along the last shift was the better one.
      const plus = all.indexOf(0);
      const minus = all.indexOf(1);
      this.tpaS = (1 - TPA_C) * this.tpaS + (TPA_C * (minus - plus)) / (this.popsize - 1);
    }
    const order = this.mirrored ? this.pairWinners(all) : all;
    let sel = 0;
    while (sel < this.mu && Number.isFinite(losses[order[sel]])) sel++;
    let wsum = 0;
    for (let i = 0; i < sel; i++) wsum += this.weights[i];
    let wsq = 0;
    w.fill(0);
    for (let i = 0; i < sel; i++) {
      w[i] = this.weights[i] / wsum;
      wsq += w[i] * w[i];
    }
    // Active update: the worst ranks (non-finite ones included) get negative weights, each scaled
    // by n / ||C^{-1/2} y_i||^2 = n / ||z_i||^2 (the basis is orthogonal), tutorial eq. (46).
    for (let r = this.mu; r < ranks; r++) {
      if (this.weights[r] === 0) continue;
      const z = Z[order[r]];
      let zz = 0;
      for (let i = 0; i < n; i++) zz += z[i] * z[i];
      w[r] = zz > 0 ? (this.weights[r] * n) / zz : 0;
    }
    const muEff = 1 / wsq;
    zw.fill(0);
    yw.fill(0);
    for (let r = 0; r < sel; r++) {
      const z = Z[order[r]];
      const y = Y[order[r]];
      const wr = w[r];
      for (let i = 0; i < n; i++) {
        zw[i] += wr * z[i];
        yw[i] += wr * y[i];
      }
    }
    // Mean: m <- m + c_m sigma y_w with c_m = 1.
    for (let i = 0; i < n; i++) {
      shift[i] = this.sigma * yw[i];
      mean[i] += shift[i];
    }
    this.updates++;
    // h_sigma stalls the p_c update while the step size is (still) growing.
    let hs = this.tpaS < 0.5 ? 1 : 0;
    let psNorm = 0;
    if (!this.tpa) {
      // p_sigma <- (1 - c_s) p_sigma + sqrt(c_s (2 - c_s) mu_eff) C^{-1/2} y_w, and C^{-1/2} y_w = basis z_w.
      const fs = Math.sqrt(cs * (2 - cs) * muEff);
      let psNorm2 = 0;
      for (let i = 0; i < n; i++) {
        let v = zw[i];
        if (!this.sep) {
          v = 0;
          const row = i * n;
          for (let j = 0; j < n; j++) v += basis[row + j] * zw[j];
        }
        ps[i] = (1 - cs) * ps[i] + fs * v;
        psNorm2 += ps[i] * ps[i];
      }
      psNorm = Math.sqrt(psNorm2);
      hs = psNorm / Math.sqrt(1 - (1 - cs) ** (2 * this.updates)) < (1.4 + 2 / (n + 1)) * this.chiN ? 1 : 0;
    }
    const fc = hs * Math.sqrt(cc * (2 - cc) * muEff);
    for (let i = 0; i < n; i++) pc[i] = (1 - cc) * pc[i] + fc * yw[i];
    // C <- (1 - c1 - cmu sum_j w_j + (1 - h_s) c1 c_c (2 - c_c)) C + c1 p_c p_c^T + cmu sum_r w°_r y_r y_r^T.
    const a = 1 - c1 - cmu * this.weightSum + (1 - hs) * c1 * cc * (2 - cc);
    if (this.sep) {
      for (let i = 0; i < n; i++) {
        let rank = 0;
        for (let r = 0; r < ranks; r++) {
          if (w[r] === 0) continue;
          const y = Y[order[r]][i];
          rank += w[r] * y * y;
        }
        C[i] = a * C[i] + c1 * pc[i] * pc[i] + cmu * rank;
        this.scale[i] = Math.sqrt(Math.max(C[i], 0));
      }
    } else {
      for (let i = 0; i < n; i++) {
        for (let j = i; j < n; j++) {
          let rank = 0;
          for (let r = 0; r < ranks; r++) {
            if (w[r] === 0) continue;
            const y = Y[order[r]];
            rank += w[r] * y[i] * y[j];
          }
          const v = a * C[i * n + j] + c1 * pc[i] * pc[j] + cmu * rank;
          C[i * n + j] = v;
          C[j * n + i] = v;
        }
      }
      if (this.updates - this.lastEigen >= this.eigenGap) {
        this.decompose();
        this.lastEigen = this.updates;
      }
    }
    if (this.tpa) this.sigma *= Math.exp(this.tpaS / Math.sqrt(n));
    // CSA: sigma <- sigma exp((c_s / d_s)(||p_sigma|| / E||N(0, I)|| - 1)), the factor capped at e.
    else this.sigma *= Math.exp(Math.min(1, (cs / this.ds) * (psNorm / this.chiN - 1)));
  }

  /** basis, scale <- eigendecomposition of C, warm-started: Jacobi on basis^T C basis, rotations applied to the basis. */
  private decompose(): void {
    const { n, C, basis, scale, work: T, work2: A } = this;
    // T = C basis, A = basis^T T.
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += C[i * n + k] * basis[k * n + j];
        T[i * n + j] = s;
      }
    }
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += basis[k * n + i] * T[k * n + j];
        A[i * n + j] = s;
        A[j * n + i] = s;
      }
    }
    jacobiEigen(A, basis, n);
    let dmax = 0;
    for (let i = 0; i < n; i++) dmax = Math.max(dmax, A[i * n + i]);
    for (let i = 0; i < n; i++) scale[i] = Math.sqrt(Math.max(A[i * n + i], dmax * 1e-30));
  }

  solution(): Float64Array {
    return this.evals.best;
  }
}

export const cmaes: OptimizerEntry = {
  name: 'cmaes',
  help: 'CMA-ES (Hansen), pycma default population, mirrored sampling, two-point step-size adaptation; sep-CMA (diagonal C) for large n',
  cite: 'Hansen 2016, The CMA Evolution Strategy: A Tutorial (arXiv:1604.00772); Ros & Hansen 2008 (sep-CMA); Auger, Brockhoff & Hansen 2011 (mirrored sampling); Hansen 2008, arXiv:0805.0231 (TPA)',
  options,
  create(theta0: Float64Array, opts: Readonly<Record<string, OptionValue>>, rng: Rng): Optimizer {
    const v = readOptions(options, opts);
    return new CmaEs(
      theta0,
      {
        population: Number(v.population),
        sigma: Number(v.sigma),
        diagonal: String(v.diagonal),
        active: v.active === true,
        mirrored: v.mirrored === true,
        step_size: String(v.step_size),
        eval_mean: v.eval_mean === true,
      },
      rng,
    );
  },
};
