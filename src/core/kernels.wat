;; Dense-layer kernels and the tanh activation of the rollout, in WebAssembly with 128-bit SIMD.
;; Assembled by `npm run build` (scripts/build-wasm.mjs, wabt) into dist/kernels.wasm; loaded by
;; src/core/wasm-kernels.ts. The JavaScript kernels (src/core/kernels.ts) are the reference.
;;
;; Bit-identical to the JavaScript kernels: every output is summed in the same order (its initial
;; value, the bias, zero or its current value, first; then the reduction index ascending), as a
;; separate multiply and add (f64x2.mul then f64x2.add: no fused multiply-add, so no relaxed-simd).
;; The two lanes of an f64x2 are two independent outputs (adjacent columns), never two parts of one
;; sum, so the order of each sum is the scalar order.
;;
;; tanh: bit-identical to Math.tanh (V8's fdlibm tanh), two values at a time; see $tanh2. It takes the
;; larger part of a forward step on the benchmark nets, which is why the pairs that lie in
;; [2^-28, 1) on both lanes take $tanh2_small, which computes only the cases those lanes can reach.
;;
;; Memory: one linear memory per rollout, exported and grown by JavaScript. Addresses are bytes.
;; Bytes 0..63 are zero and never written: the "zero" initial values of $gemm read from there.

(module
  (memory (export "memory") 1)

  ;; Y[r][c] = I[r][c] + sum_{k = 0 .. red-1} X[r][k] W[k][c], k ascending, for r < rows, c < cols.
  ;;   X[r][k] at xp + r xrow + k xred,  W[k][c] at wp + k wred + 8 c,  Y[r][c] at yp + r yrow + 8 c,
  ;;   I[r][c] at ip + r irow + c icol: the bias (irow 0, icol 8), zero (ip 0, irow 0, icol 0) or
  ;;   Y itself (ip yp, irow yrow, icol 8).
  ;; Register tiles of 4 rows x 4 columns (8 f64x2 accumulators), then 2 and 1 columns, then the
  ;; remaining rows one at a time: each loaded W pair feeds 4 rows, each X value 2 pairs.
  (func $gemm
    (param $rows i32) (param $cols i32) (param $red i32)
    (param $xp i32) (param $xrow i32) (param $xred i32)
    (param $wp i32) (param $wred i32)
    (param $yp i32) (param $yrow i32)
    (param $ip i32) (param $irow i32) (param $icol i32)
    (local $r i32) (local $c i32) (local $k i32)
    (local $x i32) (local $w i32) (local $y i32) (local $i i32) (local $xt i32) (local $wt i32)
    (local $xrow2 i32) (local $xrow3 i32) (local $yrow2 i32) (local $yrow3 i32) (local $irow2 i32) (local $irow3 i32)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local $w0 v128) (local $w1 v128) (local $v v128)
    (local $s0 f64) (local $s1 f64) (local $s2 f64) (local $s3 f64) (local $ws f64)
    (local.set $xrow2 (i32.shl (local.get $xrow) (i32.const 1)))
    (local.set $xrow3 (i32.add (local.get $xrow2) (local.get $xrow)))
    (local.set $yrow2 (i32.shl (local.get $yrow) (i32.const 1)))
    (local.set $yrow3 (i32.add (local.get $yrow2) (local.get $yrow)))
    (local.set $irow2 (i32.shl (local.get $irow) (i32.const 1)))
    (local.set $irow3 (i32.add (local.get $irow2) (local.get $irow)))
    (local.set $r (i32.const 0))
    ;; Blocks of 4 rows.
    (block $rows4_done
      (loop $rows4
        (br_if $rows4_done (i32.gt_u (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
        (local.set $xt (i32.add (local.get $xp) (i32.mul (local.get $r) (local.get $xrow))))
        (local.set $c (i32.const 0))
        (block $cols4_done
          (loop $cols4
            (br_if $cols4_done (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $cols)))
            (local.set $wt (i32.add (local.get $wp) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $y (i32.add (i32.add (local.get $yp) (i32.mul (local.get $r) (local.get $yrow))) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $i (i32.add (i32.add (local.get $ip) (i32.mul (local.get $r) (local.get $irow))) (i32.mul (local.get $c) (local.get $icol))))
            (local.set $a00 (v128.load (local.get $i)))
            (local.set $a01 (v128.load offset=16 (local.get $i)))
            (local.set $a10 (v128.load (i32.add (local.get $i) (local.get $irow))))
            (local.set $a11 (v128.load offset=16 (i32.add (local.get $i) (local.get $irow))))
            (local.set $a20 (v128.load (i32.add (local.get $i) (local.get $irow2))))
            (local.set $a21 (v128.load offset=16 (i32.add (local.get $i) (local.get $irow2))))
            (local.set $a30 (v128.load (i32.add (local.get $i) (local.get $irow3))))
            (local.set $a31 (v128.load offset=16 (i32.add (local.get $i) (local.get $irow3))))
            (local.set $x (local.get $xt))
            (local.set $w (local.get $wt))
            (local.set $k (local.get $red))
            (block $done4x4
              (loop $red4x4
                (br_if $done4x4 (i32.eqz (local.get $k)))
                (local.set $w0 (v128.load (local.get $w)))
                (local.set $w1 (v128.load offset=16 (local.get $w)))
                (local.set $v (v128.load64_splat (local.get $x)))
                (local.set $a00 (f64x2.add (local.get $a00) (f64x2.mul (local.get $v) (local.get $w0))))
                (local.set $a01 (f64x2.add (local.get $a01) (f64x2.mul (local.get $v) (local.get $w1))))
                (local.set $v (v128.load64_splat (i32.add (local.get $x) (local.get $xrow))))
                (local.set $a10 (f64x2.add (local.get $a10) (f64x2.mul (local.get $v) (local.get $w0))))
                (local.set $a11 (f64x2.add (local.get $a11) (f64x2.mul (local.get $v) (local.get $w1))))
                (local.set $v (v128.load64_splat (i32.add (local.get $x) (local.get $xrow2))))
                (local.set $a20 (f64x2.add (local.get $a20) (f64x2.mul (local.get $v) (local.get $w0))))
                (local.set $a21 (f64x2.add (local.get $a21) (f64x2.mul (local.get $v) (local.get $w1))))
                (local.set $v (v128.load64_splat (i32.add (local.get $x) (local.get $xrow3))))
                (local.set $a30 (f64x2.add (local.get $a30) (f64x2.mul (local.get $v) (local.get $w0))))
                (local.set $a31 (f64x2.add (local.get $a31) (f64x2.mul (local.get $v) (local.get $w1))))
                (local.set $x (i32.add (local.get $x) (local.get $xred)))
                (local.set $w (i32.add (local.get $w) (local.get $wred)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $red4x4)))
            (v128.store (local.get $y) (local.get $a00))
            (v128.store offset=16 (local.get $y) (local.get $a01))
            (v128.store (i32.add (local.get $y) (local.get $yrow)) (local.get $a10))
            (v128.store offset=16 (i32.add (local.get $y) (local.get $yrow)) (local.get $a11))
            (v128.store (i32.add (local.get $y) (local.get $yrow2)) (local.get $a20))
            (v128.store offset=16 (i32.add (local.get $y) (local.get $yrow2)) (local.get $a21))
            (v128.store (i32.add (local.get $y) (local.get $yrow3)) (local.get $a30))
            (v128.store offset=16 (i32.add (local.get $y) (local.get $yrow3)) (local.get $a31))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $cols4)))
        (if (i32.le_u (i32.add (local.get $c) (i32.const 2)) (local.get $cols))
          (then
            (local.set $wt (i32.add (local.get $wp) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $y (i32.add (i32.add (local.get $yp) (i32.mul (local.get $r) (local.get $yrow))) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $i (i32.add (i32.add (local.get $ip) (i32.mul (local.get $r) (local.get $irow))) (i32.mul (local.get $c) (local.get $icol))))
            (local.set $a00 (v128.load (local.get $i)))
            (local.set $a10 (v128.load (i32.add (local.get $i) (local.get $irow))))
            (local.set $a20 (v128.load (i32.add (local.get $i) (local.get $irow2))))
            (local.set $a30 (v128.load (i32.add (local.get $i) (local.get $irow3))))
            (local.set $x (local.get $xt))
            (local.set $w (local.get $wt))
            (local.set $k (local.get $red))
            (block $done4x2
              (loop $red4x2
                (br_if $done4x2 (i32.eqz (local.get $k)))
                (local.set $w0 (v128.load (local.get $w)))
                (local.set $v (v128.load64_splat (local.get $x)))
                (local.set $a00 (f64x2.add (local.get $a00) (f64x2.mul (local.get $v) (local.get $w0))))
                (local.set $v (v128.load64_splat (i32.add (local.get $x) (local.get $xrow))))
                (local.set $a10 (f64x2.add (local.get $a10) (f64x2.mul (local.get $v) (local.get $w0))))
                (local.set $v (v128.load64_splat (i32.add (local.get $x) (local.get $xrow2))))
                (local.set $a20 (f64x2.add (local.get $a20) (f64x2.mul (local.get $v) (local.get $w0))))
                (local.set $v (v128.load64_splat (i32.add (local.get $x) (local.get $xrow3))))
                (local.set $a30 (f64x2.add (local.get $a30) (f64x2.mul (local.get $v) (local.get $w0))))
                (local.set $x (i32.add (local.get $x) (local.get $xred)))
                (local.set $w (i32.add (local.get $w) (local.get $wred)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $red4x2)))
            (v128.store (local.get $y) (local.get $a00))
            (v128.store (i32.add (local.get $y) (local.get $yrow)) (local.get $a10))
            (v128.store (i32.add (local.get $y) (local.get $yrow2)) (local.get $a20))
            (v128.store (i32.add (local.get $y) (local.get $yrow3)) (local.get $a30))
            (local.set $c (i32.add (local.get $c) (i32.const 2)))))
        (if (i32.lt_u (local.get $c) (local.get $cols))
          (then
            (local.set $wt (i32.add (local.get $wp) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $y (i32.add (i32.add (local.get $yp) (i32.mul (local.get $r) (local.get $yrow))) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $i (i32.add (i32.add (local.get $ip) (i32.mul (local.get $r) (local.get $irow))) (i32.mul (local.get $c) (local.get $icol))))
            (local.set $s0 (f64.load (local.get $i)))
            (local.set $s1 (f64.load (i32.add (local.get $i) (local.get $irow))))
            (local.set $s2 (f64.load (i32.add (local.get $i) (local.get $irow2))))
            (local.set $s3 (f64.load (i32.add (local.get $i) (local.get $irow3))))
            (local.set $x (local.get $xt))
            (local.set $w (local.get $wt))
            (local.set $k (local.get $red))
            (block $done4x1
              (loop $red4x1
                (br_if $done4x1 (i32.eqz (local.get $k)))
                (local.set $ws (f64.load (local.get $w)))
                (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (local.get $x)) (local.get $ws))))
                (local.set $s1 (f64.add (local.get $s1) (f64.mul (f64.load (i32.add (local.get $x) (local.get $xrow))) (local.get $ws))))
                (local.set $s2 (f64.add (local.get $s2) (f64.mul (f64.load (i32.add (local.get $x) (local.get $xrow2))) (local.get $ws))))
                (local.set $s3 (f64.add (local.get $s3) (f64.mul (f64.load (i32.add (local.get $x) (local.get $xrow3))) (local.get $ws))))
                (local.set $x (i32.add (local.get $x) (local.get $xred)))
                (local.set $w (i32.add (local.get $w) (local.get $wred)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $red4x1)))
            (f64.store (local.get $y) (local.get $s0))
            (f64.store (i32.add (local.get $y) (local.get $yrow)) (local.get $s1))
            (f64.store (i32.add (local.get $y) (local.get $yrow2)) (local.get $s2))
            (f64.store (i32.add (local.get $y) (local.get $yrow3)) (local.get $s3))
            ))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rows4)))
    ;; The remaining rows, one at a time.
    (block $rows1_done
      (loop $rows1
        (br_if $rows1_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $xt (i32.add (local.get $xp) (i32.mul (local.get $r) (local.get $xrow))))
        (local.set $c (i32.const 0))
        (block $cols1_done
          (loop $cols1
            (br_if $cols1_done (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $cols)))
            (local.set $wt (i32.add (local.get $wp) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $y (i32.add (i32.add (local.get $yp) (i32.mul (local.get $r) (local.get $yrow))) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $i (i32.add (i32.add (local.get $ip) (i32.mul (local.get $r) (local.get $irow))) (i32.mul (local.get $c) (local.get $icol))))
            (local.set $a00 (v128.load (local.get $i)))
            (local.set $a01 (v128.load offset=16 (local.get $i)))
            (local.set $x (local.get $xt))
            (local.set $w (local.get $wt))
            (local.set $k (local.get $red))
            (block $done1x4
              (loop $red1x4
                (br_if $done1x4 (i32.eqz (local.get $k)))
                (local.set $w0 (v128.load (local.get $w)))
                (local.set $w1 (v128.load offset=16 (local.get $w)))
                (local.set $v (v128.load64_splat (local.get $x)))
                (local.set $a00 (f64x2.add (local.get $a00) (f64x2.mul (local.get $v) (local.get $w0))))
                (local.set $a01 (f64x2.add (local.get $a01) (f64x2.mul (local.get $v) (local.get $w1))))
                (local.set $x (i32.add (local.get $x) (local.get $xred)))
                (local.set $w (i32.add (local.get $w) (local.get $wred)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $red1x4)))
            (v128.store (local.get $y) (local.get $a00))
            (v128.store offset=16 (local.get $y) (local.get $a01))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $cols1)))
        (if (i32.le_u (i32.add (local.get $c) (i32.const 2)) (local.get $cols))
          (then
            (local.set $wt (i32.add (local.get $wp) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $y (i32.add (i32.add (local.get $yp) (i32.mul (local.get $r) (local.get $yrow))) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $i (i32.add (i32.add (local.get $ip) (i32.mul (local.get $r) (local.get $irow))) (i32.mul (local.get $c) (local.get $icol))))
            (local.set $a00 (v128.load (local.get $i)))
            (local.set $x (local.get $xt))
            (local.set $w (local.get $wt))
            (local.set $k (local.get $red))
            (block $done1x2
              (loop $red1x2
                (br_if $done1x2 (i32.eqz (local.get $k)))
                (local.set $w0 (v128.load (local.get $w)))
                (local.set $v (v128.load64_splat (local.get $x)))
                (local.set $a00 (f64x2.add (local.get $a00) (f64x2.mul (local.get $v) (local.get $w0))))
                (local.set $x (i32.add (local.get $x) (local.get $xred)))
                (local.set $w (i32.add (local.get $w) (local.get $wred)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $red1x2)))
            (v128.store (local.get $y) (local.get $a00))
            (local.set $c (i32.add (local.get $c) (i32.const 2)))))
        (if (i32.lt_u (local.get $c) (local.get $cols))
          (then
            (local.set $wt (i32.add (local.get $wp) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $y (i32.add (i32.add (local.get $yp) (i32.mul (local.get $r) (local.get $yrow))) (i32.shl (local.get $c) (i32.const 3))))
            (local.set $i (i32.add (i32.add (local.get $ip) (i32.mul (local.get $r) (local.get $irow))) (i32.mul (local.get $c) (local.get $icol))))
            (local.set $s0 (f64.load (local.get $i)))
            (local.set $x (local.get $xt))
            (local.set $w (local.get $wt))
            (local.set $k (local.get $red))
            (block $done1x1
              (loop $red1x1
                (br_if $done1x1 (i32.eqz (local.get $k)))
                (local.set $ws (f64.load (local.get $w)))
                (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.load (local.get $x)) (local.get $ws))))
                (local.set $x (i32.add (local.get $x) (local.get $xred)))
                (local.set $w (i32.add (local.get $w) (local.get $wred)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $red1x1)))
            (f64.store (local.get $y) (local.get $s0))
            ))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows1))))

  ;; Y[B][nout] = X[B][nin] W[nin][nout] + b: each output b_j + x_0 w_0j + x_1 w_1j + ... in that order.
  (func (export "dense_forward")
    (param $wp i32) (param $bp i32) (param $nin i32) (param $nout i32) (param $xp i32) (param $yp i32) (param $B i32)
    (call $gemm
      (local.get $B) (local.get $nout) (local.get $nin)
      (local.get $xp) (i32.shl (local.get $nin) (i32.const 3)) (i32.const 8)
      (local.get $wp) (i32.shl (local.get $nout) (i32.const 3))
      (local.get $yp) (i32.shl (local.get $nout) (i32.const 3))
      (local.get $bp) (i32.const 0) (i32.const 8)))

  ;; GX[B][nin] = GY[B][nout] W^T, from the transposed weights WT[nout][nin] (see transpose):
  ;; each output 0 + u_0 w_i0 + u_1 w_i1 + ... in that order.
  (func (export "dense_input_grad")
    (param $wtp i32) (param $nin i32) (param $nout i32) (param $gyp i32) (param $gxp i32) (param $B i32)
    (call $gemm
      (local.get $B) (local.get $nin) (local.get $nout)
      (local.get $gyp) (i32.shl (local.get $nout) (i32.const 3)) (i32.const 8)
      (local.get $wtp) (i32.shl (local.get $nin) (i32.const 3))
      (local.get $gxp) (i32.shl (local.get $nin) (i32.const 3))
      (i32.const 0) (i32.const 0) (i32.const 0)))

  ;; dW[nin][nout] += X^T GY and db[nout] += column sums of GY, both over the samples s = 0..B-1 in order.
  (func (export "dense_param_grad")
    (param $gwp i32) (param $gbp i32) (param $nin i32) (param $nout i32) (param $xp i32) (param $gyp i32) (param $B i32)
    (local $j i32) (local $g i32) (local $s i32) (local $acc v128) (local $acc1 f64) (local $nout8 i32)
    (local.set $nout8 (i32.shl (local.get $nout) (i32.const 3)))
    ;; db: pairs of columns, then the last one.
    (local.set $j (i32.const 0))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $nout)))
        (local.set $acc (v128.load (i32.add (local.get $gbp) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $g (i32.add (local.get $gyp) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $s (local.get $B))
        (block $sum_done
          (loop $sum
            (br_if $sum_done (i32.eqz (local.get $s)))
            (local.set $acc (f64x2.add (local.get $acc) (v128.load (local.get $g))))
            (local.set $g (i32.add (local.get $g) (local.get $nout8)))
            (local.set $s (i32.sub (local.get $s) (i32.const 1)))
            (br $sum)))
        (v128.store (i32.add (local.get $gbp) (i32.shl (local.get $j) (i32.const 3))) (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_u (local.get $j) (local.get $nout))
      (then
        (local.set $acc1 (f64.load (i32.add (local.get $gbp) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $g (i32.add (local.get $gyp) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $s (local.get $B))
        (block $sum1_done
          (loop $sum1
            (br_if $sum1_done (i32.eqz (local.get $s)))
            (local.set $acc1 (f64.add (local.get $acc1) (f64.load (local.get $g))))
            (local.set $g (i32.add (local.get $g) (local.get $nout8)))
            (local.set $s (i32.sub (local.get $s) (i32.const 1)))
            (br $sum1)))
        (f64.store (i32.add (local.get $gbp) (i32.shl (local.get $j) (i32.const 3))) (local.get $acc1))))
    (call $gemm
      (local.get $nin) (local.get $nout) (local.get $B)
      (local.get $xp) (i32.const 8) (i32.shl (local.get $nin) (i32.const 3))
      (local.get $gyp) (local.get $nout8)
      (local.get $gwp) (local.get $nout8)
      (local.get $gwp) (local.get $nout8) (i32.const 8)))

  ;; WT[nout][nin] = W[nin][nout]^T, for dense_input_grad.
  (func (export "transpose")
    (param $wp i32) (param $nin i32) (param $nout i32) (param $wtp i32)
    (local $i i32) (local $j i32) (local $src i32) (local $dst i32) (local $nin8 i32)
    (local.set $nin8 (i32.shl (local.get $nin) (i32.const 3)))
    (local.set $src (local.get $wp))
    (local.set $i (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $nin)))
        (local.set $dst (i32.add (local.get $wtp) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $j (local.get $nout))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.eqz (local.get $j)))
            (f64.store (local.get $dst) (f64.load (local.get $src)))
            (local.set $src (i32.add (local.get $src) (i32.const 8)))
            (local.set $dst (i32.add (local.get $dst) (local.get $nin8)))
            (local.set $j (i32.sub (local.get $j) (i32.const 1)))
            (br $cols)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; Constants of $tanh2, both lanes alike.
  (global $SIGN v128 (v128.const i64x2 0x8000000000000000 0x8000000000000000))
  (global $ABS v128 (v128.const i64x2 0x7fffffffffffffff 0x7fffffffffffffff))
  (global $ONE v128 (v128.const f64x2 1 1))
  (global $TWO v128 (v128.const f64x2 2 2))
  (global $HALF v128 (v128.const f64x2 0.5 0.5))
  (global $THREE v128 (v128.const f64x2 3 3))
  (global $SIX v128 (v128.const f64x2 6 6))
  (global $INVLN2 v128 (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00))
  (global $LN2HI v128 (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
  (global $LN2LO v128 (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))
  (global $Q1 v128 (v128.const f64x2 -3.33333333333331316428e-02 -3.33333333333331316428e-02))
  (global $Q2 v128 (v128.const f64x2 1.58730158725481460165e-03 1.58730158725481460165e-03))
  (global $Q3 v128 (v128.const f64x2 -7.93650757867487942473e-05 -7.93650757867487942473e-05))
  (global $Q4 v128 (v128.const f64x2 4.00821782732936239552e-06 4.00821782732936239552e-06))
  (global $Q5 v128 (v128.const f64x2 -2.01099218183624371326e-07 -2.01099218183624371326e-07))
  ;; 2^52 + 1023: t + MAGIC holds the integer 1023 + t in its low mantissa bits, so shifting it left
  ;; by 52 gives the bits of 2^t (t integral, -1023 < t < 1024).
  (global $MAGIC v128 (v128.const f64x2 4503599627371519 4503599627371519))
  (global $K_NEG2 v128 (v128.const f64x2 -2 -2))
  (global $K_NEG1 v128 (v128.const f64x2 -1 -1))
  (global $K_20 v128 (v128.const f64x2 20 20))
  (global $K_56 v128 (v128.const f64x2 56 56))
  ;; fdlibm's thresholds on the high word, as 64-bit patterns of |x|: |x| < hw << 32 iff high word < hw.
  (global $HW_TINY v128 (v128.const i64x2 0x3e30000000000000 0x3e30000000000000))   ;; 2^-28
  (global $HW_ONE v128 (v128.const i64x2 0x3ff0000000000000 0x3ff0000000000000))    ;; 1
  (global $HW_22 v128 (v128.const i64x2 0x4036000000000000 0x4036000000000000))     ;; 22
  (global $HW_INF v128 (v128.const i64x2 0x7ff0000000000000 0x7ff0000000000000))    ;; Inf: above it NaN
  (global $HW_HALFLN2 v128 (v128.const i64x2 0x3fd62e4300000000 0x3fd62e4300000000)) ;; high word > 0x3FD62E42: |a| > 0.5 ln2
  (global $HW_3HALFLN2 v128 (v128.const i64x2 0x3ff0a2b200000000 0x3ff0a2b200000000)) ;; |a| < 1.5 ln2

  ;; tanh of two lanes, bit for bit V8's Math.tanh: fdlibm's s_tanh.c and s_expm1.c as V8 compiles
  ;; them (src/base/ieee754.cc), every branch a lane can take computed on both lanes with the same
  ;; operations in the same order, and each lane's own branch selected. Negations are sign flips
  ;; (exact, as in C). tanh(x):
  ;;   |x| < 2^-28 or NaN: x.  |x| >= 22 (and +-Inf): +-1.
  ;;   1 <= |x| < 22: +-(1 - 2/(t + 2)), t = expm1(2|x|).  Else +-(-t/(t + 2)), t = expm1(-2|x|).
  ;; expm1(a) for the a this leaves, 2^-27 <= |a| < 44 (so none of its own special cases):
  ;;   k = 0 if |a| <= 0.5 ln2, +-1 if |a| < 1.5 ln2, else trunc(a/ln2 +- 0.5), the sign of a;
  ;;   r = hi - lo with hi = a - k ln2_hi, lo = k ln2_lo (r = a exactly for k = 0), c = (hi - r) - lo;
  ;;   a rational approximation on r, then the reconstruction of k's case. a < 0 gives k in -3..0,
  ;;   a >= 2 gives k in 3..63, so fdlibm's case k = 1 never occurs here.
  (func $tanh2 (param $x v128) (result v128)
    (local $ix v128) (local $ge1 v128) (local $flip v128) (local $a2 v128) (local $a v128)
    (local $t v128) (local $hi v128) (local $lo v128) (local $r v128) (local $c v128)
    (local $hfx v128) (local $hxs v128) (local $r1 v128) (local $u v128) (local $e v128) (local $d v128)
    (local $twopk v128) (local $twomk v128) (local $em1 v128) (local $res v128) (local $q v128)
    (local.set $ix (v128.and (local.get $x) (global.get $ABS)))
    (local.set $ge1 (i64x2.ge_s (local.get $ix) (global.get $HW_ONE)))
    ;; the argument: a = 2|x| for |x| >= 1, -2|x| below; flip holds the sign bit where a < 0
    (local.set $flip (v128.andnot (global.get $SIGN) (local.get $ge1)))
    (local.set $a2 (f64x2.mul (local.get $ix) (global.get $TWO)))
    (local.set $a (v128.xor (local.get $a2) (local.get $flip)))
    ;; k as a double: trunc(a/ln2 +- 0.5), +-1 below 1.5 ln2, 0 below 0.5 ln2
    (local.set $t
      (f64x2.trunc (f64x2.add (f64x2.mul (global.get $INVLN2) (local.get $a)) (v128.xor (global.get $HALF) (local.get $flip)))))
    (local.set $t
      (v128.bitselect (v128.xor (global.get $ONE) (local.get $flip)) (local.get $t) (i64x2.lt_s (local.get $a2) (global.get $HW_3HALFLN2))))
    (local.set $t (v128.andnot (local.get $t) (i64x2.lt_s (local.get $a2) (global.get $HW_HALFLN2))))
    ;; argument reduction
    (local.set $hi (f64x2.sub (local.get $a) (f64x2.mul (local.get $t) (global.get $LN2HI))))
    (local.set $lo (f64x2.mul (local.get $t) (global.get $LN2LO)))
    (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
    (local.set $c (f64x2.sub (f64x2.sub (local.get $hi) (local.get $r)) (local.get $lo)))
    ;; the rational approximation
    (local.set $hfx (f64x2.mul (global.get $HALF) (local.get $r)))
    (local.set $hxs (f64x2.mul (local.get $r) (local.get $hfx)))
    (local.set $r1
      (f64x2.add (global.get $ONE) (f64x2.mul (local.get $hxs)
        (f64x2.add (global.get $Q1) (f64x2.mul (local.get $hxs)
          (f64x2.add (global.get $Q2) (f64x2.mul (local.get $hxs)
            (f64x2.add (global.get $Q3) (f64x2.mul (local.get $hxs)
              (f64x2.add (global.get $Q4) (f64x2.mul (local.get $hxs) (global.get $Q5))))))))))))
    (local.set $u (f64x2.sub (global.get $THREE) (f64x2.mul (local.get $r1) (local.get $hfx))))
    (local.set $e (f64x2.mul (local.get $hxs)
      (f64x2.div (f64x2.sub (local.get $r1) (local.get $u)) (f64x2.sub (global.get $SIX) (f64x2.mul (local.get $r) (local.get $u))))))
    ;; k = 0: r - (r e - hxs)
    (local.set $em1 (f64x2.sub (local.get $r) (f64x2.sub (f64x2.mul (local.get $r) (local.get $e)) (local.get $hxs))))
    ;; k != 0: e = (r (e - c) - c) - hxs, then by k
    (local.set $e (f64x2.sub (f64x2.sub (f64x2.mul (local.get $r) (f64x2.sub (local.get $e) (local.get $c))) (local.get $c)) (local.get $hxs)))
    (local.set $d (f64x2.sub (local.get $e) (local.get $r)))
    (local.set $twopk (i64x2.shl (f64x2.add (local.get $t) (global.get $MAGIC)) (i32.const 52)))
    (local.set $twomk (i64x2.shl (f64x2.sub (global.get $MAGIC) (local.get $t)) (i32.const 52)))
    ;; 20 <= k <= 56: ((r - (e + 2^-k)) + 1) 2^k
    (local.set $res
      (f64x2.mul (f64x2.add (f64x2.sub (local.get $r) (f64x2.add (local.get $e) (local.get $twomk))) (global.get $ONE)) (local.get $twopk)))
    ;; 2 <= k < 20: ((1 - 2^-k) - (e - r)) 2^k
    (local.set $res
      (v128.bitselect
        (f64x2.mul (f64x2.sub (f64x2.sub (global.get $ONE) (local.get $twomk)) (local.get $d)) (local.get $twopk))
        (local.get $res)
        (f64x2.lt (local.get $t) (global.get $K_20))))
    ;; k <= -2 or k > 56: (1 - (e - r)) 2^k - 1
    (local.set $res
      (v128.bitselect
        (f64x2.sub (f64x2.mul (f64x2.sub (global.get $ONE) (local.get $d)) (local.get $twopk)) (global.get $ONE))
        (local.get $res)
        (v128.or (f64x2.le (local.get $t) (global.get $K_NEG2)) (f64x2.gt (local.get $t) (global.get $K_56)))))
    ;; k = -1: 0.5 (r - e) - 0.5
    (local.set $res
      (v128.bitselect
        (f64x2.sub (f64x2.mul (global.get $HALF) (f64x2.sub (local.get $r) (local.get $e))) (global.get $HALF))
        (local.get $res)
        (f64x2.eq (local.get $t) (global.get $K_NEG1))))
    (local.set $em1 (v128.bitselect (local.get $em1) (local.get $res) (f64x2.eq (local.get $t) (v128.const f64x2 0 0))))
    ;; tanh from em1 = expm1(a): q = 2/(em1 + 2) for |x| >= 1 (then 1 - q), -em1/(em1 + 2) below
    (local.set $q
      (f64x2.div
        (v128.bitselect (global.get $TWO) (v128.xor (local.get $em1) (global.get $SIGN)) (local.get $ge1))
        (f64x2.add (local.get $em1) (global.get $TWO))))
    (local.set $q (v128.bitselect (f64x2.sub (global.get $ONE) (local.get $q)) (local.get $q) (local.get $ge1)))
    (local.set $q (v128.bitselect (global.get $ONE) (local.get $q) (i64x2.ge_s (local.get $ix) (global.get $HW_22))))
    ;; the sign of x, then x itself where |x| < 2^-28 or x is NaN
    (local.set $q (v128.xor (local.get $q) (v128.and (local.get $x) (global.get $SIGN))))
    (v128.bitselect
      (local.get $x)
      (local.get $q)
      (v128.or (i64x2.lt_s (local.get $ix) (global.get $HW_TINY)) (i64x2.gt_s (local.get $ix) (global.get $HW_INF)))))


  ;; $tanh2 for two lanes with 2^-28 <= |x| < 1, the common case: the same operations on the branch
  ;; these lanes take there (a = -2|x|, k in -3..0: expm1's cases k = 0, k = -1 and k <= -2; then
  ;; -t/(t + 2) and the sign), and none of the others.
  (func $tanh2_small (param $x v128) (param $ix v128) (result v128)
    (local $a2 v128) (local $a v128) (local $t v128) (local $hi v128) (local $lo v128) (local $r v128) (local $c v128)
    (local $hfx v128) (local $hxs v128) (local $r1 v128) (local $u v128) (local $e v128) (local $em1 v128) (local $res v128)
    (local.set $a2 (f64x2.mul (local.get $ix) (global.get $TWO)))
    (local.set $a (v128.xor (local.get $a2) (global.get $SIGN)))
    (local.set $t
      (f64x2.trunc (f64x2.add (f64x2.mul (global.get $INVLN2) (local.get $a)) (v128.xor (global.get $HALF) (global.get $SIGN)))))
    (local.set $t
      (v128.bitselect (global.get $K_NEG1) (local.get $t) (i64x2.lt_s (local.get $a2) (global.get $HW_3HALFLN2))))
    (local.set $t (v128.andnot (local.get $t) (i64x2.lt_s (local.get $a2) (global.get $HW_HALFLN2))))
    (local.set $hi (f64x2.sub (local.get $a) (f64x2.mul (local.get $t) (global.get $LN2HI))))
    (local.set $lo (f64x2.mul (local.get $t) (global.get $LN2LO)))
    (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
    (local.set $c (f64x2.sub (f64x2.sub (local.get $hi) (local.get $r)) (local.get $lo)))
    (local.set $hfx (f64x2.mul (global.get $HALF) (local.get $r)))
    (local.set $hxs (f64x2.mul (local.get $r) (local.get $hfx)))
    (local.set $r1
      (f64x2.add (global.get $ONE) (f64x2.mul (local.get $hxs)
        (f64x2.add (global.get $Q1) (f64x2.mul (local.get $hxs)
          (f64x2.add (global.get $Q2) (f64x2.mul (local.get $hxs)
            (f64x2.add (global.get $Q3) (f64x2.mul (local.get $hxs)
              (f64x2.add (global.get $Q4) (f64x2.mul (local.get $hxs) (global.get $Q5))))))))))))
    (local.set $u (f64x2.sub (global.get $THREE) (f64x2.mul (local.get $r1) (local.get $hfx))))
    (local.set $e (f64x2.mul (local.get $hxs)
      (f64x2.div (f64x2.sub (local.get $r1) (local.get $u)) (f64x2.sub (global.get $SIX) (f64x2.mul (local.get $r) (local.get $u))))))
    (local.set $em1 (f64x2.sub (local.get $r) (f64x2.sub (f64x2.mul (local.get $r) (local.get $e)) (local.get $hxs))))
    (local.set $e (f64x2.sub (f64x2.sub (f64x2.mul (local.get $r) (f64x2.sub (local.get $e) (local.get $c))) (local.get $c)) (local.get $hxs)))
    ;; k <= -2: (1 - (e - r)) 2^k - 1;  k = -1: 0.5 (r - e) - 0.5;  k = 0: em1
    (local.set $res
      (v128.bitselect
        (f64x2.sub (f64x2.mul (global.get $HALF) (f64x2.sub (local.get $r) (local.get $e))) (global.get $HALF))
        (f64x2.sub
          (f64x2.mul (f64x2.sub (global.get $ONE) (f64x2.sub (local.get $e) (local.get $r)))
                     (i64x2.shl (f64x2.add (local.get $t) (global.get $MAGIC)) (i32.const 52)))
          (global.get $ONE))
        (f64x2.eq (local.get $t) (global.get $K_NEG1))))
    (local.set $em1 (v128.bitselect (local.get $em1) (local.get $res) (f64x2.eq (local.get $t) (v128.const f64x2 0 0))))
    (v128.xor
      (f64x2.div (v128.xor (local.get $em1) (global.get $SIGN)) (f64x2.add (local.get $em1) (global.get $TWO)))
      (v128.and (local.get $x) (global.get $SIGN))))

  ;; H[k] = tanh(Z[k]) for k < n: pairs (both lanes in [2^-28, 1) through $tanh2_small), then the
  ;; last one alone.
  (func (export "tanh_forward") (param $zp i32) (param $hp i32) (param $n i32)
    (local $end i32) (local $x v128) (local $ix v128)
    (local.set $end (i32.add (local.get $zp) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $zp) (local.get $end)))
        (local.set $x (v128.load (local.get $zp)))
        (local.set $ix (v128.and (local.get $x) (global.get $ABS)))
        (v128.store (local.get $hp)
          (if (result v128)
            (i64x2.all_true (v128.and (i64x2.ge_s (local.get $ix) (global.get $HW_TINY)) (i64x2.lt_s (local.get $ix) (global.get $HW_ONE))))
            (then (call $tanh2_small (local.get $x) (local.get $ix)))
            (else (call $tanh2 (local.get $x)))))
        (local.set $zp (i32.add (local.get $zp) (i32.const 16)))
        (local.set $hp (i32.add (local.get $hp) (i32.const 16)))
        (br $pairs)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then (v128.store64_lane 0 (local.get $hp) (call $tanh2 (v128.load64_splat (local.get $zp)))))))

  ;; G[k] *= 1 - H[k]^2 for k < n: the reverse pass through tanh, given H = tanh(Z).
  (func (export "tanh_backward") (param $gp i32) (param $hp i32) (param $n i32)
    (local $end i32) (local $h v128) (local $h1 f64)
    (local.set $end (i32.add (local.get $gp) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $gp) (local.get $end)))
        (local.set $h (v128.load (local.get $hp)))
        (v128.store (local.get $gp)
          (f64x2.mul (v128.load (local.get $gp))
                     (f64x2.sub (v128.const f64x2 1 1) (f64x2.mul (local.get $h) (local.get $h)))))
        (local.set $gp (i32.add (local.get $gp) (i32.const 16)))
        (local.set $hp (i32.add (local.get $hp) (i32.const 16)))
        (br $pairs)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $h1 (f64.load (local.get $hp)))
        (f64.store (local.get $gp)
          (f64.mul (f64.load (local.get $gp)) (f64.sub (f64.const 1) (f64.mul (local.get $h1) (local.get $h1))))))))
)
