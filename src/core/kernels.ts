/**
 * Dense-layer kernels on flat, batch-major Float64Arrays (the hot loops of the rollout).
 *
 * V8 compiles these to scalar SSE2 code (no SIMD, no fused multiply-add) with a bounds check per
 * typed-array load, so speed is instructions per multiply-add. Each kernel computes a small register
 * tile of outputs (6 or 12 accumulators) over the reduction index: each loaded value feeds 2-4
 * multiply-adds, nothing is stored inside the reduction loop, and the independent accumulators hide
 * the latency of the adds. This runs the 32x32 and 128x128 layers at about 6-7 GFLOP/s, twice the
 * previous version (one output row at a time, unrolled by four, a load and a store per output per
 * four multiply-adds; its input gradient was one latency-bound dot product at a time). Tiles of 6 to
 * 16 accumulators measured within a few percent of each other; beyond that the 16 xmm registers spill.
 * test/core/kernels.test.ts checks every remainder path against plain loops, bit for bit.
 *
 * Every output is summed in a fixed order (bias or current value first, then the reduction index
 * ascending), the same in the tiled body and in the remainder loops, so a sample's result does not
 * depend on the batch size or on its position in the batch, and `store = true` and `store = false`
 * forward passes agree bit for bit.
 */

/**
 * Y[B][nout] = X[B][nin] W[nin][nout] + b, with W at theta[w..], b at theta[bo..].
 * Register tile: 3 samples x 2 outputs; each Y element is b_j + x_0 w_0j + x_1 w_1j + ... in that order.
 */
export function denseForward(
  theta: Float64Array, w: number, bo: number, nin: number, nout: number,
  X: Float64Array, xo: number, Y: Float64Array, yo: number, B: number,
): void {
  const sT = B - (B % 3), jT = nout - (nout % 2);
  let s = 0;
  for (; s < sT; s += 3) {
    const x0 = xo + s * nin, x1 = x0 + nin, x2 = x1 + nin;
    const y0 = yo + s * nout, y1 = y0 + nout, y2 = y1 + nout;
    let j = 0;
    for (; j < jT; j += 2) {
      const b0 = theta[bo + j]; const b1 = theta[bo + j + 1];
      let a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1;
      for (let i = 0, wi = w + j; i < nin; i++, wi += nout) {
        const w0 = theta[wi]; const w1 = theta[wi + 1];
        { const v = X[x0 + i]; a00 += v * w0; a01 += v * w1; }
        { const v = X[x1 + i]; a10 += v * w0; a11 += v * w1; }
        { const v = X[x2 + i]; a20 += v * w0; a21 += v * w1; }
      }
      Y[y0 + j] = a00; Y[y0 + j + 1] = a01;
      Y[y1 + j] = a10; Y[y1 + j + 1] = a11;
      Y[y2 + j] = a20; Y[y2 + j + 1] = a21;
    }
    for (; j < nout; j++) {
      const b0 = theta[bo + j];
      let a00 = b0, a10 = b0, a20 = b0;
      for (let i = 0, wi = w + j; i < nin; i++, wi += nout) {
        const w0 = theta[wi];
        { const v = X[x0 + i]; a00 += v * w0; }
        { const v = X[x1 + i]; a10 += v * w0; }
        { const v = X[x2 + i]; a20 += v * w0; }
      }
      Y[y0 + j] = a00;
      Y[y1 + j] = a10;
      Y[y2 + j] = a20;
    }
  }
  for (; s < B; s++) {
    const x0 = xo + s * nin;
    const y0 = yo + s * nout;
    let j = 0;
    for (; j < jT; j += 2) {
      const b0 = theta[bo + j]; const b1 = theta[bo + j + 1];
      let a00 = b0, a01 = b1;
      for (let i = 0, wi = w + j; i < nin; i++, wi += nout) {
        const w0 = theta[wi]; const w1 = theta[wi + 1];
        { const v = X[x0 + i]; a00 += v * w0; a01 += v * w1; }
      }
      Y[y0 + j] = a00; Y[y0 + j + 1] = a01;
    }
    for (; j < nout; j++) {
      const b0 = theta[bo + j];
      let a00 = b0;
      for (let i = 0, wi = w + j; i < nin; i++, wi += nout) {
        const w0 = theta[wi];
        { const v = X[x0 + i]; a00 += v * w0; }
      }
      Y[y0 + j] = a00;
    }
  }
}

