"""LogReader: the root PE. Reads the run config and the wells, and emits them."""

from __future__ import annotations

import time
from dataclasses import replace

from dispel4py.base import ProducerPE

from krigflow.exceptions import WorkflowError
from krigflow.run import RunRequest, RunState, load_wells, open_output, read_config

from ._common import error_of


class LogReader(ProducerPE):
    """Read the run config and every well; emit a :class:`krigflow.run.RunState`, then one Well per well.

    Input items (dispel4py ``-d``/``-f``): see :meth:`krigflow.run.RunRequest.from_item`; with no item,
    ``default_config`` runs. One item per run. On failure the state so far and a
    :class:`krigflow.run.RunError` are emitted instead of the wells.
    """

    def __init__(self, default_config=None):
        ProducerPE.__init__(self)
        self.default_config = default_config

    def _preprocess(self):
        self.items_ = 0

    def _process(self, inputs):
        self.items_ += 1
        state = RunState(request=None, started=time.time())
        try:
            state = replace(state, request=RunRequest.from_item(inputs, self.default_config))
            if self.items_ > 1:
                raise WorkflowError("one run per graph execution; got more than one input item")
            state = read_config(state)
            state, wells = load_wells(open_output(state))  # --overwrite deletes the partials here
        except Exception as exc:  # noqa: BLE001 - sent on, never raised (multi would hang)
            self.write(self.OUTPUT_NAME, state)
            self.write(self.OUTPUT_NAME, error_of(self, exc))
            return
        self.write(self.OUTPUT_NAME, state)
        for well in wells:
            self.write(self.OUTPUT_NAME, well)
        return
