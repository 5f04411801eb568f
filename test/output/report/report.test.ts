// The HTML report of a synthetic results folder (fixture.ts): every chart's marks counted against
// the data, divergence marked, the health chart present exactly when health.csv is, self-contained,
// a function of the files alone, the panel layout of other descriptors, and the reproduce command.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportAction } from '../../../src/commands/report.js';
import { readExperimentFile } from '../../../src/experiment/experiment-file.js';
import { parseExperiment } from '../../../src/experiment/spec.js';
import { GRID_POINTS } from '../../../src/output/report/curves.js';
import { loadResults } from '../../../src/output/report/data.js';
import { designOf } from '../../../src/output/report/design.js';
import { REPORT_FILE, reportHtml, writeReport } from '../../../src/output/report/index.js';
import { reproduceCommand } from '../../../src/output/report/config.js';
import { ACTS, Ks, OPTS, SEEDS, fixtureCells, writeFixture } from './fixture.js';

/** The attributes of every element carrying data-mark="<mark>". */
function marks(html: string, mark: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of html.matchAll(new RegExp(`<[a-z]+\\b[^>]*data-mark="${mark}"[^>]*>`, 'g'))) {
    const a: Record<string, string> = {};
    for (const kv of m[0].matchAll(/([a-z-]+)="([^"]*)"/g)) a[kv[1]] = kv[2];
    out.push(a);
  }
  return out;
}

function vertices(d: string): number {
  return (d.match(/[ML]/g) ?? []).length;
}

const cells = fixtureCells();
const configs = Ks.length * ACTS.length * OPTS.length;

describe('report of a results folder', () => {
  const dir = writeFixture({ health: true });
  const html = reportHtml(loadResults(dir));

  it('is one self-contained page: no script, nothing fetched, under 1 MB', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)="(?!#)/);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:\/\//);
    expect(html).toContain("default-src 'none'");
    expect(Buffer.byteLength(html)).toBeLessThan(1 << 20);
  });

  it('has the four charts, the config table and the command', () => {
    for (const c of ['heatmap', 'curves', 'adjoints', 'health']) expect(html).toContain(`data-chart="${c}"`);
    expect(html).toContain('data-table="config"');
    expect(html).toContain('id="reproduce"');
  });

  it('heatmap: one cell per configuration with its seeds, successes and divergences', () => {
    const cs = marks(html, 'cell');
    expect(cs).toHaveLength(configs);
    for (const c of cs) {
      const group = cells.filter((x) => String(x.K) === c['data-k'] && x.activation === c['data-col'] && x.optimizer === c['data-arm']);
      expect(Number(c['data-n'])).toBe(group.length);
      expect(Number(c['data-reached'])).toBe(group.filter((x) => x.status === 'reached').length);
      expect(Number(c['data-diverged'])).toBe(group.filter((x) => x.status === 'diverged').length);
    }
    const div = marks(html, 'diverged');
    expect(div).toHaveLength(1);
    expect(div[0]['data-diverged']).toBe('2');
  });

  it('loss against cost: a median line per panel and optimizer over the seeds with curves, a band where n >= 2', () => {
    const lines = marks(html, 'median');
    expect(lines).toHaveLength(configs);
    for (const l of lines) {
      const n = cells.filter((x) => String(x.K) === l['data-k'] && x.activation === l['data-col'] && x.optimizer === l['data-series'] && x.status !== 'error').length;
      expect(Number(l['data-n'])).toBe(n);
      expect(vertices(l.d)).toBe(Number(l['data-points']));
      const diverging = l['data-k'] === '4' && l['data-col'] === 'relu' && l['data-series'] === 'bptt';
      // Two of three seeds blow up after cost 1e4: the median is +inf there and the line stops.
      if (diverging) {
        expect(Number(l['data-points'])).toBeGreaterThan(5);
        expect(Number(l['data-points'])).toBeLessThan(GRID_POINTS);
      } else expect(Number(l['data-points'])).toBe(GRID_POINTS);
    }
    expect(marks(html, 'band')).toHaveLength(configs);
    expect(marks(html, 'target')).toHaveLength(Ks.length * ACTS.length);
  });

  it('adjoints: start profiles shared by both optimizers drawn once, end profiles per optimizer, K + 1 points', () => {
    const paths = marks(html, 'adjoint');
    const start = paths.filter((p) => p['data-phase'] === 'start');
    const end = paths.filter((p) => p['data-phase'] === 'end');
    // Start: identical for bptt and ga except where a seed is missing (K=1 tanh ga lost seed 2).
    expect(start.reduce((s, p) => s + Number(p['data-arms']), 0)).toBe(configs);
    expect(start.filter((p) => p['data-arms'] === '2')).toHaveLength(Ks.length * ACTS.length - 1);
    expect(end).toHaveLength(configs);
    for (const p of paths) expect(vertices(p.d)).toBe(Number(p['data-k']) + 1);
  });

  it('health: gradient norm and SNR lines per optimizer, Lyapunov references, one point per median', () => {
    const paths = marks(html, 'health');
    const end = paths.filter((p) => p['data-phase'] === 'end');
    // End: the trained net at its own K, per activation, metric and optimizer: points at K = 1 and 4.
    expect(end).toHaveLength(ACTS.length * 2 * OPTS.length);
    for (const p of end) expect(p['data-points']).toBe(String(Ks.length));
    // Start: 1, 2, 4 from the K=4 cells (and K=1 from the K=1 cells), seeds counted once.
    const start = paths.filter((p) => p['data-phase'] === 'start');
    for (const p of start) expect(p['data-points']).toBe('3');
    expect(start.reduce((s, p) => s + Number(p['data-arms']), 0)).toBe(ACTS.length * 2 * OPTS.length);
    const points = marks(html, 'point');
    expect(points).toHaveLength(paths.reduce((s, p) => s + Number(p['data-points']), 0));
    const refs = marks(html, 'reference');
    expect(refs).toHaveLength(ACTS.length * 2);
    expect(new Set(refs.map((r) => r['data-lambda']))).toEqual(new Set(['-0.3', '-0.05']));
  });

  it('depends on the files alone: the same results written to another folder give the same page but for its path', () => {
    const other = writeFixture({ health: true });
    expect(other).not.toBe(dir);
    const page = reportHtml(loadResults(other));
    // The folder is named in the footer; nothing else (no clock, no random id) may differ.
    expect(page).toContain(`from the CSVs in ${other}.`);
    expect(page.split(other).join(dir)).toBe(html);
  });
});

