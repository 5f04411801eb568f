/**
 * Terminal pivots of a summary (cli-table3 + chalk):
 *
 * - the headline pivot: rows K, columns activation x optimizer (x variant, when the experiment has
 *   variants), each cell the median test nmse over seeds and the success rate (reached/seeds),
 *   coloured by outcome: green when most seeds reached the target, red when the median is no better
 *   than predicting the mean (nmse >= 0.5) or most seeds diverged, yellow in between;
 * - the gradient-health pivot for BPTT: rows K, columns activation (x variant), each cell the median
 *   adjoint ratio ||dL/do_0|| / ||dL/do_K|| and the dominant health label at initialisation, and
 *   the same at the end of training.
 *
 * - the health pivot(s), when the folder has health.csv (experiment option `health`): rows K,
 *   columns task parameters / activation, each cell the median gradient SNR and gradient norm of
 *   the trained nets (and, when each row has its own nets, their Lyapunov exponent), with the
 *   Lyapunov exponents of net and task in the last rows (see summarizeHealth).
 *
 * Any other descriptor that varies within one optimizer (task.r, hidden, lr, ...) splits the pivots
 * into one table per value combination, titled with it. Colour only when asked (the caller decides:
 * a TTY and no NO_COLOR).
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { HealthView, Summary, SummaryRow } from './summary.js';

export interface TableOptions {
  color: boolean;
  /** Split pivots wider than this many characters (default 120). */
  width?: number;
}

/** Colour on a TTY, never with NO_COLOR (https://no-color.org: set and not empty) or FORCE_COLOR=0. */
export function useColor(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR === '0') return false;
  return stream.isTTY === true;
}

/** The width to fit tables to: the terminal's on a TTY, else 120. */
export function tableWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns ? stream.columns : 120;
}

/** Table options for printing to `stream` (stdout). */
export function tableOptionsFor(stream: { isTTY?: boolean; columns?: number } = process.stdout): TableOptions {
  return { color: useColor(stream), width: tableWidth(stream) };
}

/** A number in 2 significant digits: 0.12, 3.4e-5, inf; NaN as a dash. */
export function fmt(x: number): string {
  if (Number.isNaN(x)) return '-';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 0.01 && a < 1000) return String(Number(x.toPrecision(2)));
  return x.toExponential(1);
}

const PIVOT_KEYS = ['K', 'activation', 'optimizer', 'variant', 'seed'];

/** Descriptor columns that vary within one (optimizer, variant): they split the pivots into facets. */
export function facetColumns(summary: Summary): string[] {
  const out: string[] = [];
  for (const c of summary.configColumns) {
    if (PIVOT_KEYS.includes(c)) continue;
    const seen = new Map<string, string>();
    let varies = false;
    for (const r of summary.rows) {
      const arm = `${r.config.optimizer}\u0000${r.config.variant ?? ''}`;
      const prev = seen.get(arm);
      if (prev === undefined) seen.set(arm, r.config[c]);
      else if (prev !== r.config[c]) {
        varies = true;
        break;
      }
    }
    if (varies) out.push(c);
  }
  return out;
}

interface Facet {
  title: string;
  rows: SummaryRow[];
}

