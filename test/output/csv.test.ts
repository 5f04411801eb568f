// RFC 4180 writing and reading, numbers that round-trip, torn records.
import { describe, expect, it } from 'vitest';
import { derive } from '../../src/core/rng.js';
import { csvText, formatField, formatNumber, formatRecord, parseCsv, parseNumber, parseRecord, splitRecords } from '../../src/output/csv.js';

describe('numbers', () => {
  it('round-trip exactly through text', () => {
    const rng = derive(1, 'csv-test');
    const xs = [0, 1, -1, 0.1, 1 / 3, Math.PI, 1e-300, 5e-324, Number.MAX_VALUE, 2 ** 53 + 2, -0, 123456789];
    for (let i = 0; i < 1000; i++) xs.push((rng.uniform() - 0.5) * 10 ** rng.int(40) * 10 ** -rng.int(40));
    for (const x of xs) expect(Object.is(parseNumber(formatNumber(x)), x)).toBe(true);
  });

  it('NaN is the empty field, the infinities inf and -inf', () => {
    expect(formatNumber(NaN)).toBe('');
    expect(formatNumber(Infinity)).toBe('inf');
    expect(formatNumber(-Infinity)).toBe('-inf');
    expect(parseNumber('')).toBeNaN();
    expect(parseNumber('inf')).toBe(Infinity);
  });
});

describe('fields and records', () => {
  it('quotes only what needs quoting', () => {
    expect(formatField('plain')).toBe('plain');
    expect(formatField('a,b')).toBe('"a,b"');
    expect(formatField('say "hi"')).toBe('"say ""hi"""');
    expect(formatField('two\nlines')).toBe('"two\nlines"');
    expect(formatField(' padded')).toBe('" padded"');
    expect(formatField([32, 32])).toBe('"32,32"');
    expect(formatField(true)).toBe('true');
    expect(formatField(undefined)).toBe('');
  });

  it('parseRecord inverts formatRecord', () => {
    const values = ['a', 'b,c', 'd"e', '', 'x\r\ny', '1e-5'];
    expect(parseRecord(formatRecord(values))).toEqual(values);
    expect(parseRecord('a,,')).toEqual(['a', '', '']);
  });

  it('records end in CRLF; quoted line breaks stay inside their record', () => {
    const text = csvText(['h1', 'h2'], [formatRecord(['1', 'multi\nline']), formatRecord(['2', 'x'])]);
    expect(text).toBe('h1,h2\r\n1,"multi\nline"\r\n2,x\r\n');
    expect(parseCsv(text)).toEqual({ header: ['h1', 'h2'], rows: [['1', 'multi\nline'], ['2', 'x']] });
  });

  it('a record without its line break is torn and dropped', () => {
    expect(splitRecords('a,b\r\n1,2\r\n3,')).toEqual({ records: ['a,b', '1,2'], torn: true });
    expect(splitRecords('a,b\r\n1,"open\r\n')).toEqual({ records: ['a,b'], torn: true });
    expect(splitRecords('a,b\r\n1,2\r\n')).toEqual({ records: ['a,b', '1,2'], torn: false });
    expect(parseCsv('a,b\r\n1,2\r\n3,').rows).toEqual([['1', '2']]);
  });
});
