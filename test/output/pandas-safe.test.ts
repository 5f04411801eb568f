// The CSV promise "loads in pandas without options", for the string columns: no cell id and no label
// kstep writes may be read by pandas as a missing value (its default NA strings) or as a number (what
// its parser and Python's float() accept), or a column of ids or labels would change dtype.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { healthLabels, regimeNames } from '../../src/health/classify.js';
import { statusNames } from '../../src/experiment/cell.js';
import { cellKeys, optimizerOptionSpecs } from '../../src/experiment/config.js';
import { CELL_ID_PATTERN, cellId } from '../../src/experiment/grid.js';

/** pandas' default na_values (pandas._libs.parsers.STR_NA_VALUES). */
const PANDAS_NA = ['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null'];

/** What pandas' C parser or Python's float() reads as a number: decimals, exponents, digit underscores, inf/infinity/nan, any case, surrounding blanks. */
function numeric(s: string): boolean {
  const t = s.trim();
  const digits = '[0-9](?:_?[0-9])*';
  const decimal = new RegExp(`^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:[eE][+-]?${digits})?$`);
  return decimal.test(t) || /^[+-]?(?:inf|infinity|nan)$/i.test(t);
}

function pandasSafe(s: string): boolean {
  return !PANDAS_NA.includes(s) && !numeric(s);
}

describe('the checks themselves', () => {
  it('recognise what pandas would not keep as a string', () => {
    for (const s of ['367094771e62', '123456789012', '1e5', '1_000', '-2.5E-3', ' 7 ', 'inf', 'Infinity', '-INF', 'nan', 'NaN', '.5', '5.', 'NA', 'None', 'null', ''])
      expect(pandasSafe(s), s).toBe(false);
    for (const s of ['c367094771e62', 'healthy', 'nonfinite', 'e5', 'abc', '1e', '0x10']) expect(pandasSafe(s), s).toBe(true);
  });
});

describe('cell ids', () => {
  it('the pattern: a letter, then 12 hex digits', () => {
    expect(cellId('task=rotation K=1')).toMatch(CELL_ID_PATTERN);
  });

  it('a key whose 12 hex digits are digits and one e (a number to pandas) still gets a string id', () => {
    // Search for such a key: about 0.7% of keys.
    let key = '';
    for (let i = 0; ; i++) {
      const k = `task=rotation K=${i}`;
      if (/^[0-9]+e[0-9]+$/.test(createHash('sha256').update(k).digest('hex').slice(0, 12))) {
        key = k;
        break;
      }
    }
    const id = cellId(key);
    expect(numeric(id.slice(1))).toBe(true);
    expect(pandasSafe(id), id).toBe(true);
  });

  it('property: 200,000 ids of generated keys are all strings to pandas', () => {
    const rng = new Rng('pandas-ids');
    for (let i = 0; i < 200_000; i++) {
      const key = `task=rotation K=${rng.int(100000)} hidden=${rng.int(512)},${rng.int(512)} seed=${rng.int(1e9)} lr=${rng.uniform()}`;
      const id = cellId(key);
      if (!CELL_ID_PATTERN.test(id) || !pandasSafe(id)) expect.fail(`id ${id} of '${key}'`);
    }
  });

  it('every string the pattern allows is safe: a leading c can start no number and no NA string', () => {
    for (const s of PANDAS_NA) expect(CELL_ID_PATTERN.test(s)).toBe(false);
    // The pattern's strings start with 'c'; no number and no NA string does.
    expect(PANDAS_NA.some((s) => s.startsWith('c'))).toBe(false);
    expect(numeric('c1')).toBe(false);
  });
});

describe('labels and enum values written to CSV', () => {
  it("summary.csv's kinds, and the option names a tune column lists (empty for an untuned cell, like an empty error)", () => {
    for (const s of ['config', 'tuned', ...optimizerOptionSpecs().keys()]) expect(pandasSafe(s), s).toBe(true);
    expect(pandasSafe('population sigma')).toBe(true);
  });

  it('health labels, regimes, statuses and phases', () => {
    for (const s of [...healthLabels, ...regimeNames, ...statusNames, 'start', 'end']) expect(pandasSafe(s), s).toBe(true);
  });

  it('every enum value of a config key or optimizer option', () => {
    const values = [...cellKeys.flatMap((k) => k.choices ?? []), ...[...optimizerOptionSpecs().values()].flatMap((s) => s.choices ?? [])];
    expect(values.length).toBeGreaterThan(20);
    for (const s of values) expect(pandasSafe(s), s).toBe(true);
  });
});
