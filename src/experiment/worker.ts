/**
 * A sweep worker thread: receives cells (resolved configs) from the pool, runs each with runCell
 * and posts the outcome back (see `runCellSafe`: a cell that throws becomes an error outcome and the
 * worker goes on with the next cell).
 */
import { parentPort } from 'node:worker_threads';
import { type ToWorker, runCellSafe } from './pool.js';

const port = parentPort;
if (!port) throw new Error('worker.js must run in a worker thread');

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'run') port.postMessage(runCellSafe(msg.index, msg.config));
});