/**
 * GX[B][nin] = GY[B][nout] W^T: the input side of the vector-Jacobian product.
 * Register tile: 3 samples x 2 inputs, dot products over the contiguous rows of GY and W.
 */
export function denseInputGrad(
  theta: Float64Array, w: number, nin: number, nout: number,
  GY: Float64Array, go: number, GX: Float64Array, gxo: number, B: number,
): void {
  const sT = B - (B % 3), iT = nin - (nin % 2);
  let s = 0;
  for (; s < sT; s += 3) {
    const g0 = go + s * nout, g1 = g0 + nout, g2 = g1 + nout;
    const r0 = gxo + s * nin, r1 = r0 + nin, r2 = r1 + nin;
    let i = 0;
    for (; i < iT; i += 2) {
      const c0 = w + i * nout, c1 = c0 + nout;
      let a00 = 0, a01 = 0, a10 = 0, a11 = 0, a20 = 0, a21 = 0;
      for (let j = 0; j < nout; j++) {
        const w0 = theta[c0 + j]; const w1 = theta[c1 + j];
        { const u = GY[g0 + j]; a00 += u * w0; a01 += u * w1; }
        { const u = GY[g1 + j]; a10 += u * w0; a11 += u * w1; }
        { const u = GY[g2 + j]; a20 += u * w0; a21 += u * w1; }
      }
      GX[r0 + i] = a00; GX[r0 + i + 1] = a01;
      GX[r1 + i] = a10; GX[r1 + i + 1] = a11;
      GX[r2 + i] = a20; GX[r2 + i + 1] = a21;
    }
    for (; i < nin; i++) {
      const c0 = w + i * nout;
      let a00 = 0, a10 = 0, a20 = 0;
      for (let j = 0; j < nout; j++) {
        const w0 = theta[c0 + j];
        { const u = GY[g0 + j]; a00 += u * w0; }
        { const u = GY[g1 + j]; a10 += u * w0; }
        { const u = GY[g2 + j]; a20 += u * w0; }
      }
      GX[r0 + i] = a00;
      GX[r1 + i] = a10;
      GX[r2 + i] = a20;
    }
  }
  for (; s < B; s++) {
    const g0 = go + s * nout;
    const r0 = gxo + s * nin;
    let i = 0;
    for (; i < iT; i += 2) {
      const c0 = w + i * nout, c1 = c0 + nout;
      let a00 = 0, a01 = 0;
      for (let j = 0; j < nout; j++) {
        const w0 = theta[c0 + j]; const w1 = theta[c1 + j];
        { const u = GY[g0 + j]; a00 += u * w0; a01 += u * w1; }
      }
      GX[r0 + i] = a00; GX[r0 + i + 1] = a01;
    }
    for (; i < nin; i++) {
      const c0 = w + i * nout;
      let a00 = 0;
      for (let j = 0; j < nout; j++) {
        const w0 = theta[c0 + j];
        { const u = GY[g0 + j]; a00 += u * w0; }
      }
      GX[r0 + i] = a00;
    }
  }
}

/**
 * dW += X^T GY and db += column sums of GY: the parameter side of the vector-Jacobian product.
 * Register tile: 3 inputs x 4 outputs of dW, accumulated over the samples in order s = 0..B-1.
 */
