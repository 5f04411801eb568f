/**
 * Bad inputs through the compiled CLI: each case is refused with exit code 2, exactly one line on
 * stderr naming the field, no stack frame, and nothing created or changed in its working folder.
 */
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, kstep, requireBuild, tmp } from '../experiment/helpers.js';

interface Case {
  name: string;
  args: string[];
  /** Files to put in the case's folder first: name -> content (objects as JSON). */
  files?: Record<string, unknown>;
  /** What the stderr line must name. */
  field: string;
}

const BASE = { name: 'adv', budget: 1000, fixed: { hidden: [2], train: 4, test: 4 } };
const exp = (extra: Record<string, unknown>) => ({ 'e.json': { ...BASE, ...extra } });

/** A params file, written once by `kstep run --save-params`, then edited per case. */
let params: { config: Record<string, unknown>; task: Record<string, unknown>; net: Record<string, unknown> } & Record<string, unknown>;
const withParams = (edit: (p: typeof params) => unknown) => () => ({ 'p.json': edit(structuredClone(params)) });

const deep = (() => {
  let s = '1';
  for (let i = 0; i < 20000; i++) s = `[${s}]`;
  return `{"name":"deep","grid":{"K":${s}}}`;
})();

const cases: (Case & { lazyFiles?: () => Record<string, unknown> })[] = [
  // run flags
  { name: 'cmaes population 2', args: ['run', '--optimizer', 'cmaes', '--population', '2'], field: 'population' },
  { name: 'cmaes population 1 unmirrored', args: ['run', '--optimizer', 'cmaes', '--population', '1', '--mirrored', 'false'], field: 'population' },
  { name: 'ga sigma 0', args: ['run', '--optimizer', 'ga', '--sigma', '0'], field: 'sigma' },
  { name: 'es sigma 0', args: ['run', '--optimizer', 'es', '--sigma', '0'], field: 'sigma' },
  { name: 'random sigma 0', args: ['run', '--optimizer', 'random', '--sigma', '0'], field: 'sigma' },
  { name: 'cmaes sigma 0', args: ['run', '--optimizer', 'cmaes', '--sigma', '0'], field: 'sigma' },
  { name: 'ga sigma_decay 0', args: ['run', '--optimizer', 'ga', '--sigma_decay', '0'], field: 'sigma_decay' },
  { name: 'bptt lr 0', args: ['run', '--lr', '0'], field: 'lr' },
  { name: 'batch > train', args: ['run', '--batch', '300', '--train', '256'], field: 'batch' },
  { name: 'seed beyond 2^53', args: ['run', '--seed', '9007199254740993'], field: 'seed' },
  { name: 'K in hex', args: ['run', '--K', '0x10'], field: 'K' },
  { name: 'train in binary', args: ['run', '--train', '0b101'], field: 'train' },
  { name: 'huge hidden', args: ['run', '--hidden', '99999999'], field: 'hidden' },
  { name: '65 hidden layers', args: ['run', '--hidden', Array(65).fill(2).join(',')], field: 'hidden' },
  { name: 'huge train', args: ['run', '--train', '2000000'], field: 'train' },
  { name: 'huge ga population', args: ['run', '--optimizer', 'ga', '--population', '20000'], field: 'population' },
  { name: 'ga tournament beyond max', args: ['run', '--optimizer', 'ga', '--tournament', '1e15'], field: 'tournament' },
  // sweep overrides
  { name: 'override seed beyond 2^53', args: ['sweep', 'quick', 'seed=9007199254740993', '--dry-run'], field: 'seed' },
  { name: 'override ga.sigma unused', args: ['sweep', 'quick', 'optimizer=bptt', 'ga.sigma=0.1', '--dry-run'], field: 'ga.sigma' },
  { name: 'override sigma unused', args: ['sweep', 'quick', 'optimizer=bptt', 'sigma=0.1', '--dry-run'], field: 'sigma' },
  { name: 'override ga sigma 0', args: ['sweep', 'quick', 'optimizer=ga', 'ga.sigma=0', '--dry-run'], field: 'sigma' },
  { name: 'override batch > train', args: ['sweep', 'quick', 'batch=512', '--dry-run'], field: 'batch' },
  { name: 'override K in hex', args: ['sweep', 'quick', 'K=0x10', '--dry-run'], field: 'K' },
  { name: 'override cmaes population 2', args: ['sweep', 'quick', 'optimizer=cmaes', 'cmaes.population=2', '--dry-run'], field: 'population' },
  { name: 'override huge hidden', args: ['sweep', 'quick', 'hidden=[99999999]', '--dry-run'], field: 'hidden' },
  { name: 'override health field in hex', args: ['sweep', 'quick', 'health.samples=0x10', '--dry-run'], field: 'health.samples' },
  // experiment files
  { name: 'file hidden as a string', args: ['sweep', 'e.json', '--dry-run'], files: exp({ fixed: { hidden: '4' } }), field: 'fixed.hidden' },
  { name: 'file task.rho as a string', args: ['sweep', 'e.json', '--dry-run'], files: exp({ fixed: { 'task.rho': '0.5' } }), field: 'fixed.task.rho' },
  { name: 'file budget as a string', args: ['sweep', 'e.json', '--dry-run'], files: exp({ budget: '2e4' }), field: 'budget' },
  { name: 'file residual as a string', args: ['sweep', 'e.json', '--dry-run'], files: exp({ fixed: { residual: 'true' } }), field: 'fixed.residual' },
  { name: 'file grid K with a string', args: ['sweep', 'e.json', '--dry-run'], files: exp({ grid: { K: ['2', 8] } }), field: 'grid.K[0]' },
  { name: 'file optimizer option as a string', args: ['sweep', 'e.json', '--dry-run'], files: exp({ optimizers: { ga: { sigma: '0.05' } } }), field: 'optimizers.ga.sigma' },
  { name: 'file seed beyond 2^53', args: ['sweep', 'e.json', '--dry-run'], files: exp({ seed: 2 ** 53 + 2 }), field: 'seed' },
  { name: 'file batch > train', args: ['sweep', 'e.json', '--dry-run'], files: exp({ fixed: { hidden: [2], train: 4, test: 4, batch: 8 } }), field: 'fixed.batch' },
  { name: 'file cmaes population 2', args: ['sweep', 'e.json', '--dry-run'], files: exp({ grid: { optimizer: ['cmaes'] }, optimizers: { cmaes: { population: 2 } } }), field: 'optimizers.cmaes.population' },
  { name: 'file 200001 seeds', args: ['sweep', 'e.json', '--dry-run'], files: exp({ grid: { seed: Array.from({ length: 200_001 }, (_, i) => i) } }), field: 'grid.seed' },
  { name: 'file 300-character name', args: ['sweep', 'e.json'], files: { 'e.json': { ...BASE, name: 'a'.repeat(300) } }, field: 'name' },
  { name: 'file deeply nested', args: ['sweep', 'e.json', '--dry-run'], files: { 'e.json': deep }, field: 'grid.K' },
  { name: 'file is a directory', args: ['sweep', 'dir.json', '--dry-run'], files: { 'dir.json/': '' }, field: 'experiment' },
  // params files
  { name: 'params net disagrees', args: ['health', '--params', 'p.json', '--K', '1'], lazyFiles: withParams((p) => ({ ...p, net: { ...p.net, hidden: [5] } })), field: 'net.hidden' },
  { name: 'params task disagrees', args: ['lyapunov', '--params', 'p.json'], lazyFiles: withParams((p) => ({ ...p, task: { ...p.task, name: 'lorenz' } })), field: 'task.name' },
  { name: 'params config value a string', args: ['health', '--params', 'p.json', '--K', '1'], lazyFiles: withParams((p) => ({ ...p, config: { ...p.config, K: '1' } })), field: 'K' },
  { name: 'params with a net flag', args: ['health', '--params', 'p.json', '--hidden', '99999999'], lazyFiles: withParams((p) => p), field: 'hidden' },
  // health and lyapunov flags
  { name: 'lyapunov steps 1e12', args: ['lyapunov', '--steps', '1e12'], field: '--steps' },
  { name: 'lyapunov samples beyond max', args: ['lyapunov', '--samples', '1000000'], field: '--samples' },
  { name: 'lyapunov burnin in hex', args: ['lyapunov', '--burnin', '0x10'], field: '--burnin' },
  { name: 'lyapunov huge hidden', args: ['lyapunov', '--hidden', '99999999'], field: 'hidden' },
  { name: 'health samples in binary', args: ['health', '--samples', '0b101'], field: '--samples' },
  { name: 'health lyap-steps beyond max', args: ['health', '--lyap-steps', '100000000'], field: '--lyap-steps' },
  { name: 'health snr-batch 1e9', args: ['health', '--snr-batch', '1e9'], field: '--snr-batch' },
  { name: 'health K in hex', args: ['health', '--K', '0x10'], field: '--K' },
  { name: 'health seed beyond 2^53', args: ['health', '--seed', '18014398509481984'], field: 'seed' },
];

