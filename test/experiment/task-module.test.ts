// Task modules end to end, through bin/kstep.js and the compiled dist/ (npm test builds first):
// a module re-implementing rotation gives the built-in's results, malformed modules and non-file
// task values are refused before anything is written, a module without a Jacobian leaves the
// Lyapunov columns empty, worker threads load modules, and --resume and merge refuse an edited module.
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/output/csv.js';

/** A CSV file as records keyed by column. */
function readCsv(file: string): Record<string, string>[] {
  const { header, rows } = parseCsv(readFileSync(file, 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin/kstep.js');
const rotationModule = join(root, 'examples/rotation.mjs');
const lotka = join(root, 'examples/lotka-volterra.mjs');

function kstep(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'kstep-module-'));

/** A CSV file's rows without the columns that name the task or time the run. */
function comparable(file: string): string[][] {
  const { header, rows } = parseCsv(readFileSync(file, 'utf8'));
  const keep = header.map((c, i) => (c === 'cell_id' || c === 'task' || c === 'wall_ms' ? -1 : i)).filter((i) => i >= 0);
  return [keep.map((i) => header[i]), ...rows.map((r) => keep.map((i) => r[i]))];
}

const small = ['K=1,4', 'activation=tanh', 'seed=0,1', 'budget=2e4', 'health=true', 'health.K=1,2', '--quiet'];

describe('a module that re-implements rotation', () => {
  it('gives the built-in rotation results byte for byte (task, cell_id and wall_ms aside), on 2 worker threads', () => {
    const dir = tmp();
    const a = kstep(['sweep', 'quick', ...small, '--out', join(dir, 'builtin'), '--workers', '0']);
    expect(a.code, a.stderr).toBe(0);
    const b = kstep(['sweep', 'quick', `task=${rotationModule}`, ...small, '--out', join(dir, 'module'), '--workers', '2']);
    expect(b.code, b.stderr).toBe(0);
    for (const f of ['cells.csv', 'curves.csv', 'adjoints.csv', 'health.csv']) {
      const x = comparable(join(dir, 'builtin', f));
      expect(x.length).toBeGreaterThan(1);
      expect(comparable(join(dir, 'module', f))).toEqual(x);
    }
    const cells = readCsv(join(dir, 'module', 'cells.csv'));
    expect(new Set(cells.map((r) => r.task))).toEqual(new Set([rotationModule]));
    expect(cells.every((r) => r.status !== 'error')).toBe(true);
    const manifest = JSON.parse(readFileSync(join(dir, 'module', 'manifest.json'), 'utf8'));
    expect(manifest.modules).toEqual([{ path: rotationModule, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(JSON.parse(readFileSync(join(dir, 'builtin', 'manifest.json'), 'utf8')).modules).toBeUndefined();
  });

  it('in an experiment file, a relative task path is relative to the file, not to the working directory', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'study'));
    copyFileSync(rotationModule, join(dir, 'study', 'rot.mjs'));
    writeFileSync(
      join(dir, 'study', 'exp.json'),
      JSON.stringify({ name: 'rel', budget: 1e4, grid: { K: [2] }, fixed: { task: './rot.mjs', hidden: [4], train: 16, test: 16 } }),
    );
    const r = kstep(['sweep', 'study/exp.json', '--out', 'out', '--workers', '0', '--quiet'], dir);
    expect(r.code, r.stderr).toBe(0);
    const cells = readCsv(join(dir, 'out', 'cells.csv'));
    expect(cells[0].task).toBe(join(dir, 'study', 'rot.mjs'));
  });
});

describe('malformed modules: exit 2, one line naming what is wrong, nothing written', () => {
  const good = readFileSync(rotationModule, 'utf8');
  const cases: [string, string, RegExp][] = [
    ['no-default', 'export const task = 1;\n', /has no default export/],
    ['throws', "throw new Error('boom at import');\n", /threw when imported: boom at import/],
    ['syntax', 'export default {\n', /threw when imported/],
    ['not-object', 'export default 42;\n', /default export must be a task object, got 42/],
    ['no-name', good.replace("name: 'rotation',\n  help", 'help'), /name must be a word .* got nothing \(missing\)/],
    ['d-zero', good.replace('D: 2,\n  params', 'D: 0,\n  params'), /D must be a positive integer, got 0$/],
    ['d-fraction', good.replace('D: 2,\n  params', 'D: 1.5,\n  params'), /D must be a positive integer, got 1\.5$/],
    ['params-object', good.replace(/params: \[[\s\S]*?\n  \],/, 'params: {},'), /params must be an array/],
    ['param-no-default', good.replace('default: 0.95, ', ''), /params\[0\]\.default must be a finite number, got nothing/],
    ['param-duplicate', good.replace("name: 'theta'", "name: 'rho'"), /params\[1\]\.name: duplicate parameter 'rho'/],
    ['param-below-min', good.replace('default: 0.95, help', 'default: -1, help'), /params\[0\]\.default -1 is below its min 0/],
    ['no-make', good.replace('make(p) {', 'mk(p) {'), /make must be a function/],
    ['make-throws', good.replace('make(p) {', "make(p) {\n    throw new Error('bad params');"), /make\(defaults\) threw: bad params/],
    ['no-step', good.replace('step(o, io, out, oo) {', 'stp(o, io, out, oo) {'), /make\(defaults\)\.step must be a function/],
    ['wrong-instance-name', good.replace("name: 'rotation',\n      D: 2", "name: 'other',\n      D: 2"), /make\(defaults\)\.name must be the task's name "rotation", got "other"/],
    ['sample-nan', good.replace('out[oo + 1] = rng.normal();', 'out[oo + 1] = NaN;'), /sample wrote a non-finite value \(NaN\) at index 1 of 2/],
    ['sample-short', good.replace('out[oo + 1] = rng.normal();', ''), /sample wrote a non-finite value \(NaN\) at index 1 of 2/],
    ['step-inf', good.replace('out[oo] = a * x - b * y;', 'out[oo] = Infinity;'), /step wrote a non-finite value \(Infinity\) at index 0 of 2/],
    ['jacobian-not-fn', good.replace(/jacobian\(_o, _io, J\) \{[\s\S]*?\n      \},/, 'jacobian: 3,'), /jacobian must be a function or absent/],
    ['features-object', good.replace('  make(p) {', '  features: {},\n  make(p) {'), /features must be an array of feature maps/],
    ['feature-no-apply', good.replace('  make(p) {', "  features: [{ name: 'f', dim: (D) => D }],\n  make(p) {"), /features\[0\]\.apply must be a function/],
    ['feature-dim-zero', good.replace('  make(p) {', "  features: [{ name: 'f', dim: () => 0, apply() {} }],\n  make(p) {"), /features\[0\]\.dim\(2\) must be an integer in 1\.\.4096, got 0/],
    ['feature-nan', good.replace('  make(p) {', "  features: [{ name: 'f', dim: (D) => D, apply(o, io, D, out, oo) { out[oo] = o[io]; } }],\n  make(p) {"), /features\[0\]\.apply left a non-finite value \(NaN\) at feature 1 of 2/],
    ['feature-builtin-name', good.replace('  make(p) {', "  features: [{ name: 'poly2', dim: (D) => D, apply(o, io, D, out, oo) { for (let d = 0; d < D; d++) out[oo + d] = o[io + d]; } }],\n  make(p) {"), /features: .*a feature map named poly2 exists already/],
  ];
  const dir = tmp();
  for (const [name, text, message] of cases) {
    it(name, () => {
      const file = join(dir, `${name}.mjs`);
      writeFileSync(file, text);
      const out = join(dir, `out-${name}`);
      const r = kstep(['sweep', 'quick', `task=${file}`, '--out', out, '--workers', '0']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^kstep: task ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
      expect(lines[0]).toMatch(message);
      expect(existsSync(out)).toBe(false);
      // kstep run says the same, naming the value as given.
      const run = kstep(['run', '--task', `./${name}.mjs`, '--budget', '1e3'], dir);
      expect(run.code).toBe(2);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(new RegExp(`^kstep: task \\./${name}\\.mjs: `));
    });
  }
  it('a missing file', () => {
    const r = kstep(['run', '--task', './nowhere.mjs'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd()).toMatch(/^kstep: task \.\/nowhere\.mjs: no such file \(.*nowhere\.mjs\)$/);
  });
});

describe('only file paths name modules', () => {
  const cases: [string, RegExp][] = [
    ['https://example.com/sim.mjs', /^kstep: task: 'https:\/\/example\.com\/sim\.mjs': URLs are not accepted, only a module file path like \.\/my-sim\.mjs$/],
    ['http://example.com/sim.mjs', /URLs are not accepted/],
    ['file:///tmp/sim.mjs', /URLs are not accepted/],
    ['lodash', /^kstep: task: must be one of rotation, pendulum, logistic, lorenz or a module file path like \.\/my-sim\.mjs \(not a package name\), got "lodash"$/],
    ['@scope/sim', /not a package name/],
    ['data:https://example.com/pairs.csv', /^kstep: task: 'data:https:\/\/example\.com\/pairs\.csv': URLs are not accepted, only a data file path like data:\.\/pairs\.csv$/],
    ['data:', /^kstep: task: 'data:': data: needs a file path, like data:\.\/pairs\.csv$/],
  ];
  for (const [value, message] of cases) {
    it(value, () => {
      const r = kstep(['run', '--task', value]);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd()).toMatch(message);
      const dir = tmp();
      const s = kstep(['sweep', 'quick', `task=${value}`, '--out', join(dir, 'out'), '--workers', '0']);
      expect(s.code).toBe(2);
      expect(s.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(existsSync(join(dir, 'out'))).toBe(false);
    });
  }
});

describe('a module without a Jacobian (examples/lotka-volterra.mjs)', () => {
  it('trains with kstep run', () => {
    const r = kstep(['run', '--task', 'examples/lotka-volterra.mjs', '--K', '4', '--residual', '--hidden', '16,16', '--budget', '1e6', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout);
    expect(rec.result?.eval?.test_nmse ?? rec.eval?.test_nmse ?? rec.test_nmse).toBeLessThan(0.1);
  });

  it('sweeps with health: the task Lyapunov columns are empty, exit 0', () => {
    const dir = tmp();
    const r = kstep(['sweep', 'quick', `task=${lotka}`, 'K=2', 'activation=tanh', 'optimizer=bptt', 'seed=0', 'budget=1e4', 'health=true', 'health.K=1,2', '--out', dir, '--workers', '0', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const cells = readCsv(join(dir, 'cells.csv'));
    expect(cells).toHaveLength(1);
    expect(cells[0].status).not.toBe('error');
    expect(cells[0].lyap_task).toBe('');
    expect(cells[0].lyap_net_start).not.toBe('');
    expect(cells[0]['task.alpha']).toBe('1');
    const health = readCsv(join(dir, 'health.csv'));
    expect(health.length).toBeGreaterThan(0);
    expect(health.every((h) => h.lyap_task === '' && h.grad_norm !== '')).toBe(true);
  });

  it('kstep lyapunov and kstep health say the task exponents are not available, exit 0', () => {
    const l = kstep(['lyapunov', '--task', lotka, '--steps', '50', '--samples', '4', '--json']);
    expect(l.code, l.stderr).toBe(0);
    expect(JSON.parse(l.stdout).true_map).toBeNull();
    const t = kstep(['lyapunov', '--task', lotka, '--steps', '50', '--samples', '4']);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/not available: the task has no jacobian/);
    const h = kstep(['health', '--task', lotka, '--K', '1,2', '--hidden', '4', '--samples', '8', '--snr-batches', '2', '--snr-batch', '4', '--lyap-steps', '20', '--lyap-samples', '2', '--json']);
    expect(h.code, h.stderr).toBe(0);
    const rec = JSON.parse(h.stdout);
    expect(rec.lyapunov.task ?? null).toBeNull();
  });
});

describe('a feature map without a vjp from a module (examples/thermostat.mjs)', () => {
  const thermostat = join(root, 'examples/thermostat.mjs');
  const net = ['--task', thermostat, '--features', 'thermostat', '--K', '4', '--hidden', '8'];

  it('trains with an evolutionary optimizer; the gradient health is not available', () => {
    const r = kstep(['run', ...net, '--optimizer', 'cmaes', '--budget', '1e6', '--json']);
    expect(r.code).toBe(0);
    const rec = JSON.parse(r.stdout);
    expect(rec.config.features).toBe('thermostat');
    expect(rec.test_nmse).toBeLessThan(0.5);
    expect(rec.start.adjoints).toEqual([]);
    expect(rec.start.label).toBe('');
    const text = kstep(['run', ...net, '--optimizer', 'ga', '--budget', '1e4']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Gradient health: not available \(the feature map thermostat has no vjp/);
  });

  it('refuses BPTT with one line saying why, and gradcheck and health the same way', () => {
    const r = kstep(['run', ...net, '--budget', '1e4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('kstep: optimizer: bptt needs the gradient through the feature map, and thermostat has no vjp: train it with ga, es, cmaes or random\n');
    for (const cmd of [['gradcheck', '--task', thermostat, '--features', 'thermostat', '--K', '2'], ['health', '--task', thermostat, '--features', 'thermostat', '--K', '2']]) {
      const g = kstep(cmd);
      expect(g.code, cmd[0]).toBe(2);
      expect(g.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(g.stderr).toMatch(/has no vjp/);
      expect(g.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a sweep over ga and bptt is refused before anything is written; over ga with health its health columns are empty', () => {
    const dir = tmp();
    const refused = kstep(['sweep', 'quick', `task=${thermostat}`, 'features=thermostat', 'K=4', 'optimizer=ga,bptt', '--out', join(dir, 'both'), '--quiet']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/bptt needs the gradient through the feature map/);
    expect(existsSync(join(dir, 'both'))).toBe(false);
    const out = join(dir, 'ga');
    const r = kstep(['sweep', 'quick', `task=${thermostat}`, 'features=thermostat', 'K=4', 'activation=tanh', 'optimizer=ga', 'seed=0', 'budget=2e4', 'health=true', '--out', out, '--quiet', '--workers', '2']);
    expect(r.code).toBe(0);
    const cells = readCsv(join(out, 'cells.csv'));
    expect(cells).toHaveLength(1);
    for (const col of ['grad_norm_start', 'adjoint_ratio_start', 'health_start', 'health_end', 'snr_end', 'lyap_net_end']) expect(cells[0][col], col).toBe('');
    expect(readFileSync(join(out, 'adjoints.csv'), 'utf8').trim().split('\n')).toHaveLength(1);
  });
});

describe('--resume and merge refuse a task module that changed since the results were written', () => {
  it('same file: resume and merge work; edited file: both refused with one line, nothing written', () => {
    const dir = tmp();
    const mod = join(dir, 'rot.mjs');
    copyFileSync(rotationModule, mod);
    const args = ['sweep', 'quick', `task=${mod}`, 'K=1', 'activation=tanh', 'seed=0', 'budget=5e3', '--workers', '0', '--quiet'];
    expect(kstep([...args, '--shard', '0/2', '--out', join(dir, 's0')]).code).toBe(0);
    expect(kstep([...args, '--shard', '1/2', '--out', join(dir, 's1')]).code).toBe(0);
    expect(kstep([...args, '--shard', '0/2', '--out', join(dir, 's0'), '--resume']).code).toBe(0);
    const ok = kstep(['merge', join(dir, 's0'), join(dir, 's1'), '--out', join(dir, 'merged')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'merged', 'manifest.json'), 'utf8')).modules[0].path).toBe(mod);

    appendFileSync(mod, '// edited\n');
    const cellsBefore = readFileSync(join(dir, 's0', 'cells.csv'), 'utf8');
    const resume = kstep([...args, '--shard', '0/2', '--out', join(dir, 's0'), '--resume']);
    expect(resume.code).toBe(2);
    expect(resume.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(resume.stderr).toMatch(/^kstep: --resume: task module .*rot\.mjs changed since .*s0 was written \(sha256 [0-9a-f]{12}\.\.\. then, [0-9a-f]{12}\.\.\. now\)/);
    expect(readFileSync(join(dir, 's0', 'cells.csv'), 'utf8')).toBe(cellsBefore);
    const merge = kstep(['merge', join(dir, 's0'), join(dir, 's1'), '--out', join(dir, 'merged2')]);
    expect(merge.code).toBe(2);
    expect(merge.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(merge.stderr).toMatch(/task module .*rot\.mjs changed since/);
    expect(existsSync(join(dir, 'merged2'))).toBe(false);
  });
});

describe("the package's types", () => {
  it('a TypeScript task module type-checks against `import type { Task } from "kstep"`, and a wrong one does not', () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const dir = join(root, 'dist', 'types-check');
    mkdirSync(dir, { recursive: true });
    const ok = `import type { Task } from 'kstep';\nconst t: Task = { name: 'x', help: '', D: 1, params: [], make: (p) => ({ name: 'x', D: 1, params: p, step(o, io, out, oo) { out[oo] = o[io]; }, sample(rng, out, oo) { out[oo] = rng.normal(); } }) };\nexport default t;\n`;
    writeFileSync(join(dir, 'ok.ts'), ok);
    writeFileSync(join(dir, 'bad.ts'), ok.replace('D: 1, params: []', "D: '1', params: []"));
    const check = (f: string) =>
      spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', join(dir, f)], { encoding: 'utf8', cwd: root });
    const good = check('ok.ts');
    expect(good.status, good.stdout).toBe(0);
    const bad = check('bad.ts');
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/bad\.ts.*Type 'string' is not assignable to type 'number'/);
  });
});