export function denseParamGrad(
  grad: Float64Array, w: number, bo: number, nin: number, nout: number,
  X: Float64Array, xo: number, GY: Float64Array, go: number, B: number,
): void {
  const n4 = nout - (nout % 4);
  let jb = 0;
  for (; jb < n4; jb += 4) {
    let a0 = grad[bo + jb], a1 = grad[bo + jb + 1], a2 = grad[bo + jb + 2], a3 = grad[bo + jb + 3];
    for (let s = 0, g = go + jb; s < B; s++, g += nout) { a0 += GY[g]; a1 += GY[g + 1]; a2 += GY[g + 2]; a3 += GY[g + 3]; }
    grad[bo + jb] = a0; grad[bo + jb + 1] = a1; grad[bo + jb + 2] = a2; grad[bo + jb + 3] = a3;
  }
  for (; jb < nout; jb++) {
    let a = grad[bo + jb];
    for (let s = 0, g = go + jb; s < B; s++, g += nout) a += GY[g];
    grad[bo + jb] = a;
  }
  const iT = nin - (nin % 3), jT = nout - (nout % 4);
  let i = 0;
  for (; i < iT; i += 3) {
    let j = 0;
    for (; j < jT; j += 4) {
      const r0 = w + i * nout, r1 = r0 + nout, r2 = r1 + nout;
      let a00 = grad[r0 + j], a01 = grad[r0 + j + 1], a02 = grad[r0 + j + 2], a03 = grad[r0 + j + 3];
      let a10 = grad[r1 + j], a11 = grad[r1 + j + 1], a12 = grad[r1 + j + 2], a13 = grad[r1 + j + 3];
      let a20 = grad[r2 + j], a21 = grad[r2 + j + 1], a22 = grad[r2 + j + 2], a23 = grad[r2 + j + 3];
      for (let s = 0, xs = xo + i, gs = go + j; s < B; s++, xs += nin, gs += nout) {
        const u0 = GY[gs]; const u1 = GY[gs + 1]; const u2 = GY[gs + 2]; const u3 = GY[gs + 3];
        { const v = X[xs]; a00 += v * u0; a01 += v * u1; a02 += v * u2; a03 += v * u3; }
        { const v = X[xs + 1]; a10 += v * u0; a11 += v * u1; a12 += v * u2; a13 += v * u3; }
        { const v = X[xs + 2]; a20 += v * u0; a21 += v * u1; a22 += v * u2; a23 += v * u3; }
      }
      grad[r0 + j] = a00; grad[r0 + j + 1] = a01; grad[r0 + j + 2] = a02; grad[r0 + j + 3] = a03;
      grad[r1 + j] = a10; grad[r1 + j + 1] = a11; grad[r1 + j + 2] = a12; grad[r1 + j + 3] = a13;
      grad[r2 + j] = a20; grad[r2 + j + 1] = a21; grad[r2 + j + 2] = a22; grad[r2 + j + 3] = a23;
    }
    for (; j < nout; j++) {
      const r0 = w + i * nout, r1 = r0 + nout, r2 = r1 + nout;
      let a00 = grad[r0 + j], a10 = grad[r1 + j], a20 = grad[r2 + j];
      for (let s = 0, xs = xo + i, gs = go + j; s < B; s++, xs += nin, gs += nout) {
        const u0 = GY[gs];
        { const v = X[xs]; a00 += v * u0; }
        { const v = X[xs + 1]; a10 += v * u0; }
        { const v = X[xs + 2]; a20 += v * u0; }
      }
      grad[r0 + j] = a00;
      grad[r1 + j] = a10;
      grad[r2 + j] = a20;
    }
  }
  for (; i < nin; i++) {
    let j = 0;
    for (; j < jT; j += 4) {
      const r0 = w + i * nout;
      let a00 = grad[r0 + j], a01 = grad[r0 + j + 1], a02 = grad[r0 + j + 2], a03 = grad[r0 + j + 3];
      for (let s = 0, xs = xo + i, gs = go + j; s < B; s++, xs += nin, gs += nout) {
        const u0 = GY[gs]; const u1 = GY[gs + 1]; const u2 = GY[gs + 2]; const u3 = GY[gs + 3];
        { const v = X[xs]; a00 += v * u0; a01 += v * u1; a02 += v * u2; a03 += v * u3; }
      }
      grad[r0 + j] = a00; grad[r0 + j + 1] = a01; grad[r0 + j + 2] = a02; grad[r0 + j + 3] = a03;
    }
    for (; j < nout; j++) {
      const r0 = w + i * nout;
      let a00 = grad[r0 + j];
      for (let s = 0, xs = xo + i, gs = go + j; s < B; s++, xs += nin, gs += nout) {
        const u0 = GY[gs];
        { const v = X[xs]; a00 += v * u0; }
      }
      grad[r0 + j] = a00;
    }
  }
}
