"""The worker: computes chunks of realizations into one accumulator, checkpointing as it goes.

:class:`Worker` is the one piece of code that computes realizations, whoever calls it: the SampleKriger PEs
of every dispel4py mapping and :func:`krigflow.run.run_local`. It keeps the running statistics
(:class:`krigflow.stats.RunningStats`) of the realizations it computed and their per-realization summaries
(:class:`krigflow.stats.SummaryTable`, ``realizations.csv``), writes them cumulatively to its own
partial file every ``checkpoint_every`` realizations (:class:`Checkpointer`), reports progress
(:class:`krigflow.run.KrigerProgress`) and limits BLAS/FFT threads to its share of the cores.

Realization ``r`` uses only ``numpy.random.default_rng([seed, r])`` (through
:func:`krigflow.realizations.subsample_masks`), so results do not depend on how realizations are chunked
or which worker computes them.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import time
import uuid

import numpy as np

from krigflow.exceptions import KrigflowError
from krigflow.io import CheckpointError, write_partial
from krigflow.run.lock import join
from krigflow.run.messages import Partial
from krigflow.run.progress import KrigerProgress
from krigflow.run.realize import realization_values
from krigflow.run.summaries import compute_chunk
from krigflow.run.threads import blas_threads, threads_per_worker
from krigflow.run.warning_log import collect_warnings
from krigflow.stats import RunningStats

logger = logging.getLogger(__name__)

__all__ = ["Checkpointer", "Worker", "run_realizations"]


def run_realizations(problem, indices, cache=None) -> RunningStats:
    """Compute realizations and return their per-cell statistics.

    The realizations are :func:`krigflow.run.realize.realization_values` (trend added back): all
    realizations of ``indices`` in one kriging call (the Worker calls :func:`compute_chunk`, which also
    summarizes them).

    Parameters
    ----------
    problem : Problem
        The run's problem.
    indices : sequence of int, shape (R,)
        Realization indices.
    cache : dict, optional
        The calling worker's cache, kept between chunks (see
        :func:`krigflow.realizations.conditional_realizations`).

    Returns
    -------
    krigflow.stats.RunningStats
        Statistics over the ``R`` realizations.
    """
    return RunningStats.from_batch(realization_values(problem, indices, cache=cache), problem.histogram)


#: The default computation of a worker (the one that takes the worker's cache).
_DEFAULT_COMPUTE = run_realizations


class Checkpointer:
    """Write one worker's cumulative accumulator to its own partial file every ``every`` realizations.

    Parameters
    ----------
    folder : str
        The ``partials`` folder (created if needed).
    fingerprint : dict
    meta : dict
        Metadata recorded in the file (run id, total realizations, grid, run info...).
    every : int
        Checkpoint interval in realizations (rounded up to whole chunks).
    """

    def __init__(self, folder, fingerprint, meta, every):
        self.folder, self.fingerprint, self.meta, self.every = folder, fingerprint, dict(meta), int(every)
        self.path = os.path.join(folder, f"part-{uuid.uuid4().hex}.npz")
        self.written = 0  # realizations in the file
        self.lock_ = None

    def start(self):
        """Create the folder and hold a shared lock on it while this kriger lives (see :func:`krigflow.io.partials_lock`)."""
        try:
            os.makedirs(self.folder, exist_ok=True)
            self.lock_ = open(os.path.join(self.folder, ".lock"), "a")  # noqa: SIM115 - held until exit
            fcntl.flock(self.lock_.fileno(), fcntl.LOCK_SH)
        except OSError as exc:
            raise KrigflowError(
                f"cannot write partial results to {self.folder}: {exc.strerror or exc}"
            ) from exc

    def close(self):
        """Release the folder lock (at the end of the kriger's work)."""
        if self.lock_ is not None:
            self.lock_.close()
            self.lock_ = None

    def update(self, stats, indices, seconds=0.0, *, final=False, summaries=None) -> bool:
        """Write the file if ``every`` realizations were added since the last write (or ``final``).

        Returns True if the file was written. Raises :class:`krigflow.io.CheckpointError` naming the file on
        a write error (the previous version of the file stays valid).
        """
        n = len(indices)
        if n == self.written or (not final and n - self.written < self.every):
            return False
        meta = dict(self.meta, pid=os.getpid(), host=socket.gethostname(), seconds=seconds,
                    final=bool(final), written=time.time())
        try:
            write_partial(self.path, stats, indices, self.fingerprint, meta, summaries=summaries)
        except OSError as exc:
            raise CheckpointError(
                f"cannot write the checkpoint {self.path}: {exc.strerror or exc}; partial files already "
                f"written in {self.folder} are kept (run again to resume)"
            ) from exc
        self.written = n
        return True


class Worker:
    """Compute chunks of realizations into one accumulator; checkpoint and report progress.

    Parameters
    ----------
    order : krigflow.run.WorkOrder
        The problem, and where to write the partial file (``checkpoint``, None: no file) and the progress
        file (``progress``, None: none).
    name : str, default "worker"
        Name of this worker in progress lines.
    n_workers : int, default 1
        Workers sharing this machine: BLAS/FFT threads are limited to ``max(1, cores // n_workers)``.
    compute : callable, optional
        ``compute(problem, indices) -> (RunningStats, SummaryTable or None)`` (or just ``RunningStats``);
        default :func:`krigflow.run.summaries.compute_chunk` (tests pass one that fails or sleeps).

    Examples
    --------
    A worker without checkpoints::

        worker = Worker(WorkOrder(problem)).start()
        for chunk in chunk_indices(problem.realizations, problem.batch_size):
            worker.run(chunk)
        partial = worker.close()
    """

    def __init__(self, order, *, name="worker", n_workers=1, compute=None):
        self.order = order
        self.name = name
        self.threads = threads_per_worker(max(1, int(n_workers)))
        self.compute = compute  # None: compute_chunk, looked up when used
        self.stats, self.done, self.seconds, self.summaries = None, [], 0.0, None
        self.checkpointer, self.progress, self.lock = None, None, None
        self.write_failed = False
        self.warnings = []
        self.cache = {}         # kept between chunks by the default computation (the generator's spectrum)

    @property
    def problem(self):
        """The problem of the work order."""
        return self.order.problem

    def start(self) -> Worker:
        """Open the partial file's folder (holding its lock) and the progress file; return self.

        With a run id in the checkpoint's ``meta``, the worker joins the run's hold on the output folder
        (:func:`krigflow.run.lock.join`) until :meth:`close`.

        Raises
        ------
        krigflow.exceptions.KrigflowError
            If the partials folder cannot be written, or :class:`krigflow.run.lock.RunLockError` if
            another run took the output folder over.
        """
        info = self.order.checkpoint
        if info is not None and self.checkpointer is None:
            run_id = info.meta.get("run_id")
            if run_id and self.lock is None:  # work under the run's lock: refused if another run took over
                self.lock = join(os.path.dirname(info.folder), run_id)
            self.checkpointer = Checkpointer(info.folder, info.fingerprint, info.meta, info.every)
            self.checkpointer.start()
        if self.order.progress is not None and self.progress is None:  # a file krigflow run polls
            p = self.order.progress
            self.progress = KrigerProgress(p.folder, p.run_id, p.total, worker=self.name)
        return self

    def run(self, indices) -> None:
        """Compute realizations ``indices`` and fold them into the accumulator; checkpoint if due.

        Raises
        ------
        Exception
            Whatever the computation raises (the accumulator keeps the earlier chunks), or
            :class:`krigflow.io.CheckpointError` if the partial file cannot be written (no later write is
            tried).
        """
        indices = [int(r) for r in indices]
        start = time.perf_counter()
        try:
            with blas_threads(self.threads), collect_warnings(self.warnings):
                if self.compute is None:
                    result = compute_chunk(self.problem, indices, cache=self.cache)
                else:
                    result = self.compute(self.problem, indices)
            stats, table = result if isinstance(result, tuple) else (result, None)
            if self.stats is None:
                self.stats = stats
            else:
                self.stats.merge_in_place(stats)      # no second copy of the accumulator
            if table is not None:
                self.summaries = table if self.summaries is None else self.summaries.merge(table)
            self.done.extend(indices)
            if self.progress is not None:
                self.progress.add(len(indices))
        finally:
            self.seconds += time.perf_counter() - start
        self._checkpoint()

    def _checkpoint(self, final=False):
        if self.checkpointer is None or self.write_failed or not self.done:
            return
        try:
            self.checkpointer.update(self.stats, self.done, self.seconds, final=final,
                                     summaries=self._summaries())
        except Exception:
            self.write_failed = True  # the earlier version of the file stays valid
            raise

    def close(self):
        """Write the partial file a last time (what was computed, also after a failure), release the lock.

        Returns
        -------
        krigflow.run.Partial or None
            The statistics of the realizations computed, or None if there are none.

        Raises
        ------
        krigflow.io.CheckpointError
            If the last write fails (the lock is released anyway).
        """
        try:
            self._checkpoint(final=True)
        finally:
            if self.checkpointer is not None:
                self.checkpointer.close()
            if self.lock is not None:
                self.lock.release()
        return self.partial()

    def partial(self):
        """The statistics computed so far as a :class:`krigflow.run.Partial` (None if nothing was)."""
        if not self.done:
            return None
        return Partial(indices=np.sort(np.asarray(self.done, dtype=np.int64)), stats=self.stats,
                       seconds=self.seconds, summaries=self._summaries(),
                       warnings=tuple(self.warnings))

    def _summaries(self):
        """The summary table, if every chunk computed had one (a compute without summaries gives none)."""
        if self.summaries is None or len(self.summaries) != len(self.done):
            return None
        return self.summaries
