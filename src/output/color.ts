/** Colour only on a TTY and never with NO_COLOR (https://no-color.org). */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';

export function colorFor(stream: NodeJS.WriteStream): ChalkInstance {
  const on = Boolean(stream.isTTY) && process.env.NO_COLOR === undefined;
  return new Chalk({ level: on ? 1 : 0 });
}

/** A cli-table3 table whose own styling is off: kstep colours cells itself, through colorFor. */
export function plainTable(head: string[], options: Partial<Table.TableConstructorOptions> = {}): Table.Table {
  return new Table({ head, style: { head: [], border: [] }, ...options });
}
