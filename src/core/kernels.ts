/**
 * Dense-layer kernels on flat, batch-major Float64Arrays. Each loop runs over the contiguous index
 * innermost and is unrolled by four over the reduction index, so each output element is loaded and
 * stored once per four multiply-adds.
 */

/** Y[B][nout] = X[B][nin] W[nin][nout] + b, with W at theta[w..], b at theta[bo..]. */
export function denseForward(
  theta: Float64Array, w: number, bo: number, nin: number, nout: number,
  X: Float64Array, xo: number, Y: Float64Array, yo: number, B: number,
): void {
  const n4 = nin - (nin % 4);
  for (let s = 0; s < B; s++) {
    const yr = yo + s * nout;
    const xr = xo + s * nin;
    for (let j = 0; j < nout; j++) Y[yr + j] = theta[bo + j];
    let i = 0;
    for (; i < n4; i += 4) {
      const x0 = X[xr + i], x1 = X[xr + i + 1], x2 = X[xr + i + 2], x3 = X[xr + i + 3];
      const w0 = w + i * nout, w1 = w0 + nout, w2 = w1 + nout, w3 = w2 + nout;
      for (let j = 0; j < nout; j++) {
        Y[yr + j] += x0 * theta[w0 + j] + x1 * theta[w1 + j] + x2 * theta[w2 + j] + x3 * theta[w3 + j];
      }
    }
    for (; i < nin; i++) {
      const x = X[xr + i];
      const wr = w + i * nout;
      for (let j = 0; j < nout; j++) Y[yr + j] += x * theta[wr + j];
    }
  }
}

/** GX[B][nin] = GY[B][nout] W^T: the input side of the vector-Jacobian product. */
export function denseInputGrad(
  theta: Float64Array, w: number, nin: number, nout: number,
  GY: Float64Array, go: number, GX: Float64Array, gxo: number, B: number,
): void {
  for (let s = 0; s < B; s++) {
    const gr = go + s * nout;
    const xr = gxo + s * nin;
    for (let i = 0; i < nin; i++) {
      const wr = w + i * nout;
      let acc = 0;
      for (let j = 0; j < nout; j++) acc += GY[gr + j] * theta[wr + j];
      GX[xr + i] = acc;
    }
  }
}

/** dW += X^T GY and db += column sums of GY: the parameter side of the vector-Jacobian product. */
export function denseParamGrad(
  grad: Float64Array, w: number, bo: number, nin: number, nout: number,
  X: Float64Array, xo: number, GY: Float64Array, go: number, B: number,
): void {
  const b4 = B - (B % 4);
  let s = 0;
  for (; s < b4; s += 4) {
    const g0 = go + s * nout, g1 = g0 + nout, g2 = g1 + nout, g3 = g2 + nout;
    const x0r = xo + s * nin, x1r = x0r + nin, x2r = x1r + nin, x3r = x2r + nin;
    for (let j = 0; j < nout; j++) grad[bo + j] += GY[g0 + j] + GY[g1 + j] + GY[g2 + j] + GY[g3 + j];
    for (let i = 0; i < nin; i++) {
      const x0 = X[x0r + i], x1 = X[x1r + i], x2 = X[x2r + i], x3 = X[x3r + i];
      const wr = w + i * nout;
      for (let j = 0; j < nout; j++) {
        grad[wr + j] += x0 * GY[g0 + j] + x1 * GY[g1 + j] + x2 * GY[g2 + j] + x3 * GY[g3 + j];
      }
    }
  }
  for (; s < B; s++) {
    const gr = go + s * nout;
    const xr = xo + s * nin;
    for (let j = 0; j < nout; j++) grad[bo + j] += GY[gr + j];
    for (let i = 0; i < nin; i++) {
      const x = X[xr + i];
      const wr = w + i * nout;
      for (let j = 0; j < nout; j++) grad[wr + j] += x * GY[gr + j];
    }
  }
}
