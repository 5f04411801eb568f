/**
 * Recorded pairs: the data of a task that has no true map, only initial states o_0 and the states
 * o_k reached k steps later (a data file's rows, read by experiment/task-data.ts; core reads no
 * files). Rows are grouped by their horizon k; a file without a K column has one horizon it does
 * not name (UNNAMED_K), and a cell takes those rows at its own K.
 *
 * What a cell draws from them (stream `data/<name>`, as the trajectory data sets of a task with a
 * true map): the training pairs at every horizon its curriculum uses and the test and validation
 * pairs at its K. With a split column, the first `train` rows marked train (in file order), the
 * first `test` marked test and the first `val` marked val; without one, a permutation of the
 * horizon's rows drawn from `split/<k>` gives `train` rows, then `test` rows, then `val` rows (the
 * permutation is drawn one position at a time, so asking for validation rows moves no training or
 * test row). A curriculum's scheduled K is replaced by the largest horizon
 * present at or below it (the shortest horizon when none is), so it only trains on recorded pairs.
 */
import type { Curriculum } from './objective.js';
import type { Rng } from './rng.js';

/** The rows at one horizon: n initial states and the states k steps later, row-major n x D. */
export interface HorizonRows {
  readonly n: number;
  readonly x0: Float64Array;
  readonly y: Float64Array;
  /** Per row the set the file marks it for (SPLIT_TRAIN, SPLIT_TEST, SPLIT_VAL); absent without a split column. */
  readonly split?: Uint8Array;
}

/** The marks of a split column. */
export const SPLIT_TRAIN = 0;
export const SPLIT_TEST = 1;
export const SPLIT_VAL = 2;

/** The horizon key of the rows of a file without a K column: they stand at whatever K a cell has. */
export const UNNAMED_K = 0;

export interface RecordedPairs {
  /** Names the pairs' streams (`data/<name>`): the file's base name without its extension. */
  readonly name: string;
  /** The file the pairs were read from, for messages. */
  readonly file: string;
  readonly D: number;
  /** Rows by horizon, horizons ascending (or the one UNNAMED_K). */
  readonly horizons: ReadonlyMap<number, HorizonRows>;
}

/** Pairs at one horizon as a loss uses them. */
export interface PairSet {
  readonly size: number;
  readonly x0: Float64Array;
  readonly y: Float64Array;
}

/** The keys of a cell that decide what it draws from recorded pairs. */
export interface PairNeeds {
  K: number;
  train: number;
  test: number;
  /** Validation pairs at K (0: none). */
  val: number;
  curriculum: Curriculum;
}

/** The horizons present, ascending (empty when the one horizon is unnamed). */
export function horizonsOf(p: RecordedPairs): number[] {
  return [...p.horizons.keys()].filter((k) => k !== UNNAMED_K).sort((a, b) => a - b);
}

/** The rows a cell takes at horizon k. */
function rowsAt(p: RecordedPairs, k: number): HorizonRows {
  return p.horizons.get(k) ?? p.horizons.get(UNNAMED_K)!;
}

/** The horizon a curriculum step scheduled at k trains on: the largest present <= k, else the shortest. */
export function horizonFor(p: RecordedPairs, k: number): number {
  const hs = horizonsOf(p);
  if (hs.length === 0) return k;
  let h = hs[0];
  for (const x of hs) if (x <= k) h = x;
  return h;
}

/** The horizons a cell trains on: its K, and with a curriculum every shorter horizon present. */
export function trainingHorizons(p: RecordedPairs, n: PairNeeds): number[] {
  return n.curriculum === 'none' ? [n.K] : horizonsOf(p).filter((h) => h <= n.K);
}

