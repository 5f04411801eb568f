/**
 * RFC 4180 CSV: records end in CRLF, a field is quoted when it holds a comma, a quote, CR or LF (or
 * leading/trailing space), quotes inside are doubled. Numbers are written so that they round-trip
 * exactly (String(x): the shortest decimal that parses back to the same double); NaN is the empty
 * field (pandas reads it as NaN without options) and the infinities are `inf` / `-inf` (pandas and
 * Python's float() read those). Booleans are `true` / `false`, lists are `32,32`.
 *
 * Files are appended one whole record (or one whole block of records) at a time with a single
 * synchronous write, so an interrupted writer leaves at most one torn record at the end of a file;
 * `splitRecords` reports it and readers drop it.
 */
import { appendFileSync, closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';

export const EOL = '\r\n';

export type CsvValue = string | number | boolean | null | undefined | readonly number[];

/** One number as written in every kstep CSV. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return '';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  // -0 prints as "0" with String(); keep the sign so that the value round-trips.
  if (x === 0 && 1 / x < 0) return '-0';
  return String(x);
}

/** Parses a field written by formatNumber (empty -> NaN). */
export function parseNumber(s: string): number {
  if (s === '' || s === 'nan' || s === 'NaN') return NaN;
  if (s === 'inf' || s === 'Infinity') return Infinity;
  if (s === '-inf' || s === '-Infinity') return -Infinity;
  return Number(s);
}

export function formatField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return quote(v.map(formatNumber).join(','));
  return quote(v as string);
}

function quote(s: string): string {
  if (/[",\r\n]/.test(s) || /^\s|\s$/.test(s)) return `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** One record without its line terminator. */
export function formatRecord(values: readonly CsvValue[]): string {
  return values.map(formatField).join(',');
}

export interface SplitResult {
  /** Complete records, raw (still quoted), without their CRLF. */
  records: string[];
  /** The text ended inside a record (no final line break, or inside quotes): that fragment was dropped. */
  torn: boolean;
}

/** Splits CSV text into raw records; a record is complete only when its line break was written. */
export function splitRecords(text: string): SplitResult {
  const records: string[] = [];
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) inQuotes = !inQuotes;
    else if (!inQuotes && (c === 10 || c === 13)) {
      records.push(text.slice(start, i));
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  const torn = start < text.length;
  return { records, torn };
}

/** Parses one raw record into its fields. */
export function parseRecord(record: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (record[i] === '"') {
      i++;
      for (;;) {
        const j = record.indexOf('"', i);
        if (j < 0) throw new Error(`unterminated quoted field in CSV record: ${record.slice(0, 80)}`);
        field += record.slice(i, j);
        if (record[j + 1] === '"') {
          field += '"';
          i = j + 2;
        } else {
          i = j + 1;
          break;
        }
      }
    } else {
      const j = record.indexOf(',', i);
      const end = j < 0 ? record.length : j;
      field = record.slice(i, end);
      i = end;
    }
    fields.push(field);
    if (i >= record.length) break;
    if (record[i] !== ',') throw new Error(`malformed CSV record near column ${fields.length}: ${record.slice(0, 80)}`);
    i++;
    if (i === record.length) {
      fields.push('');
      break;
    }
  }
  return fields;
}

/** A whole CSV text parsed into header + rows of strings (a torn last record is dropped). */
export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const { records } = splitRecords(text);
  const nonEmpty = records.filter((r) => r !== '');
  if (nonEmpty.length === 0) return { header: [], rows: [] };
  return { header: parseRecord(nonEmpty[0]), rows: nonEmpty.slice(1).map(parseRecord) };
}

/** Appends whole records with one synchronous write (flushed to the OS before returning). */
export function appendRecords(file: string, records: readonly string[]): void {
  if (records.length === 0) return;
  appendFileSync(file, records.join(EOL) + EOL);
}

/** Writes a whole file atomically: a temporary file in the same folder, fsync, then rename over. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** A CSV file's text from a header and raw records. */
export function csvText(header: readonly string[], records: readonly string[]): string {
  return [formatRecord(header), ...records].join(EOL) + EOL;
}
