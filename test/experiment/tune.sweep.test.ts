// A tuned sweep end to end through the CLI: the same bytes (apart from wall_ms) on 1 and 2 workers
// and from 3 shards merged, summary.csv's tuned rows, and the tables, who-beats-whom and report of
// `kstep summarize` and `kstep report` showing the tuned results.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/output/csv.js';
import { kstep, requireBuild, resultBytes, tmp, writeJson } from './helpers.js';

beforeAll(requireBuild);

/** 2 K x (bptt with 2 lr, ga with 2 sigma) x 3 seeds: 24 cells of milliseconds each. */
const TUNED = {
  name: 'tuned',
  seed: 0,
  budget: 2e4,
  grid: { K: [1, 3], optimizer: ['bptt', 'ga'], seed: [0, 1, 2] },
  fixed: { hidden: [6], train: 16, test: 16, val: 16 },
  optimizers: { ga: { population: 8, parents: 2 } },
  tune: { bptt: { lr: [0.003, 0.03] }, ga: { sigma: [0.01, 0.1] } },
};

let spec: string;
let reference: string;
let refBytes: Record<string, string>;
let refOut: string;

beforeAll(async () => {
  const dir = tmp('kstep-tuned-');
  spec = writeJson(join(dir, 'tuned.json'), TUNED);
  reference = join(dir, 'ref');
  const r = await kstep(['sweep', spec, '--workers', '2', '--out', reference]);
  expect(r.code, r.stderr).toBe(0);
  refBytes = resultBytes(reference);
  refOut = r.stdout;
});

describe('a tuned sweep', () => {
  it('has 24 cells, a tune column, and one tuned row per K and optimizer in summary.csv', () => {
    const cells = parseCsv(readFileSync(join(reference, 'cells.csv'), 'utf8'));
    expect(cells.rows).toHaveLength(24);
    expect(cells.header[1]).toBe('tune');
    expect(new Set(cells.rows.map((r) => r[1]))).toEqual(new Set(['lr', 'sigma']));
    const s = parseCsv(readFileSync(join(reference, 'summary.csv'), 'utf8'));
    const kind = s.header.indexOf('kind');
    expect(s.rows.filter((r) => r[kind] === 'config')).toHaveLength(8);
    const tuned = s.rows.filter((r) => r[kind] === 'tuned');
    expect(tuned).toHaveLength(4);
    for (const r of tuned) expect(r[s.header.indexOf('settings')]).toBe('2');
  });

  it('each tuned row is its setting with the lowest median val nmse, recomputed from cells.csv', () => {
    const cells = parseCsv(readFileSync(join(reference, 'cells.csv'), 'utf8'));
    const c = (n: string) => cells.header.indexOf(n);
    const s = parseCsv(readFileSync(join(reference, 'summary.csv'), 'utf8'));
    const h = (n: string) => s.header.indexOf(n);
    for (const t of s.rows.filter((r) => r[h('kind')] === 'tuned')) {
      const key = t[h('optimizer')] === 'bptt' ? 'lr' : 'sigma';
      const mine = cells.rows.filter((r) => r[c('K')] === t[h('K')] && r[c('optimizer')] === t[h('optimizer')]);
      const settings = [...new Set(mine.map((r) => r[c(key)]))];
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
      const vals = settings.map((v) => med(mine.filter((r) => r[c(key)] === v).map((r) => Number(r[c('val_nmse')]))));
      expect(t[h(key)]).toBe(settings[vals.indexOf(Math.min(...vals))]);
    }
  });

  it('gives the same bytes with 1 worker, and merged from 3 shards', async () => {
    const dir = tmp('kstep-tuned-');
    const one = await kstep(['sweep', spec, '--workers', '1', '--out', join(dir, 'one'), '--quiet']);
    expect(one.code, one.stderr).toBe(0);
    expect(resultBytes(join(dir, 'one'))).toEqual(refBytes);
    expect(one.stdout).toBe(refOut);
    const shards = [0, 1, 2].map((i) => join(dir, `s${i}`));
    const runs = await Promise.all(shards.map((out, i) => kstep(['sweep', spec, '--shard', `${i}/3`, '--workers', '1', '--out', out, '--quiet'])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const m = await kstep(['merge', ...shards, '--out', join(dir, 'merged')]);
    expect(m.code, m.stderr).toBe(0);
    expect(resultBytes(join(dir, 'merged'))).toEqual(refBytes);
  });

  it('the tables show the chosen values, the intervals, the cost and who beats whom', async () => {
    expect(refOut).toMatch(/lr=0\.0?3/);
    expect(refOut).toMatch(/sigma=0\.1|sigma=0\.01/);
    expect(refOut).toMatch(/\[[0-9.e-]+, [0-9.e-]+\]/);
    expect(refOut).toContain('Cost in network applications, tuning included');
    expect(refOut).toContain('Who beats whom at K = 1, tanh');
    expect(refOut).toContain('Who beats whom at K = 3, tanh');
    const s = await kstep(['summarize', reference]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout.startsWith(refOut)).toBe(true);
    const j = JSON.parse((await kstep(['summarize', reference, '--json'])).stdout);
    expect(j.summary.filter((r: { kind: string }) => r.kind === 'tuned')).toHaveLength(4);
    expect(j.comparisons).toHaveLength(2);
    expect(j.comparisons[0].rows[0]).toHaveProperty('pHolm');
  });

  it('the report has the tuning and who-beats-whom sections', async () => {
    const r = await kstep(['report', reference]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(join(reference, 'report.html'), 'utf8');
    expect(html).toContain('data-table="tuning"');
    expect(html.match(/data-table="comparison"/g)).toHaveLength(2);
    expect(html).toContain('24 cells');
  });
});
