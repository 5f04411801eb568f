/**
 * The health diagnostics of a sweep cell (the experiment option `health`): rows at each K of
 * healthKs, at the cell's initial parameters and at its trained ones. Start-of-training rows are
 * cached per thread, since many cells of a sweep share them.
 */
import { assemble } from '../core/setup.js';
import { type HealthRow, cellHealthRows } from '../health/diagnose.js';
import type { CellConfig } from './config.js';
import { type HealthSpec, healthKs } from './health-option.js';

/** The diagnostics of one cell: rows at each K of `healthKs`, at start and at end. */
export interface CellHealth {
  start: HealthRow[];
  end: HealthRow[];
}

/** The health rows of a cell at theta (deterministic: the cell's seed draws the initial states). */
export function diagnoseCell(cfg: CellConfig, health: HealthSpec, theta: Float64Array): HealthRow[] {
  return cellHealthRows(cfg, theta, {
    Ks: healthKs(cfg.K, health),
    samples: health.samples,
    snr: { batches: health.snr_batches, batch: health.snr_batch },
    lyapunov: health.lyapunov_steps > 0 ? { steps: health.lyapunov_steps, samples: health.lyapunov_samples } : false,
  });
}

/**
 * Start-of-training rows, per thread: they depend only on what the key lists (the task, the net, its
 * initialisation and the seed, which draws both theta0 and the probe states), not on the optimizer,
 * the budget or any other knob, so the cells of a sweep that differ only in those share them.
 */
const startRows = new Map<string, HealthRow[]>();

/** diagnoseCell at the cell's initial parameters, computed once per distinct key in this thread. */
export function diagnoseStart(cfg: CellConfig, health: HealthSpec): HealthRow[] {
  const { task, taskParams, features, hidden, activation, residual, init, gain, seed } = cfg;
  const key = JSON.stringify([task, taskParams, features, hidden, activation, residual, init, gain, seed, healthKs(cfg.K, health), health]);
  let rows = startRows.get(key);
  if (!rows) {
    // The initial parameters, drawn from the cell's init stream as runCell's (without its data sets).
    rows = diagnoseCell(cfg, health, assemble(cfg).theta0());
    startRows.set(key, rows);
  }
  return rows.map((r) => ({ ...r }));
}
