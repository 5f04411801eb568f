/**
 * The package's public entry: the types a task module is written against
 * (`import type { Task, TaskInstance } from 'kstep'`). kstep itself is used through its CLI; this
 * entry exports no code. The contract is documented in core/tasks.ts and in the README's
 * "Your own problem".
 */
export type { Task, TaskInstance, TaskParam } from './core/tasks.js';
export type { Rng } from './core/rng.js';
export type { FeatureMap } from './core/features.js';
