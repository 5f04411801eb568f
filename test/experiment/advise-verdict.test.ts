// The verdict of `kstep advise` as pure functions of cells.csv rows: ranking, best variant, step-size
// choice, the median row and the command that reproduces it.
import { describe, expect, it } from 'vitest';
import { bestVariant, chooseSteps, compareRows, healthOf, medianRow, rankRows, runCommand, verdictRows } from '../../src/experiment/advise-verdict.js';
import type { CellsTable } from '../../src/output/summary.js';
import { RESULT_COLUMNS } from '../../src/output/summary.js';

const HEAD = ['cell_id', 'variant', 'task', 'K', 'hidden', 'optimizer', 'budget', 'seed', 'task.rho', 'lr', 'clip', 'sigma', 'curriculum'];
const header = [...HEAD, ...RESULT_COLUMNS];

interface Cell {
  variant: string;
  optimizer?: string;
  seed: number;
  status?: string;
  test: number | '';
  cost_to_target?: number;
  lr?: number;
  sigma?: number;
  clip?: number;
  curriculum?: string;
  ratio_start?: number;
  ratio_end?: number;
  label_end?: string;
  lyap_task?: number | '';
}

function table(cells: Cell[]): CellsTable {
  const rows = cells.map((c, i) => {
    const v: Record<string, string> = {
      cell_id: `c${String(i).padStart(12, '0')}`,
      variant: c.variant,
      task: 'rotation',
      K: '16',
      hidden: '32,32',
      optimizer: c.optimizer ?? 'bptt',
      budget: '1000000',
      seed: String(c.seed),
      'task.rho': '0.95',
      lr: c.lr === undefined ? '' : String(c.lr),
      clip: c.clip === undefined ? '' : String(c.clip),
      sigma: c.sigma === undefined ? '' : String(c.sigma),
      curriculum: c.curriculum ?? 'none',
      status: c.status ?? (typeof c.test === 'number' && c.test <= 1e-3 ? 'reached' : 'budget'),
      test_nmse: String(c.test),
      cost_to_target: c.cost_to_target === undefined ? '' : String(c.cost_to_target),
      adjoint_ratio_start: String(c.ratio_start ?? 1e-6),
      health_start: 'vanishing',
      adjoint_ratio_end: String(c.ratio_end ?? 0.3),
      health_end: c.label_end ?? 'healthy',
      snr_start: '2',
      snr_end: '0.5',
      lyap_net_start: '-0.5',
      lyap_net_end: '-0.05',
      lyap_task: c.lyap_task === undefined ? '-0.05' : String(c.lyap_task),
      pascanu_bound_start: '0.8',
      pascanu_bound_end: '2',
    };
    return header.map((h) => v[h] ?? '');
  });
  return { header, rows };
}

const plan: Cell[] = [
  { variant: 'bptt', seed: 1, test: 0.5, lr: 0.003 },
  { variant: 'bptt', seed: 2, test: 0.9, lr: 0.003 },
  { variant: 'bptt', seed: 3, test: 1, lr: 0.003 },
  { variant: 'bptt+ramp', seed: 1, test: 8e-4, lr: 0.003, curriculum: 'ramp', cost_to_target: 3e5 },
  { variant: 'bptt+ramp', seed: 2, test: 2e-3, lr: 0.003, curriculum: 'ramp' },
  { variant: 'bptt+ramp', seed: 3, test: 9e-4, lr: 0.003, curriculum: 'ramp', cost_to_target: 5e5 },
  { variant: 'ga', optimizer: 'ga', seed: 1, test: 0.01, sigma: 0.01 },
  { variant: 'ga', optimizer: 'ga', seed: 2, test: 0.02, sigma: 0.01 },
  { variant: 'ga', optimizer: 'ga', seed: 3, test: 0.03, sigma: 0.01 },
];

