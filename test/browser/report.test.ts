// The HTML report in a real browser: a tiny sweep (`kstep sweep ... --report`, about a second), its
// report.html opened from disk in headless Chromium (Debian's `chromium`, driven by playwright-core),
// every chart's drawn marks counted against the CSVs, no console errors, no network request, and a
// screenshot saved next to the results. Chromium (or Chrome) is required: find-chromium.ts looks for
// it (KSTEP_CHROMIUM, CHROME_PATH, the PATH, the usual locations); without one this suite fails with
// one line saying how to install it (it does not skip); .ci/run installs it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/experiment/spec.js';
import { parseCsv, parseNumber } from '../../src/output/csv.js';
import { GRID_POINTS } from '../../src/output/report/curves.js';
import { writeReport } from '../../src/output/report/index.js';
import { findChromium } from './find-chromium.js';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const bin = new URL('../../bin/kstep.js', import.meta.url).pathname;
const experiment = {
  name: 'tiny',
  seed: 0,
  budget: 20000,
  target: 0.001,
  grid: { K: [1, 3], activation: ['tanh', 'relu'], optimizer: ['bptt', 'ga'], seed: [0, 1] },
  fixed: { task: 'rotation', hidden: [4], train: 16, test: 16 },
  optimizers: { ga: { population: 8, parents: 2 } },
  // Health diagnostics on: the sweep writes health.csv and the report draws the health chart.
  health: { samples: 16, snr_batches: 4, snr_batch: 4, lyapunov_steps: 20, lyapunov_samples: 2 },
};

