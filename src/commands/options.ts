/**
 * The config namespace as command-line flags: every cell key and optimizer option is a flag
 * (`--K 16`, `--lr 1e-3`), and `--set key=value` reaches any key, including `task.<param>`
 * (`optimizer.<option>` is accepted as an alias of `<option>`).
 */
import type { Command } from 'commander';
import { type MemoryMode, memoryModes } from '../core/rollout.js';
import { UsageError } from '../errors.js';
import { cellKeys, describeRange, optimizerOptionSpecs } from '../experiment/config.js';
import type { OptionSpec } from '../optimizers/types.js';
import { optimizers } from '../optimizers/index.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds a flag for every config key, plus --set. */
export function addConfigOptions(cmd: Command, only?: readonly string[]): Command {
  for (const k of cellKeys) {
    if (only && !only.includes(k.name)) continue;
    const def = Array.isArray(k.default) ? k.default.join(',') : String(k.default);
    const choices = k.choices ? `: ${k.choices.join('|')}` : k.kind === 'number' || k.kind === 'int' || k.kind === 'intlist' ? `; ${describeRange(k)}` : '';
    const flag = k.kind === 'bool' ? `--${k.name} [bool]` : `--${k.name} <${k.kind === 'intlist' ? 'sizes' : 'value'}>`;
    cmd.option(flag, `${k.help}${choices} (default ${def})`);
  }
  if (!only) {
    for (const [name, spec] of optimizerOptionSpecs()) {
      // Ranges of an option differ between optimizers (population): each owner with its own.
      const owners = [...optimizers.values()]
        .filter((o) => o.options.some((s) => s.name === name))
        .map((o) => {
          const s = o.options.find((x) => x.name === name) as OptionSpec;
          return s.kind === 'number' || s.kind === 'int' ? `${o.name} ${describeRange(s)}` : o.name;
        });
      const choices = spec.choices ? `: ${spec.choices.join('|')}` : '';
      cmd.option(`--${name} <value>`, `${spec.help}${choices} [${owners.join(', ')}]`);
    }
  }
  cmd.option('--set <key=value>', 'set any config key, e.g. task.r=3.9 (repeatable)', collect, []);
  return cmd;
}

/** The flat config input from parsed flags and --set entries; a key given twice is refused. */
export function configInput(opts: Record<string, unknown>, only?: readonly string[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const names = new Set([...cellKeys.map((k) => k.name), ...(only ? [] : optimizerOptionSpecs().keys())]);
  for (const name of names) {
    if (only && !only.includes(name)) continue;
    if (opts[name] !== undefined) input[name] = opts[name] === true ? 'true' : opts[name];
  }
  for (const entry of (opts.set as string[] | undefined) ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError('--set', `expected key=value, got '${entry}'`);
    let key = entry.slice(0, eq).trim();
    if (key.startsWith('optimizer.')) key = key.slice('optimizer.'.length);
    if (key in input) throw new UsageError(key, 'given twice (as a flag and in --set, or in two --set)');
    input[key] = entry.slice(eq + 1).trim();
  }
  return input;
}

/**
 * The first SIGINT aborts the returned signal, so a sweep stops its workers and keeps whole rows;
 * a second one kills the process as usual. `release` removes the handler when the work is done.
 */
export function interruptOnSigint(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write('\nSIGINT: stopping the workers (again to kill at once)\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, release: () => process.removeListener('SIGINT', onSigint) };
}

/** How a sweep shows progress on stderr: nothing when quiet, a bar on a terminal, lines otherwise. */
export function progressMode(quiet: boolean): 'none' | 'bar' | 'lines' {
  return quiet ? 'none' : process.stderr.isTTY ? 'bar' : 'lines';
}

/** Help of the --memory flag (run and sweep). */
export const MEMORY_HELP = `BPTT's stored passes: full (every step, O(K) memory), sqrt (checkpoints every ceil(sqrt(K)) steps, O(sqrt(K)) memory, one extra forward pass of time) or auto (full up to 256 MiB of activations); the results are the same bits in every mode (default auto)`;

/** The --memory flag's value. */
export function parseMemory(text: string | undefined): MemoryMode | undefined {
  if (text === undefined) return undefined;
  if (!(memoryModes as readonly string[]).includes(text)) throw new UsageError('--memory', `expected one of ${memoryModes.join(', ')}, got '${text}'`);
  return text as MemoryMode;
}
