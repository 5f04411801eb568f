// `npm run build` step: assembles src/core/kernels.wat into dist/kernels.wasm with wabt (a pinned
// devDependency, WebAssembly itself: no native code, no download). SIMD is the only feature
// enabled beyond the core: relaxed-simd (which allows fused multiply-add) stays off, so the
// assembler refuses any instruction that could change a result's bits.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src/core/kernels.wat');
const out = join(root, 'dist/kernels.wasm');

const wabt = await wabtInit();
const mod = wabt.parseWat(src, readFileSync(src, 'utf8'), { simd: true, relaxed_simd: false });
try {
  mod.resolveNames();
  mod.validate();
  const { buffer } = mod.toBinary({ log: false, write_debug_names: true });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, buffer);
} finally {
  mod.destroy();
}
