// A synthetic results folder with known contents, for the report's tests: K = 1, 4 x tanh, relu x
// bptt, ga x seeds 0..2 (24 cells). The configuration K=4 relu bptt has two diverged seeds (NaN test
// nmse, a curve that ends in NaN); K=1 tanh ga seed 2 is an error (no curve, no adjoints). Start
// adjoints depend on (K, activation, seed) only, as when optimizers share the initial network, so
// each start profile is drawn once; end adjoints differ per optimizer. Curves have different
// checkpoints per cell. health.csv is optional.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EOL, formatRecord } from '../../../src/output/csv.js';
import { RESULT_COLUMNS } from '../../../src/output/summary.js';

export const Ks = [1, 4];
export const ACTS = ['tanh', 'relu'];
export const OPTS = ['bptt', 'ga'];
export const SEEDS = [0, 1, 2];
export const HEALTH_COLUMNS = ['K', 'loss', 'nmse', 'grad_norm', 'adjoint_ratio', 'adjoint_rate', 'adjoint_step', 'snr', 'jac_norm', 'jac_max', 'jac_radius', 'jac_cum_rate', 'lyap_net', 'lyap_task', 'pascanu_bound', 'label'];

export interface FixtureCell {
  id: string;
  K: number;
  activation: string;
  optimizer: string;
  seed: number;
  status: 'reached' | 'budget' | 'diverged' | 'error';
}

export function fixtureCells(): FixtureCell[] {
  const out: FixtureCell[] = [];
  let i = 0;
  for (const K of Ks)
    for (const activation of ACTS)
      for (const optimizer of OPTS)
        for (const seed of SEEDS) {
          let status: FixtureCell['status'] = optimizer === 'bptt' && K === 1 ? 'reached' : 'budget';
          if (K === 4 && activation === 'relu' && optimizer === 'bptt' && seed < 2) status = 'diverged';
          if (K === 1 && activation === 'tanh' && optimizer === 'ga' && seed === 2) status = 'error';
          out.push({ id: `c${String(i++).padStart(3, '0')}`, K, activation, optimizer, seed, status });
        }
  return out;
}

function csv(header: string[], rows: (string | number)[][]): string {
  return [formatRecord(header), ...rows.map((r) => formatRecord(r))].join(EOL) + EOL;
}

export interface FixtureOptions {
  health?: boolean;
  /** The manifest's spec (default: a spec of this grid named 'fixture'). */
  spec?: unknown;
  name?: string;
}

/** Writes the folder and returns its path. */
export function writeFixture(opts: FixtureOptions = {}): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'kstep-report-')), 'results');
  mkdirSync(dir, { recursive: true });
  const cells = fixtureCells();
  const header = ['cell_id', 'task', 'K', 'activation', 'optimizer', 'budget', 'seed', ...RESULT_COLUMNS];
  const rows = cells.map((c) => {
    const nmse = c.status === 'diverged' || c.status === 'error' ? NaN : c.optimizer === 'bptt' ? 1e-3 * (1 + c.seed) * c.K : 0.05 * (1 + c.seed);
    const res: Record<string, string | number> = {
      status: c.status,
      error: c.status === 'error' ? 'boom' : '',
      test_nmse: nmse,
      train_nmse: nmse,
      cost: 1e5,
    };
    return [c.id, 'rotation', c.K, c.activation, c.optimizer, 100000, c.seed, ...RESULT_COLUMNS.map((k) => res[k] ?? '')];
  });
  writeFileSync(join(dir, 'cells.csv'), csv(header, rows));

  const curves: (string | number)[][] = [];
  const adj: (string | number)[][] = [];
  for (const c of cells) {
    if (c.status === 'error') continue;
    // Checkpoints differ per cell: a step of 10^(1/(4 + seed)).
    const step = 10 ** (1 / (4 + c.seed));
    let cost = 0;
    let nmse = 1.2;
    curves.push([c.id, 0, nmse]);
    for (cost = 100; cost <= 1e5; cost *= step) {
      nmse *= c.optimizer === 'bptt' ? 0.8 : 0.95;
      curves.push([c.id, Math.round(cost), c.status === 'diverged' && cost > 1e4 ? NaN : nmse]);
    }
    for (let t = 0; t <= c.K; t++) adj.push([c.id, 'start', t, 0.5 ** (c.K - t) * (c.activation === 'relu' ? 2 : 1) * (1 + 0.1 * c.seed)]);
    for (let t = 0; t <= c.K; t++) adj.push([c.id, 'end', t, (c.optimizer === 'bptt' ? 0.9 : 0.7) ** (c.K - t) * (1 + 0.2 * c.seed)]);
  }
  writeFileSync(join(dir, 'curves.csv'), csv(['cell_id', 'cost', 'nmse'], curves));
  writeFileSync(join(dir, 'adjoints.csv'), csv(['cell_id', 'phase', 't', 'norm'], adj));

  if (opts.health) {
    const hr: (string | number)[][] = [];
    for (const c of cells) {
      if (c.status === 'error') continue;
      const diag = c.K === 1 ? [1] : [1, 2, 4];
      for (const phase of ['start', 'end'])
        for (const k of diag) {
          const g = phase === 'start' ? 2 * 0.7 ** k * (1 + c.seed) : (c.optimizer === 'bptt' ? 0.1 : 0.3) * k;
          const v: Record<string, string | number> = { K: k, grad_norm: g, snr: phase === 'start' ? 3 / k : c.optimizer === 'bptt' ? 0.5 : 0.8, lyap_net: -0.3, lyap_task: -0.05, label: 'healthy' };
          hr.push([c.id, phase, ...HEALTH_COLUMNS.map((h) => v[h] ?? 1)]);
        }
    }
    writeFileSync(join(dir, 'health.csv'), csv(['cell_id', 'phase', ...HEALTH_COLUMNS], hr));
  }

  const name = opts.name ?? 'fixture';
  const spec = opts.spec ?? {
    name,
    seed: 0,
    grid: { K: Ks, activation: ACTS, optimizer: OPTS, seed: SEEDS },
    fixed: { task: 'rotation', budget: 100000, target: 0.001 },
    optimizers: {},
  };
  const manifest = { experiment: name, kstep: '0.1.0', node: 'v20', started: '2026-01-01T00:00:00.000Z', cells: cells.length, grid_cells: cells.length, shard: null, spec };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}
