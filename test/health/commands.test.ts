// `kstep health` and `kstep lyapunov`, registered on a bare commander program (healthCommand and
// lyapunovCommand, as src/cli.ts registers them): JSON records, tables, --params files and usage errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { healthCommand, logChart, parseKs } from '../../src/commands/health.js';
import { lyapunovCommand } from '../../src/commands/lyapunov.js';
import { UsageError } from '../../src/errors.js';
import { runCell } from '../../src/experiment/cell.js';
import { describeConfig, resolveConfig } from '../../src/experiment/config.js';
import { buildCellNet } from '../../src/health/diagnose.js';
import { header, netRecord, taskRecord } from '../../src/output/records.js';

async function kstep(...args: string[]): Promise<string> {
  const program = new Command('kstep').exitOverride();
  healthCommand(program);
  lyapunovCommand(program);
  for (const c of program.commands) c.exitOverride();
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

const fastHealth = ['--samples', '32', '--snr-batches', '4', '--snr-batch', '4', '--lyap-steps', '200', '--lyap-samples', '4'];

/** A kstep-params/1 file as `run --save-params` writes it. */
function savedParams(): string {
  const cfg = resolveConfig({ task: 'logistic', 'task.r': '3.9', K: '1', hidden: '8', budget: '2e5', target: '0', seed: '2' });
  const res = runCell(cfg);
  const { task, net } = buildCellNet(cfg);
  const file = join(mkdtempSync(join(tmpdir(), 'kstep-health-')), 'net.json');
  writeFileSync(
    file,
    JSON.stringify({ ...header('kstep-params/1'), config: Object.fromEntries(describeConfig(cfg)), task: taskRecord(task), net: netRecord(net), theta: Array.from(res.theta) }),
  );
  return file;
}

describe('kstep lyapunov', () => {
  it('logistic r = 4 gives ln 2 within 0.01, with the closed form alongside', async () => {
    const rec = JSON.parse(await kstep('lyapunov', '--task', 'logistic', '--set', 'task.r=4', '--json'));
    expect(rec.format).toBe('kstep-lyapunov/1');
    // The measured exponent against ln 2: within 5 standard errors of the mean over the initial
    // states (about 1e-3 with the defaults, 32 states of 1000 steps), and each state's estimate close.
    const [lambda, sd] = [rec.true_map.exponents[0], rec.true_map.std[0]];
    expect(rec.true_map.used).toBe(32);
    expect(sd).toBeGreaterThan(0);
    expect(sd).toBeLessThan(0.01);
    expect(Math.abs(lambda - Math.LN2)).toBeLessThan((5 * sd) / Math.sqrt(32));
    // The closed form printed beside it is the one the measurement agrees with.
    expect(Math.abs(lambda - rec.known.values[0])).toBeLessThan((5 * sd) / Math.sqrt(32));
    expect(rec.net).toBeNull();
  });

  it('prints a table; rotation shows ln(rho) twice', async () => {
    const out = await kstep('lyapunov', '--task', 'rotation', '--set', 'task.rho=0.5', '--steps', '200');
    expect(out).toContain('lambda_2');
    expect(out.match(/-0\.6931/g)!.length).toBeGreaterThanOrEqual(4);
    expect(out).toContain('contracting');
  });

  it('--params adds the net, on the task of the file', async () => {
    const file = savedParams();
    const rec = JSON.parse(await kstep('lyapunov', '--params', file, '--steps', '300', '--json'));
    expect(rec.task.params.r).toBe(3.9);
    expect(rec.net.exponents.exponents).toHaveLength(1);
    expect(rec.net.source).toBe(file);
  });

  it('refuses bad input with a UsageError', async () => {
    await expect(kstep('lyapunov', '--steps', '0')).rejects.toThrow(UsageError);
    await expect(kstep('lyapunov', '--task', 'logistic', '--set', 'task.r=5')).rejects.toThrow(/task.r: must be <= 4/);
    await expect(kstep('lyapunov', '--set', 'K=4')).rejects.toThrow(/K: not a task or net key/);
  });
});

describe('kstep health', () => {
  it('--json: one row per K with every diagnostic, at initialisation', async () => {
    const rec = JSON.parse(await kstep('health', '--task', 'rotation', '--activation', 'sigmoid', '--hidden', '8', '--K', '4,1,16', '--json', ...fastHealth));
    expect(rec.format).toBe('kstep-health/1');
    expect(rec.source).toBe('init');
    expect(rec.rows.map((r: { K: number }) => r.K)).toEqual([1, 4, 16]);
    expect(rec.config.activation).toBe('sigmoid');
    expect(rec.pascanu.gamma).toBe(0.25);
    expect(rec.lyapunov.task.exponents[0]).toBeCloseTo(Math.log(0.95), 8);
    for (const r of rec.rows) expect(['healthy', 'vanishing', 'exploding', 'nonfinite']).toContain(r.label);
  });

  it('prints the table, the exponents, the bound and the chart', async () => {
    const out = await kstep('health', '--task', 'logistic', '--K', '1,2,4', ...fastHealth);
    for (const s of ['grad SNR', 'lambda net', 'Pascanu bound', 'log10 scale against K', 'g = grad norm']) expect(out).toContain(s);
  });

  it('--params diagnoses the saved network; task flags may change the task, net flags are refused', async () => {
    const file = savedParams();
    const rec = JSON.parse(await kstep('health', '--params', file, '--K', '1,8', '--json', ...fastHealth));
    expect(rec.source).toBe(file);
    expect(rec.config.hidden).toEqual([8]);
    const init = JSON.parse(await kstep('health', '--task', 'logistic', '--hidden', '8', '--seed', '2', '--K', '1,8', '--json', ...fastHealth));
    expect(rec.rows[0].nmse).toBeLessThan(init.rows[0].nmse);
    const other = JSON.parse(await kstep('health', '--params', file, '--set', 'task.r=3.2', '--K', '1', '--json', ...fastHealth));
    expect(other.task.params.r).toBe(3.2);
    await expect(kstep('health', '--params', file, '--hidden', '4')).rejects.toThrow(/hidden: the net comes from --params/);
  });

  it('refuses bad --K, missing or malformed params files', async () => {
    await expect(kstep('health', '--K', '0,2')).rejects.toThrow(/--K: each K must be an integer in 1..100000/);
    await expect(kstep('health', '--params', '/nonexistent/x.json')).rejects.toThrow(/--params: cannot read/);
    const dir = mkdtempSync(join(tmpdir(), 'kstep-bad-'));
    writeFileSync(join(dir, 'a.json'), '{"format": "other"}');
    await expect(kstep('health', '--params', join(dir, 'a.json'))).rejects.toThrow(/not a kstep-params\/1 file/);
    writeFileSync(join(dir, 'b.json'), '{not json');
    await expect(kstep('health', '--params', join(dir, 'b.json'))).rejects.toThrow(/not valid JSON/);
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ format: 'kstep-params/1', config: { task: 'rotation', hidden: [4] }, theta: [1, 2] }));
    await expect(kstep('health', '--params', join(dir, 'c.json'))).rejects.toThrow(/theta has 2 entries/);
    await expect(kstep('health', '--snr-batches', '1')).rejects.toThrow(/--snr-batches: must be an integer in 2\.\.100000/);
  });
});

describe('helpers', () => {
  it('parseKs sorts and dedupes', () => {
    expect(parseKs('8, 1,2,8')).toEqual([1, 2, 8]);
    expect(() => parseKs('')).toThrow(UsageError);
    expect(() => parseKs('1.5')).toThrow(UsageError);
  });

  it('logChart puts the largest value on the top row and the smallest on the bottom', () => {
    const lines = logChart([1, 2, 4], [{ name: 'x', mark: 'x', values: [1, 10, 100] }], 3).split('\n');
    expect(lines[0]).toMatch(/^1e2 \|\s+x\s*$/);
    expect(lines[2]).toMatch(/^1e0 \| x\s*$/);
    expect(logChart([1], [{ name: 'x', mark: 'x', values: [NaN] }])).toContain('nothing finite');
  });
});
