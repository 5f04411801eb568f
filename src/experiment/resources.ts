/**
 * What a cell needs before it starts: the memory its buffers take and the cost of its largest
 * optimizer step, both computed from the resolved config without allocating anything.
 *
 * Memory (bytes, 8 per float64), from the buffers the cell actually allocates:
 *   - the training rollout (core/rollout.ts, `layout`): stored for BPTT, one segment of s steps,
 *     (s+1) B D states plus s B S activations with S = F + 2 sum(hidden) (each hidden layer keeps z
 *     and h), plus ceil(K/s) B D checkpoints when s < K (s = K with full storage, ceil(sqrt(K))
 *     checkpointed: the cell's memory mode); forward-only for the population methods, 2 B D + B S;
 *   - the evaluation rollout, whose state and activation buffers grow to the larger of each use:
 *     the probe stores the whole training set at K as above; the one-step nmse runs
 *     c = test min(K, max(1, floor(ONESTEP_CHUNK / test))) samples one step at a time (2 c D + c S),
 *     plus its input buffer, c D;
 *   - the data sets: train (K+1) D + test (2K+1) D + val (K+1) D;
 *   - the optimizer's vectors: GA two populations 2 P n, ES P/2 noise rows, CMA-ES 2 lambda n sample
 *     rows and, with a full covariance, four n x n matrices, random search one candidate, BPTT/Adam 4 n;
 *   - on the WebAssembly kernels (core/kernel-set.ts, the default), each rollout's linear memory also
 *     holds a copy of the parameters, their transposed weights and the gradient: 3 n per rollout.
 * The largest step (docs/ARCHITECTURE.md, "Cost"): BPTT 3 B K (B K + 2 B T truncated), GA P B K,
 * ES (P + 1) B K, CMA-ES (lambda + 1) B K with eval_mean plus B K when the incumbent is measured
 * again, random search (P + 1) B K.
 *
 * A cell is refused (UsageError) when its memory exceeds the limit (KSTEP_MEMORY_LIMIT, default
 * DEFAULT_MEMORY_LIMIT per cell) or when its largest step costs more than its budget.
 */
import { getFeatureMap } from '../core/features.js';
import { ONESTEP_CHUNK } from '../core/objective.js';
import { activeKernels } from '../core/kernel-set.js';
import { segmentLength, storedDoubles } from '../core/rollout.js';
import { getTask } from '../core/tasks.js';
import { UsageError } from '../errors.js';
import { FULL_MAX_N, defaultPopulation } from '../optimizers/cmaes.js';
import type { CellConfig } from './config.js';

/** Per cell: a sweep runs one cell per worker, so 2 workers on 2 cores hold at most 8 GB. */
export const DEFAULT_MEMORY_LIMIT = 4e9;
export const MEMORY_LIMIT_ENV = 'KSTEP_MEMORY_LIMIT';

export interface CellNeeds {
  /** Estimated bytes of the cell's buffers. */
  bytes: number;
  /** Cost of the cell's largest optimizer step, in network applications to one sample. */
  stepCost: number;
  /** Parameters of the net. */
  nParams: number;
}

