/**
 * A sweep worker thread: receives cells (resolved configs, with the health option when the sweep
 * asked for diagnostics) from the pool, runs each with `runSweepCell` (sweep-cell.ts) and posts the
 * outcome back. A cell that throws becomes an error outcome and the worker goes on with the next cell.
 */
import { parentPort } from 'node:worker_threads';
import type { ToWorker } from './pool.js';
import { runSweepCell } from './sweep-cell.js';

const port = parentPort;
if (!port) throw new Error('worker.js must run in a worker thread');

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'run') port.postMessage(runSweepCell(msg.index, msg.config));
});
