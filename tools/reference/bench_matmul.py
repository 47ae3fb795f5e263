#!/usr/bin/python3
"""PyTorch float32 GEMM timings on the shapes of `bin/stmae bench matmul`, for comparison.

Run with Debian's python3 (python3-torch), not a pyenv python:
    /usr/bin/python3 tools/reference/bench_matmul.py [--threads N] [--shapes ...] [--repeat R] [--format csv|table]

Shapes are written MxKxN, BxMxKxN or Bx(MxKxN), optionally with :nt/:tn/:tt for a transposed A
or B (a transposed operand is a .t() view, so BLAS gets a transpose flag, as our kernel does).
Batched shapes use torch.bmm, the others torch.mm. Each row: warm-up, then the median of
timed samples; GFLOP/s = 2*batch*M*N*K / time. Output columns match the Java bench:
shape,kernel,threads,gflops,ms,note (kernel = torch).

Which BLAS does the work matters more than anything else here, so the script reports it: the
libraries mapped into this process after a matmul (from /proc/self/maps), OpenBLAS's own build
string when it is loaded, and torch.__config__.show(). It warns loudly on the reference BLAS
(netlib, Debian's /usr/lib/x86_64-linux-gnu/blas/), which is 10-50x slower than OpenBLAS, and on
Debian's pthread build of OpenBLAS, whose threads compete with torch's OpenMP threads.
"""
import argparse
import ctypes
import os
import re
import statistics
import sys
import time

import torch

DEFAULT_SHAPES = ["1024x1024x1024", "156x384x1152", "1568x192x768", "1568x384x1536",
                  "24x(157x64x157):nt", "24x(157x157x64)"]


def parse_shape(s):
    body, t = s.strip(), "nn"
    if ":" in body:
        body, t = body.split(":", 1)
        if not re.fullmatch(r"[nt][nt]", t):
            raise ValueError(f"bad transpose suffix ':{t}' in '{s}'")
    v = [int(x) for x in body.replace("(", "").replace(")", "").split("x")]
    if len(v) not in (3, 4) or min(v) < 1:
        raise ValueError(f"bad shape '{s}' (expected MxKxN or BxMxKxN)")
    batch = v[0] if len(v) == 4 else 1
    m, k, n = v[-3:]
    return batch, m, k, n, t[0] == "t", t[1] == "t"


def shape_name(batch, m, k, n, ta, tb):
    mkn = f"{m}x{k}x{n}"
    name = f"{batch}x({mkn})" if batch > 1 else mkn
    return name + (f":{'t' if ta else 'n'}{'t' if tb else 'n'}" if ta or tb else "")


def banner(*text):
    """Warning lines between two rules of '!', so they stand out in a benchmark's output."""
    return ["!" * 78, *text, "!" * 78]


def blas_report():
    """Names the BLAS that torch.mm really calls: libraries mapped after a matmul."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if re.search(r"lib(open)?blas|libmkl|libblis|libflexiblas|libatlas", os.path.basename(path)):
                libs.add(path)
    lines = ["BLAS libraries mapped: " + (", ".join(sorted(libs)) or "none found")]
    reference = [p for p in libs if "/blas/" in p or "netlib" in p]
    openblas = [p for p in libs if "openblas" in p]
    for p in openblas:
        try:
            lib = ctypes.CDLL(p)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lines.append(f"OpenBLAS config: {lib.openblas_get_config().decode()}, core {lib.openblas_get_corename().decode()}")
            break
        except (OSError, AttributeError):
            pass
    cfg = torch.__config__.show()
    info = [l.strip() for l in cfg.splitlines() if "BLAS" in l or "CPU capability" in l]
    blas_info = re.findall(r"BLAS_INFO=[^,]*", cfg)
    lines.append("torch " + torch.__version__ + ": " + "; ".join(blas_info + [l for l in info if "CPU capability" in l]))
    if any("openblas-pthread" in p for p in libs):
        # torch runs its own OpenMP threads; the pthread build starts a second pool beside them.
        # On the 2-vCPU dev VM (2026-12-06) bench-S ran at 2.6-2.9 clips/s with it, 8.3-9.4 with
        # the OpenMP build.
        lines += banner("WARNING: torch calls the pthread build of OpenBLAS, whose threads compete with torch's",
                        "OpenMP threads (~3x slower steps here). Install libopenblas0-openmp and select it:",
                        "  update-alternatives --set libopenblas.so.0-x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblas.so.0",
                        "  (and likewise libblas.so.3-x86_64-linux-gnu, liblapack.so.3-x86_64-linux-gnu)")
    if reference or not (openblas or any("mkl" in p or "blis" in p for p in libs)):
        lines += banner("WARNING: torch is NOT using an optimised BLAS (reference/netlib BLAS or none found).",
                        "Timings below are meaningless as a baseline. On Debian install libopenblas0-openmp and check",
                        "  update-alternatives --display libblas.so.3-x86_64-linux-gnu")
    return lines


def measure(shape, threads, repeat):
    batch, m, k, n, ta, tb = shape
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(42)
    a = torch.randn(batch, k, m, generator=g).transpose(1, 2) if ta else torch.randn(batch, m, k, generator=g)
    b = torch.randn(batch, n, k, generator=g).transpose(1, 2) if tb else torch.randn(batch, k, n, generator=g)
    if batch == 1:
        a, b = a[0], b[0]
        out = torch.empty(m, n)
        call = lambda: torch.mm(a, b, out=out)
    else:
        out = torch.empty(batch, m, n)
        call = lambda: torch.bmm(a, b, out=out)
    t0, calls = time.perf_counter(), 0
    while calls < 3 or time.perf_counter() - t0 < 0.2:
        c0 = time.perf_counter()
        call()
        last = time.perf_counter() - c0
        calls += 1
    inner = max(1, int(0.02 / max(last, 1e-9)) + 1)
    samples = []
    for _ in range(repeat):
        c0 = time.perf_counter()
        for _ in range(inner):
            call()
        samples.append((time.perf_counter() - c0) / inner)
    med = statistics.median(samples)
    return med * 1e3, 2.0 * batch * m * k * n / med * 1e-9


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, help="only N threads (default: 1 and 2)")
    ap.add_argument("--shapes", default=",".join(DEFAULT_SHAPES))
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--format", choices=["csv", "table"], default="table")
    args = ap.parse_args()
    shapes = [parse_shape(s) for s in args.shapes.split(",")]
    threads = [args.threads] if args.threads else [1, 2]
    for line in blas_report():
        print(line, file=sys.stderr, flush=True)
    if args.format == "csv":
        print("shape,kernel,threads,gflops,ms,note")
    else:
        print(f"{'shape (MxKxN)':22s} {'kernel':7s} {'threads':>7s} {'ms':>10s} {'GFLOP/s':>9s}  note")
    for s in shapes:
        for t in threads:
            ms, gf = measure(s, t, args.repeat)
            name = shape_name(*s)
            if args.format == "csv":
                print(f"{name},torch,{t},{gf:.3f},{ms:.4f},", flush=True)
            else:
                print(f"{name:22s} {'torch':7s} {t:7d} {ms:10.3f} {gf:9.2f}  ", flush=True)


if __name__ == "__main__":
    main()
