/**
 * The sweep pool: cells run in worker_threads (one cell at a time per worker), dispatched in the
 * given order, outcomes streamed back to the caller as they finish. Numbers do not depend on which
 * worker ran a cell: a cell's streams come from its config alone.
 *
 * A cell that throws becomes an `error` outcome with its message and the sweep goes on; a worker
 * that dies (uncaught error, out of memory) is replaced and its cell reported as an error. With
 * `failFast` the first error stops dispatching and terminates the workers. An aborted signal
 * (SIGINT) does the same: cells in flight are dropped, the caller decides what to write.
 *
 * `workers: 0` runs the cells in the calling thread (no worker_threads; for debugging and tests).
 *
 * Task modules are code, not data: each worker gets the paths of the modules (and `data:` files)
 * loaded in this thread (`WorkerInit`) and loads them itself before its first cell (worker.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type CellResult, runCell } from './cell.js';
import type { CellConfig } from './config.js';
import type { Cell } from './grid.js';
import { loadedModulePaths } from './task-module.js';

/** A cell result as sent between threads (theta stays in the worker). */
export type CellResultData = Omit<CellResult, 'theta'>;

export type ToWorker = { type: 'run'; index: number; config: CellConfig };

export type Outcome =
  | { type: 'done'; index: number; result: CellResultData }
  | { type: 'error'; index: number; message: string; wall_ms: number };

export type FromWorker = Outcome;

/** A worker's `workerData`: the canonical values of the task modules and data files it loads at start. */
export interface WorkerInit {
  modules: string[];
}

/** Runs one cell; an exception becomes an error outcome with its message. */
export function runCellSafe(index: number, config: CellConfig): Outcome {
  const t0 = performance.now();
  try {
    const { theta: _theta, ...result } = runCell(config);
    return { type: 'done', index, result };
  } catch (e) {
    return { type: 'error', index, message: errorMessage(e), wall_ms: performance.now() - t0 };
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`;
  return String(e);
}

export interface PoolOptions {
  /** Worker threads; 0 runs in the calling thread. */
  workers: number;
  failFast?: boolean;
  /** Abort to stop: nothing more is dispatched and the workers are terminated. */
  signal?: AbortSignal;
  /** Called when a cell is handed to a worker. */
  onStart?: (cell: Cell) => void;
  /** How `workers: 0` runs a cell in the calling thread (default runCellSafe); match the worker script's. */
  run?: (index: number, config: CellConfig) => Outcome;
}

export type PoolEnd = 'done' | 'failed' | 'aborted';

/** The compiled worker script (dist/src/experiment/worker.js, also when this module runs from TypeScript sources). */
export function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.js')
    ? fileURLToPath(new URL('./worker.js', import.meta.url))
    : fileURLToPath(new URL('../../dist/src/experiment/worker.js', import.meta.url));
  if (!existsSync(file)) throw new Error(`the compiled worker ${file} is missing: build first (npx tsc -p .)`);
  return file;
}

/**
 * Runs `cells` and calls `onOutcome` for each as it finishes (in completion order). Resolves when
 * every cell has an outcome, or after fail-fast / abort.
 */
export async function runPool(cells: readonly Cell[], opts: PoolOptions, onOutcome: (cell: Cell, outcome: Outcome) => void): Promise<PoolEnd> {
  if (cells.length === 0) return 'done';
  if (opts.workers <= 0) return runInline(cells, opts, onOutcome);
  const script = workerScript();
  const n = Math.min(opts.workers, cells.length);
  let next = 0;
  let stopped: PoolEnd | undefined;
  const live = new Set<Worker>();

  return new Promise<PoolEnd>((resolveAll, rejectAll) => {
    let running = 0;
    // An exception of the caller's onOutcome (e.g. a full disk) stops the pool and rejects.
    let failure: { error: unknown } | undefined;
    const finish = () => {
      if (running !== 0) return;
      if (failure) rejectAll(failure.error);
      else resolveAll(stopped ?? 'done');
    };
    const report = (cell: Cell, outcome: Outcome): boolean => {
      try {
        onOutcome(cell, outcome);
        return true;
      } catch (error) {
        failure ??= { error };
        stop('failed');
        return false;
      }
    };
    const stop = (why: PoolEnd) => {
      if (stopped) return;
      stopped = why;
      for (const w of live) void w.terminate();
    };
    const onAbort = () => stop('aborted');
    if (opts.signal?.aborted) {
      resolveAll('aborted');
      return;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const startWorker = () => {
      const w = new Worker(script, { workerData: { modules: loadedModulePaths() } satisfies WorkerInit });
      live.add(w);
      running++;
      let current: Cell | undefined;
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        live.delete(w);
        running--;
        if (running === 0) opts.signal?.removeEventListener('abort', onAbort);
        finish();
      };
      const dispatch = () => {
        if (stopped || next >= cells.length) {
          current = undefined;
          void w.terminate();
          return;
        }
        current = cells[next++];
        opts.onStart?.(current);
        w.postMessage({ type: 'run', index: current.index, config: current.config } satisfies ToWorker);
      };
      w.on('message', (msg: Outcome) => {
        if (stopped || !current) return;
        const cell = current;
        current = undefined;
        if (!report(cell, msg)) return;
        if (msg.type === 'error' && opts.failFast) {
          stop('failed');
          return;
        }
        dispatch();
      });
      w.on('error', (err) => {
        // The worker died (not a cell exception: those are caught inside). Report its cell, replace it.
        const cell = current;
        current = undefined;
        if (cell && !stopped && report(cell, { type: 'error', index: cell.index, message: `worker crashed: ${errorMessage(err)}`, wall_ms: NaN }) && opts.failFast)
          stop('failed');
      });
      w.on('exit', () => {
        const cell = current;
        current = undefined;
        if (cell && !stopped && report(cell, { type: 'error', index: cell.index, message: 'worker exited unexpectedly', wall_ms: NaN }) && opts.failFast)
          stop('failed');
        // We terminate workers only when stopping or when no cell is left: any other exit is a crash.
        if (!stopped && next < cells.length) startWorker();
        close();
      });
      dispatch();
    };
    for (let i = 0; i < n; i++) startWorker();
  });
}

async function runInline(cells: readonly Cell[], opts: PoolOptions, onOutcome: (cell: Cell, outcome: Outcome) => void): Promise<PoolEnd> {
  for (const cell of cells) {
    if (opts.signal?.aborted) return 'aborted';
    opts.onStart?.(cell);
    const out = (opts.run ?? runCellSafe)(cell.index, cell.config);
    onOutcome(cell, out);
    if (out.type === 'error' && opts.failFast) return 'failed';
    // Let signal handlers run between cells.
    await new Promise((r) => setImmediate(r));
  }
  return 'done';
}