describe('without health.csv, curves or adjoints', () => {
  it('leaves the health chart out, and its navigation link', () => {
    const html = reportHtml(loadResults(writeFixture()));
    expect(html).not.toContain('data-chart="health"');
    expect(html).not.toContain('href="#health"');
    expect(marks(html, 'cell')).toHaveLength(configs);
  });

  it('leaves out the charts whose files are missing', () => {
    const dir = writeFixture();
    rmSync(join(dir, 'curves.csv'));
    rmSync(join(dir, 'adjoints.csv'));
    const html = reportHtml(loadResults(dir));
    expect(html).toContain('data-chart="heatmap"');
    expect(html).not.toContain('data-chart="curves"');
    expect(html).not.toContain('data-chart="adjoints"');
  });
});

describe('layout', () => {
  it('compares variants when there are some; a fixed activation gives its axis to a varying descriptor', () => {
    const data = loadResults(writeFixture());
    // Rewrite the descriptors as chaos has them: variants, task.r instead of activation.
    for (const c of data.cells) {
      c.desc = { variant: c.desc.optimizer === 'bptt' ? 'bptt+clip' : 'ga', optimizer: c.desc.optimizer, 'task.r': c.desc.activation === 'tanh' ? '3.5' : '3.9', activation: 'tanh', K: c.desc.K, seed: c.desc.seed };
    }
    data.descriptors = ['variant', 'optimizer', 'task.r', 'activation', 'K', 'seed'];
    data.summary.configColumns = ['variant', 'optimizer', 'task.r', 'activation', 'K'];
    for (const r of data.summary.rows) {
      r.config = { variant: r.config.optimizer === 'bptt' ? 'bptt+clip' : 'ga', optimizer: r.config.optimizer, 'task.r': r.config.activation === 'tanh' ? '3.5' : '3.9', activation: 'tanh', K: r.config.K };
    }
    const d = designOf(data);
    expect(d.armKey).toBe('variant');
    expect(d.arms).toEqual(['bptt+clip', 'ga']);
    expect(d.colKey).toBe('task.r');
    expect(d.cols).toEqual(['3.5', '3.9']);
    const html = reportHtml(data);
    // Heatmap: rows K, columns task.r, one cell per (K, task.r, variant), each exactly once and with
    // the seeds of its fixture group (activation tanh became task.r 3.5, relu 3.9; bptt became bptt+clip).
    const cs = marks(html, 'cell');
    expect(cs).toHaveLength(configs);
    const key = (K: string | number, col: string, arm: string) => `${K}|${col}|${arm}`;
    const expected = Ks.flatMap((K) => ['3.5', '3.9'].flatMap((r) => ['bptt+clip', 'ga'].map((v) => key(K, r, v))));
    expect(cs.map((c) => key(c['data-k'], c['data-col'], c['data-arm'])).sort()).toEqual(expected.sort());
    for (const c of cs) {
      const group = cells.filter(
        (x) => String(x.K) === c['data-k'] && (x.activation === 'tanh' ? '3.5' : '3.9') === c['data-col'] && (x.optimizer === 'bptt' ? 'bptt+clip' : 'ga') === c['data-arm'],
      );
      expect(Number(c['data-n'])).toBe(group.length);
    }
    // Curves and adjoints: one panel per K and task.r, titled by both, the variants as series.
    for (const K of Ks) {
      for (const r of ['3.5', '3.9']) expect(html.split(`K = ${K} · task.r=${r}<`).length - 1, `K = ${K} · task.r=${r}`).toBe(2);
    }
    expect(html).not.toContain('· tanh<');
    expect(new Set(marks(html, 'median').map((m) => m['data-series']))).toEqual(new Set(['bptt+clip', 'ga']));
  });
});

