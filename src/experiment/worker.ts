/**
 * A sweep worker thread: receives cells (resolved configs, with the health option when the sweep
 * asked for diagnostics) from the pool, runs each with `runSweepCell` (sweep-cell.ts) and posts the
 * outcome back. A cell that throws becomes an error outcome and the worker goes on with the next cell.
 *
 * Before its first cell the worker loads the task modules the main thread loaded (`workerData`), with
 * the same loader, so that a cell's `task` value (a module's absolute path) names the same task here.
 * Messages that arrive meanwhile wait for the loading; if it fails, every cell is an error outcome.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type ToWorker, type WorkerInit, errorMessage } from './pool.js';
import { runSweepCell } from './sweep-cell.js';
import { loadTaskModule } from './task-module.js';

const port = parentPort;
if (!port) throw new Error('worker.js must run in a worker thread');

const init = (workerData ?? { modules: [] }) as WorkerInit;
const ready: Promise<void> = (async () => {
  for (const path of init.modules) await loadTaskModule(path);
})();
// A failed load is reported per cell below; this keeps it from being an unhandled rejection first.
ready.catch(() => {});

port.on('message', (msg: ToWorker) => {
  if (msg.type !== 'run') return;
  ready.then(
    () => port.postMessage(runSweepCell(msg.index, msg.config)),
    (e: unknown) => port.postMessage({ type: 'error', index: msg.index, message: `loading the task modules: ${errorMessage(e)}`, wall_ms: 0 }),
  );
});
