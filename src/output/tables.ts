/**
 * Terminal pivots of a summary (cli-table3 + chalk):
 *
 * - the headline pivot: rows K, columns activation x optimizer (x variant, when the experiment has
 *   variants), each cell the median test nmse over seeds and the success rate (reached/seeds), the
 *   median's 95% bootstrap interval and, for a tuned arm, the values tuning chose, coloured by
 *   outcome: green when most seeds reached the target, red when the median is no better than
 *   predicting the mean (nmse >= 0.5) or most seeds diverged, yellow in between;
 * - the cost of the experiment, tuning included, per arm;
 * - who beats whom (compare.ts): per K and activation (and facet), every pair of arms on their
 *   paired seeds, with Wilcoxon's p, Holm-adjusted over the pairs of that table;
 * - the horizon on expanding maps (horizon.ts), measured and predicted;
 * - the gradient-health pivot for BPTT: rows K, columns activation (x variant), each cell the median
 *   adjoint ratio ||dL/do_0|| / ||dL/do_K|| and the dominant health label at initialisation, and
 *   the same at the end of training.
 *
 * - the health pivot(s), when the folder has health.csv (experiment option `health`): rows K,
 *   columns task parameters / activation, each cell the median gradient SNR and gradient norm of
 *   the trained nets (and, when each row has its own nets, their Lyapunov exponent), with the
 *   Lyapunov exponents of net and task in the last rows (see summarizeHealth).
 *
 * The rows shown are the summary's shown rows: a tuned arm by the setting tuning chose (summary.ts).
 * Any other descriptor that varies within one optimizer (task.r, hidden, lr, ...; not a tuned option)
 * splits the pivots into one table per value combination, titled with it. Colour only when asked (the caller decides:
 * a TTY and no NO_COLOR).
 */
import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { type ComparisonFamily, compareArms } from './compare.js';
import { HORIZON_TOL, type Horizon, horizons } from './horizon.js';
import { armOf, chosenText, facetColumns, facetTitle, tunedColumns } from './layout.js';
import { type HealthView, type Summary, type SummaryRow, shownRows } from './summary.js';
import { tunedKeys } from './tuning.js';

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

interface Facet {
  title: string;
  rows: SummaryRow[];
}

