// The two kernel sets end to end: a sweep over activations, feature maps, residual nets and every
// optimizer, with the health option, writes the same bytes (wall_ms aside) with the WebAssembly
// kernels (the default) and with KSTEP_KERNELS=js, and the CLI refuses any other kernel set.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kstep, requireBuild, resultBytes, tmp, withoutWallMs, writeJson } from './helpers.js';

beforeAll(requireBuild);

const SPEC = {
  name: 'kernels',
  seed: 0,
  budget: 2e4,
  grid: { activation: ['tanh', 'relu', 'gelu'], features: ['identity', 'fourier'], optimizer: ['bptt', 'ga', 'cmaes', 'es'], residual: [false, true] },
  fixed: { K: 3, hidden: [7, 5], train: 13, test: 11 },
  optimizers: { ga: { population: 8, parents: 2 }, es: { population: 6 } },
  health: { K: [1, 4], samples: 6, snr_batches: 2, snr_batch: 4, lyapunov_steps: 20 },
};

describe('KSTEP_KERNELS', () => {
  it('js and wasm write the same result files, health.csv included', async () => {
    const dir = tmp('kstep-kernels-');
    const spec = writeJson(join(dir, 'kernels.json'), SPEC);
    const runs = await Promise.all(
      (['wasm', 'js'] as const).map((k) => kstep(['sweep', spec, '--workers', '1', '--quiet', '--out', join(dir, k)], { env: { KSTEP_KERNELS: k } })),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const [wasm, js] = [resultBytes(join(dir, 'wasm')), resultBytes(join(dir, 'js'))];
    expect(wasm['cells.csv'].split('\n')).toHaveLength(1 + 3 * 2 * 4 * 2);
    expect(js).toEqual(wasm);
    const health = (k: string) => withoutWallMs(readFileSync(join(dir, k, 'health.csv'), 'utf8'));
    expect(health('js')).toEqual(health('wasm'));
    expect(health('wasm').split('\n').length).toBeGreaterThan(2);
  });

  it('refuses any other value before doing anything: exit 2, one line naming the variable and the allowed values', async () => {
    const dir = tmp('kstep-kernels-');
    const r = await kstep(['sweep', writeJson(join(dir, 'k.json'), SPEC), '--out', join(dir, 'out')], { env: { KSTEP_KERNELS: 'simd' } });
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("kstep: KSTEP_KERNELS: unknown value 'simd' (allowed: wasm, js)\n");
    const listed = await kstep(['list'], { env: { KSTEP_KERNELS: 'JS' } });
    expect(listed.code).toBe(2);
  });
});
