#!/usr/bin/env python3
"""PyTorch cross-check for `npm run bench`: the same workloads, float64, one thread.

Optional; kstep does not depend on it. On Debian: apt-get install -y python3-torch python3-numpy
(PyTorch 1.13), then run with the system interpreter:

    /usr/bin/python3 bench/torch_reference.py [--json] [--quick] [--workloads FILE]

With --workloads FILE (written by `node dist/bench/bench.js --export FILE`) it runs on kstep's exact
weights, initial states and targets, and also reports how far its loss and gradient norm are from
kstep's. Without it, it draws its own of the same distributions.

Workloads (as in bench/setup.ts and bench/gradient.ts): task rotation (D = 2, rho 0.95, theta 0.5), identity features,
MLP [2, *hidden, 2] with tanh and a linear output layer, xavier weights, N(0, 0.2^2) biases (with zero
biases the untrained net contracts the state to ~1e-74 and tanh runs on tiny arguments), terminal MSE
loss after K applications, batch B:
  W1     BPTT gradient, hidden [32, 32],   B = 64,  K = 64   (autograd through the K steps)
  W2     BPTT gradient, hidden [128, 128], B = 256, K = 512
  W1-fwd forward only (torch.no_grad) of W1
Reports the median / min ms of one call and GFLOP/s with flops(forward) = 2 B K sum(fan_in fan_out),
gradient = 3 x forward.
"""
import argparse
import json
import math
import os
import platform
import statistics
import time

import torch

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)


BIAS_SD = 0.2


def make(hidden, B, K, seed=1, exported=None):
    """Parameters [W1, b1, W2, b2, ...] (W as [in][out]), x0, y = f^K(x0), forward flops, kstep's figures."""
    sizes = [2, *hidden, 2]
    flops = 2 * B * K * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    if exported is not None:
        assert exported['hidden'] == hidden and exported['batch'] == B and exported['K'] == K
        params = []
        for W, b in zip(exported['W'], exported['b']):
            params += [torch.tensor(W).requires_grad_(), torch.tensor(b).requires_grad_()]
        ref = {'loss': exported['loss'], 'grad_norm': exported['grad_norm']}
        return params, torch.tensor(exported['x0']), torch.tensor(exported['y']), flops, ref
    g = torch.Generator().manual_seed(seed)
    params = []
    for nin, nout in zip(sizes[:-1], sizes[1:]):
        W = torch.randn(nin, nout, generator=g) * math.sqrt(2.0 / (nin + nout))
        b = torch.randn(nout, generator=g) * BIAS_SD
        params += [W.requires_grad_(), b.requires_grad_()]
    x0 = torch.randn(B, 2, generator=g)
    rho, th = 0.95, 0.5
    R = rho * torch.tensor([[math.cos(th), math.sin(th)], [-math.sin(th), math.cos(th)]])  # row-vector form
    y = x0.clone()
    for _ in range(K):
        y = y @ R
    return params, x0, y, flops, None


def rollout(params, x0, K):
    o = x0
    L = len(params) // 2
    for _ in range(K):
        h = o
        for l in range(L):
            h = torch.addmm(params[2 * l + 1], h, params[2 * l])
            if l < L - 1:
                h = torch.tanh(h)
        o = h
    return o


def grad_once(params, x0, y, K):
    loss = torch.mean((rollout(params, x0, K) - y) ** 2)
    return torch.autograd.grad(loss, params)


def fwd_once(params, x0, y, K):
    with torch.no_grad():
        return torch.mean((rollout(params, x0, K) - y) ** 2)


def timeit(fn, min_reps, min_seconds, warm=3):
    for _ in range(warm):
        fn()
    times = []
    t_start = time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - t_start < min_seconds:
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
        if len(times) >= 10 * min_reps and time.perf_counter() - t_start > min_seconds:
            break
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--json', action='store_true', help='print the figures as JSON')
    ap.add_argument('--quick', action='store_true', help='fewer repetitions')
    ap.add_argument('--workloads', metavar='FILE', help='weights and data from `bench.js --export FILE`')
    args = ap.parse_args()
    exported = None
    if args.workloads:
        with open(args.workloads) as f:
            exported = json.load(f)
    min_reps, min_s = (5, 0.3) if args.quick else (20, 2.0)

    rows = []
    for name, hidden, B, K, kind in [
        ('W1', [32, 32], 64, 64, 'grad'),
        ('W1-fwd', [32, 32], 64, 64, 'forward'),
        ('W2', [128, 128], 256, 512, 'grad'),
    ]:
        params, x0, y, flops, ref = make(hidden, B, K, exported=exported and exported[name.split('-')[0]])
        check = {}
        if ref is not None:
            loss = torch.mean((rollout(params, x0, K) - y) ** 2)
            gnorm = torch.sqrt(sum((g ** 2).sum() for g in torch.autograd.grad(loss, params))).item()
            check = {'loss_rel_diff_vs_kstep': abs(loss.item() - ref['loss']) / abs(ref['loss']),
                     'grad_norm_rel_diff_vs_kstep': abs(gnorm - ref['grad_norm']) / abs(ref['grad_norm'])}
        if kind == 'grad':
            fn = lambda: grad_once(params, x0, y, K)
            flops *= 3
        else:
            fn = lambda: fwd_once(params, x0, y, K)
        if name == 'W2':  # seconds per call: one warm-up, 5 reps
            times = timeit(fn, 1 if args.quick else 5, 0, warm=1)
        else:
            times = timeit(fn, min_reps, min_s)
        med = statistics.median(times)
        rows.append({
            'workload': name, 'kind': kind, 'hidden': hidden, 'batch': B, 'K': K, 'reps': len(times),
            'median_ms': med, 'min_ms': min(times), 'gflops': flops / (med * 1e-3) / 1e9,
            'ns_per_application': med * 1e6 / (B * K), **check,
        })

    info = {
        'torch': torch.__version__, 'threads': torch.get_num_threads(), 'python': platform.python_version(),
        'cpu': cpu_model(), 'dtype': 'float64',
    }
    if args.json:
        print(json.dumps({'info': info, 'workloads': rows}, indent=2))
        return
    print(f"PyTorch {info['torch']}, {info['threads']} thread, Python {info['python']}, CPU {info['cpu']}, float64")
    print(f"{'workload':<8} {'hidden':<10} {'B':>4} {'K':>4} {'reps':>5} {'median ms':>10} {'min ms':>9} {'GFLOP/s':>8}"
          f"{'  vs kstep: loss, |grad| rel diff' if exported else ''}")
    for r in rows:
        h = ','.join(map(str, r['hidden']))
        diff = (f"  {r['loss_rel_diff_vs_kstep']:.1e}, {r['grad_norm_rel_diff_vs_kstep']:.1e}"
                if 'loss_rel_diff_vs_kstep' in r else '')
        print(f"{r['workload']:<8} {h:<10} {r['batch']:>4} {r['K']:>4} {r['reps']:>5} "
              f"{r['median_ms']:>10.3f} {r['min_ms']:>9.3f} {r['gflops']:>8.2f}{diff}")
    if not exported:
        print('(own random weights and data; pass --workloads FILE from `node dist/bench/bench.js --export FILE` '
              'to run on kstep\'s)')


def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


if __name__ == '__main__':
    main()