function facets(summary: Summary, rows: SummaryRow[]): Facet[] {
  const cols = facetColumns(summary);
  const m = new Map<string, SummaryRow[]>();
  for (const r of rows) {
    const title = cols.map((c) => `${c}=${r.config[c]}`).join(' ');
    let g = m.get(title);
    if (!g) m.set(title, (g = []));
    g.push(r);
  }
  return [...m].map(([title, rs]) => ({ title, rows: rs }));
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

function sortK(ks: string[]): string[] {
  return [...ks].sort((a, b) => Number(a) - Number(b));
}

function armOf(r: SummaryRow): string {
  return r.config.variant !== undefined && r.config.variant !== '' ? r.config.variant : r.config.optimizer;
}

function newTable(): Table.Table {
  // No cli-table3 colours of its own: chalk decides.
  return new Table({ style: { head: [], border: [] } });
}

function outcomeCell(r: SummaryRow, c: ChalkInstance): string {
  const n = r.seeds;
  const reached = Math.round(r.success_rate * n);
  const text = `${fmt(r.test_nmse_median)} (${reached}/${n})`;
  if (r.success_rate >= 0.5) return c.green(text);
  if (r.test_nmse_median >= 0.5 || r.diverged_share > 0.5) return c.red(text);
  return c.yellow(text);
}

function healthColor(label: string, c: ChalkInstance): (s: string) => string {
  switch (label) {
    case 'healthy':
      return c.green;
    case 'vanishing':
      return c.yellow;
    case 'exploding':
      return c.red;
    case 'nonfinite':
      return c.magenta;
    default:
      return (s: string) => s;
  }
}

function healthCell(r: SummaryRow, c: ChalkInstance): string {
  const start = healthColor(r.health_start, c)(`${fmt(r.adjoint_ratio_start_median)} ${r.health_start || '-'}`);
  const end = healthColor(r.health_end, c)(`${fmt(r.adjoint_ratio_end_median)} ${r.health_end || '-'}`);
  return `${start}\n-> ${end}`;
}

const ANSI_RE = /\u001b\[[0-9;]*m/g;

function visibleWidth(text: string): number {
  return Math.max(...text.replace(ANSI_RE, '').split('\n').map((l) => l.length));
}

/**
 * A pivot of `rows`: rows K, columns (activation, arm), cells by `cell`. When the table would be
 * wider than `width`, its columns are split over several tables, each as wide as fits.
 */
function pivot(rows: SummaryRow[], arms: string[], cell: (r: SummaryRow) => string, c: ChalkInstance, width: number): string {
  const acts = uniq(rows.map((r) => r.config.activation));
  const ks = sortK(uniq(rows.map((r) => r.config.K)));
  const index = new Map<string, SummaryRow>();
  for (const r of rows) {
    const k = `${r.config.K}\u0000${r.config.activation}\u0000${armOf(r)}`;
    if (!index.has(k)) index.set(k, r);
  }
  const text = new Map<string, string>();
  for (const [k, r] of index) text.set(k, cell(r));
  const twoLevel = arms.length > 1;
  // The columns, (activation, arm) pairs, with their widths (cells and headers, padding, border).
  const columns = acts.flatMap((a) =>
    arms.map((o) => {
      let w = visibleWidth(twoLevel ? o : `${a} ${o}`);
      for (const k of ks) w = Math.max(w, visibleWidth(text.get(`${k}\u0000${a}\u0000${o}`) ?? ''));
      return { a, o, w: w + 3 };
    }),
  );
  // Split the columns over several tables when one would be wider than `width`, keeping each
  // activation's columns together unless they alone are too wide.
  const kWidth = Math.max(1, ...ks.map((k) => k.length)) + 4;
  const groups: (typeof columns)[] = [];
  let used = Infinity;
  for (const a of acts) {
    const block = columns.filter((col) => col.a === a);
    const bw = block.reduce((sum, col) => sum + col.w, 0);
    if (used + bw <= width) {
      groups[groups.length - 1].push(...block);
      used += bw;
      continue;
    }
    if (kWidth + bw <= width) {
      groups.push([...block]);
      used = kWidth + bw;
      continue;
    }
    for (const col of block) {
      if (used + col.w > width) {
        groups.push([col]);
        used = kWidth + col.w;
      } else {
        groups[groups.length - 1].push(col);
        used += col.w;
      }
    }
  }
  return groups
    .map((group) => {
      const t = newTable();
      const groupActs = uniq(group.map((g) => g.a));
      if (twoLevel) {
        t.push([
          { content: c.bold('K'), rowSpan: 2, vAlign: 'center' },
          ...groupActs.map((a) => ({ content: c.bold(a), colSpan: group.filter((g) => g.a === a).length, hAlign: 'center' as const })),
        ]);
        t.push(group.map((g) => c.bold(g.o)));
      } else t.push([c.bold('K'), ...group.map((g) => c.bold(g.o !== '' ? `${g.a} ${g.o}` : g.a))]);
      for (const k of ks) t.push([c.bold(k), ...group.map((g) => text.get(`${k}\u0000${g.a}\u0000${g.o}`) ?? '')]);
      return t.toString();
    })
    .join('\n');
}

/** The headline pivot(s): median test nmse (success rate) per K x activation x optimizer. */
export function headlineTables(summary: Summary, opts: TableOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const parts: string[] = [];
  for (const f of facets(summary, summary.rows)) {
    const arms = uniq(f.rows.map(armOf));
    const title = `Median test nmse over seeds (reached target / seeds), rows K${f.title ? ` - ${f.title}` : ''}`;
    parts.push(`${c.bold(title)}\n${pivot(f.rows, arms, (r) => outcomeCell(r, c), c, opts.width ?? 120)}`);
  }
  return parts.join('\n\n');
}

/** The gradient-health pivot(s) for BPTT cells; empty string when there are none. */
export function healthTables(summary: Summary, opts: TableOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const bptt = summary.rows.filter((r) => r.config.optimizer === 'bptt');
  if (bptt.length === 0) return '';
  const parts: string[] = [];
  for (const f of facets(summary, bptt)) {
    const arms = uniq(f.rows.map((r) => (r.config.variant !== undefined && r.config.variant !== '' ? r.config.variant : '')));
    const title = `BPTT gradient health: median ||dL/do_0||/||dL/do_K|| and label, at start -> at end, rows K${f.title ? ` - ${f.title}` : ''}`;
    const rows = f.rows.map((r) => ({ ...r, config: { ...r.config, optimizer: r.config.variant ? r.config.variant : '' } }));
    parts.push(`${c.bold(title)}\n${pivot(rows, arms, (r) => healthCell(r, c), c, opts.width ?? 120)}`);
  }
  return parts.join('\n\n');
}

/** A health pivot cell: `snr / |grad|` (diagonal: `/ lyap_net` too). */
function healthPivotCell(view: HealthView, i: number, j: number): string {
  const p = view.rows[i].points[j];
  if (!p) return '';
  const text = `${fmt(p.snr)} / ${fmt(p.grad_norm)}`;
  return view.kind === 'diagonal' ? `${text} / ${fmt(p.lyap_net)}` : text;
}

/** One health view as tables (columns split over several tables when wider than `width`). */
function healthView(view: HealthView, c: ChalkInstance, width: number): string {
  const title =
    view.kind === 'sweep'
      ? `Gradient health of the nets trained by ${view.arm} at K=${view.trainK}, diagnosed at each K: median over seeds of gradient SNR / ||grad||`
      : `Gradient health of the nets trained by ${view.arm} at each K, diagnosed at that K: median over seeds of gradient SNR / ||grad|| / lyap_net`;
  const footer: [string, string[]][] = [];
  if (view.kind === 'sweep') footer.push(['lyap net', view.lyapNet.map(fmt)]);
  footer.push(['lyap task', view.lyapTask.map(fmt)]);
  const cellText = view.columns.map((_, j) => view.rows.map((_r, i) => healthPivotCell(view, i, j)));
  const labelW = Math.max(1, ...view.rows.map((r) => String(r.K).length), ...footer.map(([l]) => l.length)) + 3;
  const colW = view.columns.map((name, j) => Math.max(name.length, ...cellText[j].map((t) => t.length), ...footer.map(([, v]) => v[j].length)) + 3);
  const groups: number[][] = [];
  let used = Infinity;
  colW.forEach((w, j) => {
    if (used + w > width) {
      groups.push([j]);
      used = labelW + w;
    } else {
      groups[groups.length - 1].push(j);
      used += w;
    }
  });
  const tables = groups.map((g) => {
    const t = newTable();
    t.push([c.bold('K'), ...g.map((j) => c.bold(view.columns[j]))]);
    view.rows.forEach((r, i) => t.push([c.bold(String(r.K)), ...g.map((j) => healthPivotCell(view, i, j))]));
    for (const [label, values] of footer) t.push([c.bold(label), ...g.map((j) => values[j])]);
    return t.toString();
  });
  return `${c.bold(title)}\n${tables.join('\n')}`;
}

/** The health pivots of summary.health (from health.csv); empty string when there are none. */
export function healthPivotTables(summary: Summary, opts: TableOptions): string {
  if (!summary.health) return '';
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  return summary.health.views.map((v) => healthView(v, c, opts.width ?? 120)).join('\n\n');
}

/** All pivots, as printed at the end of a sweep and by `kstep summarize`. */
export function renderTables(summary: Summary, opts: TableOptions): string {
  const parts = [headlineTables(summary, opts), healthTables(summary, opts), healthPivotTables(summary, opts)].filter((s) => s !== '');
  return parts.join('\n\n') + '\n';
}
