// test/fixtures/stats.json (made by test/fixtures/make_stats.py from SciPy 1.10.1 and mpmath), with
// infinities written as "inf" / "-inf" read back as numbers.
import { readFileSync } from 'node:fs';

const raw = JSON.parse(readFileSync(new URL('../fixtures/stats.json', import.meta.url), 'utf8'), (_, v) =>
  v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v,
) as {
  wilcoxon: { name: string; d: number[]; n: number; wPlus: number; wMinus: number; statistic: number; p: number; method: 'exact' | 'normal' }[];
  holm: { name: string; p: number[]; adjusted: number[] }[];
  erfc: { x: number; erfc: number }[];
  bootstrap: { name: string; values: number[]; level: number; lo: number; hi: number; resamples: number; marginSd: [number, number]; scipy: [number, number] }[];
};

export const fixture = raw;

/** |a - b| <= tol * |b|, exact equality for infinities and zeros. */
export function relClose(a: number, b: number, tol: number): boolean {
  return a === b || Math.abs(a - b) <= tol * Math.abs(b);
}
