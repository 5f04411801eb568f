/** Reading a user's JSON file: every problem is one UsageError naming the field it came from. */
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

export function readJsonFile(file: string, field: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(field, `cannot read ${file}: ${(e as Error).message}`);
  }
  // A UTF-8 byte-order mark (some Windows editors write one) is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(field, `${file} is not valid JSON: ${(e as Error).message}`);
  }
}
