/**
 * Reads a data file (`--task data:./pairs.csv`) into recorded pairs (core/pairs.ts): a CSV with a
 * header naming the columns x0_1..x0_D (initial states), y_1..y_D (the states K steps later), and
 * optionally K (positive integers: rows at several horizons; without it the file's one horizon is
 * not named, and a cell takes its rows at the cell's K) and split (train, test or val). Every problem is
 * one line naming the row (the header is row 1) and the column.
 *
 * The file is read as a stream, one pass, with the SHA-256 of its bytes computed on the way: time
 * and memory grow linearly with the rows (values are stored in growing Float64Arrays, not as
 * strings or row objects).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { type HorizonRows, type RecordedPairs, SPLIT_TEST, SPLIT_TRAIN, SPLIT_VAL, UNNAMED_K } from '../core/pairs.js';

/** A data file's pairs and the SHA-256 of its bytes. */
export interface DataFile {
  pairs: RecordedPairs;
  sha256: string;
}

/** A problem with a data file's contents (the loader turns it into a UsageError on the task). */
export class DataFileError extends Error {}

// Decimal numbers only: Number() would also take hex (0x10), binary and '' (as 0).
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NONFINITE = /^[+-]?(inf|infinity|nan)$/i;

/** Growing float64 storage: doubles its capacity, so appending n values costs O(n). */
class Floats {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

interface Columns {
  D: number;
  /** Field index of x0_i and y_i, i = 1..D. */
  x0: number[];
  y: number[];
  K: number;
  split: number;
  width: number;
  names: string[];
}

function parseHeader(line: string): Columns {
  const names = line.split(',').map((s) => s.trim());
  if (names.length === 1 && names[0] === '') throw new DataFileError('row 1 (the header) is empty: expected columns x0_1..x0_D, y_1..y_D, optionally K and split');
  const seen = new Map<string, number>();
  const x0 = new Map<number, number>();
  const y = new Map<number, number>();
  let K = -1;
  let split = -1;
  names.forEach((name, i) => {
    const col = `column ${i + 1}`;
    if (name === '') throw new DataFileError(`row 1 (the header), ${col}: empty column name`);
    const first = seen.get(name);
    if (first !== undefined) throw new DataFileError(`row 1 (the header), ${col}: duplicate column '${name}' (also column ${first + 1})`);
    seen.set(name, i);
    const m = /^(x0|y)_([1-9]\d*)$/.exec(name);
    if (m) (m[1] === 'x0' ? x0 : y).set(Number(m[2]), i);
    else if (name === 'K') K = i;
    else if (name === 'split') split = i;
    else throw new DataFileError(`row 1 (the header), ${col}: unknown column '${name}' (expected x0_1..x0_D, y_1..y_D, K, split)`);
  });
  const D = Math.max(0, ...x0.keys());
  const Dy = Math.max(0, ...y.keys());
  if (D === 0) throw new DataFileError(`row 1 (the header): missing column x0_1 (the initial states are columns x0_1..x0_D)`);
  if (Dy === 0) throw new DataFileError(`row 1 (the header): missing column y_1 (the states after K steps are columns y_1..y_D)`);
  for (let i = 1; i <= D; i++) if (!x0.has(i)) throw new DataFileError(`row 1 (the header): missing column x0_${i} (x0 goes up to x0_${D})`);
  for (let i = 1; i <= Dy; i++) if (!y.has(i)) throw new DataFileError(`row 1 (the header): missing column y_${i} (y goes up to y_${Dy})`);
  if (D !== Dy) throw new DataFileError(`row 1 (the header): x0 has D = ${D} columns (x0_1..x0_${D}) but y has ${Dy} (y_1..y_${Dy}); both must have the state's D`);
  const at = (m: Map<number, number>) => Array.from({ length: D }, (_, i) => m.get(i + 1)!);
  return { D, x0: at(x0), y: at(y), K, split, width: names.length, names };
}

/** The values of a split column and their marks. */
const SPLITS: ReadonlyMap<string, number> = new Map([
  ['train', SPLIT_TRAIN],
  ['test', SPLIT_TEST],
  ['val', SPLIT_VAL],
]);

/** Accumulates the rows of a file in one pass. */
class Rows {
  readonly x0 = new Floats();
  readonly y = new Floats();
  readonly K: number[] = [];
  readonly split: number[] = [];
  n = 0;
  constructor(readonly cols: Columns) {}

