#!/usr/bin/env python3
"""GFLOP/s of cblas_sgemm in OpenBLAS libraries given by path, called the same way, one thread: which build is faster.

For each library (NAME=PATH): its openblas_get_config() and openblas_get_corename(), then per shape M:K:N the forward
product [M, K] x [K, N] and the input gradient [M, N] x [K, N]^T, row-major, float, the same operands every call, per
second of this thread's CPU time. Python's ctypes and NumPy only (no PyTorch). A library that needs others beside it
(libgfortran) finds them through LD_LIBRARY_PATH.

--bits compares instead of timing: per shape, the forward product, the input gradient and the weight gradient
[M, K]^T x [M, N], each with beta 0 and beta 1 (a product added into an output), computed by every library on the same
random operands; it prints how many output elements differ in any bit from the first library's, and exits 3 if any
does (1 is Python's own status for an error). Two libraries that pass compute those products as the same sums in the
same order on this CPU and kernels. Two paths that the loader resolves to one library are refused (exit 2): such a
comparison would compare a library with itself.

  unzip -o -q ~/.m2/repository/org/bytedeco/openblas/0.3.19-1.5.7/openblas-0.3.19-1.5.7-linux-x86_64.jar \
      'org/bytedeco/openblas/linux-x86_64/*' -d /tmp/nd4jblas
  L=/tmp/nd4jblas/org/bytedeco/openblas/linux-x86_64
  LD_LIBRARY_PATH=$L OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 openblas_builds.py \
      debian=/usr/lib/x86_64-linux-gnu/libopenblas.so.0 nd4j=$L/libopenblas.so.0

ND4J's file comes from its jar, not from JavaCPP's cache: after a JVM has run with -Dorg.bytedeco.openblas.load=openblas
the cache holds links to the system's file under the bundled file's names (until a JVM without it extracts them again).
"""
import argparse
import ctypes
import sys
import time

import numpy as np

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112
DIFFERENT = 3   # --bits: the exit status where some element differs


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


def rate(sgemm, trans_b, m, k, n, gflop):
    """GFLOP/s of C [m, n] = A [m, k] op(B), op(B) = B [k, n] or B [n, k]^T, over calls of about gflop GFLOP."""
    a = np.random.rand(m, k).astype(np.float32)
    b = np.random.rand(n, k).astype(np.float32) if trans_b else np.random.rand(k, n).astype(np.float32)
    c = np.zeros((m, n), np.float32)
    ldb = k if trans_b else n
    args = (ROW_MAJOR, NO_TRANS, TRANS if trans_b else NO_TRANS, m, n, k, 1.0, a.ctypes.data, k, b.ctypes.data, ldb,
            0.0, c.ctypes.data, n)
    for _ in range(3):
        sgemm(*args)
    calls = max(10, int(gflop * 1e9 / (2.0 * m * k * n)))
    t0 = time.thread_time()
    for _ in range(calls):
        sgemm(*args)
    return 2.0 * m * k * n * calls / (time.thread_time() - t0) / 1e9


def load(path):
    lib = ctypes.CDLL(path)
    lib.openblas_set_num_threads(1)
    lib.openblas_get_config.restype = ctypes.c_char_p
    lib.openblas_get_corename.restype = ctypes.c_char_p
    lib.cblas_sgemm.argtypes = [ctypes.c_int] * 6 + [ctypes.c_float, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p,
                                                     ctypes.c_int, ctypes.c_float, ctypes.c_void_p, ctypes.c_int]
    return lib


def product(sgemm, trans_a, trans_b, m, k, n, a, b, c, beta):
    """A copy of c after c = op(a) op(b) + beta c, row-major: op(a) [m, k], op(b) [k, n]."""
    out = c.copy()
    sgemm(ROW_MAJOR, TRANS if trans_a else NO_TRANS, TRANS if trans_b else NO_TRANS, m, n, k, 1.0, a.ctypes.data,
          m if trans_a else k, b.ctypes.data, k if trans_b else n, beta, out.ctypes.data, n)
    return out


def compare(libraries, shapes):
    """Elements whose bits differ from the first library's, per shape, product and beta; True if none anywhere."""
    rng = np.random.default_rng(7)
    print("| M:K:N | product | beta | " + " | ".join(f"{name}: elements that differ" for name, _ in libraries[1:])
          + " |\n|---|---|---|" + "---|" * (len(libraries) - 1))
    same = True
    for m, k, n in shapes:
        # (name, trans_a, trans_b, rows, inner, columns): Y = X W, dX = dY W^T, dW = X^T dY for X [m, k], W [k, n]
        for what, ta, tb, rows, inner, cols in (("forward", False, False, m, k, n),
                                                ("input gradient", False, True, m, n, k),
                                                ("weight gradient", True, False, k, m, n)):
            a = rng.standard_normal((inner, rows) if ta else (rows, inner)).astype(np.float32)
            b = rng.standard_normal((cols, inner) if tb else (inner, cols)).astype(np.float32)
            c = rng.standard_normal((rows, cols)).astype(np.float32)
            for beta in (0.0, 1.0):
                outs = [product(lib.cblas_sgemm, ta, tb, rows, inner, cols, a, b, c, beta) for _, lib in libraries]
                counts = [int(np.count_nonzero(o.view(np.int32) != outs[0].view(np.int32))) for o in outs[1:]]
                same = same and not any(counts)
                print(f"| {m}:{k}:{n} | {what} | {beta:g} | " + " | ".join(f"{d} of {rows * cols}" for d in counts)
                      + " |")
    return same


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("libraries", type=library, nargs="+", metavar="NAME=PATH")
    p.add_argument("--shapes", type=shape, nargs="+", metavar="M:K:N",
                   default=[(32, 768, 768), (32, 2304, 1536), (96, 768, 768)])
    p.add_argument("--gflop", type=float, default=2.0,
                   help="work per timed product and shape, GFLOP (default 2; more for a profile of the library)")
    p.add_argument("--bits", action="store_true",
                   help="compare the libraries' results bit for bit instead of timing them (needs two or more)")
    o = p.parse_args()
    if o.bits:
        if len(o.libraries) < 2:
            p.error("--bits compares libraries: give two or more NAME=PATH")
        libraries = [(name, load(path)) for name, path in o.libraries]
        handles = {}
        for (name, lib), (_, path) in zip(libraries, o.libraries):
            if lib._handle in handles:
                p.error(f"{name}={path} is the library already loaded as {handles[lib._handle]} (the same file, "
                        "or a link to it, such as JavaCPP's cache after a run with its load property)")
            handles[lib._handle] = f"{name}={path}"
        for name, lib in libraries:
            print(f"{name}: {lib.openblas_get_config().decode()}, core {lib.openblas_get_corename().decode()}")
        sys.exit(0 if compare(libraries, o.shapes) else DIFFERENT)
    print("| library | config | core | M:K:N | forward | input gradient |\n|---|---|---|---|---|---|")
    for name, path in o.libraries:
        lib = load(path)
        sgemm = lib.cblas_sgemm
        config = lib.openblas_get_config().decode()
        core = lib.openblas_get_corename().decode()
        for m, k, n in o.shapes:
            print(f"| {name} | {config} | {core} | {m}:{k}:{n} | {rate(sgemm, False, m, k, n, o.gflop):.1f} | "
                  f"{rate(sgemm, True, m, n, k, o.gflop):.1f} |")


if __name__ == "__main__":
    main()