function table(file: string): Record<string, string>[] {
  const { header, rows } = parseCsv(readFileSync(file, 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

function median(xs: number[]): number {
  const v = xs.map((x) => (Number.isNaN(x) ? Infinity : x)).sort((a, b) => a - b);
  const h = (v.length - 1) / 2;
  return v[Math.floor(h)] === v[Math.ceil(h)] ? v[Math.floor(h)] : (v[Math.floor(h)] + v[Math.ceil(h)]) / 2;
}

function groupBy<T>(xs: T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    if (!m.has(k)) m.set(k, []);
    m.get(k)!.push(x);
  }
  return m;
}

interface Mark {
  tag: string;
  attrs: Record<string, string>;
  /** Vertices of a path (M and L commands). */
  vertices: number;
  /** Rendered size: width + height of the bounding box. */
  size: number;
}

interface Rendered {
  marks: Mark[];
  charts: string[];
  errors: string[];
  requests: string[];
}

let context: BrowserContext;
let work: string;
let dir: string;

async function render(file: string, screenshot?: string): Promise<Rendered> {
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== pathToFileURL(file).href) requests.push(r.url());
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const result = await page.evaluate(() => {
    const marks = [...document.querySelectorAll('[data-mark]')].map((el) => {
      const attrs: Record<string, string> = {};
      for (const a of el.getAttributeNames()) attrs[a] = el.getAttribute(a) ?? '';
      const box = (el as SVGGraphicsElement).getBBox();
      return { tag: el.tagName, attrs, vertices: (el.getAttribute('d')?.match(/[ML]/g) ?? []).length, size: box.width + box.height };
    });
    const charts = [...document.querySelectorAll('svg[data-chart]')].map((s) => s.getAttribute('data-chart') ?? '');
    return { marks, charts };
  });
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { ...result, errors, requests };
}

beforeAll(async () => {
  const browser = findChromium();
  // The experiment is valid as written (health included), so the sweep below runs it as is.
  parseExperiment(experiment);
  work = mkdtempSync(join(tmpdir(), 'kstep-browser-'));
  dir = join(work, 'results');
  const file = join(work, 'tiny.json');
  writeFileSync(file, JSON.stringify(experiment));
  const r = spawnSync(process.execPath, [bin, 'sweep', file, '--out', dir, '--workers', '2', '--report', '--quiet'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`kstep sweep failed (${r.status}): ${r.stderr}`);
  context = await chromium.launchPersistentContext(join(work, 'chromium-profile'), { executablePath: browser, args: ARGS, viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await context?.close();
});

describe('report.html of a tiny sweep in headless Chromium', () => {
  let page: Rendered;
  let cells: Record<string, string>[];
  const byMark = (m: string) => page.marks.filter((x) => x.attrs['data-mark'] === m);

  beforeAll(async () => {
    page = await render(join(dir, 'report.html'), join(work, 'report.png'));
    cells = table(join(dir, 'cells.csv'));
  });

  it('renders with no console error and no network request, under 1 MB, and is screenshotted', () => {
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect(statSync(join(dir, 'report.html')).size).toBeLessThan(1 << 20);
    expect(statSync(join(work, 'report.png')).size).toBeGreaterThan(20_000);
    expect(page.charts).toEqual(['heatmap', 'curves', 'adjoints', 'health']);
  });

  it('every data mark is drawn', () => {
    expect(page.marks.length).toBeGreaterThan(50);
    for (const m of page.marks) if (m.tag !== 'path' || m.vertices >= 2) expect(m.size, JSON.stringify(m.attrs)).toBeGreaterThan(0);
    for (const m of page.marks.filter((x) => x.attrs['data-points'] !== undefined)) expect(m.vertices).toBe(Number(m.attrs['data-points']));
  });

  it('heatmap: one cell per configuration, seeds, successes and divergences as in cells.csv', () => {
    const configs = groupBy(cells, (c) => `${c.K}|${c.activation}|${c.optimizer}`);
    const marks = byMark('cell');
    expect(marks).toHaveLength(configs.size);
    for (const m of marks) {
      const g = configs.get(`${m.attrs['data-k']}|${m.attrs['data-col']}|${m.attrs['data-arm']}`)!;
      expect(Number(m.attrs['data-n'])).toBe(g.length);
      expect(Number(m.attrs['data-reached'])).toBe(g.filter((c) => c.status === 'reached').length);
      expect(Number(m.attrs['data-diverged'])).toBe(g.filter((c) => c.status === 'diverged').length);
    }
    expect(byMark('diverged')).toHaveLength([...configs.values()].filter((g) => g.some((c) => c.status === 'diverged')).length);
  });

  it('loss against cost: a median line and a band per K, activation and optimizer, over the seeds in curves.csv', () => {
    const curves = table(join(dir, 'curves.csv'));
    const byCell = groupBy(curves, (r) => r.cell_id);
    const configs = groupBy(
      cells.filter((c) => byCell.has(c.cell_id)),
      (c) => `${c.K}|${c.activation}|${c.optimizer}`,
    );
    const lines = byMark('median');
    expect(lines).toHaveLength(configs.size);
    for (const l of lines) {
      const g = configs.get(`${l.attrs['data-k']}|${l.attrs['data-col']}|${l.attrs['data-series']}`)!;
      expect(Number(l.attrs['data-n'])).toBe(g.length);
      const finite = g.every((c) => byCell.get(c.cell_id)!.every((p) => Number.isFinite(parseNumber(p.nmse))));
      if (finite) expect(l.vertices).toBe(GRID_POINTS);
    }
    expect(byMark('band')).toHaveLength([...configs.values()].filter((g) => g.length >= 2).length);
  });

  it('adjoints: every optimizer per K, activation and phase, one vertex per finite median over t = 0..K', () => {
    const rows = table(join(dir, 'adjoints.csv'));
    const cellOf = new Map(cells.map((c) => [c.cell_id, c]));
    const groups = groupBy(rows, (r) => {
      const c = cellOf.get(r.cell_id)!;
      return `${c.K}|${c.activation}|${r.phase}|${c.optimizer}`;
    });
    const marks = byMark('adjoint');
    const panels = groupBy([...groups.keys()], (k) => k.split('|').slice(0, 3).join('|'));
    for (const [panel, arms] of panels) {
      const [K, act, phase] = panel.split('|');
      const drawn = marks.filter((m) => m.attrs['data-k'] === K && m.attrs['data-col'] === act && m.attrs['data-phase'] === phase);
      // Optimizers with identical profiles (the same initial network) share one path.
      expect(drawn.reduce((s, m) => s + Number(m.attrs['data-arms']), 0)).toBe(arms.length);
      for (const m of drawn) {
        const arm = m.attrs['data-series'].split(',')[0];
        const byT = groupBy(groups.get(`${panel}|${arm}`)!, (r) => r.t);
        const expected = [...byT.values()].filter((rs) => {
          const v = median(rs.map((r) => parseNumber(r.norm)));
          return v > 0 && Number.isFinite(v);
        }).length;
        expect(m.vertices).toBe(expected);
        expect(expected).toBeGreaterThan(0);
      }
    }
  });

  it('gradient norm and SNR against K: a line per optimizer and phase, points, Lyapunov references', () => {
    const rows = table(join(dir, 'health.csv'));
    const cellOf = new Map(cells.map((c) => [c.cell_id, c]));
    // Every cell has its health rows: the trained net at its own K, and the initial net.
    expect(new Set(rows.map((r) => r.cell_id))).toEqual(new Set(cells.map((c) => c.cell_id)));
    for (const c of cells) expect(rows.some((r) => r.cell_id === c.cell_id && r.phase === 'end' && r.K === c.K)).toBe(true);
    expect(rows.some((r) => r.phase === 'start')).toBe(true);
    expect(byMark('health').length).toBeGreaterThan(0);
    const acts = [...new Set(cells.map((c) => c.activation))];
    const paths = byMark('health');
    for (const metric of ['grad_norm', 'snr'])
      for (const act of acts) {
        const mine = rows.filter((r) => cellOf.get(r.cell_id)!.activation === act);
        const end = mine.filter((r) => r.phase === 'end' && r.K === cellOf.get(r.cell_id)!.K);
        const endPaths = paths.filter((p) => p.attrs['data-metric'] === metric && p.attrs['data-col'] === act && p.attrs['data-phase'] === 'end');
        expect(endPaths.reduce((s, p) => s + Number(p.attrs['data-arms']), 0)).toBe(new Set(end.map((r) => cellOf.get(r.cell_id)!.optimizer)).size);
        for (const p of endPaths) expect(p.vertices).toBe(new Set(end.map((r) => r.K)).size);
        const startPaths = paths.filter((p) => p.attrs['data-metric'] === metric && p.attrs['data-col'] === act && p.attrs['data-phase'] === 'start');
        const start = mine.filter((r) => r.phase === 'start');
        expect(startPaths.reduce((s, p) => s + Number(p.attrs['data-arms']), 0)).toBe(new Set(start.map((r) => cellOf.get(r.cell_id)!.optimizer)).size);
        for (const p of startPaths) expect(p.vertices).toBe(new Set(start.map((r) => r.K)).size);
      }
    expect(byMark('point')).toHaveLength(paths.reduce((s, p) => s + p.vertices, 0));
    const finiteLyap = ['lyap_net', 'lyap_task'].filter((c) => rows.some((r) => Number.isFinite(parseNumber(r[c])))).length;
    expect(byMark('reference')).toHaveLength(finiteLyap * acts.length);
  });
});

describe('a results folder without health.csv', () => {
  it('renders without the health chart and without errors', async () => {
    const bare = join(work, 'bare');
    mkdirSync(bare);
    for (const f of ['cells.csv', 'curves.csv', 'adjoints.csv', 'manifest.json']) copyFileSync(join(dir, f), join(bare, f));
    const { file } = writeReport(bare);
    const page = await render(file);
    expect(page.errors).toEqual([]);
    expect(page.requests).toEqual([]);
    expect(page.charts).toEqual(['heatmap', 'curves', 'adjoints']);
    expect(page.marks.filter((m) => m.attrs['data-mark'] === 'health')).toHaveLength(0);
  });
});
