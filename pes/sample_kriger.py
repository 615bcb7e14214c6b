"""SampleKriger: computes chunks of realizations (of the grid or of one block) with a :class:`krigflow.run.BlockWorker`."""

from __future__ import annotations

from dispel4py.core import GenericPE

from krigflow.io import CheckpointError
from krigflow.run import BlockWorker, compute_chunk

from ._common import error_of


class SampleKriger(GenericPE):
    """Compute the chunks of realizations it receives; emit one Partial (or one RunError) at the end.

    Inputs: ``problem`` (one-to-all): a :class:`krigflow.run.WorkOrder`; ``tasks`` (shared):
    :class:`krigflow.run.Task`, buffered until the work order arrives; ``block_tasks`` (group-by block
    index): the tasks of a run split into blocks (:mod:`krigflow.run.blocks`), every task of a block to
    the same instance. The :class:`krigflow.run.BlockWorker` checkpoints, reports progress and limits BLAS
    threads; a block's Partial is sent as soon as its last task is done. After an error the other chunks
    are skipped.
    """

    def __init__(self):
        GenericPE.__init__(self)
        self._add_input("problem", grouping="all")
        self._add_input("tasks")
        self._add_input("block_tasks", grouping=[0])   # Task[0]: the block index (an int: same in every rank)
        self._add_output("output")

    def _preprocess(self):
        self.worker_, self.pending_, self.error_ = None, [], None
        self.cache_ = {}    # the field generator's spectrum, kept between chunks of the problem

    def compute(self, problem, indices):
        """Statistics and summaries of realizations ``indices`` (:func:`krigflow.run.compute_chunk`); tests override it."""
        return compute_chunk(problem, indices, cache=getattr(self, "cache_", None))

    def process(self, inputs):
        if "problem" in inputs:
            self.worker_ = BlockWorker(inputs["problem"], name=self.id, n_workers=self.numprocesses,
                                       compute=self.compute)
            self._guard(self.worker_.start)
            tasks, self.pending_ = self.pending_, []
        else:
            tasks = list(inputs.values())
        if self.worker_ is None:
            self.pending_.extend(tasks)
            return
        for task in tasks:
            where = "" if task.block is None else f"{task.block.describe()}: "
            chunk = task.indices
            for partial in self._guard(self.worker_.run, task,
                                       context=f"{where}realizations {min(chunk)}-{max(chunk)}") or ():
                self.write("output", partial)   # a finished block: its statistics leave this process

    def _guard(self, step, *args, context=None):
        if self.error_ is not None:
            return None  # after a failure, the run is lost: do not spend time on it
        try:
            return step(*args)
        except CheckpointError as exc:  # names the file: no context needed
            self.error_ = error_of(self, exc)
        except Exception as exc:  # noqa: BLE001 - reported downstream
            self.error_ = error_of(self, exc, context)
        return None

    def _postprocess(self):
        if self.pending_ and self.error_ is None:
            self.error_ = error_of(self, "received realization tasks but never the problem")
        partials = []
        if self.worker_ is not None:
            try:
                partials = self.worker_.close()  # the last checkpoint; also after an error
            except Exception as exc:  # noqa: BLE001
                self.error_ = self.error_ or error_of(self, exc)
        for message in [self.error_] if self.error_ is not None else partials:  # idle instances send nothing
            self.write("output", message)