  add(line: string, row: number): void {
    const c = this.cols;
    const fields = line.split(',');
    if (fields.length !== c.width) throw new DataFileError(`row ${row}: has ${fields.length} fields, the header has ${c.width}`);
    const num = (i: number): number => {
      const s = fields[i].trim();
      const where = `row ${row}, column ${c.names[i]}`;
      if (s === '') throw new DataFileError(`${where}: empty value`);
      if (!NUMBER.test(s)) {
        if (NONFINITE.test(s)) throw new DataFileError(`${where}: ${s} is not finite`);
        throw new DataFileError(`${where}: '${s}' is not a number`);
      }
      const v = Number(s);
      if (!Number.isFinite(v)) throw new DataFileError(`${where}: ${s} is not finite (overflows a float64)`);
      return v;
    };
    for (let d = 0; d < c.D; d++) this.x0.push(num(c.x0[d]));
    for (let d = 0; d < c.D; d++) this.y.push(num(c.y[d]));
    if (c.K >= 0) {
      const s = fields[c.K].trim();
      if (!/^[1-9]\d*$/.test(s) || !Number.isSafeInteger(Number(s)))
        throw new DataFileError(`row ${row}, column K: '${s}' is not a positive integer`);
      this.K.push(Number(s));
    }
    if (c.split >= 0) {
      const s = fields[c.split].trim();
      const mark = SPLITS.get(s);
      if (mark === undefined) throw new DataFileError(`row ${row}, column split: '${s}' must be train, test or val`);
      this.split.push(mark);
    }
    this.n++;
  }

  /** The rows grouped by horizon (one horizon, UNNAMED_K, without a K column). */
  pairs(name: string, file: string): RecordedPairs {
    const { D } = this.cols;
    const byK = new Map<number, number[]>();
    for (let r = 0; r < this.n; r++) {
      const k = this.K.length ? this.K[r] : UNNAMED_K;
      let list = byK.get(k);
      if (!list) byK.set(k, (list = []));
      list.push(r);
    }
    const horizons = new Map<number, HorizonRows>();
    for (const k of [...byK.keys()].sort((a, b) => a - b)) {
      const rows = byK.get(k)!;
      const x0 = new Float64Array(rows.length * D);
      const y = new Float64Array(rows.length * D);
      const split = this.split.length ? new Uint8Array(rows.length) : undefined;
      rows.forEach((r, s) => {
        x0.set(this.x0.data.subarray(r * D, (r + 1) * D), s * D);
        y.set(this.y.data.subarray(r * D, (r + 1) * D), s * D);
        if (split) split[s] = this.split[r];
      });
      horizons.set(k, split ? { n: rows.length, x0, y, split } : { n: rows.length, x0, y });
    }
    return { name, file, D, horizons };
  }
}

/** Reads and checks a data file in one streaming pass. */
export async function readDataFile(path: string): Promise<DataFile> {
  const hash = createHash('sha256');
  let rows: Rows | undefined;
  let line = 0;
  let rest = '';
  const take = (text: string) => {
    line++;
    const t = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (rows === undefined) {
      rows = new Rows(parseHeader(t));
      return;
    }
    if (t.trim() === '') return;
    rows.add(t, line);
  };
  // A multi-byte character may straddle two chunks: the decoder holds its first bytes back.
  const decoder = new StringDecoder('utf8');
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    const text = rest + decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      take(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest !== '') take(rest);
  if (rows === undefined) throw new DataFileError('empty file: expected a header x0_1..x0_D,y_1..y_D[,K][,split] and rows');
  if (rows.n === 0) throw new DataFileError('no rows after the header');
  const name = basename(path, extname(path));
  return { pairs: rows.pairs(name, path), sha256: hash.digest('hex') };
}
