"""A worker of tasks that may cover one block of the grid each (see :mod:`krigflow.run.blocks`).

:class:`BlockWorker` runs :class:`krigflow.run.Task` s with one :class:`krigflow.run.Worker` per piece:
tasks over the whole grid go to one worker for the whole run (exactly the unblocked run); tasks of a block
go to a worker of that block's sub-problem, whose partial file records the block. When a task of another
block arrives, the current block's worker is closed (last checkpoint) and its :class:`krigflow.run.Partial`
is handed back at once, so a kriger holds the statistics of one block at a time.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from krigflow.run.blocks import block_problem
from krigflow.run.messages import CheckpointInfo, WorkOrder
from krigflow.run.progress import KrigerProgress
from krigflow.run.worker import Worker

logger = logging.getLogger(__name__)

__all__ = ["BlockWorker"]


class BlockWorker:
    """Run tasks (whole grid, or one block each) and hand back the partials of finished blocks.

    Parameters
    ----------
    order : krigflow.run.WorkOrder
    name : str, default "worker"
    n_workers : int, default 1
        Workers sharing this machine (BLAS/FFT threads, see :class:`krigflow.run.Worker`).
    compute : callable, optional
        ``compute(problem, indices)`` (see :class:`krigflow.run.Worker`); called with the block's problem.

    Examples
    --------
    ::

        worker = BlockWorker(work_order(state)).start()
        for task in work_chunks(state):
            send(worker.run(task))          # partials of blocks that are finished
        send(worker.close())                # the rest
    """

    def __init__(self, order, *, name="worker", n_workers=1, compute=None):
        self.order, self.name, self.n_workers, self.compute = order, name, n_workers, compute
        self.current, self.block = None, None
        self.progress, self.done, self.seconds = None, 0, 0.0
        self.failed = False

    def start(self) -> BlockWorker:
        """Open the progress file (the workers of the pieces start with their first task); return self."""
        p = self.order.progress
        if p is not None and self.progress is None:
            self.progress = KrigerProgress(p.folder, p.run_id, p.total, worker=self.name)
        return self

    def run(self, task) -> list:
        """Compute one task; return the partials of the pieces it finished (the previous block's).

        Raises
        ------
        Exception
            What :meth:`krigflow.run.Worker.run` raises (the piece keeps its earlier chunks).
        """
        finished = []
        if self.current is not None and task.block != self.block:
            finished = self._close_current()
        if self.current is None:
            self.current, self.block = self._worker(task.block).start(), task.block
        before = self.current.seconds
        try:
            self.current.run(task.indices)
        finally:
            self.seconds += self.current.seconds - before
        self.done += len(task.indices)
        if self.progress is not None:
            self.progress.add(len(task.indices))
        return finished

    def _worker(self, block):
        order = self.order
        if block is not None:
            info = order.checkpoint
            if info is not None:
                info = CheckpointInfo(info.folder, info.every, info.fingerprint,
                                      dict(info.meta, block=block.to_meta()))
            order = WorkOrder(problem=block_problem(order.problem, block), checkpoint=info)
        else:
            order = replace(order, progress=None)
        return Worker(order, name=self.name, n_workers=self.n_workers, compute=self.compute)

    def _close_current(self) -> list:
        worker, block = self.current, self.block
        self.current, self.block = None, None
        partial = worker.close()
        if partial is None:
            return []
        return [partial if block is None else replace(partial, block=block)]

    def close(self) -> list:
        """Close the current piece (last checkpoint, also after a failure); return its partial (or none).

        Raises
        ------
        krigflow.io.CheckpointError
            If the last write fails.
        """
        if self.current is None:
            return []
        return self._close_current()
