/**
 * PyTorch side by side: after kstep's workloads, `npm run bench` exports them (export.ts) and runs
 * bench/torch_reference.py on the same weights, states and targets, with the first Python that can
 * import torch: $KSTEP_BENCH_PYTHON, else `python3`, else /usr/bin/python3 (Debian's python3-torch
 * installs there, beside a python3 of pyenv or a virtualenv that may come first on the PATH). kstep
 * does not need Python: without one, the bench says so and reports kstep alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportWorkloads } from './export.js';
import type { TorchRow, TorchSideBySide } from './results.js';

const SCRIPT = fileURLToPath(new URL('../../bench/torch_reference.py', import.meta.url));

function pythonWithTorch(): { python: string; torch: string } | null {
  const candidates = [process.env.KSTEP_BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python, torch: r.stdout.trim() };
  }
  return null;
}

export function torchSideBySide(quick: boolean): TorchSideBySide {
  const found = pythonWithTorch();
  if (!found) {
    return { python: null, torch: null, rows: [], note: 'no Python with torch found (set KSTEP_BENCH_PYTHON, or apt-get install python3-torch): PyTorch not measured' };
  }
  const dir = mkdtempSync(join(os.tmpdir(), 'kstep-bench-torch-'));
  try {
    const file = join(dir, 'workloads.json');
    exportWorkloads(file, false);
    const args = [SCRIPT, '--json', '--workloads', file, ...(quick ? ['--quick'] : [])];
    const r = spawnSync(found.python, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) return { ...found, rows: [], note: `bench/torch_reference.py failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}` };
    const rows = (JSON.parse(r.stdout) as { workloads: TorchRow[] }).workloads;
    return { ...found, rows, note: `${found.python}, torch ${found.torch}, one thread, on kstep's exported W1 and W2` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
