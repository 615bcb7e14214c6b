"""Thread discipline: N worker processes x threads per worker must not exceed the cores.

The kriging engines spend their time in BLAS (``numpy``/``scipy.linalg``) and in ``scipy.fft``. BLAS
threads are limited with :mod:`threadpoolctl`; ``scipy.fft`` takes its worker count from
``scipy.fft.set_workers``. :func:`blas_threads` sets both for the duration of a ``with`` block, so no
global state is changed.

How the workflow should use it: with ``N`` worker processes (dispel4py ``multi -n N`` or MPI ranks)
on a machine with ``cores`` cores, each worker runs its kriging inside
``with blas_threads(threads_per_worker(N)):`` where ``threads_per_worker(N) = max(1, cores // N)``.
"""
from __future__ import annotations

import contextlib
import logging
import os

import scipy.fft
from threadpoolctl import threadpool_limits

logger = logging.getLogger(__name__)

__all__ = ["blas_threads", "available_cores", "threads_per_worker"]


def available_cores() -> int:
    """Number of cores this process may use (CPU affinity if available, else ``os.cpu_count()``).

    Returns
    -------
    int
        At least 1.
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def threads_per_worker(n_workers: int, cores: int | None = None) -> int:
    """Threads each of ``n_workers`` processes may use: ``max(1, cores // n_workers)``.

    Parameters
    ----------
    n_workers : int
        Number of worker processes sharing the machine (>= 1).
    cores : int, optional
        Number of cores (default :func:`available_cores`).

    Returns
    -------
    int

    Examples
    --------
    >>> threads_per_worker(4, cores=2), threads_per_worker(1, cores=8), threads_per_worker(3, cores=8)
    (1, 8, 2)
    """
    if int(n_workers) < 1:
        raise ValueError(f"n_workers must be >= 1, got {n_workers!r}")
    cores = available_cores() if cores is None else int(cores)
    return max(1, cores // int(n_workers))


@contextlib.contextmanager
def blas_threads(n: int):
    """Limit BLAS/OpenMP threads (threadpoolctl) and ``scipy.fft`` workers to ``n`` inside the block.

    Parameters
    ----------
    n : int
        Number of threads (>= 1).

    Examples
    --------
    >>> import numpy as np
    >>> with blas_threads(1):
    ...     float(np.ones((2, 2)) @ np.ones(2) @ np.ones(2))
    4.0
    """
    n = int(n)
    if n < 1:
        raise ValueError(f"blas_threads: n must be >= 1, got {n}")
    with threadpool_limits(limits=n), scipy.fft.set_workers(n):
        logger.debug("BLAS and scipy.fft limited to %d threads", n)
        yield n
