/** The optimizer registry: name -> implementation, options with defaults, help. */
import { unknownName } from '../errors.js';
import { bptt } from './bptt.js';
import { cmaes } from './cmaes.js';
import { es } from './es.js';
import { ga } from './ga.js';
import { random } from './random.js';
import type { OptimizerEntry } from './types.js';

const list: OptimizerEntry[] = [bptt, ga, es, cmaes, random];

export const optimizers: ReadonlyMap<string, OptimizerEntry> = new Map(list.map((o) => [o.name, o]));
export const optimizerNames: readonly string[] = list.map((o) => o.name);

export function getOptimizer(name: string): OptimizerEntry {
  const o = optimizers.get(name);
  if (!o) throw unknownName('optimizer', name, optimizerNames);
  return o;
}
