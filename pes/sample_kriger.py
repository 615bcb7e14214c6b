"""SampleKriger: computes chunks of realizations into a local accumulator."""

from __future__ import annotations

import logging
import time

import numpy as np
from dispel4py.core import GenericPE

from krigflow.run import (
    Checkpointer,
    KrigerProgress,
    Partial,
    blas_threads,
    run_realizations,
    threads_per_worker,
)

from ._common import error_record

logger = logging.getLogger(__name__)


class SampleKriger(GenericPE):
    """Krige the chunks of realizations it receives; emit one partial (or one error) at the end.

    Inputs: ``problem`` (one-to-all): ``{"problem": Problem}``; ``tasks`` (shared):
    ``{"indices": [...]}``. Tasks that arrive before the problem are buffered.

    Output ``output``: ``{"partial": Partial}`` from an instance that computed something, or
    ``{"error": {...}}``. BLAS/FFT threads are limited to ``max(1, cores // numprocesses)``.

    Checkpoints: when the problem message carries ``checkpoint`` (:func:`krigflow.run.checkpoint.checkpoint_info`),
    the local accumulator is written to this kriger's own partial file every ``checkpoint_every``
    realizations and at the end (:class:`krigflow.run.checkpoint.Checkpointer`); a write error ends its work
    with an error record naming the file.
    """

    def __init__(self):
        GenericPE.__init__(self)
        self._add_input("problem", grouping="all")
        self._add_input("tasks")
        self._add_output("output")

    def _preprocess(self):
        self.problem_, self.pending_, self.stats_, self.done_ = None, [], None, []
        self.seconds_, self.error_, self.checkpoint_ = 0.0, None, None
        self.progress_ = None

    def process(self, inputs):
        if "problem" in inputs:
            self.problem_ = inputs["problem"]["problem"]
            chunks, self.pending_ = self.pending_, []
            self._start_checkpoints(inputs["problem"].get("checkpoint"))
            if inputs["problem"].get("progress") and self.progress_ is None:  # a file krigflow run polls
                self.progress_ = KrigerProgress(**inputs["problem"]["progress"], worker=self.id)
        else:
            chunks = [inputs["tasks"]["indices"]]
        if self.problem_ is None:
            self.pending_.extend(chunks)
            return
        for chunk in chunks:
            self._run(chunk)

    def compute(self, problem, indices):
        """Statistics of realizations ``indices`` (:func:`krigflow.run.core.run_realizations`)."""
        return run_realizations(problem, indices)

    def _run(self, chunk):
        if self.error_ is not None:
            return  # after a failure, the run is lost: do not spend time on it
        start = time.perf_counter()
        try:
            with blas_threads(threads_per_worker(max(1, int(self.numprocesses)))):
                stats = self.compute(self.problem_, chunk)
            self.stats_ = stats if self.stats_ is None else self.stats_.merge(stats)
            self.done_.extend(chunk)
            if self.progress_ is not None:
                self.progress_.add(len(chunk))
        except Exception as exc:  # noqa: BLE001 - reported downstream
            self.error_ = error_record(self, exc, context=f"realizations {min(chunk)}-{max(chunk)}")
        self.seconds_ += time.perf_counter() - start
        self._checkpoint()

    def _start_checkpoints(self, info):
        """Partial file of this kriger (written every ``checkpoint_every`` realizations and at the end)."""
        if info is None or self.checkpoint_ is not None:
            return
        try:
            self.checkpoint_ = Checkpointer(info["folder"], info["fingerprint"], info["meta"], info["every"])
            self.checkpoint_.start()
        except Exception as exc:  # noqa: BLE001 - reported downstream
            self.error_ = error_record(self, exc)

    def _checkpoint(self, final=False):
        if self.checkpoint_ is None:
            return
        try:
            if self.done_ and self.error_ is None:
                self.checkpoint_.update(self.stats_, self.done_, self.seconds_, final=final)
        except Exception as exc:  # noqa: BLE001 - a write error ends the run; earlier partials are kept
            self.error_ = error_record(self, exc)
        finally:
            if final:
                self.checkpoint_.close()

    def _postprocess(self):
        if self.pending_ and self.error_ is None:
            self.error_ = error_record(self, "received realization tasks but never the problem")
        self._checkpoint(final=True)
        if self.error_ is not None:
            self.write("output", self.error_)
        elif self.done_:  # idle instances send nothing
            partial = Partial(
                indices=np.sort(np.asarray(self.done_, dtype=np.int64)),
                stats=self.stats_,
                seconds=self.seconds_,
            )
            self.write("output", {"partial": partial})