export function cellNeeds(cfg: CellConfig): CellNeeds {
  const D = getTask(cfg.task).D;
  const F = getFeatureMap(cfg.features).dim(D);
  const sumHidden = cfg.hidden.reduce((a, h) => a + h, 0);
  const S = F + 2 * sumHidden;
  const sizes = [F, ...cfg.hidden, D];
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l - 1] * sizes[l] + sizes[l];
  const { K, train, test, val } = cfg;
  const B = cfg.batch > 0 ? Math.min(cfg.batch, train) : train;
  const o = cfg.options;
  const num = (k: string) => Number(o[k] ?? 0);

  let trainRollout: number;
  let optimizer: number;
  let stepCost: number;
  const forwardRollout = 2 * B * D + B * S;
  const memory = cfg.memory ?? 'auto';
  switch (cfg.optimizer) {
    case 'bptt': {
      trainRollout = storedDoubles(memory, K, B * D, B * S);
      optimizer = 4 * n;
      const T = num('truncate');
      stepCost = T > 0 && T < K ? B * K + 2 * B * T : 3 * B * K;
      break;
    }
    case 'ga': {
      const P = num('population');
      trainRollout = forwardRollout;
      optimizer = 2 * P * n;
      stepCost = P * B * K;
      break;
    }
    case 'es': {
      const P = num('population');
      trainRollout = forwardRollout;
      optimizer = (P / 2 + 4) * n;
      stepCost = (P + 1) * B * K;
      break;
    }
    case 'cmaes': {
      let lambda = num('population') > 0 ? num('population') : defaultPopulation(n);
      if (o.mirrored === true) lambda += lambda % 2;
      const full = o.diagonal === 'off' || (o.diagonal === 'auto' && n <= FULL_MAX_N);
      trainRollout = forwardRollout;
      optimizer = 2 * lambda * n + (full ? 4 * n * n : 0) + 8 * n;
      stepCost = (lambda + (o.eval_mean === true ? 1 : 0) + 1) * B * K;
      break;
    }
    default: {
      // random search and any population method: P candidates and the incumbent measured again.
      const P = num('population');
      trainRollout = forwardRollout;
      optimizer = 3 * n;
      stepCost = (P + 1) * B * K;
    }
  }
  const seg = segmentLength(memory, K, train * S);
  const probeCheckpoints = storedDoubles(memory, K, train * D, train * S) - (seg + 1) * train * D - seg * train * S;
  const chunk = test * Math.min(K, Math.max(1, Math.floor(ONESTEP_CHUNK / test)));
  const evalRollout = Math.max((seg + 1) * train * D, 2 * chunk * D) + Math.max(seg * train * S, chunk * S) + probeCheckpoints;
  const onestep = chunk * D;
  const data = (train * (K + 1) + test * (2 * K + 1) + val * (K + 1)) * D;
  const kernelCopies = activeKernels() === 'wasm' ? 2 * 3 * n : 0;
  const bytes = 8 * (trainRollout + evalRollout + onestep + data + optimizer + 2 * n + kernelCopies);
  return { bytes, stepCost, nParams: n };
}

/** The memory limit per cell in bytes: KSTEP_MEMORY_LIMIT (e.g. 8GB, 500MB, 2e9) or the default. */
export function memoryLimit(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MEMORY_LIMIT_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_MEMORY_LIMIT;
  const m = /^\s*([0-9]+(?:\.[0-9]+)?(?:e[0-9]+)?)\s*(b|kb|mb|gb|tb)?\s*$/i.exec(raw);
  const unit = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12 }[(m?.[2] ?? 'b').toLowerCase() as 'b'];
  const bytes = m ? Number(m[1]) * unit : NaN;
  if (!Number.isFinite(bytes) || bytes <= 0)
    throw new UsageError(MEMORY_LIMIT_ENV, `expected a positive size such as 8GB, 500MB or 2e9 (bytes), got '${raw}'`);
  return bytes;
}

/** Bytes as "11.2 GB", "512 MB". */
export function fmtBytes(b: number): string {
  if (b >= 1e12) return `${(b / 1e12).toFixed(1)} TB`;
  if (b >= 1e9) return `${(b / 1e9).toFixed(1)} GB`;
  if (b >= 1e6) return `${(b / 1e6).toFixed(0)} MB`;
  return `${(b / 1e3).toFixed(0)} kB`;
}

function fmtCount(x: number): string {
  return x >= 1e4 ? x.toExponential(2).replace('e+', 'e') : String(x);
}

/**
 * Refuses a cell that would not fit: `field` names where its values came from (the command's
 * flags or the sweep's cell). Returns the needs of a cell that fits.
 */
export function checkCellResources(cfg: CellConfig, field = 'cell', limit = memoryLimit()): CellNeeds {
  const needs = cellNeeds(cfg);
  const shape = `K=${cfg.K} hidden=${cfg.hidden.join(',')} train=${cfg.train} test=${cfg.test} val=${cfg.val}${cfg.batch > 0 ? ` batch=${cfg.batch}` : ''} optimizer=${cfg.optimizer}`;
  if (needs.bytes > limit)
    throw new UsageError(
      field,
      `needs ${fmtBytes(needs.bytes)} of memory (limit ${fmtBytes(limit)}) for ${shape}; lower K, hidden, train, test or val, or raise the limit with ${MEMORY_LIMIT_ENV}=${Math.ceil(needs.bytes / 1e9)}GB`,
    );
  if (needs.stepCost > cfg.budget)
    throw new UsageError(
      field,
      `one ${cfg.optimizer} step costs ${fmtCount(needs.stepCost)}, more than the budget ${fmtCount(cfg.budget)} for ${shape}; raise budget to at least ${fmtCount(needs.stepCost)} or lower K, batch, train or the population`,
    );
  return needs;
}
