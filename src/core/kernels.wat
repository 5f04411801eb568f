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

  ;; tanh of two lanes, bit for bit V8's Math.tanh: fdlibm's s_tanh.c and s_expm1.c as V8 compiles
  ;; them (src/base/ieee754.cc), each branch computed on both lanes with the same operations in the
  ;; same order and the lane's own branch selected. Comparisons of |x|'s high word with fdlibm's
  ;; thresholds are comparisons of |x|'s 64 bits with the threshold shifted left by 32.
  ;; tanh(x), x = +-|x|:
  ;;   |x| < 2^-28: x.  NaN, +-Inf: 1/x + 1 (sign bit clear) or 1/x - 1 (set).  |x| >= 22: +-1.
  ;;   1 <= |x| < 22: +-(1 - 2/(t + 2)), t = expm1(2|x|).  else: +-(-t/(t + 2)), t = expm1(-2|x|).
  ;; expm1(a) on the a this leaves, 2^-27 <= |a| < 44 (so no overflow or tiny branch):
  ;;   k = 0 if |a| <= 0.5 ln2, +-1 if |a| < 1.5 ln2, else trunc(a/ln2 +- 0.5);
  ;;   r = hi - lo with hi = a - k ln2_hi, lo = k ln2_lo (for k = 0, r = a exactly), c = (hi - r) - lo;
  ;;   a rational approximation on r, then one of six reconstructions chosen by k.
  (func $tanh2 (param $x v128) (result v128)
    (local $ix v128) (local $ax v128) (local $ge1 v128) (local $a v128) (local $neg v128) (local $ia v128)
    (local $t v128) (local $hi v128) (local $lo v128) (local $r v128) (local $c v128)
    (local $hfx v128) (local $hxs v128) (local $r1 v128) (local $u v128) (local $e v128)
    (local $k v128) (local $twopk v128) (local $twomk v128) (local $em1 v128) (local $res v128) (local $z v128)
    (local.set $ix (v128.and (local.get $x) (v128.const i64x2 0x7fffffffffffffff 0x7fffffffffffffff)))
    (local.set $ax (local.get $ix))
    ;; the argument of expm1
    (local.set $ge1 (i64x2.ge_s (local.get $ix) (v128.const i64x2 0x3ff0000000000000 0x3ff0000000000000)))
    (local.set $a (f64x2.mul (local.get $ax) (v128.const f64x2 2 2)))
    (local.set $a (v128.bitselect (local.get $a) (f64x2.neg (local.get $a)) (local.get $ge1)))
    (local.set $neg (v128.not (local.get $ge1)))
    (local.set $ia (v128.and (local.get $a) (v128.const i64x2 0x7fffffffffffffff 0x7fffffffffffffff)))
    ;; argument reduction: t = k as a double
    (local.set $t
      (v128.bitselect
        (v128.const f64x2 0 0)
        (v128.bitselect
          (v128.bitselect (v128.const f64x2 -1 -1) (v128.const f64x2 1 1) (local.get $neg))
          (f64x2.trunc
            (f64x2.add
              (f64x2.mul (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00) (local.get $a))
              (v128.bitselect (v128.const f64x2 -0.5 -0.5) (v128.const f64x2 0.5 0.5) (local.get $neg))))
          (i64x2.lt_s (local.get $ia) (v128.const i64x2 0x3ff0a2b200000000 0x3ff0a2b200000000)))
        (i64x2.lt_s (local.get $ia) (v128.const i64x2 0x3fd62e4300000000 0x3fd62e4300000000))))
    (local.set $hi (f64x2.sub (local.get $a)
      (f64x2.mul (local.get $t) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
    (local.set $lo (f64x2.mul (local.get $t) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
    (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
    (local.set $c (f64x2.sub (f64x2.sub (local.get $hi) (local.get $r)) (local.get $lo)))
    ;; the rational approximation
    (local.set $hfx (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $r)))
    (local.set $hxs (f64x2.mul (local.get $r) (local.get $hfx)))
    (local.set $r1
      (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (local.get $hxs)
        (f64x2.add (v128.const f64x2 -3.33333333333331316428e-02 -3.33333333333331316428e-02) (f64x2.mul (local.get $hxs)
          (f64x2.add (v128.const f64x2 1.58730158725481460165e-03 1.58730158725481460165e-03) (f64x2.mul (local.get $hxs)
            (f64x2.add (v128.const f64x2 -7.93650757867487942473e-05 -7.93650757867487942473e-05) (f64x2.mul (local.get $hxs)
              (f64x2.add (v128.const f64x2 4.00821782732936239552e-06 4.00821782732936239552e-06) (f64x2.mul (local.get $hxs)
                (v128.const f64x2 -2.01099218183624371326e-07 -2.01099218183624371326e-07))))))))))))
    (local.set $u (f64x2.sub (v128.const f64x2 3 3) (f64x2.mul (local.get $r1) (local.get $hfx))))
    (local.set $e (f64x2.mul (local.get $hxs)
      (f64x2.div (f64x2.sub (local.get $r1) (local.get $u))
                 (f64x2.sub (v128.const f64x2 6 6) (f64x2.mul (local.get $r) (local.get $u))))))
    ;; k = 0: r - (r e - hxs)
    (local.set $em1 (f64x2.sub (local.get $r) (f64x2.sub (f64x2.mul (local.get $r) (local.get $e)) (local.get $hxs))))
    ;; k != 0: e = (r (e - c) - c) - hxs, then by k
    (local.set $e (f64x2.sub (f64x2.sub (f64x2.mul (local.get $r) (f64x2.sub (local.get $e) (local.get $c))) (local.get $c)) (local.get $hxs)))
    (local.set $k (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $t))))
    (local.set $twopk (i64x2.shl (i64x2.add (local.get $k) (v128.const i64x2 1023 1023)) (i32.const 52)))
    (local.set $twomk (i64x2.shl (i64x2.sub (v128.const i64x2 1023 1023) (local.get $k)) (i32.const 52)))
    ;; k >= 20: ((r - (e + 2^-k)) + 1) 2^k
    (local.set $res
      (f64x2.mul (f64x2.add (f64x2.sub (local.get $r) (f64x2.add (local.get $e) (local.get $twomk))) (v128.const f64x2 1 1))
                 (local.get $twopk)))
    ;; 2 <= k < 20: ((1 - 2^-k) - (e - r)) 2^k
    (local.set $res
      (v128.bitselect
        (f64x2.mul (f64x2.sub (f64x2.sub (v128.const f64x2 1 1) (local.get $twomk)) (f64x2.sub (local.get $e) (local.get $r)))
                   (local.get $twopk))
        (local.get $res)
        (i64x2.lt_s (local.get $k) (v128.const i64x2 20 20))))
    ;; k <= -2 or k > 56: (1 - (e - r)) 2^k - 1
    (local.set $res
      (v128.bitselect
        (f64x2.sub (f64x2.mul (f64x2.sub (v128.const f64x2 1 1) (f64x2.sub (local.get $e) (local.get $r))) (local.get $twopk))
                   (v128.const f64x2 1 1))
        (local.get $res)
        (v128.or (i64x2.le_s (local.get $k) (v128.const i64x2 -2 -2)) (i64x2.gt_s (local.get $k) (v128.const i64x2 56 56)))))
    ;; k = 1: -2 (e - (r + 0.5)) if r < -0.25, else 1 + 2 (r - e)
    (local.set $res
      (v128.bitselect
        (v128.bitselect
          (f64x2.mul (v128.const f64x2 -2 -2) (f64x2.sub (local.get $e) (f64x2.add (local.get $r) (v128.const f64x2 0.5 0.5))))
          (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (v128.const f64x2 2 2) (f64x2.sub (local.get $r) (local.get $e))))
          (f64x2.lt (local.get $r) (v128.const f64x2 -0.25 -0.25)))
        (local.get $res)
        (i64x2.eq (local.get $k) (v128.const i64x2 1 1))))
    ;; k = -1: 0.5 (r - e) - 0.5
    (local.set $res
      (v128.bitselect
        (f64x2.sub (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.sub (local.get $r) (local.get $e))) (v128.const f64x2 0.5 0.5))
        (local.get $res)
        (i64x2.eq (local.get $k) (v128.const i64x2 -1 -1))))
    ;; k = 0
    (local.set $t
      (v128.bitselect (local.get $em1) (local.get $res) (i64x2.eq (local.get $k) (v128.const i64x2 0 0))))
    ;; tanh from t = expm1(a): 1 - 2/(t + 2) for |x| >= 1, else -t/(t + 2); 1 for |x| >= 22; then the sign
    (local.set $z
      (v128.bitselect
        (f64x2.sub (v128.const f64x2 1 1) (f64x2.div (v128.const f64x2 2 2) (f64x2.add (local.get $t) (v128.const f64x2 2 2))))
        (f64x2.div (f64x2.neg (local.get $t)) (f64x2.add (local.get $t) (v128.const f64x2 2 2)))
        (local.get $ge1)))
    (local.set $z
      (v128.bitselect
        (v128.const f64x2 1 1)
        (local.get $z)
        (i64x2.ge_s (local.get $ix) (v128.const i64x2 0x4036000000000000 0x4036000000000000))))
    (local.set $z (v128.bitselect (f64x2.neg (local.get $z)) (local.get $z) (i64x2.shr_s (local.get $x) (i32.const 63))))
    ;; NaN and +-Inf
    (local.set $z
      (v128.bitselect
        (v128.bitselect
          (f64x2.sub (f64x2.div (v128.const f64x2 1 1) (local.get $x)) (v128.const f64x2 1 1))
          (f64x2.add (f64x2.div (v128.const f64x2 1 1) (local.get $x)) (v128.const f64x2 1 1))
          (i64x2.shr_s (local.get $x) (i32.const 63)))
        (local.get $z)
        (i64x2.ge_s (local.get $ix) (v128.const i64x2 0x7ff0000000000000 0x7ff0000000000000))))
    ;; |x| < 2^-28
    (v128.bitselect
      (local.get $x)
      (local.get $z)
      (i64x2.lt_s (local.get $ix) (v128.const i64x2 0x3e30000000000000 0x3e30000000000000))))

  ;; H[k] = tanh(Z[k]) for k < n: pairs, then the last one alone.
  (func (export "tanh_forward") (param $zp i32) (param $hp i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $zp) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $zp) (local.get $end)))
        (v128.store (local.get $hp) (call $tanh2 (v128.load (local.get $zp))))
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
