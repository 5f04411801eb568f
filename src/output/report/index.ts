/**
 * `kstep report`: a results folder -> one self-contained report.html (inline SVG and CSS, no script,
 * nothing fetched), from the folder's files alone:
 *
 *   heatmap.ts   median test nmse by K x activation, one panel per optimizer (success, divergence)
 *   curves.ts    train nmse against cost, median and IQR over seeds, small multiples per K
 *   adjoints.ts  ||dL/do_t|| against t at start and end, per activation
 *   health.ts    gradient norm and SNR against K with Lyapunov reference lines (health.csv only)
 *   confidence.ts  tuning (settings tried and chosen), who beats whom (paired tests), the horizon
 *   config.ts    the manifest as a table and the command that reproduces the run
 *
 * The page is deterministic: the same folder gives the same bytes.
 */
import { join } from 'node:path';
import { version } from '../../version.js';
import { writeFileAtomic } from '../csv.js';
import { checkFileTarget, fileHead } from '../paths.js';
import { adjointsChart } from './adjoints.js';
import type { Chart } from './chart.js';
import { comparisonsChart, horizonChart, tuningChart } from './confidence.js';
import { configTable, reproduceCommand } from './config.js';
import { curvesChart } from './curves.js';
import { type ResultsData, loadResults } from './data.js';
import { designOf } from './design.js';
import { healthChart } from './health.js';
import { heatmapChart } from './heatmap.js';
import { page } from './page.js';
import { esc } from './svg.js';

export const REPORT_FILE = 'report.html';

/** The report's HTML for already loaded results. */
export function reportHtml(data: ResultsData): string {
  const d = designOf(data);
  const charts = [heatmapChart, tuningChart, comparisonsChart, horizonChart, curvesChart, adjointsChart, healthChart]
    .map((f) => f(data, d))
    .filter((c): c is Chart => c !== undefined);
  const m = data.manifest;
  const name = m?.experiment ?? data.dir;
  const spec = m?.spec as { description?: string } | undefined;
  const seeds = new Set(data.allCells.map((c) => c.desc.seed)).size;
  const meta = [
    `${data.allCells.length} cells`,
    `${d.arms.length} ${d.armKey === 'variant' ? 'variants' : 'optimizers'} (${d.arms.join(', ')})`,
    `K = ${d.Ks.join(', ')}`,
    `${seeds} seed${seeds === 1 ? '' : 's'}`,
  ];
  if (m) meta.push(`started ${m.started}`, `kstep ${m.kstep}`);
  const counts = new Map<string, number>();
  for (const c of data.allCells) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
  const explain: Record<string, string> = {
    reached: 'reached the target',
    budget: 'spent the budget',
    diverged: 'diverged',
    error: 'failed with an error',
  };
  const statusHtml = ['reached', 'budget', 'diverged', 'error', ...[...counts.keys()].filter((s) => !(s in explain))]
    .filter((s) => counts.has(s))
    .map((s) => `<span data-status="${esc(s)}"><b>${counts.get(s)}</b> ${esc(explain[s] ?? s)}</span>`)
    .join('');
  return page({
    title: `kstep report: ${name}`,
    subtitle: spec?.description,
    meta,
    statusHtml,
    charts,
    configHtml: configTable(data),
    reproduce: reproduceCommand(data),
    footer: `Made by kstep ${version} from the CSVs in ${data.dir}. Colours: Okabe-Ito (lines) and viridis (heatmap), both readable with colour-vision deficiencies.`,
  });
}

export interface ReportResult {
  file: string;
  bytes: number;
  charts: string[];
}

/** Is the file a report kstep wrote (which a new report may replace: it is made from results, not one)? */
function isReport(file: string): boolean {
  const head = fileHead(file);
  return head.startsWith('<!DOCTYPE html>') && head.includes('<title>kstep report: ');
}

function checkReportFile(file: string, force: boolean): void {
  checkFileTarget(file, '--out', { force, refusal: (f) => (isReport(f) ? undefined : 'exists and is not a kstep report') });
}

/**
 * Reads a results folder and writes its report (default <dir>/report.html). The file is checked
 * first (src/output/paths.ts): an existing file other than a kstep report is replaced only with `force`.
 */
export function writeReport(dir: string, out?: string, force = false): ReportResult {
  const file = out ?? join(dir, REPORT_FILE);
  if (out !== undefined) checkReportFile(file, force);
  const data = loadResults(dir);
  if (out === undefined) checkReportFile(file, force);
  const html = reportHtml(data);
  writeFileAtomic(file, html);
  const charts = [...html.matchAll(/data-chart="([a-z-]+)"/g)].map((m) => m[1]);
  return { file, bytes: Buffer.byteLength(html), charts };
}

export { loadResults };
