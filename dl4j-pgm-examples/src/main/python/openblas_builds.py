#!/usr/bin/env python3
"""GFLOP/s of cblas_sgemm in OpenBLAS libraries given by path, called the same way, one thread: which build is faster.

For each library (NAME=PATH): its openblas_get_config() and openblas_get_corename(), then per shape M:K:N the forward
product [M, K] x [K, N] and the input gradient [M, N] x [K, N]^T, row-major, float, the same operands every call, per
second of this thread's CPU time. Python's ctypes and NumPy only (no PyTorch). A library that needs others beside it
(libgfortran) finds them through LD_LIBRARY_PATH.

  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 openblas_builds.py debian=/usr/lib/x86_64-linux-gnu/libopenblas.so.0 \
      nd4j=$HOME/.javacpp/cache/openblas-0.3.19-1.5.7-linux-x86_64.jar/org/bytedeco/openblas/linux-x86_64/libopenblas_nolapack.so.0
"""
import argparse
import ctypes
import time

import numpy as np

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112


def shape(text):
    dims = text.split(":")
    if len(dims) != 3 or not all(d.isdigit() and int(d) >= 1 for d in dims):
        raise argparse.ArgumentTypeError(f"expects M:K:N (3 whole numbers >= 1), found '{text}'")
    return tuple(int(d) for d in dims)


def library(text):
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"expects NAME=PATH, found '{text}'")
    return name, path


def rate(sgemm, trans_b, m, k, n):
    """GFLOP/s of C [m, n] = A [m, k] op(B), op(B) = B [k, n] or B [n, k]^T."""
    a = np.random.rand(m, k).astype(np.float32)
    b = np.random.rand(n, k).astype(np.float32) if trans_b else np.random.rand(k, n).astype(np.float32)
    c = np.zeros((m, n), np.float32)
    ldb = k if trans_b else n
    args = (ROW_MAJOR, NO_TRANS, TRANS if trans_b else NO_TRANS, m, n, k, 1.0, a.ctypes.data, k, b.ctypes.data, ldb,
            0.0, c.ctypes.data, n)
    for _ in range(3):
        sgemm(*args)
    calls = max(10, int(2e9 / (2.0 * m * k * n)))
    t0 = time.thread_time()
    for _ in range(calls):
        sgemm(*args)
    return 2.0 * m * k * n * calls / (time.thread_time() - t0) / 1e9


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("libraries", type=library, nargs="+", metavar="NAME=PATH")
    p.add_argument("--shapes", type=shape, nargs="+", metavar="M:K:N",
                   default=[(32, 768, 768), (32, 2304, 1536), (96, 768, 768)])
    o = p.parse_args()
    print("| library | config | core | M:K:N | forward | input gradient |\n|---|---|---|---|---|---|")
    for name, path in o.libraries:
        lib = ctypes.CDLL(path)
        lib.openblas_set_num_threads(1)
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        sgemm = lib.cblas_sgemm
        sgemm.argtypes = [ctypes.c_int] * 6 + [ctypes.c_float, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p,
                                                ctypes.c_int, ctypes.c_float, ctypes.c_void_p, ctypes.c_int]
        config = lib.openblas_get_config().decode()
        core = lib.openblas_get_corename().decode()
        for m, k, n in o.shapes:
            print(f"| {name} | {config} | {core} | {m}:{k}:{n} | {rate(sgemm, False, m, k, n):.1f} | "
                  f"{rate(sgemm, True, m, n, k):.1f} |")


if __name__ == "__main__":
    main()
