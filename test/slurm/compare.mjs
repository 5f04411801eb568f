// Compares the result files of two results folders byte for byte, apart from the wall_ms column (the
// one timing): `node compare.mjs <expected dir> <actual dir>`. Exit code 0 when every file is equal,
// 1 naming the first file and line that differ. Uses the compiled CSV reader of this checkout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecord, splitRecords } from '../../dist/src/output/csv.js';

const FILES = ['cells.csv', 'curves.csv', 'adjoints.csv', 'summary.csv'];

/** The file's records with the wall_ms field removed, each as its raw text otherwise. */
function records(file) {
  const { records: recs } = splitRecords(readFileSync(file, 'utf8'));
  const header = parseRecord(recs[0]);
  const wall = header.indexOf('wall_ms');
  return recs.map((r) => {
    if (wall < 0) return r;
    const f = parseRecord(r);
    f.splice(wall, 1);
    return JSON.stringify(f);
  });
}

const [expected, actual] = process.argv.slice(2);
if (!expected || !actual) {
  process.stderr.write('usage: node compare.mjs <expected dir> <actual dir>\n');
  process.exit(2);
}
for (const f of FILES) {
  const a = records(join(expected, f));
  const b = records(join(actual, f));
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++)
    if (a[i] !== b[i]) {
      process.stderr.write(`${join(actual, f)} differs from ${join(expected, f)} at record ${i + 1}:\n  expected ${a[i]}\n  actual   ${b[i]}\n`);
      process.exit(1);
    }
}
process.stdout.write(`${FILES.join(', ')} of ${actual} equal those of ${expected} (wall_ms aside)\n`);
