/**
 * The run's configuration (manifest.json: the resolved experiment spec, versions, start time, cell
 * counts) as an HTML table, and the exact command that reproduces the results folder: `kstep sweep
 * <built-in name> [overrides]` when the stored spec is the built-in experiment of that name plus
 * overrides (checked by applying them), else the spec itself written to a file first (the stored
 * spec is a valid experiment file). Cells are seeded from the spec alone, so the numbers do not
 * depend on --workers or on sharding.
 */
import { join, normalize } from 'node:path';
import type { Manifest } from '../../experiment/resume.js';
import { readExperimentFile } from '../../experiment/experiment-file.js';
import { overridesBetween } from '../../experiment/overrides.js';
import { type ExperimentSpec, type ParsedExperiment, parseExperiment } from '../../experiment/spec.js';
import type { ResultsData } from './data.js';
import { esc } from './svg.js';

function show(v: unknown): string {
  if (Array.isArray(v)) return v.map(show).join(', ');
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * The overrides that turn the built-in experiment of the manifest's name into its stored spec,
 * checked by applying them: undefined when there is no such built-in, the stored spec is not a
 * valid experiment, or the difference is not expressible as overrides. [] when the spec is the
 * built-in's.
 */
export function builtinOverrides(m: Manifest): string[] | undefined {
  let base: ParsedExperiment;
  let stored: ExperimentSpec;
  try {
    base = readExperimentFile(m.experiment);
    stored = parseExperiment(m.spec).spec;
  } catch {
    return undefined;
  }
  // The command must rebuild the stored spec exactly, not a normalised copy of it.
  if (JSON.stringify(stored) !== JSON.stringify(m.spec)) return undefined;
  return overridesBetween(base, stored);
}

/** JSON indented by 2, but arrays of numbers and strings on one line. */
export function compactJson(v: unknown, indent = ''): string {
  if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
  const inner = `${indent}  `;
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => inner + compactJson(x, inner)).join(',\n')}\n${indent}]` : '[]';
  if (v !== null && typeof v === 'object') {
    const e = Object.entries(v as Record<string, unknown>);
    return e.length ? `{\n${e.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${compactJson(x, inner)}`).join(',\n')}\n${indent}}` : '{}';
  }
  return JSON.stringify(v);
}

/** Shell quoting for a path or argument. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_./=:,+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The spec without its description: the report shows the description once, at the top, and the
 * spec's other renderings leave it out (a long description would otherwise be embedded three times).
 */
export function specWithoutDescription(spec: unknown): unknown {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec) || !('description' in spec)) return spec;
  const { description: _omit, ...rest } = spec as Record<string, unknown>;
  return rest;
}

/** The shell lines that reproduce the folder (and this report). */
export function reproduceCommand(data: ResultsData): string[] {
  const m = data.manifest;
  const dir = normalize(data.dir).replace(/\/$/, '');
  if (!m) return [`kstep report ${shq(dir)}`];
  const lines: string[] = [];
  const extra: string[] = [];
  if (m.shard) extra.push(`--shard ${m.shard}`);
  const defaultDir = m.shard ? join('results', m.experiment, `shard-${m.shard.replace('/', '-of-')}`) : join('results', m.experiment);
  if (dir !== defaultDir) extra.push(`--out ${shq(dir)}`);
  const recorded = (m as unknown as { command?: unknown }).command;
  if (typeof recorded === 'string' && recorded !== '') lines.push(recorded);
  else {
    if (m.merged_from?.length) lines.push(`# merged from ${m.merged_from.length} shards; the whole grid in one sweep gives the same CSVs`);
    const ov = builtinOverrides(m);
    if (ov) lines.push(['kstep sweep', shq(m.experiment), ...ov.map(shq), ...extra].join(' '));
    else {
      const file = `${m.experiment}.json`;
      const spec = specWithoutDescription(m.spec);
      if (spec !== m.spec) lines.push('# the description (at the top of this report) is left out; add it back for an identical manifest.json');
      lines.push(`cat > ${shq(file)} <<'EOF'`, compactJson(spec), 'EOF', ['kstep sweep', shq(file), ...extra].join(' '));
    }
  }
  lines.push(`kstep report ${shq(dir)}`);
  return lines;
}

/** The manifest as a two-column table, the spec's sections spelled out. */
export function configTable(data: ResultsData): string {
  const m = data.manifest;
  if (!m) return '<p>No manifest.json in this folder: the configuration is unknown.</p>';
  const spec = (m.spec ?? {}) as {
    seed?: number;
    grid?: Record<string, unknown[]>;
    fixed?: Record<string, unknown>;
    optimizers?: Record<string, Record<string, unknown>>;
    variants?: Record<string, Record<string, unknown>>;
    tune?: Record<string, Record<string, unknown[]>>;
    health?: Record<string, unknown>;
  };
  const rows: [string, string][] = [['experiment', m.experiment]];
  for (const [k, v] of Object.entries(spec.grid ?? {})) rows.push([`grid: ${k}`, show(v)]);
  for (const [k, v] of Object.entries(spec.fixed ?? {})) rows.push([`fixed: ${k}`, show(v)]);
  if (spec.grid && !('seed' in spec.grid) && spec.seed !== undefined) rows.push(['seed', show(spec.seed)]);
  for (const [o, opts] of Object.entries(spec.optimizers ?? {})) for (const [k, v] of Object.entries(opts)) rows.push([`optimizer ${o}: ${k}`, show(v)]);
  for (const [name, v] of Object.entries(spec.variants ?? {}))
    rows.push([
      `variant ${name}`,
      Object.entries(v)
        .map(([k, x]) => `${k}=${show(x)}`)
        .join(' ') || '(defaults)',
    ]);
  for (const [name, entry] of Object.entries(spec.tune ?? {})) for (const [k, v] of Object.entries(entry)) rows.push([`tune ${name}: ${k}`, show(v)]);
  if (spec.health)
    rows.push([
      'health diagnostics',
      Object.entries(spec.health)
        .map(([k, x]) => `${k}=${show(x)}`)
        .join(' '),
    ]);
  rows.push(['cells', `${m.cells}${m.grid_cells !== m.cells ? ` of ${m.grid_cells}` : ''}${m.shard ? ` (shard ${m.shard})` : ''}`]);
  rows.push(['started', m.started], ['kstep', m.kstep], ['node', m.node]);
  if (m.merged_from?.length) rows.push(['merged from', m.merged_from.join(', ')]);
  const body = rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n');
  return (
    `<table class="config" data-table="config">\n${body}\n</table>\n` +
    `<details><summary>The resolved spec (manifest.json)</summary><pre>${esc(compactJson(specWithoutDescription(m.spec)))}</pre></details>`
  );
}
