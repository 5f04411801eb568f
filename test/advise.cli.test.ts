// `kstep advise` end to end on a tiny net: within its time limit, its recommendation is the best
// variant of its own cells.csv by the documented rule, and the printed command reproduces that row.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../src/output/csv.js';

const bin = new URL('../bin/kstep.js', import.meta.url).pathname;

function kstep(...args: string[]) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - t0) / 1000 };
}

const TINY = ['rotation', '--K', '4', '--hidden', '4', '--train', '32', '--test', '32', '--workers', '2'];

describe('kstep advise', () => {
  it('on a net whose feature map has no vjp: no gradcheck, no BPTT entry, only the evolutionary optimizers, and it says so', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'kstep-advise-')), 'adv');
    const thermostat = new URL('../examples/thermostat.mjs', import.meta.url).pathname;
    const r = kstep('advise', thermostat, '--features', 'thermostat', '--K', '2', '--hidden', '4', '--train', '32', '--test', '32', '--workers', '2', '--minutes', '0.2', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1\. Does backprop make sense here\?.*\n {3}not available: features: the reverse pass differentiates through the feature map, and thermostat has no vjp/);
    expect(r.stdout).toMatch(/not in the plan, as the task or net does not allow it: bptt \(optimizer: bptt needs the gradient through the feature map/);
    expect(r.stdout).toMatch(/No gradient exists here: the feature map thermostat has no vjp/);
    const { header, rows } = parseCsv(readFileSync(join(out, 'cells.csv'), 'utf8'));
    const variants = new Set(rows.map((row) => row[header.indexOf('variant')]));
    expect([...variants].sort()).toEqual(['cmaes', 'es', 'ga']);
    expect(/Recommendation: (\S+) /.exec(r.stdout)![1]).toMatch(/^(ga|es|cmaes)$/);
  }, 60_000);

  it('fits --minutes, and recommends the best variant of its cells.csv with a command that reproduces it', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'kstep-advise-')), 'adv');
    const minutes = 0.25;
    const r = kstep('advise', ...TINY, '--minutes', String(minutes), '--out', out);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    // The limit plus 10%, and a second for starting node (not part of the command's own clock).
    expect(r.seconds).toBeLessThan(minutes * 60 * 1.1 + 1);
    for (const f of ['cells.csv', 'summary.csv', 'manifest.json', 'report.html']) expect(existsSync(join(out, f))).toBe(true);
    expect(existsSync(join(`${out}-select`, 'cells.csv'))).toBe(true);
    expect(r.stdout).toContain('relative error');
    expect(r.stdout).toMatch(/At initialisation the gradient/);
    expect(r.stdout).toMatch(/bptt lr: 0\.001 -> \S+, 0\.003 -> \S+, 0\.009 -> \S+; chosen 0\.00[139]/);

    // The best variant by the rule, computed here from cells.csv independently of advise's code.
    const { header, rows } = parseCsv(readFileSync(join(out, 'cells.csv'), 'utf8'));
    const col = (n: string) => header.indexOf(n);
    const byVariant = new Map<string, string[][]>();
    for (const row of rows) byVariant.set(row[col('variant')], [...(byVariant.get(row[col('variant')]) ?? []), row]);
    expect(byVariant.size).toBe(9);
    const med = (g: string[][]) => {
      const x = g.map((r) => (r[col('test_nmse')] === '' ? Infinity : Number(r[col('test_nmse')]))).sort((a, b) => a - b);
      return x[1];
    };
    const reached = (g: string[][]) => g.filter((r) => r[col('status')] === 'reached').length;
    const ranked = [...byVariant].sort(([, a], [, b]) => med(a) - med(b) || reached(b) - reached(a));
    const m = /Recommendation: (\S+) /.exec(r.stdout);
    expect(m?.[1]).toBe(ranked[0][0]);

    // The command reproduces the median seed's row exactly.
    const cmd = /\n {2}(kstep run [^\n]+)/.exec(r.stdout)![1];
    const args = cmd.split(' ').slice(1);
    const run = kstep(...args, '--json');
    expect(run.code).toBe(0);
    const rec = JSON.parse(run.stdout);
    const seed = args[args.indexOf('--seed') + 1];
    const row = byVariant.get(ranked[0][0])!.find((x) => x[col('seed')] === seed)!;
    expect(rec.test_nmse).toBe(Number(row[col('test_nmse')]));

    // A second run into the same folder is refused without --resume or --force; --resume runs nothing new.
    const again = kstep('advise', ...TINY, '--minutes', String(minutes), '--out', out);
    expect(again.code).toBe(2);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    const resumed = kstep('advise', ...TINY, '--minutes', String(minutes), '--out', out, '--resume');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout.slice(resumed.stdout.indexOf('Recommendation'))).toBe(r.stdout.slice(r.stdout.indexOf('Recommendation')));
  }, 60_000);

  it.each([
    [['--minutes', '0'], /^kstep: --minutes: expected a number of minutes in \(0, 10080\], got '0'$/],
    [['--minutes', 'soon'], /^kstep: --minutes: /],
    [['--set', 'lr=0.1'], /^kstep: lr: advise chooses optimizers, their options, curricula and seeds itself; it takes task, K, .*$/],
    [['--optimizer', 'ga'], /^error: unknown option '--optimizer'$/],
    [['--K', '0'], /^kstep: K: must be >= 1, got "0"$/],
    [['--resume', '--force'], /^kstep: --force: cannot be combined with --resume/],
    [['--minutes', '0.001'], /^kstep: --minutes: leaves a budget of \d+ per cell, less than 4 steps of /],
  ])('refuses %j: exit 2, one line, nothing written', (extra, message) => {
    const out = join(mkdtempSync(join(tmpdir(), 'kstep-advise-')), 'adv');
    const r = kstep('advise', ...TINY, '--out', out, ...(extra as string[]));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}-select`)).toBe(false);
  });

  it('refuses a folder holding files kstep did not write', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'kstep-advise-')), 'adv');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const r = kstep('advise', ...TINY, '--out', out, '--minutes', '0.1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already holds files; nothing was written/);
    expect(existsSync(`${out}-select`)).toBe(false);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