describe('reproduce command', () => {
  it('is `kstep sweep <name>` plus checked overrides for a built-in experiment', () => {
    const quick = readExperimentFile('quick').spec;
    const dir = writeFixture({ name: 'quick', spec: quick });
    const lines = reproduceCommand(loadResults(dir));
    expect(lines[0]).toBe(`kstep sweep quick --out ${dir}`);
    expect(lines[1]).toBe(`kstep report ${dir}`);
    const changed = { ...quick, grid: { ...quick.grid } } as typeof quick;
    delete (changed.grid as Record<string, unknown>).K;
    changed.grid.K = [1, 2];
    const lines2 = reproduceCommand(loadResults(writeFixture({ name: 'quick', spec: changed })));
    expect(lines2[0]).toMatch(/^kstep sweep quick K=1,2 --out /);
  });

  it('writes the stored spec to a file when it is no built-in, and that file is a valid experiment', () => {
    const lines = reproduceCommand(loadResults(writeFixture()));
    expect(lines[0]).toBe(`cat > fixture.json <<'EOF'`);
    const eof = lines.indexOf('EOF');
    const spec = JSON.parse(lines.slice(1, eof).join('\n'));
    expect(parseExperiment(spec).spec.grid.seed).toEqual(SEEDS);
    expect(lines[eof + 1]).toMatch(/^kstep sweep fixture\.json --out /);
  });
});

describe('kstep report', () => {
  it('writes report.html into the folder, or --out', () => {
    const dir = writeFixture();
    const r = writeReport(dir);
    expect(r.file).toBe(join(dir, REPORT_FILE));
    expect(readFileSync(r.file, 'utf8')).toContain('data-chart="heatmap"');
    const other = join(dir, 'x.html');
    expect(reportAction(dir, { out: other, json: false })).toBe(0);
    expect(existsSync(other)).toBe(true);
  });

  it('refuses a folder without cells.csv with a usage error naming it', () => {
    expect(() => writeReport(join(writeFixture(), 'nope'))).toThrow(/cells\.csv not found/);
  });
});

describe('the description', () => {
  it('is embedded once, at the top, however long; the reproduce lines say it is left out', () => {
    const description = `MARK-${'d'.repeat(9000)}`;
    const spec = { name: 'described', description, seed: 0, grid: { K: Ks, activation: ACTS, optimizer: OPTS, seed: SEEDS }, fixed: { task: 'rotation', budget: 100000 }, optimizers: {} };
    const dir = writeFixture({ name: 'described', spec });
    const html = reportHtml(loadResults(dir));
    expect(html.split('MARK-').length - 1).toBe(1);
    expect(html).toMatch(/<p>MARK-d+<\/p>/);
    expect(html.length).toBeLessThan(new Blob([reportHtml(loadResults(writeFixture({ name: 'described' })))]).size + description.length + 2000);
    expect(reproduceCommand(loadResults(dir)).join('\n')).toContain('# the description (at the top of this report) is left out');
  });
});
