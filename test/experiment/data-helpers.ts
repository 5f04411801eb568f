/**
 * Writes data files from kstep's own draws: the training, test and validation sets a built-in
 * task's objective draws for a seed (streams `data/<task>` then `train`, `test` and `val`,
 * core/setup.ts), as rows x0_1..x0_D, y_1..y_D (y = f^K(x0)) with a split column marking which set
 * each row came from.
 * A data file written so must train exactly like the built-in task.
 */
import { writeFileSync } from 'node:fs';
import { Dataset } from '../../src/core/objective.js';
import { derive } from '../../src/core/rng.js';
import { makeTask } from '../../src/core/tasks.js';

export interface PairsOptions {
  task?: string;
  seed?: number;
  /** Horizons to write rows at (each with its own draws); a K column is written when `kColumn`. */
  Ks: number[];
  train: number;
  test: number;
  /** Validation rows (default none). */
  val?: number;
  kColumn?: boolean;
  split?: boolean;
}

/** The CSV text of a data file drawn from the built-in task's train and test streams. */
export function pairsCsv(o: PairsOptions): string {
  const task = makeTask(o.task ?? 'rotation');
  const D = task.D;
  const split = o.split ?? true;
  const cols = [...Array.from({ length: D }, (_, i) => `x0_${i + 1}`), ...Array.from({ length: D }, (_, i) => `y_${i + 1}`)];
  if (o.kColumn) cols.push('K');
  if (split) cols.push('split');
  const lines = [cols.join(',')];
  for (const K of o.Ks) {
    const data = derive(o.seed ?? 1, `data/${task.name}`);
    for (const [set, n] of [['train', o.train], ['test', o.test], ['val', o.val ?? 0]] as const) {
      const ds = new Dataset(task, n, K, data.derive(set));
      for (let s = 0; s < n; s++) {
        const row: (string | number)[] = [];
        for (let d = 0; d < D; d++) row.push(ds.states[0][s * D + d]);
        for (let d = 0; d < D; d++) row.push(ds.states[K][s * D + d]);
        if (o.kColumn) row.push(K);
        if (split) row.push(set);
        lines.push(row.join(','));
      }
    }
  }
  return lines.join('\n') + '\n';
}

export function writePairs(file: string, o: PairsOptions): void {
  writeFileSync(file, pairsCsv(o));
}
