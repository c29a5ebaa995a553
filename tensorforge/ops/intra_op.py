"""Intra-op parallelism: large kernels split their work over the intra-op threads.

As TF's Eigen kernels do, a kernel over a large array runs its blocks on several threads
(tf.config.threading.set_intra_op_parallelism_threads; by default one per CPU): NumPy releases
the GIL inside its loops, so blocks run in parallel. The calling thread works too, and every
thread takes the next block when done with one, so a thread the OS runs less (another process on
its CPU) takes fewer blocks instead of holding the others up. BLAS threads its matmuls itself;
those are never run from these threads.

Small arrays are never split: below SPLIT_ELEMENTS a block's hand-off costs more than it saves.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

from .. import config
from .registry import quiet_numpy

SPLIT_ELEMENTS = 1 << 18
BLOCK_ELEMENTS = 1 << 15

_CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
_POOL: list = [None]  # (executor, its workers, the pid that made it: a forked child makes its own)


def threads() -> int:
    """How many threads (the caller included) a kernel may use."""
    return config.threading.get_intra_op_parallelism_threads() or _CPUS


def _each_chunk(fn, chunks):
    for n0, n1 in chunks:
        fn(n0, n1)


def run_chunks(fn: Callable[[int, int], None], chunks: list) -> None:
    """fn(n0, n1) for every (n0, n1) in `chunks`, by the calling thread and the intra-op threads."""
    n = min(threads(), len(chunks))
    if n <= 1:
        _each_chunk(fn, chunks)
        return
    if _POOL[0] is None or _POOL[0][1] < n - 1 or _POOL[0][2] != os.getpid():
        pool = ThreadPoolExecutor(n - 1, thread_name_prefix="tensorforge-intra-op", initializer=quiet_numpy)
        _POOL[0] = (pool, n - 1, os.getpid())
    pool = _POOL[0][0]
    shared = iter(chunks)  # next() on a list iterator is atomic under the GIL
    futures = [pool.submit(_each_chunk, fn, shared) for _ in range(n - 1)]
    try:
        _each_chunk(fn, shared)
    finally:
        for f in futures:
            # A task still queued (its thread busy with another caller's chunks, e.g. two tf.data
            # map threads) has nothing left to do: the chunks are done, so it is not waited for.
            if not f.cancel():
                f.result()


def blocks(n: int, step: int = BLOCK_ELEMENTS) -> list:
    return [(i, min(i + step, n)) for i in range(0, n, step)]


def elementwise(fn: Callable, x: np.ndarray) -> np.ndarray:
    """fn(x) for an elementwise `fn`, in blocks on the intra-op threads when x is large."""
    if x.size < SPLIT_ELEMENTS or not x.flags.c_contiguous or threads() < 2:
        return fn(x)
    xf = x.reshape(-1)
    first = fn(xf[:BLOCK_ELEMENTS])
    out = np.empty(x.size, first.dtype)
    out[:BLOCK_ELEMENTS] = first
    if isinstance(fn, np.ufunc) and fn.nout == 1:
        def block(a, b):
            fn(xf[a:b], out=out[a:b])
    else:
        def block(a, b):
            out[a:b] = fn(xf[a:b])
    run_chunks(block, blocks(x.size)[1:])
    return out.reshape(x.shape)