describe('verdict rows', () => {
  it('give median, quartiles, success rate and median cost to target per variant', () => {
    const rows = verdictRows(table(plan));
    expect(rows.map((r) => r.variant)).toEqual(['bptt', 'bptt+ramp', 'ga']);
    const ramp = rows[1];
    expect(ramp.median).toBeCloseTo(9e-4, 12);
    expect(ramp.q25).toBeCloseTo(8.5e-4, 12);
    expect(ramp.q75).toBeCloseTo(1.45e-3, 12);
    expect(ramp.success).toBeCloseTo(2 / 3, 12);
    expect(ramp.costToTarget).toBe(4e5);
    expect(rows[0].costToTarget).toBeNaN();
  });

  it('rank by median test nmse, then success, then cost to target', () => {
    expect(rankRows(verdictRows(table(plan))).map((r) => r.variant)).toEqual(['bptt+ramp', 'ga', 'bptt']);
    const base = { variant: 'a', optimizer: 'bptt', seeds: 3, q25: 0, q75: 0, errors: 0 };
    const a = { ...base, median: 1e-3, success: 1, costToTarget: 5e5 };
    expect(compareRows(a, { ...a, variant: 'b', success: 2 / 3 })).toBeLessThan(0);
    expect(compareRows(a, { ...a, variant: 'b', costToTarget: 4e5 })).toBeGreaterThan(0);
    expect(compareRows(a, { ...a, variant: 'b', costToTarget: NaN })).toBeLessThan(0);
    expect(compareRows(a, { ...a, variant: 'b', median: 2e-3, success: 1, costToTarget: 1 })).toBeLessThan(0);
  });

  it('the best variant follows the data: doctoring cells.csv changes the recommendation', () => {
    expect(bestVariant(table(plan)).variant).toBe('bptt+ramp');
    const doctored = plan.map((c) => (c.variant === 'ga' ? { ...c, test: c.test / 100 } : c));
    expect(bestVariant(table(doctored)).variant).toBe('ga');
    const broken = plan.map((c) => (c.variant === 'bptt+ramp' ? { ...c, status: 'error', test: '' as const } : c));
    const rows = verdictRows(table(broken));
    expect(rows.find((r) => r.variant === 'bptt+ramp')).toMatchObject({ median: Infinity, success: 0, errors: 3 });
    expect(bestVariant(table(broken)).variant).toBe('ga');
  });

  it('a NaN test nmse (a blow-up) ranks last, not as missing', () => {
    const blown = plan.map((c) => (c.variant === 'bptt' ? { ...c, test: '' as const, status: 'diverged' } : c));
    expect(rankRows(verdictRows(table(blown))).at(-1)!.variant).toBe('bptt');
  });
});

describe('step sizes chosen on the held-out cells', () => {
  it('take the value with the lowest held-out nmse per optimizer; errors count as +inf', () => {
    const sel = table([
      { variant: 'bptt-lr-0.001', seed: 1001, test: 0.2, lr: 0.001 },
      { variant: 'bptt-lr-0.003', seed: 1001, test: 0.05, lr: 0.003 },
      { variant: 'bptt-lr-0.009', seed: 1001, test: '', status: 'error', lr: 0.009 },
      { variant: 'ga-sigma-0.001', optimizer: 'ga', seed: 1001, test: 0.3, sigma: 0.001 },
      { variant: 'ga-sigma-0.003', optimizer: 'ga', seed: 1001, test: 0.2, sigma: 0.003 },
      { variant: 'ga-sigma-0.009', optimizer: 'ga', seed: 1001, test: 0.1, sigma: 0.009 },
    ]);
    const ch = chooseSteps(sel);
    expect(ch.map((c) => [c.optimizer, c.key, c.chosen])).toEqual([
      ['bptt', 'lr', 0.003],
      ['ga', 'sigma', 0.009],
    ]);
    expect(ch[0].tried).toEqual([
      { value: 0.001, nmse: 0.2 },
      { value: 0.003, nmse: 0.05 },
      { value: 0.009, nmse: Infinity },
    ]);
  });
});

describe('the reproducing command', () => {
  it('is the median seed of the variant, with every key that differs from its default', () => {
    const t = table(plan);
    const row = medianRow(t, 'bptt+ramp');
    expect(row[HEAD.indexOf('seed')]).toBe('3');
    const cmd = runCommand(t, row);
    expect(cmd).toBe('kstep run --task rotation --K 16 --budget 1000000 --curriculum ramp --seed 3 --set task.rho=0.95');
    const ga = runCommand(t, medianRow(t, 'ga'), (s) => `./${s}.mjs`);
    expect(ga).toBe("kstep run --task ./rotation.mjs --K 16 --optimizer ga --budget 1000000 --seed 2 --set task.rho=0.95 --sigma 0.01");
  });
});

describe('health numbers of a variant', () => {
  it('are medians over its seeds, with the rate ln(ratio)/K and the dominant label', () => {
    const t = table(plan.map((c, i) => ({ ...c, ratio_end: [0.1, 0.2, 0.4][i % 3], label_end: i % 3 === 0 ? 'vanishing' : 'healthy' })));
    const h = healthOf(t, 'bptt', 'end', 16);
    expect(h.ratio).toBe(0.2);
    expect(h.rate).toBeCloseTo(Math.log(0.2) / 16, 14);
    expect(h.label).toBe('healthy');
    expect(h.lyapTask).toBe(-0.05);
    expect(healthOf(table(plan.map((c) => ({ ...c, lyap_task: '' as const }))), 'bptt', 'start', 16).lyapTask).toBeNaN();
  });
});
