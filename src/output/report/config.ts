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
import { applyOverrides, readExperimentFile } from '../../experiment/spec.js';
import type { ResultsData } from './data.js';
import { esc } from './svg.js';

function show(v: unknown): string {
  if (Array.isArray(v)) return v.map(show).join(', ');
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

type Spec = {
  seed?: number;
  grid: Record<string, unknown[]>;
  fixed: Record<string, unknown>;
  optimizers: Record<string, Record<string, unknown>>;
  variants?: Record<string, unknown>;
  health?: Record<string, unknown>;
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** One value as an override writes it: lists in brackets. */
function ovValue(v: unknown): string {
  return Array.isArray(v) ? `[${v.join(',')}]` : String(v);
}

/**
 * The overrides that turn the built-in experiment of the manifest's name into its stored spec
 * (`K=1,4 seed=0..2 health=true`), checked by applying them: undefined when there is no such
 * built-in or the difference is not expressible as overrides. [] when the spec is the built-in's.
 */
export function builtinOverrides(m: Manifest): string[] | undefined {
  try {
    const base = readExperimentFile(m.experiment);
    const b = base.spec as unknown as Spec;
    const t = m.spec as Spec;
    const ov: string[] = [];
    if (t.variants && b.variants && !same(Object.keys(t.variants), Object.keys(b.variants))) ov.push(`variant=${Object.keys(t.variants).join(',')}`);
    if (t.seed !== b.seed) ov.push(`seed=${t.seed}`);
    for (const [k, v] of Object.entries(t.fixed)) if (!same(v, b.fixed[k])) ov.push(`${k}=${ovValue(v)}`);
    for (const [k, v] of Object.entries(t.grid)) if (!same(v, b.grid[k])) ov.push(`${k}=${v.map(ovValue).join(',')}`);
    for (const [o, opts] of Object.entries(t.optimizers))
      for (const [k, v] of Object.entries(opts)) if (!same(v, b.optimizers[o]?.[k])) ov.push(`${o}.${k}=${ovValue(v)}`);
    if (t.health && !b.health) ov.push('health=true');
    if (!t.health && b.health) ov.push('health=false');
    if (t.health) {
      const h = (applyOverrides(base, ov).spec as unknown as Spec).health ?? {};
      for (const [k, v] of Object.entries(t.health)) if (!same(v, h[k])) ov.push(`health.${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
    }
    return same(applyOverrides(base, ov).spec, m.spec) ? ov : undefined;
  } catch {
    return undefined;
  }
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
      lines.push(`cat > ${shq(file)} <<'EOF'`, compactJson(m.spec), 'EOF', ['kstep sweep', shq(file), ...extra].join(' '));
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
    description?: string;
    seed?: number;
    grid?: Record<string, unknown[]>;
    fixed?: Record<string, unknown>;
    optimizers?: Record<string, Record<string, unknown>>;
    variants?: Record<string, Record<string, unknown>>;
    health?: Record<string, unknown>;
  };
  const rows: [string, string][] = [['experiment', m.experiment]];
  if (spec.description) rows.push(['description', spec.description]);
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
    `<details><summary>The resolved spec (manifest.json)</summary><pre>${esc(compactJson(m.spec))}</pre></details>`
  );
}