function facets(cols: readonly string[], rows: SummaryRow[]): Facet[] {
  const m = new Map<string, SummaryRow[]>();
  for (const r of rows) {
    const title = facetTitle(cols, r);
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

function newTable(): Table.Table {
  // No cli-table3 colours of its own: chalk decides.
  return new Table({ style: { head: [], border: [] } });
}

function outcomeCell(r: SummaryRow, c: ChalkInstance): string {
  const n = r.seeds;
  const reached = Math.round(r.success_rate * n);
  const lines = [`${fmt(r.test_nmse_median)} (${reached}/${n})`, `[${fmt(r.test_nmse_ci_lo)}, ${fmt(r.test_nmse_ci_hi)}]`];
  const chosen = chosenText(r);
  if (chosen) lines.push(chosen);
  const text = lines.join('\n');
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

/** The shown rows and their facet columns. */
function shown(summary: Summary): { rows: SummaryRow[]; cols: string[] } {
  const rows = shownRows(summary);
  return { rows, cols: facetColumns(summary.configColumns, rows) };
}

/** The headline pivot(s): median test nmse (success rate) per K x activation x optimizer. */
export function headlineTables(summary: Summary, opts: TableOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const parts: string[] = [];
  const { rows, cols } = shown(summary);
  const tuned = tunedColumns(rows).size > 0;
  for (const f of facets(cols, rows)) {
    const arms = uniq(f.rows.map(armOf));
    const title = `Median test nmse over seeds (reached target / seeds), its 95% bootstrap interval${tuned ? ', the tuned values chosen on validation' : ''}; rows K${f.title ? ` - ${f.title}` : ''}`;
    parts.push(`${c.bold(title)}\n${pivot(f.rows, arms, (r) => outcomeCell(r, c), c, opts.width ?? 120)}`);
  }
  return parts.join('\n\n');
}

/** The gradient-health pivot(s) for BPTT cells; empty string when there are none. */
export function healthTables(summary: Summary, opts: TableOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const { rows, cols } = shown(summary);
  const bptt = rows.filter((r) => r.config.optimizer === 'bptt');
  if (bptt.length === 0) return '';
  const parts: string[] = [];
  for (const f of facets(cols, bptt)) {
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

/** Network applications as 2.10e9, counts as they are. */
function fmtCost(x: number): string {
  return x >= 1e4 ? x.toExponential(2).replace('e+', 'e') : String(x);
}

/**
 * The cost of the experiment, tuning included: per arm its cells, the settings each shown result
 * was chosen from, the cost of all its cells, and what one shown result cost per seed.
 */
export function costTable(summary: Summary, opts: TableOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const config = summary.rows.filter((r) => r.kind === 'config');
  if (config.length === 0) return '';
  const { rows } = shown(summary);
  const arms = uniq(rows.map(armOf));
  const t = newTable();
  t.push([c.bold('arm'), c.bold('cells'), c.bold('tuned'), c.bold('cost of all cells'), c.bold('cost of a result per seed')]);
  let cells = 0;
  let total = 0;
  for (const arm of arms) {
    const mine = config.filter((r) => armOf(r) === arm);
    const results = rows.filter((r) => armOf(r) === arm);
    const n = mine.reduce((sum, r) => sum + r.seeds, 0);
    const cost = mine.reduce((sum, r) => sum + r.cost_total, 0);
    cells += n;
    total += cost;
    const keys = uniq(results.flatMap((r) => tunedKeys(r.config.tune)));
    const settings = uniq(results.map((r) => String(r.settings)));
    const tuned = keys.length ? `${keys.join(', ')}: ${settings.join(' or ')} settings` : '-';
    const perSeed = results.map((r) => r.cost_total / r.seeds).sort((a, b) => a - b);
    t.push([arm, String(n), tuned, fmtCost(cost), `median ${fmtCost(perSeed[Math.floor((perSeed.length - 1) / 2)])}`]);
  }
  const included = tunedColumns(rows).size > 0 ? ', tuning included' : '';
  return `${c.bold(`Cost in network applications${included}: ${fmtCost(total)} in ${cells} cells`)}\n${t.toString()}`;
}

/** A p-value in 2 significant digits without exponent down to 1e-4. */
export function fmtP(p: number): string {
  if (Number.isNaN(p)) return '-';
  if (p < 1e-4) return '<1e-4';
  return String(Number(p.toPrecision(2)));
}

/** One family's who-beats-whom table. */
function comparisonTable(f: ComparisonFamily, c: ChalkInstance): string {
  const seeds = uniq(f.rows.map((r) => String(r.n)));
  const where = [`K = ${f.K}`, f.activation, f.facet].filter((x) => x !== '').join(', ');
  const title = `Who beats whom at ${where}: test nmse on ${seeds.join(' or ')} paired seeds; Wilcoxon signed-rank p, Holm over ${f.rows.length === 1 ? 'this 1 comparison' : `these ${f.rows.length} comparisons`}`;
  const t = newTable();
  t.push([c.bold('A vs B'), c.bold('wins A:B (ties)'), c.bold('median A/B'), c.bold('p'), c.bold('p Holm')]);
  for (const r of f.rows) {
    const wins = `${r.winsA}:${r.winsB}${r.ties ? ` (${r.ties})` : ''}`;
    const pHolm = r.pHolm < 0.05 ? c.green(fmtP(r.pHolm)) : fmtP(r.pHolm);
    t.push([`${r.a} vs ${r.b}`, wins, fmt(r.medianRatio), fmtP(r.p), pHolm]);
  }
  return `${c.bold(title)}\n${t.toString()}`;
}

/** The who-beats-whom tables of the shown rows; empty string when no configuration has two arms. */
export function comparisonTables(summary: Summary, opts: TableOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const { rows, cols } = shown(summary);
  return compareArms(rows, cols)
    .map((f) => comparisonTable(f, c))
    .join('\n\n');
}

/** The horizon table; empty string when no task expands. */
export function horizonTable(summary: Summary, opts: TableOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const { rows, cols } = shown(summary);
  const hs = horizons(rows, cols);
  if (hs.length === 0) return '';
  const t = newTable();
  const place = (h: Horizon) => [h.facet, h.activation].filter((x) => x !== '').join(' ');
  t.push([c.bold('where'), c.bold('arm'), c.bold('lambda'), c.bold('measured K'), c.bold('one-step nmse e (at K)'), c.bold('predicted K')]);
  for (const h of hs) t.push([place(h), h.arm, fmt(h.lambda), h.measured === undefined ? 'none' : String(h.measured), `${fmt(h.onestep)} (${h.atK})`, fmt(h.predicted)]);
  const title = `Horizon on expanding maps: the largest K with median test nmse < ${HORIZON_TOL}, against 1 + ln(${HORIZON_TOL} / e) / (2 lambda) from the one-step nmse e of the nets trained at that K (lambda: the map's Lyapunov exponent)`;
  return `${c.bold(title)}\n${t.toString()}`;
}

/** All pivots, as printed at the end of a sweep and by `kstep summarize`. */
export function renderTables(summary: Summary, opts: TableOptions): string {
  const parts = [
    headlineTables(summary, opts),
    costTable(summary, opts),
    comparisonTables(summary, opts),
    horizonTable(summary, opts),
    healthTables(summary, opts),
    healthPivotTables(summary, opts),
  ].filter((s) => s !== '');
  return parts.join('\n\n') + '\n';
}
