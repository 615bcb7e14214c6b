"""StatsAccumulator: merges the partials, writes the outputs and the status record."""

from __future__ import annotations

import logging

from dispel4py.core import GenericPE

from krigflow.exceptions import WorkflowError
from krigflow.run import RunError, RunState, end_run

logger = logging.getLogger(__name__)


class StatsAccumulator(GenericPE):
    """Finish the run (all-to-one, one instance) with :func:`krigflow.run.end_run`.

    Inputs: ``partial`` (global) from the SampleKrigers, ``run`` (global) from the GridPlacer; errors may
    arrive on either. Writes the results on success and always a status record (also emitted on output
    ``status``); on failure it raises :class:`~krigflow.exceptions.WorkflowError` so that the simple and
    mpi mappings exit with status 1.
    """

    single = True

    def __init__(self):
        GenericPE.__init__(self)
        self._add_input("partial", grouping="global")
        self._add_input("run", grouping="global")
        self._add_output("status")

    def _preprocess(self):
        self.state_, self.partials_, self.errors_ = None, [], []

    def process(self, inputs):
        for message in inputs.values():
            if isinstance(message, RunError):
                self.errors_.append(message)
            elif isinstance(message, RunState):
                self.state_ = message
            else:
                self.partials_.append(message)

    def _postprocess(self):
        if self.state_ is None and not self.partials_ and not self.errors_:
            return  # nothing received (an idle instance)
        status = end_run(self.state_, self.partials_, self.errors_, name=self.name)
        self.write("status", status)
        for error in status["errors"]:
            logger.error("krigflow run failed: %s: %s", error["pe"], error["message"])
        if status["errors"]:
            raise WorkflowError(status["message"])