/** Why a cell cannot draw its data from these pairs, as [field, message]; undefined when it can. */
export function pairsProblem(p: RecordedPairs, n: PairNeeds): [string, string] | undefined {
  const hs = horizonsOf(p);
  const unnamed = hs.length === 0;
  if (!unnamed && !p.horizons.has(n.K)) return ['K', `${n.K} is not a horizon of data file ${p.file} (K present: ${hs.join(', ')})`];
  if (n.curriculum !== 'none' && !hs.some((h) => h < n.K))
    return [
      'curriculum',
      `${n.curriculum} trains on horizons shorter than K = ${n.K}, and data file ${p.file} has ${unnamed ? 'one horizon (no K column)' : hs.length === 1 ? `only K = ${n.K}` : `none below ${n.K} (K present: ${hs.join(', ')})`}; use curriculum=none or add rows at shorter K (a K column)`,
    ];
  for (const h of trainingHorizons(p, n)) {
    const rows = rowsAt(p, h);
    const at = hs.length > 1 ? ` at K = ${h}` : '';
    if (rows.split) {
      const [train, test, val] = counts(rows.split);
      if (n.train > train) return ['train', `asks for ${n.train} training pairs, data file ${p.file} has ${train} rows marked train${at}`];
      if (h === n.K && n.test > test) return ['test', `asks for ${n.test} test pairs, data file ${p.file} has ${test} rows marked test${at}`];
      if (h === n.K && n.val > val)
        return ['val', `asks for ${n.val} validation pairs, data file ${p.file} has ${val} rows marked val${at} (mark rows val in its split column, or set val=0: no validation set)`];
    } else {
      const want = h === n.K ? n.train + n.test + n.val : n.train;
      if (want <= rows.n) continue;
      const what = h === n.K ? `train + test + val = ${want}` : `train = ${want}`;
      const field = n.train > rows.n ? 'train' : h === n.K && n.train + n.test > rows.n ? 'test' : 'val';
      const hint = field === 'val' ? ' (set val=0 for no validation set)' : '';
      return [field, `${what} pairs asked for, data file ${p.file} has ${rows.n} rows${at}${hint}`];
    }
  }
  return undefined;
}

/** Rows marked train, test and val. */
function counts(split: Uint8Array): [number, number, number] {
  const c: [number, number, number] = [0, 0, 0];
  for (const m of split) c[m]++;
  return c;
}

/**
 * The training sets (by horizon), the test set and the validation set (undefined when val is 0) of
 * a cell, from `rng` (the cell's `data/<name>` stream). The caller has checked `pairsProblem`.
 */
export function selectPairs(p: RecordedPairs, n: PairNeeds, rng: Rng): { train: Map<number, PairSet>; test: PairSet; val?: PairSet } {
  const train = new Map<number, PairSet>();
  let test: PairSet | undefined;
  let val: PairSet | undefined;
  for (const h of trainingHorizons(p, n)) {
    const rows = rowsAt(p, h);
    const atK = h === n.K;
    let trainIdx: Int32Array;
    let testIdx: Int32Array;
    let valIdx: Int32Array;
    if (rows.split) {
      trainIdx = firstMarked(rows.split, SPLIT_TRAIN, n.train);
      testIdx = firstMarked(rows.split, SPLIT_TEST, atK ? n.test : 0);
      valIdx = firstMarked(rows.split, SPLIT_VAL, atK ? n.val : 0);
    } else {
      const m = atK ? n.train + n.test + n.val : n.train;
      const perm = partialPermutation(rows.n, m, rng.derive(`split/${h}`));
      trainIdx = perm.subarray(0, n.train);
      testIdx = perm.subarray(n.train, atK ? n.train + n.test : n.train);
      valIdx = perm.subarray(atK ? n.train + n.test : n.train, m);
    }
    train.set(h, gather(rows, trainIdx, p.D));
    if (atK) {
      test = gather(rows, testIdx, p.D);
      if (n.val > 0) val = gather(rows, valIdx, p.D);
    }
  }
  return val ? { train, test: test!, val } : { train, test: test! };
}

function firstMarked(marks: Uint8Array, mark: number, count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0, j = 0; j < count; i++) if (marks[i] === mark) out[j++] = i;
  return out;
}

/** The first m entries of a uniformly random permutation of 0..n-1 (partial Fisher-Yates). */
function partialPermutation(n: number, m: number, rng: Rng): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let s = 0; s < m; s++) {
    const j = s + rng.int(n - s);
    const t = idx[s];
    idx[s] = idx[j];
    idx[j] = t;
  }
  return idx.subarray(0, m);
}

function gather(rows: HorizonRows, idx: Int32Array, D: number): PairSet {
  const x0 = new Float64Array(idx.length * D);
  const y = new Float64Array(idx.length * D);
  for (let s = 0; s < idx.length; s++) {
    x0.set(rows.x0.subarray(idx[s] * D, (idx[s] + 1) * D), s * D);
    y.set(rows.y.subarray(idx[s] * D, (idx[s] + 1) * D), s * D);
  }
  return { size: idx.length, x0, y };
}
