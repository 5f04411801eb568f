/**
 * One cell of a sweep, as the worker threads (worker.ts) and `--workers 0` run it: the cell, and
 * its health diagnostics when the sweep asked for them.
 */
import { runCell } from './cell.js';
import { getFeatureMap } from '../core/features.js';
import { recordedPairs } from '../core/tasks.js';
import { type CellHealth, diagnoseCell, diagnoseStart } from './cell-health.js';
import type { CellConfig } from './config.js';
import type { HealthSpec } from './health-option.js';
import { type Outcome, errorMessage } from './pool.js';

/** A cell's config as a sweep sends it: the resolved config, plus the health option when on. */
export type SweepCellConfig = CellConfig & { health?: HealthSpec };

/** An outcome with the cell's health rows (present when the sweep asked for them and the cell ran). */
export type SweepOutcome = Outcome & { health?: CellHealth };

/**
 * Runs one cell of a sweep with runCell and, when the sweep asked for gradient health
 * (`config.health`, the experiment's `health` option), diagnoses the cell's network at its initial
 * parameters (phase `start`) and at its trained parameters (phase `end`) at each K of `healthKs`
 * (src/health/diagnose.ts): the rows of health.csv. An exception becomes an error outcome with its
 * message. The worker threads (worker.ts) and `--workers 0` both run cells with it.
 */
export function runSweepCell(index: number, config: SweepCellConfig): SweepOutcome {
  const t0 = performance.now();
  try {
    const { health, ...cfg } = config;
    const { theta, ...result } = runCell(cfg);
    // The diagnostics draw fresh states from the task's true map and differentiate through the
    // feature map: a data task or a feature without a vjp leaves the health columns empty.
    if (!health || recordedPairs(cfg.task) || !getFeatureMap(cfg.features).vjp) return { type: 'done', index, result };
    const start = diagnoseStart(cfg, health);
    const end = diagnoseCell(cfg, health, theta);
    return { type: 'done', index, result, health: { start, end } };
  } catch (e) {
    return { type: 'error', index, message: errorMessage(e), wall_ms: performance.now() - t0 };
  }
}