/** Every file of a folder with its size, modification time and content. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      const st = statSync(p);
      if (st.isDirectory()) {
        out.set(`${p}/`, '');
        walk(p);
      } else out.set(p, `${st.size} ${st.mtimeMs} ${readFileSync(p, 'utf8')}`);
    }
  };
  walk(dir);
  return out;
}

const results = new Map<string, { r: CliResult; before: Map<string, string>; after: Map<string, string> }>();

beforeAll(async () => {
  requireBuild();
  const pdir = tmp('kstep-adv-params-');
  const made = await kstep(['run', '--K', '1', '--hidden', '2', '--train', '4', '--test', '4', '--budget', '100', '--json', '--save-params', 'p.json'], { cwd: pdir });
  expect(made.code, made.stderr).toBe(0);
  params = JSON.parse(readFileSync(join(pdir, 'p.json'), 'utf8'));
  const queue = [...cases];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const dir = tmp('kstep-adv-');
      const files = { ...(c.files ?? {}), ...(c.lazyFiles?.() ?? {}) };
      for (const [name, content] of Object.entries(files)) {
        if (name.endsWith('/')) mkdirSync(join(dir, name));
        else writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
      }
      const before = snapshot(dir);
      // A refusal takes well under a second; a case that would run (or hang) is stopped and fails.
      const r = await kstep(c.args, { cwd: dir, onSpawn: (p) => setTimeout(() => p.kill('SIGKILL'), 10_000).unref() });
      results.set(c.name, { r, before, after: snapshot(dir) });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}, 300_000);

describe('bad inputs: exit 2, one line naming the field, no stack, nothing written', () => {
  it('has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const { r, before, after } = results.get(c.name)!;
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(r.code, r.stderr).toBe(2);
    expect(lines.length, r.stderr).toBe(1);
    expect(lines[0]).toMatch(/^kstep: /);
    expect(lines[0]).toContain(c.field);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect([...after.entries()]).toEqual([...before.entries()]);
  });
});
